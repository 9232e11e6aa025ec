#include "control-server.h"

#include "control-commands.h"
#include "fd-reserve.h"
#include "logger.h"
#include "loop-timer.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <iv.h>
#include <lifeline/plugin.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define CONTROL_BACKLOG 16
#define CONTROL_ACCEPTS_PER_TURN 16
/* After accept() ran out of fds or memory: try again this much later
 * (the listener is level-triggered; retrying at once would spin). */
#define CONTROL_ACCEPT_RETRY_MS 1000

struct control_client
{
  struct control_server *server;
  struct iv_fd fd;
  struct iv_timer timeout;
  char request[CONTROL_MAX_REQUEST + 1];
  size_t request_len;
  int answered; /* request executed: replying */
  GString *reply;
  size_t reply_sent;
};

struct control_server
{
  char *path;
  struct runtime *runtime;
  struct iv_fd listener;
  struct iv_timer accept_retry;
  /* Held while accepting and given up when accept() runs out of fds, so
   * the retry timer (and the rest of the process) has one: fd-reserve.h. */
  struct fd_reserve reserve;
  int listening; /* listener registered */
  int accepting; /* its handler_in set */
  dev_t dev; /* the socket file we bound, so stop unlinks only that one */
  ino_t ino;
  uid_t owner; /* --user's uid, or (uid_t) -1 */
  GPtrArray *clients; /* struct control_client *, oldest first */
};

static void _accept(void *cookie);

/* ---- accepting --------------------------------------------------------- */

static void
_set_accepting(struct control_server *self, int on)
{
  if (!self->listening || self->accepting == on)
    return;
  self->accepting = on;
  iv_fd_set_handler_in(&self->listener, on ? _accept : NULL);
}

static void
_maybe_resume_accepting(struct control_server *self)
{
  if (self->clients->len < CONTROL_MAX_CLIENTS && !iv_timer_registered(&self->accept_retry))
    _set_accepting(self, 1);
}

static void
_accept_retry(void *cookie)
{
  _maybe_resume_accepting(cookie);
}

/* accept() failed for lack of resources: pause, logged once an episode. */
static void
_starve(struct control_server *self, int errnum)
{
  if (fd_reserve_starve(&self->reserve, errnum))
    logger_log(LIFELINE_LOG_WARNING, "Cannot accept control connections; pausing and retrying every second", "path",
               self->path, "error", g_strerror(errnum), NULL);
  _set_accepting(self, 0);
  loop_timer_arm_in(&self->accept_retry, CONTROL_ACCEPT_RETRY_MS);
}

static void
_starve_end(struct control_server *self)
{
  struct fd_reserve_episode ep;

  if (fd_reserve_recover(&self->reserve, &ep))
    logger_log(LIFELINE_LOG_NOTICE, "Accepting control connections again", "path", self->path, "failed_attempts",
               ep.failed_attempts, "paused_ms", ep.paused_ms, NULL);
}

static void
_client_close(struct control_client *c)
{
  struct control_server *self = c->server;

  iv_fd_unregister(&c->fd);
  close(c->fd.fd);
  if (iv_timer_registered(&c->timeout))
    iv_timer_unregister(&c->timeout);
  g_ptr_array_remove(self->clients, c);
  g_string_free(c->reply, TRUE);
  g_free(c);
  _maybe_resume_accepting(self);
}

static void
_client_error(void *cookie)
{
  _client_close(cookie);
}

static void
_client_timeout(void *cookie)
{
  struct control_client *c = cookie;
  logger_log(LIFELINE_LOG_DEBUG,
             c->answered ? "Control client did not take its reply in time; disconnecting it"
                         : "Control client sent no complete request in time; disconnecting it",
             NULL);
  _client_close(c);
}

static void
_client_write(void *cookie)
{
  struct control_client *c = cookie;

  while (c->reply_sent < c->reply->len)
    {
      ssize_t n = send(c->fd.fd, c->reply->str + c->reply_sent, c->reply->len - c->reply_sent, MSG_NOSIGNAL);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK)
            return; /* handler_out fires when there is room */
          logger_log(LIFELINE_LOG_DEBUG, "Control client went away before its reply was sent", "error",
                     g_strerror(errno), NULL);
          break;
        }
      c->reply_sent += (size_t) n;
    }
  _client_close(c);
}

/* c->reply holds the whole reply: send it, with its own deadline (a slow
 * reader holds only its own connection). */
static void
_client_reply(struct control_client *c)
{
  c->answered = 1;
  iv_fd_set_handler_in(&c->fd, NULL);
  iv_fd_set_handler_out(&c->fd, _client_write);
  iv_invalidate_now(); /* the command may have taken a while */
  loop_timer_arm_in(&c->timeout, CONTROL_CLIENT_TIMEOUT_MS);
  _client_write(c);
}

/* The request is c->request[0..len): execute it and start replying. */
static void
_client_answer(struct control_client *c, size_t len)
{
  if (len > 0 && c->request[len - 1] == '\r')
    len--;
  c->request[len] = '\0';
  if (memchr(c->request, '\0', len))
    g_string_append(c->reply, "ERROR the request contains a NUL byte\n");
  else
    control_execute(c->server->runtime, c->request, c->reply);
  _client_reply(c);
}

static void
_client_read(void *cookie)
{
  struct control_client *c = cookie;

  for (;;)
    {
      size_t room = CONTROL_MAX_REQUEST - c->request_len;
      if (room == 0)
        {
          g_string_append_printf(c->reply, "ERROR request longer than %d bytes\n", CONTROL_MAX_REQUEST);
          _client_reply(c);
          return;
        }
      ssize_t n = recv(c->fd.fd, c->request + c->request_len, room, 0);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK)
            return;
          logger_log(LIFELINE_LOG_DEBUG, "Control client read failed", "error", g_strerror(errno), NULL);
          _client_close(c);
          return;
        }
      if (n == 0)
        {
          /* End of input also ends the line; nothing at all asks nothing. */
          if (c->request_len == 0)
            _client_close(c);
          else
            _client_answer(c, c->request_len);
          return;
        }
      char *nl = memchr(c->request + c->request_len, '\n', (size_t) n);
      c->request_len += (size_t) n;
      if (nl)
        {
          _client_answer(c, (size_t) (nl - c->request));
          return;
        }
    }
}

static void
_client_new(struct control_server *self, int fd)
{
  struct control_client *c = g_new0(struct control_client, 1);
  c->server = self;
  c->reply = g_string_new(NULL);
  IV_FD_INIT(&c->fd);
  c->fd.fd = fd;
  c->fd.cookie = c;
  c->fd.handler_in = _client_read;
  c->fd.handler_err = _client_error;
  IV_TIMER_INIT(&c->timeout);
  c->timeout.cookie = c;
  c->timeout.handler = _client_timeout;
  g_ptr_array_add(self->clients, c);
  iv_fd_register(&c->fd);
  loop_timer_arm_in(&c->timeout, CONTROL_REQUEST_TIMEOUT_MS);
}

/* When all CONTROL_MAX_CLIENTS slots are taken, the oldest client still
 * sending its request makes room: lifelinectl sends its request as soon as
 * it connects, so the oldest one has been idle longest, and idle clients
 * can never keep a real one waiting.  NULL when every client is being
 * answered (then newcomers wait in the backlog). */
static struct control_client *
_oldest_idle(struct control_server *self)
{
  for (guint i = 0; i < self->clients->len; i++)
    {
      struct control_client *c = g_ptr_array_index(self->clients, i);
      if (!c->answered)
        return c;
    }
  return NULL;
}

static void
_accept(void *cookie)
{
  struct control_server *self = cookie;

  /* Never take the process's last fd: the spare comes back first. */
  if (fd_reserve_take(&self->reserve) < 0)
    {
      _starve(self, errno);
      return;
    }
  for (int i = 0; i < CONTROL_ACCEPTS_PER_TURN; i++)
    {
      int full = self->clients->len >= CONTROL_MAX_CLIENTS;
      if (full && !_oldest_idle(self))
        {
          /* The rest wait in the backlog until a reply is sent. */
          _set_accepting(self, 0);
          return;
        }
      int fd = accept4(self->listener.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0)
        {
          if (errno == EINTR || errno == ECONNABORTED)
            continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK)
            {
              _starve_end(self);
              return;
            }
          /* EMFILE, ENFILE, ENOBUFS, ENOMEM: it stays in the backlog. */
          _starve(self, errno);
          return;
        }
      _starve_end(self);
      if (full)
        {
          /* Only once a newcomer is really there. */
          logger_log(LIFELINE_LOG_DEBUG, "Control clients at their limit; disconnecting the oldest idle one",
                     "limit", G_STRINGIFY(CONTROL_MAX_CLIENTS), NULL);
          _client_close(_oldest_idle(self));
        }
      _client_new(self, fd);
    }
}

/* ---- binding ----------------------------------------------------------- */

enum bind_result
{
  BIND_OK,
  BIND_RETRY, /* a stale socket file was removed */
  BIND_FAILED,
};

/* PATH is in use: replace it only if it is a socket nobody answers on (and,
 * in a directory others may write to, one of our own). */
static enum bind_result
_replace_stale(struct control_server *self, int shared, char *err, size_t err_size)
{
  struct stat st;
  if (lstat(self->path, &st) < 0)
    {
      if (errno == ENOENT)
        return BIND_RETRY; /* gone meanwhile */
      snprintf(err, err_size, "cannot check existing control socket %s: %s", self->path, g_strerror(errno));
      return BIND_FAILED;
    }
  if (!S_ISSOCK(st.st_mode))
    {
      snprintf(err, err_size, "control socket path %s exists and is not a socket; not replacing it", self->path);
      return BIND_FAILED;
    }
  if (shared && st.st_uid != geteuid())
    {
      snprintf(err, err_size,
               "control socket path %s belongs to uid %ld in a directory others can write to; not replacing it",
               self->path, (long) st.st_uid);
      return BIND_FAILED;
    }
  int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (probe < 0)
    {
      snprintf(err, err_size, "cannot create a socket to check %s: %s", self->path, g_strerror(errno));
      return BIND_FAILED;
    }
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  memcpy(sa.sun_path, self->path, strlen(self->path) + 1);
  int r = connect(probe, (struct sockaddr *) &sa, sizeof(sa));
  int saved = errno;
  close(probe);
  if (r == 0 || saved == EAGAIN || saved == EINPROGRESS)
    {
      /* It answers (EAGAIN: its backlog is full, so it listens). */
      snprintf(err, err_size, "another lifeline is running on %s (it answers there); not replacing its control socket",
               self->path);
      return BIND_FAILED;
    }
  if (saved == ENOENT)
    return BIND_RETRY;
  if (saved != ECONNREFUSED)
    {
      snprintf(err, err_size, "cannot check existing control socket %s: %s", self->path, g_strerror(saved));
      return BIND_FAILED;
    }
  if (unlink(self->path) < 0 && errno != ENOENT)
    {
      snprintf(err, err_size, "cannot remove stale control socket %s: %s", self->path, g_strerror(errno));
      return BIND_FAILED;
    }
  logger_log(LIFELINE_LOG_NOTICE, "Replaced a stale control socket nobody answered on", "path", self->path, NULL);
  return BIND_RETRY;
}

static enum bind_result
_bind(struct control_server *self, int fd, int shared, char *err, size_t err_size)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  memcpy(sa.sun_path, self->path, strlen(self->path) + 1);
  /* Owner only from the start: the mode comes from the umask at bind, not
   * from a chmod of a path someone could have swapped afterwards. */
  mode_t old_mask = umask(0177);
  int r = bind(fd, (struct sockaddr *) &sa, sizeof(sa));
  int e = errno;
  umask(old_mask);
  errno = e;
  if (r == 0)
    return BIND_OK;
  if (errno == EADDRINUSE)
    return _replace_stale(self, shared, err, err_size);
  snprintf(err, err_size, "cannot create control socket %s: %s", self->path, g_strerror(errno));
  return BIND_FAILED;
}

/* ---- life cycle -------------------------------------------------------- */

struct control_server *
control_server_new(const char *path, struct runtime *runtime)
{
  struct control_server *self = g_new0(struct control_server, 1);
  self->path = g_strdup(path);
  self->runtime = runtime;
  self->owner = (uid_t) -1;
  self->clients = g_ptr_array_new();
  IV_FD_INIT(&self->listener);
  self->listener.fd = -1;
  IV_TIMER_INIT(&self->accept_retry);
  self->accept_retry.cookie = self;
  self->accept_retry.handler = _accept_retry;
  fd_reserve_init(&self->reserve);
  return self;
}

void
control_server_set_owner(struct control_server *self, uid_t uid)
{
  self->owner = uid;
}

void
control_server_set_runtime(struct control_server *self, struct runtime *runtime)
{
  if (self)
    self->runtime = runtime;
}

/* The directory of PATH must not let another user pre-bind, swap or remove
 * the socket: refused when someone other than root, us and --user's user
 * owns it, or when others may write to it (other-writable, or
 * group-writable for a group that is not ours) and it is not sticky.
 * *SHARED: writable by others but sticky (then only our own file there is
 * trusted).  Returns an fd of the directory, or -1 with ERR filled. */
static int
_open_dir(struct control_server *self, int *shared, char *err, size_t err_size)
{
  gchar *dir = g_path_get_dirname(self->path);
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct stat st;
  if (dfd < 0 || fstat(dfd, &st) < 0)
    {
      snprintf(err, err_size, "cannot use the directory of control socket %s: %s", self->path, g_strerror(errno));
      if (dfd >= 0)
        close(dfd);
      g_free(dir);
      return -1;
    }
  int writable = (st.st_mode & S_IWOTH) || ((st.st_mode & S_IWGRP) && st.st_gid != getegid());
  const char *why = NULL;
  if (st.st_uid != 0 && st.st_uid != geteuid() && st.st_uid != self->owner)
    why = "is owned by another user";
  else if (writable && !(st.st_mode & S_ISVTX))
    why = "is writable by other users and not sticky";
  if (why)
    {
      snprintf(err, err_size,
               "not creating control socket %s: its directory %s %s (mode %04o, uid %ld), so another user could "
               "put their own socket there",
               self->path, dir, why, (unsigned) (st.st_mode & 07777), (long) st.st_uid);
      close(dfd);
      dfd = -1;
    }
  g_free(dir);
  *shared = writable;
  return dfd;
}

/* The file bind() made: a socket of ours with no access for others, handed
 * to --user's user (by its name in the checked directory, never following
 * a symlink) before anyone can connect.  0, or -1 with ERR filled. */
static int
_check_bound(struct control_server *self, int dfd, char *err, size_t err_size)
{
  gchar *base = g_path_get_basename(self->path);
  struct stat st;
  int rc = -1;
  if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
    snprintf(err, err_size, "cannot check control socket %s: %s", self->path, g_strerror(errno));
  else if (!S_ISSOCK(st.st_mode) || st.st_uid != geteuid())
    snprintf(err, err_size, "control socket %s was replaced right after it was created; not serving it",
             self->path);
  else if ((self->dev = st.st_dev, self->ino = st.st_ino, st.st_mode & 0077))
    snprintf(err, err_size,
             "control socket %s got mode %04o instead of 0600 (a default ACL on its directory?); not serving it",
             self->path, (unsigned) (st.st_mode & 07777));
  else if (self->owner != (uid_t) -1 && fchownat(dfd, base, self->owner, (gid_t) -1, AT_SYMLINK_NOFOLLOW) < 0)
    snprintf(err, err_size, "cannot hand control socket %s to uid %ld: %s", self->path, (long) self->owner,
             g_strerror(errno));
  else
    rc = 0;
  g_free(base);
  return rc;
}

int
control_server_start(struct control_server *self, char *err, size_t err_size)
{
  struct sockaddr_un sa;
  size_t len = strlen(self->path);

  if (len == 0 || len >= sizeof(sa.sun_path))
    {
      snprintf(err, err_size, "control socket path '%s' must have 1 to %zu bytes", self->path,
               sizeof(sa.sun_path) - 1);
      return -1;
    }
  int shared;
  int dfd = _open_dir(self, &shared, err, err_size);
  if (dfd < 0)
    return -1;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      snprintf(err, err_size, "cannot create control socket %s: %s", self->path, g_strerror(errno));
      close(dfd);
      return -1;
    }
  enum bind_result r = _bind(self, fd, shared, err, err_size);
  if (r == BIND_RETRY)
    r = _bind(self, fd, shared, err, err_size);
  if (r == BIND_RETRY)
    snprintf(err, err_size, "control socket %s keeps reappearing; is another lifeline starting?", self->path);
  if (r != BIND_OK)
    {
      close(dfd);
      close(fd);
      return -1;
    }
  /* Until listen() nobody can connect. */
  int ok = _check_bound(self, dfd, err, err_size) == 0;
  close(dfd);
  if (ok && listen(fd, CONTROL_BACKLOG) < 0)
    {
      snprintf(err, err_size, "cannot listen on control socket %s: %s", self->path, g_strerror(errno));
      ok = 0;
    }
  if (!ok)
    {
      struct stat st;
      /* Only the file we made (self->dev/ino are set once it is known). */
      if (self->ino && stat(self->path, &st) == 0 && st.st_dev == self->dev && st.st_ino == self->ino)
        unlink(self->path);
      close(fd);
      return -1;
    }
  fd_reserve_take(&self->reserve); /* if it fails, retaken at the first accept */
  self->listener.fd = fd;
  self->listener.cookie = self;
  self->listener.handler_in = _accept;
  iv_fd_register(&self->listener);
  self->listening = 1;
  self->accepting = 1;
  logger_log(LIFELINE_LOG_INFO, "Control socket ready", "path", self->path, NULL);
  return 0;
}

void
control_server_stop(struct control_server *self)
{
  if (!self)
    return;
  if (iv_timer_registered(&self->accept_retry))
    iv_timer_unregister(&self->accept_retry);
  fd_reserve_close(&self->reserve);
  if (self->listening)
    {
      self->listening = 0;
      self->accepting = 0;
      iv_fd_unregister(&self->listener);
      close(self->listener.fd);
      self->listener.fd = -1;
      /* Only our own file: never one a later lifeline put there. */
      struct stat st;
      if (stat(self->path, &st) == 0 && st.st_dev == self->dev && st.st_ino == self->ino)
        unlink(self->path);
    }
  while (self->clients->len > 0)
    _client_close(g_ptr_array_index(self->clients, self->clients->len - 1));
}

void
control_server_free(struct control_server *self)
{
  if (!self)
    return;
  control_server_stop(self);
  g_ptr_array_free(self->clients, TRUE);
  g_free(self->path);
  g_free(self);
}
