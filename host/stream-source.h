/*
 * The tcp(ip("ADDR") port(N) max-connections(10)) and
 * unix-stream("PATH" max-connections(10)) sources: newline-framed receivers
 * with several clients at once, each with its own line splitter.
 *
 *  - A client's last line without '\n' is forwarded when it disconnects (as
 *    syslog-ng does); ECONNRESET counts as a disconnect, keeping what was read.
 *  - A connection beyond max-connections() is accepted and closed at once, and
 *    logged (the first one, then at most one line per 10 s with a count), so
 *    the client sees the refusal instead of hanging in the backlog.
 *  - While a destination is full, no client is read (their TCP windows close)
 *    until its wakeup; new connections are still accepted, but not read.
 *  - unix-stream() removes a stale socket at PATH at start (only a socket),
 *    makes it mode 0666 as syslog-ng does, and unlinks it at stop.
 */
#ifndef LIFELINE_STREAM_SOURCE_H
#define LIFELINE_STREAM_SOURCE_H

#include "line-source.h"

#include <stddef.h>

#define STREAM_SOURCE_DEFAULT_PORT 514
#define STREAM_SOURCE_DEFAULT_MAX_CONNECTIONS 10

/* DRIVER is tcp(...) or unix-stream(...); validated here (log-msg-size() is
 * read by the runtime: MAX_LINE).  NULL with ERR located.  Nothing is bound
 * before start. */
struct line_source *stream_source_new(const char *name, const struct lifeline_option *driver, size_t max_line,
                                      struct lifeline_error *err);

#endif
