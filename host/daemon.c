#include "daemon.h"

#include "logger.h"
#include "safe-file.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <grp.h>
#include <lifeline/plugin.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

static int
_pid_text(char *text, size_t size)
{
  return snprintf(text, size, "%ld\n", (long) getpid());
}

/* The pid holding a write lock on FD's file, or 0 (none any more). */
static long
_lock_holder(int fd)
{
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
  if (fcntl(fd, F_GETLK, &fl) < 0 || fl.l_type == F_UNLCK)
    return 0;
  return (long) fl.l_pid;
}

/* FD is still the file at PATH (not one unlinked by an exiting lifeline
 * after we opened it). */
static int
_is_at_path(int fd, const char *path)
{
  struct stat a, b;
  return fstat(fd, &a) == 0 && lstat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int
daemon_lock_pid_file(const char *path, long *holder, char *err, size_t err_size)
{
  *holder = 0;
  /* Bounded: each retry means another lifeline removed the file between our
   * open and our lock. */
  for (int attempt = 0; attempt < 5; attempt++)
    {
      char why[512];
      int fd = safe_file_open_in_place(path, 0644, why, sizeof(why));
      if (fd < 0)
        {
          snprintf(err, err_size, "cannot use the pid file: %s", why);
          return -1;
        }
      /* Classic (per-process) locks, for F_GETLK names the holder's pid;
       * lifeline never forks, and opens this file nowhere else. */
      struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
      if (fcntl(fd, F_SETLK, &fl) < 0)
        {
          int e = errno;
          long pid = (e == EACCES || e == EAGAIN) ? _lock_holder(fd) : 0;
          close(fd);
          if ((e == EACCES || e == EAGAIN) && pid == 0)
            continue; /* released meanwhile */
          *holder = pid;
          if (pid)
            snprintf(err, err_size, "pid file %s is locked by a running process (pid %ld)", path, pid);
          else
            snprintf(err, err_size, "cannot lock the pid file %s: %s", path, g_strerror(e));
          return -1;
        }
      if (!_is_at_path(fd, path))
        {
          close(fd);
          continue;
        }
      char text[32];
      int n = _pid_text(text, sizeof(text));
      /* In place (the lock lives on this inode): the new pid over the old
       * text, then the length; a reader stops at the first '\n'. */
      if (pwrite(fd, text, (size_t) n, 0) != n || ftruncate(fd, n) < 0)
        {
          snprintf(err, err_size, "cannot write the pid file %s: %s", path, g_strerror(errno));
          close(fd);
          return -1;
        }
      return fd;
    }
  snprintf(err, err_size, "the pid file %s keeps changing; is another lifeline starting?", path);
  return -1;
}

void
daemon_release_pid_file(const char *path, int fd)
{
  if (fd < 0)
    return;
  /* Unlinked while still locked: a lifeline starting now either opens this
   * file and sees it gone once it holds the lock, or creates a new one. */
  if (unlink(path) < 0 && errno != ENOENT)
    logger_log(LIFELINE_LOG_WARNING, "Cannot remove a file written at start", "file", "pidfile", "path", path,
               "reason", g_strerror(errno), NULL);
  close(fd);
}

int
daemon_write_ready_file(const char *path, char *err, size_t err_size)
{
  char text[32];
  int n = _pid_text(text, sizeof(text));
  return safe_file_replace(path, text, (size_t) n, 0644, err, err_size);
}

/* The pid PATH names, or 0.  Never follows a symlink nor blocks on a FIFO
 * planted there. */
static long
_read_pid(const char *path)
{
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return 0;
  char text[32];
  struct stat st;
  ssize_t n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? read(fd, text, sizeof(text) - 1) : -1;
  close(fd);
  if (n <= 0)
    return 0;
  text[n] = '\0';
  char *end;
  long pid = strtol(text, &end, 10);
  return end == text || (*end != '\n' && *end != '\0') || pid <= 0 ? 0 : pid;
}

void
daemon_remove_ready_file(const char *path)
{
  if (!path || _read_pid(path) != (long) getpid())
    return;
  if (unlink(path) < 0 && errno != ENOENT)
    logger_log(LIFELINE_LOG_WARNING, "Cannot remove a file written at start", "file", "ready-file", "path", path,
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
