#include "stream-source.h"

#include "core/located-error.h"
#include "core/option-reader.h"
#include "fd-reserve.h"
#include "logger.h"
#include "loop-timer.h"
#include "stream-clients.h"
#include "unix-listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <iv.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
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

struct stream_source
{
  struct line_source *ls;
  enum stream_kind kind;
  char *ip;
  int64_t port, max_connections;
  struct unix_listener unix_file; /* unix-stream() only */
  struct iv_fd listen;
  int listening, accepting, stopped;
  struct stream_clients clients;
  struct iv_timer accept_retry;
  /* Held while accepting and given up when accept() runs out of fds, so
   * the rest of the process keeps one (see fd-reserve.h). */
  struct fd_reserve reserve;
  int at_limit; /* paused at max-connections() */
};

static const char *
_name(const struct stream_source *self)
{
  return line_source_name(self->ls);
}

/* Re-arms T to fire at AT_MS (on the iv_now clock). */
static void _accept(void *cookie);

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
      || (int64_t) self->clients.n >= self->max_connections)
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

/* A client was freed: its slot may let the listener accept again. */
static void
_client_freed(void *cookie)
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
  if (fd_reserve_starve(&self->reserve, errnum))
    logger_log(LIFELINE_LOG_WARNING, "Cannot accept connections; pausing the listener and retrying every second",
               "source", _name(self), "error", g_strerror(errnum), NULL);
  _set_accepting(self, 0);
  /* The spare fd was given up above: ivykis can create its timer fd. */
  loop_timer_arm_at(&self->accept_retry, loop_timer_now_ms() + STREAM_SOURCE_ACCEPT_RETRY_MS);
}

static void
_starve_end(struct stream_source *self)
{
  struct fd_reserve_episode ep;

  if (fd_reserve_recover(&self->reserve, &ep))
    logger_log(LIFELINE_LOG_NOTICE, "Accepting connections again", "source", _name(self), "failed_attempts",
               ep.failed_attempts, "paused_ms", ep.paused_ms, NULL);
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
  char peer[INET6_ADDRSTRLEN + 8];

  /* Never take the process's last fd: the spare comes back first. */
  if (fd_reserve_take(&self->reserve) < 0)
    {
      _starve(self, errno);
      return;
    }
  for (int i = 0; i < ACCEPTS_PER_TURN; i++)
    {
      if ((int64_t) self->clients.n >= self->max_connections)
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
      _peer_name(self, &sa, peer, sizeof(peer));
      stream_clients_add(&self->clients, fd, peer);
      if ((int64_t) self->clients.n >= self->max_connections)
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

static int
_start(void *impl, struct lifeline_error *err)
{
  struct stream_source *self = impl;
  struct sockaddr_storage sa;
  socklen_t salen = 0;
  int family = AF_UNIX;
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
      g_strlcpy(where, self->unix_file.path, sizeof(where));
      if (unix_listener_clear_path(&self->unix_file, _name(self), err) < 0)
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
  int r = family == AF_UNIX ? unix_listener_bind(&self->unix_file, fd) : bind(fd, (struct sockaddr *) &sa, salen);
  if (r < 0 || listen(fd, LISTEN_BACKLOG) < 0)
    {
      int e = errno;
      close(fd);
      errno = e;
      goto fail;
    }
  fd_reserve_take(&self->reserve); /* if it fails, retaken at the first accept */
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
  /* Only if it is still ours; a stale one is replaced next time. */
  if (self->kind == STREAM_UNIX)
    unix_listener_unlink(&self->unix_file);
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
  fd_reserve_close(&self->reserve);
  if (self->kind == STREAM_UNIX)
    unix_listener_unlink(&self->unix_file);
  stream_clients_stop(&self->clients);
}

static void
_resume(void *impl)
{
  struct stream_source *self = impl;
  stream_clients_resume(&self->clients);
}

static void
_free(void *impl)
{
  struct stream_source *self = impl;
  g_free(self->ip);
  unix_listener_deinit(&self->unix_file);
  g_free(self);
}

static const struct line_source_ops stream_source_ops = {
  .start = _start,
  .stop = _stop,
  .resume = _resume,
  .free = _free,
};

/* ---- options ---------------------------------------------------------------- */

static const char *const tcp_options[] = { "ip", "port", "max-connections", "idle-timeout", "log-msg-size", NULL };
static const char *const unix_options[] = { "max-connections", "idle-timeout", "perm", "owner", "group",
                                            "log-msg-size", NULL };

/* tcp()'s own options: IP (borrowed from DRIVER) and PORT.  -1 with ERR. */
static int
_read_tcp_options(const struct lifeline_option *driver, const char **ip, int64_t *port, struct lifeline_error *err)
{
  struct in6_addr a;

  if (option_check_values(driver, 0, 0, err) < 0 || option_check_children(driver, tcp_options, err) < 0
      || option_get_string(driver, "ip", "0.0.0.0", ip, err) < 0
      || option_get_int64(driver, "port", STREAM_SOURCE_DEFAULT_PORT, 1, 65535, port, err) < 0)
    return -1;
  if (inet_pton(AF_INET, *ip, &a) != 1 && inet_pton(AF_INET6, *ip, &a) != 1)
    {
      located_error_at_option(err, option_find(driver, "ip"), "'%s' is not an IPv4 or IPv6 address", *ip);
      return -1;
    }
  return 0;
}

/* unix-stream()'s own options: its PATH, perm(), owner() and group() into
 * FILE.  -1 with ERR (FILE then holds nothing). */
static int
_read_unix_options(const struct lifeline_option *driver, struct unix_listener *file, struct lifeline_error *err)
{
  const char *path = NULL;

  if (option_check_values(driver, 1, 1, err) < 0 || option_value_string(driver, 0, &path, err) < 0
      || option_check_children(driver, unix_options, err) < 0)
    return -1;
  if (!*path || strlen(path) >= sizeof(((struct sockaddr_un *) 0)->sun_path))
    {
      located_error_at_value(err, driver, driver->values[0], "a unix socket path must be 1 to %zu bytes long",
                             sizeof(((struct sockaddr_un *) 0)->sun_path) - 1);
      return -1;
    }
  return unix_listener_init(file, path, driver, err);
}

struct line_source *
stream_source_new(const char *name, const struct lifeline_option *driver, size_t max_line,
                  struct lifeline_error *err)
{
  int is_tcp = option_name_is(driver, "tcp");
  const char *ip = NULL;
  int64_t port = STREAM_SOURCE_DEFAULT_PORT, max_connections, idle_timeout;
  struct unix_listener file = { 0 };

  if (is_tcp ? _read_tcp_options(driver, &ip, &port, err) < 0 : _read_unix_options(driver, &file, err) < 0)
    return NULL;
  if (option_get_int64(driver, "max-connections", STREAM_SOURCE_DEFAULT_MAX_CONNECTIONS, 1, 100000,
                       &max_connections, err) < 0
      || option_get_int64(driver, "idle-timeout", 0, 0, MAX_IDLE_TIMEOUT_S, &idle_timeout, err) < 0)
    {
      unix_listener_deinit(&file);
      return NULL;
    }

  struct stream_source *self = g_new0(struct stream_source, 1);
  self->kind = is_tcp ? STREAM_TCP : STREAM_UNIX;
  self->ip = g_strdup(ip);
  self->port = port;
  self->max_connections = max_connections;
  self->unix_file = file;
  IV_FD_INIT(&self->listen);
  fd_reserve_init(&self->reserve);
  IV_TIMER_INIT(&self->accept_retry);
  self->accept_retry.cookie = self;
  self->accept_retry.handler = _accept_retry;
  self->ls = line_source_new(name, &stream_source_ops, self);
  stream_clients_init(&self->clients, self->ls, max_line, idle_timeout, _client_freed, self);
  return self->ls;
}
