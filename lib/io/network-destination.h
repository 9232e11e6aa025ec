/*
 * A network() destination on the host's ivykis loop: the queue, one
 * connection to one server, reconnects after time-reopen(), acknowledgement
 * based DELIVERED fates, and a stop that delivers or returns every message.
 *
 * The object reports through the ABI's struct lifeline_dest_host, so the
 * module's adapter only forwards calls.  Lifecycle: _new (no I/O), _start,
 * _push..., _stop (then dest_host->stopped), _free.
 */
#ifndef LIFELINE_NETWORK_DESTINATION_H
#define LIFELINE_NETWORK_DESTINATION_H

#include "core/network-options.h"

#include <lifeline/plugin.h>

struct network_destination;

/* Copies OPTS (deeply: the caller still clears its own) and DEST_HOST;
 * HOST must outlive the destination.  Reads the TLS files; DRIVER (borrowed
 * for the call, may be NULL) locates an error about them.  NULL on error
 * (err filled). */
struct network_destination *network_destination_new(const struct network_options *opts,
                                                     const struct lifeline_option *driver,
                                                     const struct lifeline_host *host,
                                                     const struct lifeline_dest_host *dest_host,
                                                     struct lifeline_error *err);
int network_destination_start(struct network_destination *self, struct lifeline_error *err);
int network_destination_push(struct network_destination *self, const struct lifeline_msg *msg);
void network_destination_stop(struct network_destination *self, uint32_t timeout_ms);
/* NULL-safe.  Only after stopped() was reported, or before start. */
void network_destination_free(struct network_destination *self);
int network_destination_query(struct network_destination *self, lifeline_emit_fn emit, void *ctx);
/* The ABI's reload(): re-reads the files the options name (TLS). */
int network_destination_reload(struct network_destination *self, struct lifeline_error *err);
int network_destination_command(struct network_destination *self, const char *verb, const char *arg,
                                char *reply, size_t reply_size);

#endif
