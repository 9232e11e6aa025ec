/*
 * The socket file of a unix-stream("PATH" perm(0666) owner() group())
 * source: what may be at PATH before it is bound, the mode and owner it
 * gets, and removing it at stop.
 *
 *  - PATH is refused when it is not a socket, or a socket another process
 *    answers on (e.g. the system logger's /dev/log); a socket file nobody
 *    answers on (connect() refused) is stale and is replaced.
 *  - The socket file is created with mode perm() (default 0666, as
 *    syslog-ng) whatever the umask, then given owner()/group() if set, all
 *    before listen(), so nobody connects to it with other rights.
 *  - At stop PATH is unlinked only if it is still the file this listener
 *    bound (never one another process put there since).
 *
 * The caller embeds struct unix_listener and owns the socket fd; the
 * listener owns its copy of PATH (freed by unix_listener_deinit).  Calls
 * that create files run on the loop thread (bind() changes the process's
 * umask for its duration).
 */
#ifndef LIFELINE_HOST_UNIX_LISTENER_H
#define LIFELINE_HOST_UNIX_LISTENER_H

#include <lifeline/plugin.h>

#include <sys/types.h>

#define UNIX_LISTENER_DEFAULT_PERM 0666

struct unix_listener
{
  char *path; /* owned */
  mode_t perm;
  uid_t owner;
  gid_t group;
  int set_owner, set_group;
  int bound; /* PATH was created by bind(); dev/ino name it once known */
  dev_t dev;
  ino_t ino;
};

/* Copies PATH and reads DRIVER's perm(), owner() and group() (user and
 * group names resolved here).  0, or -1 with ERR located at the option
 * (then SELF holds nothing). */
int unix_listener_init(struct unix_listener *self, const char *path, const struct lifeline_option *driver,
                       struct lifeline_error *err);

/* Whatever is at PATH gives way only if it is a socket nobody answers on
 * (removed then, with a log line naming source NAME).  0 when PATH is free,
 * or -1 with ERR set. */
int unix_listener_clear_path(struct unix_listener *self, const char *name, struct lifeline_error *err);

/* Binds FD (an unbound AF_UNIX stream socket) to PATH with mode perm(),
 * then owner()/group().  0, or -1 with errno set (PATH may then exist:
 * unix_listener_unlink removes it if it is ours). */
int unix_listener_bind(struct unix_listener *self, int fd);

/* Unlinks PATH if it is still the file this listener bound.  Idempotent. */
void unix_listener_unlink(struct unix_listener *self);

/* Frees PATH (does not unlink it).  Safe on a zero-filled struct. */
void unix_listener_deinit(struct unix_listener *self);

#endif
