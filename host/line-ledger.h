/*
 * The lines a source handed over and still waits on: for each, the position
 * just past it in its file and the seq each target gave it.  Entries leave
 * from the front once every target's completed mark reached their seq, which
 * yields the position up to which everything was delivered (or dropped by a
 * named policy).  Lines reach each destination in the order they were read,
 * so that position only moves forward within a file.
 *
 * A ring that doubles when full: once it holds what the destinations' queues
 * hold, appending allocates nothing.
 */
#ifndef LIFELINE_HOST_LINE_LEDGER_H
#define LIFELINE_HOST_LINE_LEDGER_H

#include <stddef.h>
#include <stdint.h>

/* A place in a file: which file (device, inode) and the byte offset. */
struct line_position
{
  uint64_t dev, ino, offset;
};

struct line_ledger;

/* N_TARGETS: how many seqs every entry holds (the source's targets). */
struct line_ledger *line_ledger_new(size_t n_targets);
/* NULL-safe. */
void line_ledger_free(struct line_ledger *self);

/* SEQS has n_targets entries, 0 for a target that waits for nothing (it
 * refused the line); SEQS NULL: a position with nothing to wait for (a file
 * was opened or restarted).  Both copied. */
void line_ledger_append(struct line_ledger *self, const struct line_position *pos, const uint64_t *seqs);

/* Drops the entries whose seqs are all <= COMPLETED[i] (per target), in
 * order.  1 with *OUT set to the last dropped entry's position, 0 when none
 * could be dropped. */
int line_ledger_advance(struct line_ledger *self, const uint64_t *completed, struct line_position *out);

/* The source's targets changed (a reload): target j of the N_TARGETS new ones
 * was FROM[j] before, or -1 for a new one, whose column becomes 0 (it never
 * had those lines).  Old targets no one maps to are forgotten. */
void line_ledger_remap(struct line_ledger *self, size_t n_targets, const int *from);

/* Entries still waiting. */
size_t line_ledger_len(const struct line_ledger *self);

#endif
