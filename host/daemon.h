/*
 * What lifeline owes its supervisor and the system around it: the pid and
 * ready files, the --user/--group identity it drops to, and systemd's
 * readiness protocol.
 */
#ifndef LIFELINE_HOST_DAEMON_H
#define LIFELINE_HOST_DAEMON_H

#include <stddef.h>
#include <sys/types.h>

/* Who to become after binding (--user, --group). */
struct daemon_identity
{
  const char *user; /* NULL: keep the uid */
  uid_t uid;
  gid_t gid;
  int set_gid; /* --user or --group given */
};

/* systemd's readiness protocol (READY=1, RELOADING=1, STOPPING=1); nothing
 * without libsystemd or NOTIFY_SOCKET. */
void daemon_notify(const char *state);

/* The pid file (--pidfile): opened without following a symlink (see
 * safe-file.h), write-locked with fcntl for the life of the process, and
 * holding "PID\n".  "Another lifeline runs" means "another process holds
 * the lock", never "the pid written there is alive" (a stale file may name
 * pid 1 or a reused pid).  Returns the fd, which holds the lock until
 * daemon_release_pid_file (the process must open no other fd on that file:
 * closing one would drop the lock), or -1 with a sentence in ERR; *HOLDER is
 * then the pid holding the lock, or 0 when the failure was something else. */
int daemon_lock_pid_file(const char *path, long *holder, char *err, size_t err_size);
/* Removes PATH and closes FD (which releases the lock).  Nothing when FD is
 * negative; a failed unlink is logged as a warning. */
void daemon_release_pid_file(const char *path, int fd);

/* The ready file (--ready-file): "PID\n", replaced atomically and without
 * following a symlink.  0, or -1 with a sentence in ERR. */
int daemon_write_ready_file(const char *path, char *err, size_t err_size);
/* Removes PATH (NULL-safe) if it still names this process (never a later
 * lifeline's file). */
void daemon_remove_ready_file(const char *path);

/* --user/--group (names or numbers) resolved before anything starts; -1
 * after printing why. */
int daemon_resolve_identity(const char *user, const char *group, struct daemon_identity *id);
/* Becomes ID (nothing when neither was given).  0, or -1 with text in ERR. */
int daemon_drop_privileges(const struct daemon_identity *id, char *err, size_t err_size);

/* NAME in the state directory systemd made (StateDirectory=, which sets
 * STATE_DIRECTORY), or NULL when there is none.  Freed with g_free. */
char *daemon_state_file(const char *name);

#endif
