/*
 * The tcp(ip("ADDR") port(N) max-connections(10) idle-timeout(0)) and
 * unix-stream("PATH" max-connections(10) idle-timeout(0) perm(0666) owner()
 * group()) sources: newline-framed receivers with several clients at once,
 * each with its own line splitter.
 *
 *  - A client's last line without '\n' is forwarded when it disconnects (as
 *    syslog-ng does); ECONNRESET counts as a disconnect, keeping what was read.
 *  - At max-connections() the listener stops accepting: new clients wait in
 *    the kernel's backlog (their bytes queue there, nothing is lost) until a
 *    client leaves.  Logged once when the limit is reached and once when
 *    accepting resumes.
 *  - idle-timeout(N): a client that sent nothing for N seconds is closed, its
 *    partial line forwarded as at a disconnect (0, the default: never).  Time
 *    spent paused by a full destination does not count as idle.
 *  - When accept() fails for lack of resources (EMFILE, ENFILE, ENOBUFS,
 *    ENOMEM) the listener is paused and retried every second, not spun on:
 *    logged once when it starts, and once with the number of failed attempts
 *    when accepting works again.
 *  - A client whose buffers cannot be allocated is closed, with a log line;
 *    the other clients carry on.
 *  - While a destination is full, no client is read (their TCP windows close)
 *    until its wakeup; new connections are still accepted, but not read.
 *  - unix-stream() refuses a PATH that is not a socket, or a socket another
 *    process answers on (e.g. the system logger's /dev/log); a socket file
 *    nobody answers on (connect() refused) is stale and is replaced.  The
 *    socket is created with mode perm() (default 0666, as syslog-ng) whatever
 *    the umask, then given owner()/group() if set, all before listen();
 *    unlinked at stop if it is still the file this source bound.
 *
 * Here: options, the listener and its pauses.  The clients are in
 * stream-clients.h, unix-stream()'s socket file in unix-listener.h, the
 * spare fd kept against fd exhaustion in fd-reserve.h.
 */
#ifndef LIFELINE_STREAM_SOURCE_H
#define LIFELINE_STREAM_SOURCE_H

#include "line-source.h"

#include <stddef.h>

#define STREAM_SOURCE_DEFAULT_PORT 514
#define STREAM_SOURCE_DEFAULT_MAX_CONNECTIONS 10
/* After accept() ran out of fds or memory, the listener is retried this much
 * later (it is level-triggered: retrying at once would spin). */
#define STREAM_SOURCE_ACCEPT_RETRY_MS 1000

/* DRIVER is tcp(...) or unix-stream(...); validated here (log-msg-size() is
 * read by the runtime: MAX_LINE); owner() and group() names are resolved
 * here.  NULL with ERR located.  Nothing is bound before start. */
struct line_source *stream_source_new(const char *name, const struct lifeline_option *driver, size_t max_line,
                                      struct lifeline_error *err);

#endif
