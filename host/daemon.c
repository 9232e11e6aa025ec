#include "daemon.h"

#include "logger.h"

#include <errno.h>
#include <glib.h>
#include <grp.h>
#include <lifeline/plugin.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lifeline-build.h"

#if LIFELINE_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

/* systemd's readiness protocol; nothing without libsystemd or NOTIFY_SOCKET. */
void
daemon_notify(const char *state)
{
#if LIFELINE_HAVE_SYSTEMD
  sd_notify(0, state);
#else
  (void) state;
#endif
}

/* A file holding "PID\n", replaced atomically (a reader never sees it half
 * written).  0, or -1 with errno-based text in ERR. */
int
daemon_write_pid_file(const char *path, char *err, size_t err_size)
{
  char text[32];
  GError *gerr = NULL;
  snprintf(text, sizeof(text), "%ld\n", (long) getpid());
  if (!g_file_set_contents(path, text, -1, &gerr))
    {
      snprintf(err, err_size, "%s", gerr->message);
      g_error_free(gerr);
      return -1;
    }
  return 0;
}

/* The pid a pid file names, or 0 (missing, empty, not a number). */
long
daemon_read_pid_file(const char *path)
{
  gchar *text = NULL;
  long pid = 0;
  if (g_file_get_contents(path, &text, NULL, NULL))
    {
      char *end;
      pid = strtol(text, &end, 10);
      if (end == text || (*end != '\n' && *end != '\0') || pid <= 0)
        pid = 0;
    }
  g_free(text);
  return pid;
}

int
daemon_pid_is_alive(long pid)
{
  return pid > 0 && pid != (long) getpid() && (kill((pid_t) pid, 0) == 0 || errno == EPERM);
}

/* Removes PATH if it still names us (never a later lifeline's file). */
void
daemon_remove_pid_file(const char *path, const char *what)
{
  if (!path || daemon_read_pid_file(path) != (long) getpid())
    return;
  if (unlink(path) < 0 && errno != ENOENT)
    logger_log(LIFELINE_LOG_WARNING, "Cannot remove a file written at start", "file", what, "path", path,
               "reason", g_strerror(errno), NULL);
}

/* --user/--group: names or numbers, resolved before anything starts. */
int
daemon_resolve_identity(const char *user, const char *group, struct daemon_identity *id)
{
  memset(id, 0, sizeof(*id));
  if (!user && !group)
    return 0;
  if (geteuid() != 0)
    {
      fprintf(stderr, "lifeline: --user and --group need root (running as uid %ld)\n", (long) geteuid());
      return -1;
    }
  if (user)
    {
      struct passwd *pw = getpwnam(user);
      char *end;
      long n = strtol(user, &end, 10);
      if (!pw && *user && !*end && n >= 0)
        pw = getpwuid((uid_t) n);
      if (!pw)
        {
          fprintf(stderr, "lifeline: --user: no such user '%s'\n", user);
          return -1;
        }
      id->uid = pw->pw_uid;
      id->gid = pw->pw_gid;
      id->set_gid = 1;
      /* initgroups() needs the name, also when given as a number. */
      id->user = g_intern_string(pw->pw_name);
    }
  if (group)
    {
      struct group *gr = getgrnam(group);
      char *end;
      long n = strtol(group, &end, 10);
      if (!gr && *group && !*end && n >= 0)
        gr = getgrgid((gid_t) n);
      if (!gr)
        {
          fprintf(stderr, "lifeline: --group: no such group '%s'\n", group);
          return -1;
        }
      id->gid = gr->gr_gid;
      id->set_gid = 1;
    }
  return 0;
}

/* Supplementary groups, then the gid, then the uid (the order that leaves no
 * way back), and a check that root cannot be regained. */
int
daemon_drop_privileges(const struct daemon_identity *id, char *err, size_t err_size)
{
  if (!id->set_gid)
    return 0;
  if (id->user ? initgroups(id->user, id->gid) < 0 : setgroups(1, &id->gid) < 0)
    {
      snprintf(err, err_size, "cannot set the supplementary groups: %s", g_strerror(errno));
      return -1;
    }
  if (setgid(id->gid) < 0)
    {
      snprintf(err, err_size, "cannot change to gid %ld: %s", (long) id->gid, g_strerror(errno));
      return -1;
    }
  if (id->user && setuid(id->uid) < 0)
    {
      snprintf(err, err_size, "cannot change to uid %ld: %s", (long) id->uid, g_strerror(errno));
      return -1;
    }
  if (id->user && id->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
    {
      snprintf(err, err_size, "still able to regain root after changing to uid %ld", (long) id->uid);
      return -1;
    }
  return 0;
}

char *
daemon_state_file(const char *name)
{
  const char *dirs = getenv("STATE_DIRECTORY");
  if (!dirs || !*dirs)
    return NULL;
  /* Several StateDirectory= entries come ':'-separated: the first one. */
  const char *colon = strchr(dirs, ':');
  gchar *dir = colon ? g_strndup(dirs, (gsize) (colon - dirs)) : g_strdup(dirs);
  gchar *path = g_build_filename(dir, name, NULL);
  g_free(dir);
  return path;
}
