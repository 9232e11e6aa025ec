/*
 * Sequence accounting of the messages a collector received: which sequence
 * numbers arrived, which twice or more, which out of order, and at the end
 * the ranges between the lowest and the highest one that never arrived.
 *
 * A message's sequence number is its leading run of decimal digits (the
 * generator writes a zero-padded one); a message without one is counted as
 * unsequenced.  Numbers are kept in bitmaps of 2^20 numbers per page,
 * allocated only when a number in that page arrives, so a run that starts
 * at 10^9 costs no more than one that starts at 1.
 *
 * The caller embeds the tracker (seq_tracker_init() before use) and calls
 * seq_tracker_deinit() to free the pages the tracker allocated.
 */
#ifndef LIFELINE_TOOLS_SEQ_TRACKER_H
#define LIFELINE_TOOLS_SEQ_TRACKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Longest leading digit run taken as a sequence number (seq < 10^12). */
#define SEQ_TRACKER_MAX_DIGITS 12

/* The report lists at most this many missing ranges and duplicated numbers;
 * the totals always count all of them. */
#define SEQ_TRACKER_REPORT_MAX 100

struct seq_tracker
{
  /* Counters, for the caller's stats; first_seq and max_seq mean something
   * only once have_seq is set. */
  uint64_t distinct, duplicates, out_of_order, unsequenced, first_seq, max_seq;
  bool have_seq;

  /* Private. */
  uint64_t **seen;            /* page -> bitmap of seqs that arrived */
  uint64_t **dup;             /* page -> bitmap of seqs that arrived twice or more */
  size_t npages;
  uint64_t dup_examples[SEQ_TRACKER_REPORT_MAX];
  size_t ndup_examples;
};

void seq_tracker_init(struct seq_tracker *self);
void seq_tracker_deinit(struct seq_tracker *self);

/* Accounts for one message of LEN bytes (its framing already removed). */
void seq_tracker_add(struct seq_tracker *self, const char *msg, size_t len);

/* Writes the "missing=A-B" lines, "missing_total=N" and
 * "duplicated_seqs=S,..." to F. */
void seq_tracker_write_report(const struct seq_tracker *self, FILE *f);

#endif
