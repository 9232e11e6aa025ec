/*
 * One running configuration: its sources, destination instances and log
 * paths, built from the parsed tree, and the stop sequence that gives every
 * message a fate before the process exits.
 */
#ifndef LIFELINE_RUNTIME_H
#define LIFELINE_RUNTIME_H

#include "module-loader.h"
#include "persist-file.h"

#include <lifeline/plugin.h>

#define RUNTIME_DEFAULT_LOG_MSG_SIZE (64 * 1024)
#define RUNTIME_DEFAULT_STOP_TIMEOUT_MS 30000

struct runtime;
struct host_destination;

/* Validates ROOT completely (every driver's options through its module) and
 * creates the instances, without any I/O.  A source named in no log path is
 * an error (it would be read and every line dropped); a destination named in
 * no log path is logged as a warning and dropped, so it never starts.  ROOT, LOADER and PERSIST (where
 * file() sources keep their delivered positions; NULL: nowhere) are borrowed
 * and must outlive the runtime.  NULL with a located err. */
struct runtime *runtime_new(const struct lifeline_option *root, struct module_loader *loader,
                            struct persist_file *persist, struct lifeline_error *err);
void runtime_free(struct runtime *self);

/* FINISHED(CTX) runs once every source ended (or was stopped) and every
 * destination reported stopped. */
int runtime_start(struct runtime *self, void (*finished)(void *ctx), void *ctx, struct lifeline_error *err);
/* Stop reading now and shut down within the stop timeout (SIGTERM, SIGINT). */
void runtime_request_stop(struct runtime *self, const char *why);
/* A reload: NEXT (built, not started) takes SELF's place.  Destinations are
 * matched by name.  An unchanged one (the same statement) moves to NEXT with
 * its instance, queue and connection; a changed one's new instance succeeds
 * the old one (host_destination_succeed); so does an unchanged source, with
 * its listener, connections and read position.  The rest of SELF stops now:
 * its sources at once, its destinations within the stop timeout, returning
 * what they did not deliver (to the successor, or dropped-by-reload when
 * removed).  FINISHED(CTX) runs once they stopped; runtime_report then
 * reports what stayed in SELF. */
void runtime_hand_over(struct runtime *self, struct runtime *next, void (*finished)(void *ctx), void *ctx);
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
