#include "stream-source.h"

#include "core/line-splitter.h"
#include "core/located-error.h"
#include "core/option-reader.h"
#include "logger.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <grp.h>
#include <iv.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define LISTEN_BACKLOG 128
/* accept() calls per wake-up: the listener is level-triggered, so the rest
 * come at the next one and other fds get their turn in between. */
#define ACCEPTS_PER_TURN 64
#define MAX_IDLE_TIMEOUT_S (365 * 86400)

enum stream_kind
{
  STREAM_TCP,
  STREAM_UNIX,
};

struct stream_client;

struct stream_source
{
  struct line_source *ls;
  enum stream_kind kind;
  char *ip, *path;
  int64_t port, max_connections, idle_timeout_s;
  size_t max_line;
  mode_t perm;
  uid_t owner;
  gid_t group;
  int set_owner, set_group;
  struct iv_fd listen;
  int listening, accepting, bound_path, stopped;
  dev_t dev; /* the socket file we bound, so stop unlinks only that one */
  ino_t ino;
  /* Accept order; a disconnected client holding a line still counts. */
  struct stream_client *first, *last;
  size_t n_clients;
  struct iv_task turn; /* reads every client: after a full turn, and at resume */
  struct iv_timer accept_retry;
  /* An fd held while accepting and given up when accept() runs out of them,
   * so the rest of the process keeps one: ivykis creates its timerfd lazily
   * (and aborts if it cannot), the control socket can still answer. */
  int reserve_fd;
  int at_limit; /* paused at max-connections() */
  int starved; /* paused: accept() ran out of fds or memory */
  uint64_t starved_failures;
  gint64 starved_since;
};

struct stream_client
{
  struct stream_source *owner;
  struct stream_client *prev, *next;
  struct iv_fd fd;
  struct iv_timer idle;
  int64_t last_active_ms;
  int open; /* 0: disconnected, kept only while it holds a line */
  struct line_input in;
  char peer[INET6_ADDRSTRLEN + 8];
};

static const char *
_name(const struct stream_source *self)
{
  return line_source_name(self->ls);
}

static int64_t
_now_ms(void)
{
  return (int64_t) iv_now.tv_sec * 1000 + iv_now.tv_nsec / 1000000;
}

/* Re-arms T to fire at AT_MS (on the iv_now clock). */
static void
_timer_at(struct iv_timer *t, int64_t at_ms)
{
  t->expires.tv_sec = (time_t) (at_ms / 1000);
  t->expires.tv_nsec = (long) (at_ms % 1000) * 1000000L;
  if (iv_timer_registered(t))
    iv_timer_unregister(t);
  iv_timer_register(t);
}

static void _accept(void *cookie);
static void _client_readable(void *cookie);

/* ---- the listener: paused at the limit or when out of resources --------- */

static void
_set_accepting(struct stream_source *self, int on)
{
  if (!self->listening || self->accepting == on)
    return;
  self->accepting = on;
  iv_fd_set_handler_in(&self->listen, on ? _accept : NULL);
}

static void
_maybe_resume_accepting(struct stream_source *self)
{
  if (!self->listening || iv_timer_registered(&self->accept_retry)
      || (int64_t) self->n_clients >= self->max_connections)
    return;
  if (self->at_limit)
    {
      self->at_limit = 0;
      logger_log(LIFELINE_LOG_NOTICE, "Below max-connections() again; accepting connections", "source", _name(self),
                 NULL);
    }
  _set_accepting(self, 1);
}

static void
_accept_retry(void *cookie)
{
  _maybe_resume_accepting(cookie);
}

static void
_pause_at_limit(struct stream_source *self)
{
  char max[32];

  _set_accepting(self, 0);
  if (self->at_limit)
    return;
  self->at_limit = 1;
  g_snprintf(max, sizeof(max), "%" G_GINT64_FORMAT, self->max_connections);
  logger_log(LIFELINE_LOG_WARNING, "max-connections() reached; new connections wait in the backlog", "source",
             _name(self), "max_connections", max, NULL);
}

static void
_starve(struct stream_source *self, int errnum)
{
  if (self->reserve_fd >= 0 && (errnum == EMFILE || errnum == ENFILE))
    {
      close(self->reserve_fd);
      self->reserve_fd = -1;
    }
  if (!self->starved)
    {
      self->starved = 1;
      self->starved_failures = 0;
      self->starved_since = g_get_monotonic_time();
      logger_log(LIFELINE_LOG_WARNING, "Cannot accept connections; pausing the listener and retrying every second",
                 "source", _name(self), "error", g_strerror(errnum), NULL);
    }
  self->starved_failures++;
  _set_accepting(self, 0);
  _timer_at(&self->accept_retry, _now_ms() + STREAM_SOURCE_ACCEPT_RETRY_MS);
}

static void
_starve_end(struct stream_source *self)
{
  char count[32], ms[32];

  if (!self->starved)
    return;
  self->starved = 0;
  g_snprintf(count, sizeof(count), "%" G_GUINT64_FORMAT, self->starved_failures);
  g_snprintf(ms, sizeof(ms), "%" G_GINT64_FORMAT, (g_get_monotonic_time() - self->starved_since) / 1000);
  logger_log(LIFELINE_LOG_NOTICE, "Accepting connections again", "source", _name(self), "failed_attempts", count,
             "paused_ms", ms, NULL);
}

/* ---- clients ------------------------------------------------------------ */

static void
_client_close_fd(struct stream_client *c)
{
  if (!c->open)
    return;
  if (iv_timer_registered(&c->idle))
    iv_timer_unregister(&c->idle);
  iv_fd_unregister(&c->fd);
  close(c->fd.fd);
  c->open = 0;
}

static void
_client_free(struct stream_client *c)
{
  struct stream_source *self = c->owner;

  _client_close_fd(c);
  if (c->prev)
    c->prev->next = c->next;
  else
    self->first = c->next;
  if (c->next)
    c->next->prev = c->prev;
  else
    self->last = c->prev;
  self->n_clients--;
  line_splitter_free(c->in.lines);
  g_free(c);
  _maybe_resume_accepting(self);
}

/* Every open client is read (ON) or left alone until the wakeup (!ON).  The
 * time paused does not count as idle. */
static void
_set_reading(struct stream_source *self, int on)
{
  for (struct stream_client *c = self->first; c; c = c->next)
    if (c->open)
      {
        iv_fd_set_handler_in(&c->fd, on ? _client_readable : NULL);
        if (on)
          c->last_active_ms = _now_ms();
      }
}

static void
_schedule_turn(struct stream_source *self)
{
  if (!iv_task_registered(&self->turn))
    iv_task_register(&self->turn);
}

/* No more bytes from C: its last line without '\n' is a line (as in
 * syslog-ng).  Returns 1 when the client was freed. */
static int
_client_disconnect(struct stream_client *c)
{
  struct stream_source *self = c->owner;

  _client_close_fd(c);
  c->in.at_eof = 1;
  if (!line_source_drain(self->ls, &c->in))
    {
      _set_reading(self, 0);
      return 0; /* freed at the resume, once its line was taken */
    }
  _client_free(c);
  return 1;
}

/* Reads one client for a turn.  Returns 1 when the client was freed. */
static int
_client_read(struct stream_client *c)
{
  struct stream_source *self = c->owner;
  int errnum = 0;

  if (!c->open || line_source_blocked(self->ls))
    return 0;
  uint64_t before = c->in.read.offset;
  enum line_read_result r = line_source_read(self->ls, &c->in, c->fd.fd, &errnum);
  if (c->in.read.offset != before)
    c->last_active_ms = _now_ms();
  switch (r)
    {
    case LINE_READ_AGAIN:
      return 0;
    case LINE_READ_MORE:
      _schedule_turn(self);
      return 0;
    case LINE_READ_PAUSED:
      _set_reading(self, 0);
      return 0;
    case LINE_READ_ERROR:
      if (errnum != ECONNRESET)
        logger_log(LIFELINE_LOG_WARNING, "Error reading from a client; closing it", "source", _name(self), "peer",
                   c->peer, "error", g_strerror(errnum), NULL);
      /* What was read is kept. */
      /* fall through */
    case LINE_READ_EOF:
      break;
    }
  return _client_disconnect(c);
}

static void
_client_readable(void *cookie)
{
  _client_read(cookie);
}

static void
_client_idle(void *cookie)
{
  struct stream_client *c = cookie;
  struct stream_source *self = c->owner;
  int64_t now = _now_ms(), deadline = c->last_active_ms + self->idle_timeout_s * 1000;

  if (line_source_blocked(self->ls) || now < deadline)
    {
      /* Not idle: it spoke meanwhile, or we are the ones not reading. */
      _timer_at(&c->idle, now < deadline ? deadline : now + self->idle_timeout_s * 1000);
      return;
    }
  char secs[32];
  g_snprintf(secs, sizeof(secs), "%" G_GINT64_FORMAT, self->idle_timeout_s);
  logger_log(LIFELINE_LOG_INFO, "Closing an idle client", "source", _name(self), "peer", c->peer, "idle_timeout",
             secs, NULL);
  _client_disconnect(c);
}

static void
_turn(void *cookie)
{
  struct stream_source *self = cookie;

  for (struct stream_client *c = self->first, *next; c && !line_source_blocked(self->ls); c = next)
    {
      next = c->next; /* reading C frees at most C */
      _client_read(c);
    }
}

static void
_peer_name(struct stream_source *self, const struct sockaddr_storage *sa, char *buf, size_t size)
{
  char host[INET6_ADDRSTRLEN] = "?";

  if (self->kind == STREAM_UNIX)
    {
      g_strlcpy(buf, "unix", size);
      return;
    }
  if (sa->ss_family == AF_INET6)
    {
      const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *) sa;
      inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
      snprintf(buf, size, "[%s]:%u", host, ntohs(s6->sin6_port));
    }
  else
    {
      const struct sockaddr_in *s4 = (const struct sockaddr_in *) sa;
      inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
      snprintf(buf, size, "%s:%u", host, ntohs(s4->sin_port));
    }
}

/* FD was accepted: make it a client, or close it if its buffers (up to
 * log-msg-size() each) cannot be had. */
static void
_client_new(struct stream_source *self, int fd, const struct sockaddr_storage *sa)
{
  char peer[INET6_ADDRSTRLEN + 8];
  struct stream_client *c = g_try_new0(struct stream_client, 1);
  struct line_splitter *lines = c ? line_splitter_new(self->max_line, LINE_SOURCE_READ_SIZE) : NULL;

  _peer_name(self, sa, peer, sizeof(peer));
  if (!lines)
    {
      char size[32];
      close(fd);
      g_free(c);
      g_snprintf(size, sizeof(size), "%zu", self->max_line);
      logger_log(LIFELINE_LOG_ERROR, "Out of memory for a new client's line buffer; closing it", "source",
                 _name(self), "peer", peer, "log_msg_size", size, NULL);
      return;
    }
  c->owner = self;
  c->in.lines = lines;
  g_strlcpy(c->peer, peer, sizeof(c->peer));
  IV_FD_INIT(&c->fd);
  c->fd.fd = fd;
  c->fd.cookie = c;
  c->fd.handler_in = line_source_blocked(self->ls) ? NULL : _client_readable;
  IV_TIMER_INIT(&c->idle);
  c->idle.cookie = c;
  c->idle.handler = _client_idle;
  c->prev = self->last;
  if (self->last)
    self->last->next = c;
  else
    self->first = c;
  self->last = c;
  self->n_clients++;
  iv_fd_register(&c->fd);
  c->open = 1;
  c->last_active_ms = _now_ms();
  if (self->idle_timeout_s > 0)
    _timer_at(&c->idle, c->last_active_ms + self->idle_timeout_s * 1000);
  logger_log(LIFELINE_LOG_INFO, "Connection accepted", "source", _name(self), "peer", c->peer, NULL);
}

/* accept() errors that concern only the connection being accepted (Linux
 * passes pending network errors on to accept()): try the next one. */
static int
_accept_error_is_transient(int errnum)
{
  return errnum == EINTR || errnum == ECONNABORTED || errnum == EPROTO || errnum == ENETDOWN || errnum == ENOPROTOOPT
         || errnum == EHOSTDOWN || errnum == ENONET || errnum == EHOSTUNREACH || errnum == ENETUNREACH;
}

static void
_accept(void *cookie)
{
  struct stream_source *self = cookie;

  /* Never take the process's last fd: the reserve comes back first. */
  if (self->reserve_fd < 0)
    {
      self->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (self->reserve_fd < 0)
        {
          _starve(self, errno);
          return;
        }
    }
  for (int i = 0; i < ACCEPTS_PER_TURN; i++)
    {
      if ((int64_t) self->n_clients >= self->max_connections)
        {
          _pause_at_limit(self);
          return;
        }
      struct sockaddr_storage sa;
      socklen_t salen = sizeof(sa);
      memset(&sa, 0, sizeof(sa));
      int fd = accept4(self->listen.fd, (struct sockaddr *) &sa, &salen, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0)
        {
          if (_accept_error_is_transient(errno))
            continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK)
            {
              _starve_end(self);
              return;
            }
          /* EMFILE, ENFILE, ENOBUFS, ENOMEM, or worse: the connection stays
           * in the backlog and the listener readable. */
          _starve(self, errno);
          return;
        }
      _starve_end(self);
      _client_new(self, fd, &sa);
      if ((int64_t) self->n_clients >= self->max_connections)
        return; /* paused (and logged) only if another one comes while full */
    }
}

/* ---- binding -------------------------------------------------------------- */

static int
_bind_tcp(struct stream_source *self, struct sockaddr_storage *sa, socklen_t *salen, struct lifeline_error *err)
{
  struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE, .ai_socktype = SOCK_STREAM };
  struct addrinfo *res = NULL;
  char port[16];

  g_snprintf(port, sizeof(port), "%" G_GINT64_FORMAT, self->port);
  int rc = getaddrinfo(self->ip, port, &hints, &res);
  if (rc != 0 || !res)
    {
      located_error_set(err, NULL, 0, 0, NULL, "source %s: tcp(): ip(\"%s\") is not an IP address: %s",
                        _name(self), self->ip, gai_strerror(rc));
      return -1;
    }
  memcpy(sa, res->ai_addr, res->ai_addrlen);
  *salen = res->ai_addrlen;
  freeaddrinfo(res);
  return sa->ss_family;
}

/* Whatever is at PATH gives way only if it is a socket nobody answers on.
 * 0 when PATH is free now, or -1 with ERR set. */
static int
_unix_clear_path(struct stream_source *self, const struct sockaddr_un *un, struct lifeline_error *err)
{
  struct stat st;

  if (lstat(self->path, &st) < 0)
    return 0;
  if (!S_ISSOCK(st.st_mode))
    {
      located_error_set(err, NULL, 0, 0, NULL,
                        "source %s: unix-stream(): %s exists and is not a socket; not removing it", _name(self),
                        self->path);
      return -1;
    }
  int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (probe < 0)
    {
      located_error_set(err, NULL, 0, 0, NULL, "source %s: unix-stream(): cannot check %s: %s", _name(self),
                        self->path, g_strerror(errno));
      return -1;
    }
  int r = connect(probe, (const struct sockaddr *) un, sizeof(*un));
  int e = errno;
  close(probe);
  if (r == 0 || e == EAGAIN || e == EINPROGRESS)
    {
      /* It answers (EAGAIN: its backlog is full, so it listens). */
      located_error_set(err, NULL, 0, 0, NULL,
                        "source %s: unix-stream(): another process listens on %s; not taking its socket over",
                        _name(self), self->path);
      return -1;
    }
  if (e != ECONNREFUSED && e != ENOENT)
    {
      located_error_set(err, NULL, 0, 0, NULL, "source %s: unix-stream(): cannot check %s: %s", _name(self),
                        self->path, g_strerror(e));
      return -1;
    }
  if (e == ECONNREFUSED && unlink(self->path) == 0)
    logger_log(LIFELINE_LOG_NOTICE, "Replaced a stale socket nobody answered on", "source", _name(self), "path",
               self->path, NULL);
  return 0;
}

/* Binds FD to PATH with mode perm() whatever the umask: the socket file takes
 * the socket inode's mode, masked by the umask, when it is created.  Then
 * owner()/group(), through an O_PATH descriptor of the file just bound that
 * is never a symlink (fchown on the unbound socket does not reach the file).
 * Nobody can connect before listen().  0, or -1 with errno set. */
static int
_unix_bind(struct stream_source *self, int fd, const struct sockaddr_un *un)
{
  if (fchmod(fd, self->perm) < 0)
    return -1;
  /* The loop thread is the only one that creates files. */
  mode_t old = umask(0);
  int r = bind(fd, (const struct sockaddr *) un, sizeof(*un));
  int e = errno;
  umask(old);
  if (r < 0)
    {
      errno = e;
      return -1;
    }
  self->bound_path = 1;
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

/* Unlinks PATH only if it is still the file this source bound. */
static void
_unix_unlink(struct stream_source *self)
{
  struct stat st;

  if (self->bound_path && lstat(self->path, &st) == 0 && st.st_dev == self->dev && st.st_ino == self->ino)
    unlink(self->path);
  self->bound_path = 0;
}

static int
_start(void *impl, struct lifeline_error *err)
{
  struct stream_source *self = impl;
  struct sockaddr_storage sa;
  socklen_t salen;
  int family;
  char where[sizeof(((struct sockaddr_un *) 0)->sun_path) + 64];

  memset(&sa, 0, sizeof(sa));
  if (self->kind == STREAM_TCP)
    {
      family = _bind_tcp(self, &sa, &salen, err);
      if (family < 0)
        return -1;
      g_snprintf(where, sizeof(where), "%s port %" G_GINT64_FORMAT, self->ip, self->port);
    }
  else
    {
      struct sockaddr_un *un = (struct sockaddr_un *) &sa;
      family = AF_UNIX;
      un->sun_family = AF_UNIX;
      g_strlcpy(un->sun_path, self->path, sizeof(un->sun_path));
      salen = sizeof(*un);
      g_strlcpy(where, self->path, sizeof(where));
      if (_unix_clear_path(self, un, err) < 0)
        return -1;
    }
  int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    goto fail;
  if (family != AF_UNIX)
    {
      int one = 1;
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    }
  int r = family == AF_UNIX ? _unix_bind(self, fd, (struct sockaddr_un *) &sa)
                            : bind(fd, (struct sockaddr *) &sa, salen);
  if (r < 0 || listen(fd, LISTEN_BACKLOG) < 0)
    {
      int e = errno;
      close(fd);
      errno = e;
      goto fail;
    }
  if (self->reserve_fd < 0)
    self->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC); /* else reopened at the first accept */
  IV_FD_INIT(&self->listen);
  self->listen.fd = fd;
  self->listen.cookie = self;
  self->listen.handler_in = _accept;
  iv_fd_register(&self->listen);
  self->listening = 1;
  self->accepting = 1;
  logger_log(LIFELINE_LOG_NOTICE, "Listening", "source", _name(self), "address", where, NULL);
  return 0;

fail:
  located_error_set(err, NULL, 0, 0, NULL, "source %s: cannot listen on %s: %s", _name(self), where,
                    g_strerror(errno));
  _unix_unlink(self); /* only if it is still ours; a stale one is replaced next time */
  return -1;
}

static void
_stop(void *impl)
{
  struct stream_source *self = impl;
  self->stopped = 1;
  if (iv_timer_registered(&self->accept_retry))
    iv_timer_unregister(&self->accept_retry);
  if (self->listening)
    {
      iv_fd_unregister(&self->listen);
      close(self->listen.fd);
      self->listening = 0;
      self->accepting = 0;
    }
  if (self->reserve_fd >= 0)
    {
      close(self->reserve_fd);
      self->reserve_fd = -1;
    }
  _unix_unlink(self);
  if (iv_task_registered(&self->turn))
    iv_task_unregister(&self->turn);
  while (self->last)
    {
      struct stream_client *c = self->last;
      line_source_discard(self->ls, &c->in);
      _client_free(c);
    }
}

static void
_resume(void *impl)
{
  struct stream_source *self = impl;
  /* Disconnected clients were kept only while they held a line. */
  for (struct stream_client *c = self->first, *next; c; c = next)
    {
      next = c->next;
      if (!c->open && !line_source_holds(self->ls, &c->in))
        _client_free(c);
    }
  _set_reading(self, 1);
  _schedule_turn(self);
}

static void
_free(void *impl)
{
  struct stream_source *self = impl;
  g_free(self->ip);
  g_free(self->path);
  g_free(self);
}

static const struct line_source_ops stream_source_ops = {
  .start = _start,
  .stop = _stop,
  .resume = _resume,
  .free = _free,
};

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

  *out = STREAM_SOURCE_DEFAULT_PERM;
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

static const char *const tcp_options[] = { "ip", "port", "max-connections", "idle-timeout", "log-msg-size", NULL };
static const char *const unix_options[] = { "max-connections", "idle-timeout", "perm", "owner", "group",
                                            "log-msg-size", NULL };

static int
_read_unix_options(struct stream_source *self, const struct lifeline_option *driver, struct lifeline_error *err)
{
  unsigned owner = 0, group = 0;

  if (_read_perm(driver, &self->perm, err) < 0 || _read_id(driver, "owner", &owner, &self->set_owner, err) < 0
      || _read_id(driver, "group", &group, &self->set_group, err) < 0)
    return -1;
  self->owner = (uid_t) owner;
  self->group = (gid_t) group;
  return 0;
}

struct line_source *
stream_source_new(const char *name, const struct lifeline_option *driver, size_t max_line,
                  struct lifeline_error *err)
{
  int is_tcp = option_name_is(driver, "tcp");
  const char *ip = NULL, *path = NULL;
  int64_t port = STREAM_SOURCE_DEFAULT_PORT, max_connections, idle_timeout;
  struct stream_source opts = { .perm = STREAM_SOURCE_DEFAULT_PERM };

  if (is_tcp)
    {
      if (option_check_values(driver, 0, 0, err) < 0 || option_check_children(driver, tcp_options, err) < 0
          || option_get_string(driver, "ip", "0.0.0.0", &ip, err) < 0
          || option_get_int64(driver, "port", STREAM_SOURCE_DEFAULT_PORT, 1, 65535, &port, err) < 0)
        return NULL;
      struct in6_addr a;
      if (inet_pton(AF_INET, ip, &a) != 1 && inet_pton(AF_INET6, ip, &a) != 1)
        {
          located_error_at_option(err, option_find(driver, "ip"), "'%s' is not an IPv4 or IPv6 address", ip);
          return NULL;
        }
    }
  else
    {
      if (option_check_values(driver, 1, 1, err) < 0 || option_value_string(driver, 0, &path, err) < 0
          || option_check_children(driver, unix_options, err) < 0)
        return NULL;
      if (!*path || strlen(path) >= sizeof(((struct sockaddr_un *) 0)->sun_path))
        {
          located_error_at_value(err, driver, driver->values[0], "a unix socket path must be 1 to %zu bytes long",
                                 sizeof(((struct sockaddr_un *) 0)->sun_path) - 1);
          return NULL;
        }
      if (_read_unix_options(&opts, driver, err) < 0)
        return NULL;
    }
  if (option_get_int64(driver, "max-connections", STREAM_SOURCE_DEFAULT_MAX_CONNECTIONS, 1, 100000,
                       &max_connections, err) < 0
      || option_get_int64(driver, "idle-timeout", 0, 0, MAX_IDLE_TIMEOUT_S, &idle_timeout, err) < 0)
    return NULL;

  struct stream_source *self = g_new0(struct stream_source, 1);
  self->kind = is_tcp ? STREAM_TCP : STREAM_UNIX;
  self->ip = g_strdup(ip);
  self->path = g_strdup(path);
  self->port = port;
  self->max_connections = max_connections;
  self->idle_timeout_s = idle_timeout;
  self->perm = opts.perm;
  self->owner = opts.owner;
  self->group = opts.group;
  self->set_owner = opts.set_owner;
  self->set_group = opts.set_group;
  self->max_line = max_line;
  IV_FD_INIT(&self->listen);
  IV_TASK_INIT(&self->turn);
  self->turn.cookie = self;
  self->turn.handler = _turn;
  self->reserve_fd = -1;
  IV_TIMER_INIT(&self->accept_retry);
  self->accept_retry.cookie = self;
  self->accept_retry.handler = _accept_retry;
  self->ls = line_source_new(name, &stream_source_ops, self);
  return self->ls;
}
