#include "unix-listener.h"

#include "core/located-error.h"
#include "core/option-reader.h"
#include "logger.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* ---- options ---------------------------------------------------------------- */

/* The single value of child NAME as text (a number, string or word), or NULL
 * when absent or empty; -1 with ERR when it has more. */
static int
_option_text(const struct lifeline_option *driver, const char *name, const struct lifeline_option **opt,
             const char **out, struct lifeline_error *err)
{
  *opt = option_find(driver, name);
  *out = NULL;
  if (!*opt)
    return 0;
  if ((*opt)->n_children > 0 || (*opt)->n_values > 1)
    {
      located_error_at_option(err, *opt, "expected a single value");
      return -1;
    }
  if ((*opt)->n_values == 1 && *(*opt)->values[0]->text)
    *out = (*opt)->values[0]->text;
  return 0;
}

/* perm(0644): octal, as syslog-ng writes it. */
static int
_read_perm(const struct lifeline_option *driver, mode_t *out, struct lifeline_error *err)
{
  const struct lifeline_option *opt;
  const char *text;
  char *end;

  *out = UNIX_LISTENER_DEFAULT_PERM;
  if (_option_text(driver, "perm", &opt, &text, err) < 0)
    return -1;
  if (!text)
    return 0;
  errno = 0;
  unsigned long mode = strtoul(text, &end, 8);
  if (*end || errno || mode > 07777 || *text < '0' || *text > '7')
    {
      located_error_at_value(err, opt, opt->values[0],
                             "expected an octal mode from 0000 to 07777 such as 0666, found '%s'", text);
      return -1;
    }
  *out = (mode_t) mode;
  return 0;
}

/* owner("name") or owner(uid); group("name") or group(gid).  Absent: the
 * process's own. */
static int
_read_id(const struct lifeline_option *driver, const char *name, unsigned *out, int *set, struct lifeline_error *err)
{
  const struct lifeline_option *opt;
  const char *text;
  char *end;

  *set = 0;
  if (_option_text(driver, name, &opt, &text, err) < 0)
    return -1;
  if (!text)
    return 0;
  int is_owner = strcmp(name, "owner") == 0;
  struct passwd *pw = is_owner ? getpwnam(text) : NULL;
  struct group *gr = is_owner ? NULL : getgrnam(text);
  errno = 0;
  unsigned long n = strtoul(text, &end, 10);
  if (pw || gr)
    *out = pw ? (unsigned) pw->pw_uid : (unsigned) gr->gr_gid;
  else if (*text >= '0' && *text <= '9' && !*end && !errno && n < (unsigned) -1)
    *out = (unsigned) n;
  else
    {
      located_error_at_value(err, opt, opt->values[0], "no such %s '%s'", is_owner ? "user" : "group", text);
      return -1;
    }
  *set = 1;
  return 0;
}

int
unix_listener_init(struct unix_listener *self, const char *path, const struct lifeline_option *driver,
                   struct lifeline_error *err)
{
  unsigned owner = 0, group = 0;

  memset(self, 0, sizeof(*self));
  if (_read_perm(driver, &self->perm, err) < 0 || _read_id(driver, "owner", &owner, &self->set_owner, err) < 0
      || _read_id(driver, "group", &group, &self->set_group, err) < 0)
    return -1;
  self->owner = (uid_t) owner;
  self->group = (gid_t) group;
  self->path = g_strdup(path);
  return 0;
}

void
unix_listener_deinit(struct unix_listener *self)
{
  g_free(self->path);
  self->path = NULL;
}

/* ---- the socket file -------------------------------------------------------- */

static void
_address(const struct unix_listener *self, struct sockaddr_un *un)
{
  memset(un, 0, sizeof(*un));
  un->sun_family = AF_UNIX;
  g_strlcpy(un->sun_path, self->path, sizeof(un->sun_path));
}

int
unix_listener_clear_path(struct unix_listener *self, const char *name, struct lifeline_error *err)
{
  struct sockaddr_un un;
  struct stat st;

  if (lstat(self->path, &st) < 0)
    return 0;
  if (!S_ISSOCK(st.st_mode))
    {
      located_error_set(err, NULL, 0, 0, NULL,
                        "source %s: unix-stream(): %s exists and is not a socket; not removing it", name, self->path);
      return -1;
    }
  int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (probe < 0)
    {
      located_error_set(err, NULL, 0, 0, NULL, "source %s: unix-stream(): cannot check %s: %s", name, self->path,
                        g_strerror(errno));
      return -1;
    }
  _address(self, &un);
  int r = connect(probe, (const struct sockaddr *) &un, sizeof(un));
  int e = errno;
  close(probe);
  if (r == 0 || e == EAGAIN || e == EINPROGRESS)
    {
      /* It answers (EAGAIN: its backlog is full, so it listens). */
      located_error_set(err, NULL, 0, 0, NULL,
                        "source %s: unix-stream(): another process listens on %s; not taking its socket over", name,
                        self->path);
      return -1;
    }
  if (e != ECONNREFUSED && e != ENOENT)
    {
      located_error_set(err, NULL, 0, 0, NULL, "source %s: unix-stream(): cannot check %s: %s", name, self->path,
                        g_strerror(e));
      return -1;
    }
  if (e == ECONNREFUSED && unlink(self->path) == 0)
    logger_log(LIFELINE_LOG_NOTICE, "Replaced a stale socket nobody answered on", "source", name, "path",
               self->path, NULL);
  return 0;
}

/* The socket file takes the socket inode's mode, masked by the umask, when
 * bind() creates it: hence fchmod first and no umask during bind().  Then
 * owner()/group(), through an O_PATH descriptor of the file just bound that
 * is never a symlink (fchown on the unbound socket does not reach the file).
 * Nobody can connect before listen(). */
int
unix_listener_bind(struct unix_listener *self, int fd)
{
  struct sockaddr_un un;

  if (fchmod(fd, self->perm) < 0)
    return -1;
  _address(self, &un);
  /* The loop thread is the only one that creates files. */
  mode_t old = umask(0);
  int r = bind(fd, (const struct sockaddr *) &un, sizeof(un));
  int e = errno;
  umask(old);
  if (r < 0)
    {
      errno = e;
      return -1;
    }
  self->bound = 1;
  int pfd = open(self->path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  if (pfd < 0)
    return -1;
  r = fstat(pfd, &st);
  if (r == 0 && !S_ISSOCK(st.st_mode))
    {
      errno = EEXIST; /* replaced under us */
      r = -1;
    }
  if (r == 0 && (self->set_owner || self->set_group))
    r = fchownat(pfd, "", self->set_owner ? self->owner : (uid_t) -1, self->set_group ? self->group : (gid_t) -1,
                 AT_EMPTY_PATH);
  e = errno;
  close(pfd);
  errno = e;
  if (r == 0)
    {
      self->dev = st.st_dev;
      self->ino = st.st_ino;
    }
  return r;
}

void
unix_listener_unlink(struct unix_listener *self)
{
  struct stat st;

  if (self->bound && lstat(self->path, &st) == 0 && st.st_dev == self->dev && st.st_ino == self->ino)
    unlink(self->path);
  self->bound = 0;
}
