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

/* A file holding "PID\n", replaced atomically.  0, or -1 with text in ERR. */
int daemon_write_pid_file(const char *path, char *err, size_t err_size);
/* The pid a pid file names, or 0 (missing, empty, not a number). */
long daemon_read_pid_file(const char *path);
/* PID names a running process other than this one. */
int daemon_pid_is_alive(long pid);
/* Removes PATH (NULL-safe) if it still names this process; WHAT names it in
 * the warning when that fails. */
void daemon_remove_pid_file(const char *path, const char *what);

/* --user/--group (names or numbers) resolved before anything starts; -1
 * after printing why. */
int daemon_resolve_identity(const char *user, const char *group, struct daemon_identity *id);
/* Becomes ID (nothing when neither was given).  0, or -1 with text in ERR. */
int daemon_drop_privileges(const struct daemon_identity *id, char *err, size_t err_size);

/* NAME in the state directory systemd made (StateDirectory=, which sets
 * STATE_DIRECTORY), or NULL when there is none.  Freed with g_free. */
char *daemon_state_file(const char *name);

#endif
