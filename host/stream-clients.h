/*
 * The connected clients of one tcp() or unix-stream() source, each with its
 * own line splitter, in accept order.  The source's listener hands each
 * accepted fd over; everything about a client after that is here:
 *
 *  - A client's last line without '\n' is forwarded when it disconnects (as
 *    syslog-ng does); ECONNRESET counts as a disconnect, keeping what was
 *    read.  A disconnected client is kept (and still counted) only while
 *    the source holds its line, and freed at the next resume.
 *  - idle-timeout(N): a client that sent nothing for N seconds is closed,
 *    its partial line forwarded as at a disconnect (0: never).  Time spent
 *    paused by a full destination does not count as idle.
 *  - While a destination is full, no client is read (their TCP windows
 *    close) until the source's resume.
 *  - A client whose buffers (up to log-msg-size() each) cannot be allocated
 *    is closed at once, with a log line; the others carry on.
 *
 * The source embeds struct stream_clients; it owns every client and its fd
 * from stream_clients_add on, and frees them in stream_clients_stop.  FREED
 * is called (on the loop, never inside stream_clients_add) after a client
 * was freed, so the listener can take a new one.
 */
#ifndef LIFELINE_HOST_STREAM_CLIENTS_H
#define LIFELINE_HOST_STREAM_CLIENTS_H

#include "line-source.h"

#include <iv.h>
#include <stddef.h>
#include <stdint.h>

struct stream_client;

struct stream_clients
{
  struct line_source *ls; /* borrowed: the source these clients feed */
  size_t max_line;
  int64_t idle_timeout_s;
  struct stream_client *first, *last;
  size_t n; /* every client, disconnected ones holding a line included */
  struct iv_task turn; /* reads every client: after a full turn, and at resume */
  void (*freed)(void *cookie);
  void *cookie;
};

/* No client yet.  LS is borrowed and must outlive SELF. */
void stream_clients_init(struct stream_clients *self, struct line_source *ls, size_t max_line, int64_t idle_timeout_s,
                         void (*freed)(void *cookie), void *cookie);

/* FD (accepted, non-blocking) becomes a client named PEER in the log (PEER
 * is copied).  0; or -1 when its buffers cannot be had: FD is closed and
 * that is logged. */
int stream_clients_add(struct stream_clients *self, int fd, const char *peer);

/* The source's destination has room again: frees the disconnected clients
 * whose line was taken, and reads every client again. */
void stream_clients_resume(struct stream_clients *self);

/* Discards every client's unsent input and frees every client. */
void stream_clients_stop(struct stream_clients *self);

#endif
