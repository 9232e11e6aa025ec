/*
 * The host's side of one destination driver instance: assigns sequence
 * numbers, counts every fate, and wakes the sources that were told FULL.
 *
 * Accounting invariant, checked at exit:
 *   accepted = delivered + dropped + returned + handed_over + outstanding
 *
 * A reload that changes a destination makes the new instance the old one's
 * successor (host_destination_succeed): what the old instance returns goes
 * into the new one, in order, before anything new.
 */
#ifndef LIFELINE_HOST_DESTINATION_H
#define LIFELINE_HOST_DESTINATION_H

#include <lifeline/plugin.h>
#include <stdint.h>

struct host_destination;

struct host_destination_counts
{
  uint64_t accepted, delivered, dropped, returned, rejected;
  uint64_t handed_over; /* returned, and pushed into the successor */
};

typedef void (*host_destination_fn)(void *ctx);

/* Creates (validates) the driver instance for NODE.  NAME is copied.  NULL
 * with err located at the offending option. */
struct host_destination *host_destination_new(const char *name, const struct lifeline_driver *driver,
                                              const struct lifeline_option *node, struct lifeline_error *err);
/* NULL-safe; stops nothing: call only when never started or after stopped. */
void host_destination_free(struct host_destination *self);
/* A reload kept this instance (its options did not change): the module
 * reads the files they name again (renewed TLS certificates, keys, CRLs),
 * for new connections.  A failure is logged; the old files stay in use. */
void host_destination_reload_files(struct host_destination *self);

const char *host_destination_name(const struct host_destination *self);
/* The config word of the instance's driver, e.g. "network". */
const char *host_destination_driver_name(const struct host_destination *self);
int host_destination_start(struct host_destination *self, struct lifeline_error *err);
int host_destination_is_started(const struct host_destination *self);

/* At a reload, SELF (new, not started) replaces OLD (running, about to stop):
 * SELF continues OLD's host seqs and completed mark, takes what OLD returns,
 * and refuses new pushes (FULL, then a wakeup) until OLD stopped and all of it
 * was pushed.  OLD must stay alive until it stopped. */
void host_destination_succeed(struct host_destination *self, struct host_destination *old);
/* The instance SELF succeeds while that one has not stopped, or NULL. */
struct host_destination *host_destination_predecessor(const struct host_destination *self);

/* enum lifeline_push_result.  The bytes are copied by the module.  On QUEUED
 * *SEQ (may be NULL) is the sequence number the message got. */
int host_destination_push(struct host_destination *self, const uint8_t *data, size_t len, uint64_t *seq);

/* The completed mark: every seq <= it was DELIVERED or DROPPED (a RETURNED
 * message stops it).  What a source that remembers positions waits for. */
uint64_t host_destination_completed(const struct host_destination *self);

/* After a FULL push: FN(CTX) runs once, at the module's next wakeup. */
void host_destination_wait(struct host_destination *self, host_destination_fn fn, void *ctx);
/* Forgets every wait of CTX (a source that stops or moves). */
void host_destination_cancel_wait(struct host_destination *self, void *ctx);

/* Stops the instance; DONE(CTX) runs once every accepted message has a fate. */
void host_destination_stop(struct host_destination *self, uint32_t timeout_ms, host_destination_fn done, void *ctx);
int host_destination_is_stopped(const struct host_destination *self);

void host_destination_counts(const struct host_destination *self, struct host_destination_counts *out);
int host_destination_query(struct host_destination *self, lifeline_emit_fn emit, void *ctx);
/* An operator's command (the driver's command()): 0, or -1 with REPLY saying
 * why.  REPLY is always NUL-terminated text. */
int host_destination_command(struct host_destination *self, const char *verb, const char *arg, char *reply,
                             size_t size);

#endif
