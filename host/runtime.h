/*
 * One running configuration: its sources, destination instances and log
 * paths, built from the parsed tree, and the stop sequence that gives every
 * message a fate before the process exits.
 */
#ifndef LIFELINE_RUNTIME_H
#define LIFELINE_RUNTIME_H

#include "module-loader.h"

#include <lifeline/plugin.h>

#define RUNTIME_DEFAULT_LOG_MSG_SIZE (64 * 1024)
#define RUNTIME_DEFAULT_STOP_TIMEOUT_MS 30000

struct runtime;
struct host_destination;

/* Validates ROOT completely (every driver's options through its module) and
 * creates the instances, without any I/O.  ROOT and LOADER are borrowed and
 * must outlive the runtime.  NULL with a located err. */
struct runtime *runtime_new(const struct lifeline_option *root, struct module_loader *loader,
                            struct lifeline_error *err);
void runtime_free(struct runtime *self);

/* FINISHED(CTX) runs once every source ended (or was stopped) and every
 * destination reported stopped. */
int runtime_start(struct runtime *self, void (*finished)(void *ctx), void *ctx, struct lifeline_error *err);
/* Stop reading now and shut down within the stop timeout (SIGTERM, SIGINT). */
void runtime_request_stop(struct runtime *self, const char *why);
/* A reload replaces this runtime: stop reading now (listeners close, so the
 * new runtime can bind the same ports) and stop the destinations within the
 * stop timeout; FINISHED(CTX) then runs instead of the one given to
 * runtime_start.  What is not delivered by then is counted as
 * dropped-by-reload in runtime_report (no disk buffer yet).  -1 (nothing
 * changed) when the runtime is already stopping. */
int runtime_retire(struct runtime *self, void (*finished)(void *ctx), void *ctx);
int runtime_is_stopping(const struct runtime *self);
/* Overrides options { stop-timeout() } (the command line wins). */
void runtime_set_stop_timeout(struct runtime *self, uint32_t timeout_ms);

/* The destination instances in config order (the control channel's view). */
size_t runtime_n_destinations(const struct runtime *self);
struct host_destination *runtime_destination(const struct runtime *self, size_t i);

/* Logs the final counts and returns the exit code: 0 when every message read
 * was delivered (or dropped by a named policy), 1 otherwise.  A retired
 * runtime names what it did not deliver dropped-by-reload. */
int runtime_report(struct runtime *self);

#endif
