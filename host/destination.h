/*
 * The host's side of one destination driver instance: assigns sequence
 * numbers, counts every fate, and wakes the sources that were told FULL.
 *
 * Accounting invariant, checked at exit:
 *   accepted = delivered + dropped + returned + outstanding
 */
#ifndef LIFELINE_HOST_DESTINATION_H
#define LIFELINE_HOST_DESTINATION_H

#include <lifeline/plugin.h>
#include <stdint.h>

struct host_destination;

struct host_destination_counts
{
  uint64_t accepted, delivered, dropped, returned, rejected;
};

typedef void (*host_destination_fn)(void *ctx);

/* Creates (validates) the driver instance for NODE.  NAME is copied.  NULL
 * with err located at the offending option. */
struct host_destination *host_destination_new(const char *name, const struct lifeline_driver *driver,
                                              const struct lifeline_option *node, struct lifeline_error *err);
/* NULL-safe; stops nothing: call only when never started or after stopped. */
void host_destination_free(struct host_destination *self);

const char *host_destination_name(const struct host_destination *self);
/* The config word of the instance's driver, e.g. "network". */
const char *host_destination_driver_name(const struct host_destination *self);
int host_destination_start(struct host_destination *self, struct lifeline_error *err);

/* enum lifeline_push_result.  The bytes are copied by the module. */
int host_destination_push(struct host_destination *self, const uint8_t *data, size_t len);

/* After a FULL push: FN(CTX) runs once, at the module's next wakeup. */
void host_destination_wait(struct host_destination *self, host_destination_fn fn, void *ctx);

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
