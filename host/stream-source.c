#include "stream-source.h"

#include "core/line-splitter.h"
#include "core/located-error.h"
#include "core/option-reader.h"
#include "logger.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <iv.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define LISTEN_BACKLOG 128
/* Refused connections are logged at most once per interval, with a count. */
#define REFUSED_LOG_INTERVAL_US (10 * G_USEC_PER_SEC)

enum stream_kind
{
  STREAM_TCP,
  STREAM_UNIX,
};

struct stream_source
{
  struct line_source *ls;
  enum stream_kind kind;
  char *ip, *path;
  int64_t port, max_connections;
  size_t max_line;
  struct iv_fd listen;
  int listening, bound_path, stopped;
  GPtrArray *clients; /* struct stream_client *, accept order */
  struct iv_task turn; /* reads every client: after a full turn, and at resume */
  uint64_t refused, refused_unlogged;
  gint64 refused_logged_at;
};

struct stream_client
{
  struct stream_source *owner;
  struct iv_fd fd;
  int open; /* 0: disconnected, kept only while it holds a line */
  struct line_input in;
  char peer[INET6_ADDRSTRLEN + 8];
};

static const char *
_name(const struct stream_source *self)
{
  return line_source_name(self->ls);
}

static void _client_readable(void *cookie);

static void
_client_close_fd(struct stream_client *c)
{
  if (!c->open)
    return;
  iv_fd_unregister(&c->fd);
  close(c->fd.fd);
  c->open = 0;
}

static void
_client_free(struct stream_client *c)
{
  _client_close_fd(c);
  g_ptr_array_remove(c->owner->clients, c);
  line_splitter_free(c->in.lines);
  g_free(c);
}

/* Every open client is read (ON) or left alone until the wakeup (!ON). */
static void
_set_reading(struct stream_source *self, int on)
{
  for (guint i = 0; i < self->clients->len; i++)
    {
      struct stream_client *c = g_ptr_array_index(self->clients, i);
      if (c->open)
        iv_fd_set_handler_in(&c->fd, on ? _client_readable : NULL);
    }
}

static void
_schedule_turn(struct stream_source *self)
{
  if (!iv_task_registered(&self->turn))
    iv_task_register(&self->turn);
}

/* Reads one client for a turn.  Returns 1 when the client was freed. */
static int
_client_read(struct stream_client *c)
{
  struct stream_source *self = c->owner;
  int errnum = 0;

  if (!c->open || line_source_blocked(self->ls))
    return 0;
  switch (line_source_read(self->ls, &c->in, c->fd.fd, &errnum))
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
  /* Disconnected: its last line without '\n' is a line (as in syslog-ng). */
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

static void
_client_readable(void *cookie)
{
  _client_read(cookie);
}

static void
_turn(void *cookie)
{
  struct stream_source *self = cookie;
  guint i = 0;

  while (i < self->clients->len && !line_source_blocked(self->ls))
    if (!_client_read(g_ptr_array_index(self->clients, i)))
      i++;
}

static void
_log_refused(struct stream_source *self)
{
  char count[32], max[32];
  gint64 now = g_get_monotonic_time();

  self->refused++;
  self->refused_unlogged++;
  if (self->refused_logged_at && now - self->refused_logged_at < REFUSED_LOG_INTERVAL_US)
    return;
  g_snprintf(count, sizeof(count), "%" G_GUINT64_FORMAT, self->refused_unlogged);
  g_snprintf(max, sizeof(max), "%" G_GINT64_FORMAT, self->max_connections);
  logger_log(LIFELINE_LOG_WARNING, "Connection refused: max-connections() reached", "source", _name(self),
             "max_connections", max, "count", count, NULL);
  self->refused_unlogged = 0;
  self->refused_logged_at = now;
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

static void
_accept(void *cookie)
{
  struct stream_source *self = cookie;

  for (;;)
    {
      struct sockaddr_storage sa;
      socklen_t salen = sizeof(sa);
      int fd = accept4(self->listen.fd, (struct sockaddr *) &sa, &salen, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0)
        {
          if (errno == EINTR || errno == ECONNABORTED)
            continue;
          if (errno != EAGAIN && errno != EWOULDBLOCK)
            logger_log(LIFELINE_LOG_ERROR, "Accepting a connection failed", "source", _name(self), "error",
                       g_strerror(errno), NULL);
          return;
        }
      if ((int64_t) self->clients->len >= self->max_connections)
        {
          close(fd);
          _log_refused(self);
          continue;
        }
      struct stream_client *c = g_new0(struct stream_client, 1);
      c->owner = self;
      IV_FD_INIT(&c->fd);
      c->fd.fd = fd;
      c->fd.cookie = c;
      c->fd.handler_in = line_source_blocked(self->ls) ? NULL : _client_readable;
      c->in.lines = line_splitter_new(self->max_line, LINE_SOURCE_READ_SIZE);
      _peer_name(self, &sa, c->peer, sizeof(c->peer));
      iv_fd_register(&c->fd);
      c->open = 1;
      g_ptr_array_add(self->clients, c);
      logger_log(LIFELINE_LOG_INFO, "Connection accepted", "source", _name(self), "peer", c->peer, NULL);
    }
}

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
      struct stat st;
      family = AF_UNIX;
      un->sun_family = AF_UNIX;
      g_strlcpy(un->sun_path, self->path, sizeof(un->sun_path));
      salen = sizeof(*un);
      g_strlcpy(where, self->path, sizeof(where));
      if (lstat(self->path, &st) == 0)
        {
          if (!S_ISSOCK(st.st_mode))
            {
              located_error_set(err, NULL, 0, 0, NULL,
                                "source %s: unix-stream(): %s exists and is not a socket; not removing it",
                                _name(self), self->path);
              return -1;
            }
          unlink(self->path); /* stale, as syslog-ng does */
        }
    }
  int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    goto fail;
  if (family != AF_UNIX)
    {
      int one = 1;
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    }
  if (bind(fd, (struct sockaddr *) &sa, salen) < 0)
    {
      int e = errno;
      close(fd);
      errno = e;
      goto fail;
    }
  if (family == AF_UNIX)
    {
      self->bound_path = 1;
      chmod(self->path, 0666);
    }
  if (listen(fd, LISTEN_BACKLOG) < 0)
    {
      int e = errno;
      close(fd);
      errno = e;
      goto fail;
    }
  IV_FD_INIT(&self->listen);
  self->listen.fd = fd;
  self->listen.cookie = self;
  self->listen.handler_in = _accept;
  iv_fd_register(&self->listen);
  self->listening = 1;
  logger_log(LIFELINE_LOG_NOTICE, "Listening", "source", _name(self), "address", where, NULL);
  return 0;

fail:
  located_error_set(err, NULL, 0, 0, NULL, "source %s: cannot listen on %s: %s", _name(self), where,
                    g_strerror(errno));
  if (self->bound_path)
    {
      unlink(self->path);
      self->bound_path = 0;
    }
  return -1;
}

static void
_stop(void *impl)
{
  struct stream_source *self = impl;
  self->stopped = 1;
  if (self->listening)
    {
      iv_fd_unregister(&self->listen);
      close(self->listen.fd);
      self->listening = 0;
    }
  if (self->bound_path)
    {
      unlink(self->path);
      self->bound_path = 0;
    }
  if (iv_task_registered(&self->turn))
    iv_task_unregister(&self->turn);
  while (self->clients->len > 0)
    {
      struct stream_client *c = g_ptr_array_index(self->clients, self->clients->len - 1);
      line_source_discard(self->ls, &c->in);
      _client_free(c);
    }
  if (self->refused_unlogged)
    {
      /* Refusals held back by the rate limit are not left unsaid. */
      char count[32];
      g_snprintf(count, sizeof(count), "%" G_GUINT64_FORMAT, self->refused_unlogged);
      logger_log(LIFELINE_LOG_WARNING, "Connections refused: max-connections() reached", "source", _name(self),
                 "count", count, NULL);
      self->refused_unlogged = 0;
    }
}

static void
_resume(void *impl)
{
  struct stream_source *self = impl;
  /* Disconnected clients were kept only while they held a line. */
  for (guint i = 0; i < self->clients->len;)
    {
      struct stream_client *c = g_ptr_array_index(self->clients, i);
      if (!c->open && !line_source_holds(self->ls, &c->in))
        _client_free(c);
      else
        i++;
    }
  _set_reading(self, 1);
  _schedule_turn(self);
}

static void
_free(void *impl)
{
  struct stream_source *self = impl;
  g_ptr_array_free(self->clients, TRUE);
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

static const char *const tcp_options[] = { "ip", "port", "max-connections", "log-msg-size", NULL };
static const char *const unix_options[] = { "max-connections", "log-msg-size", NULL };

struct line_source *
stream_source_new(const char *name, const struct lifeline_option *driver, size_t max_line,
                  struct lifeline_error *err)
{
  int is_tcp = option_name_is(driver, "tcp");
  const char *ip = NULL, *path = NULL;
  int64_t port = STREAM_SOURCE_DEFAULT_PORT, max_connections;

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
    }
  if (option_get_int64(driver, "max-connections", STREAM_SOURCE_DEFAULT_MAX_CONNECTIONS, 1, 100000,
                       &max_connections, err) < 0)
    return NULL;

  struct stream_source *self = g_new0(struct stream_source, 1);
  self->kind = is_tcp ? STREAM_TCP : STREAM_UNIX;
  self->ip = g_strdup(ip);
  self->path = g_strdup(path);
  self->port = port;
  self->max_connections = max_connections;
  self->max_line = max_line;
  self->clients = g_ptr_array_new();
  IV_FD_INIT(&self->listen);
  IV_TASK_INIT(&self->turn);
  self->turn.cookie = self;
  self->turn.handler = _turn;
  self->ls = line_source_new(name, &stream_source_ops, self);
  return self->ls;
}
