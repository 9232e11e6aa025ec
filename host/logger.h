/*
 * The host's own log: one line per event on stderr,
 *   2026-11-22T02:55:01.123Z notice: Connected; destination=d_net server=127.0.0.1:5140
 * with a level threshold.  Modules log through the ABI's host->log, which
 * lands here too, so every line has the same shape.  Messages, keys and
 * values may hold any bytes: they are escaped (lib/core/log-escape.h, and
 * docs/operations.md "Log format"), so one event is always one line.  A line
 * is at most 2048 bytes; one that had to be cut ends in line_truncated=yes.
 */
#ifndef LIFELINE_HOST_LOGGER_H
#define LIFELINE_HOST_LOGGER_H

#include <stddef.h>

void logger_set_level(int max_level);
int logger_enabled(int level);
/* Tags are key, value pairs ended by NULL; values may be NULL (skipped).  At
 * most 16 tags are logged.  All strings are borrowed; nothing is kept. */
void logger_log(int level, const char *message, ...) __attribute__((sentinel));
/* The ABI-shaped entry point (struct lifeline_host.log).  A NULL key or value
 * skips that tag; a NULL message is logged as an empty one. */
void logger_log_tags(void *ctx, int level, const char *message,
                     const char *const *keys, const char *const *values, size_t n_tags);

#endif
