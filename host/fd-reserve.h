/*
 * A listener's spare file descriptor, and the bookkeeping of an episode in
 * which accept() runs out of resources (used by the tcp()/unix-stream()
 * sources and the control socket).
 *
 * The spare fd (/dev/null) is held while accepting and given up when
 * accept() fails with EMFILE or ENFILE, so the rest of the process has one
 * fd to work with: ivykis creates its timer fd lazily when a timer is
 * registered and aborts the process if it cannot, and the listener arms a
 * retry timer right then.  Before accepting again the spare is taken back
 * first; if even that fails the process is still out of fds and the
 * listener stays paused.  accept() therefore never takes the last fd.
 *
 * The episode: the first failure starts it (the caller logs that once), the
 * next accept() that works or finds nothing ends it (the caller logs the
 * count of failed attempts and how long it lasted).
 *
 * The caller embeds the struct; fd_reserve_close gives the fd back.  No
 * ivykis calls are made here: the caller pauses and re-arms its listener.
 */
#ifndef LIFELINE_HOST_FD_RESERVE_H
#define LIFELINE_HOST_FD_RESERVE_H

#include <stdint.h>

struct fd_reserve
{
  int fd; /* the spare, or -1 */
  int starved; /* in an episode */
  uint64_t failures; /* failed attempts in this episode */
  int64_t since_us; /* monotonic start of this episode */
};

/* Holds nothing yet (no fd is opened). */
void fd_reserve_init(struct fd_reserve *self);

/* Holds the spare fd (already held, or opened now).  0, or -1 with errno
 * set when the process is still out of fds: then call fd_reserve_starve. */
int fd_reserve_take(struct fd_reserve *self);

/* accept() (or fd_reserve_take) failed with ERRNUM: gives up the spare on
 * EMFILE or ENFILE and counts a failed attempt.  1 when this starts an
 * episode (log it), else 0. */
int fd_reserve_starve(struct fd_reserve *self, int errnum);

/* How an episode went, as text for the log line that ends it. */
struct fd_reserve_episode
{
  char failed_attempts[24];
  char paused_ms[24];
};

/* accept() worked, or found nothing to accept.  1 when this ends an
 * episode, with its failed attempts and its length in ms in OUT (log
 * them); else 0 and OUT untouched. */
int fd_reserve_recover(struct fd_reserve *self, struct fd_reserve_episode *out);

/* Closes the spare if held; the episode is forgotten.  Idempotent. */
void fd_reserve_close(struct fd_reserve *self);

#endif
