#include "connection.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static void
_report_failure(struct connection *self, int err)
{
  if (self->failed)
    return;
  self->failed = 1;
  iv_fd_set_handler_in(&self->fd, NULL);
  iv_fd_set_handler_out(&self->fd, NULL);
  iv_fd_set_handler_err(&self->fd, NULL);
  self->cb.failed(self->cb.cookie, err);
}

static void
_fail_task(void *cookie)
{
  struct connection *self = cookie;
  _report_failure(self, self->pending_error);
}

static void
_schedule_failure(struct connection *self, int err)
{
  if (self->failed || iv_task_registered(&self->fail_task))
    return;
  self->pending_error = err;
  iv_task_register(&self->fail_task);
}

/* Peers never send to a forwarder; reading only notices close and reset at
 * once, even while idle. */
static void
_readable(void *cookie)
{
  struct connection *self = cookie;
  char buf[4096];

  for (;;)
    {
      ssize_t n = recv(self->fd.fd, buf, sizeof(buf), 0);
      if (n > 0)
        continue;
      if (n == 0)
        {
          if (!self->cb.peer_closed)
            {
              _report_failure(self, 0);
              return;
            }
          /* EOF stays readable: stop reading, keep hearing about errors. */
          iv_fd_set_handler_in(&self->fd, NULL);
          self->cb.peer_closed(self->cb.cookie);
          return;
        }
      if (errno == EINTR)
        continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        _report_failure(self, errno);
      return;
    }
}

static void
_writable(void *cookie)
{
  struct connection *self = cookie;
  iv_fd_set_handler_out(&self->fd, NULL);
  self->cb.writable(self->cb.cookie);
}

static void
_socket_error(void *cookie)
{
  struct connection *self = cookie;
  int err = 0;
  socklen_t len = sizeof(err);

  if (getsockopt(self->fd.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
    err = errno;
  _report_failure(self, err ? err : ECONNRESET);
}

static void
_connect_done(void *cookie)
{
  struct connection *self = cookie;
  int err = 0;
  socklen_t len = sizeof(err);

  if (getsockopt(self->fd.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
    err = errno;
  if (err)
    {
      _report_failure(self, err);
      return;
    }
  self->state = CONNECTION_ESTABLISHED;
  iv_fd_set_handler_out(&self->fd, NULL);
  iv_fd_set_handler_in(&self->fd, _readable);
  iv_fd_set_handler_err(&self->fd, _socket_error);
  self->cb.connected(self->cb.cookie);
}

void
connection_init(struct connection *self, const struct connection_callbacks *cb)
{
  memset(self, 0, sizeof(*self));
  IV_FD_INIT(&self->fd);
  self->fd.fd = -1;
  self->fd.cookie = self;
  IV_TASK_INIT(&self->fail_task);
  self->fail_task.cookie = self;
  self->fail_task.handler = _fail_task;
  self->cb = *cb;
}

static void
_set_int(int fd, int level, int name, int value)
{
  /* Best effort: an option the kernel refuses changes detection speed, not correctness. */
  (void) setsockopt(fd, level, name, &value, sizeof(value));
}

static void
_apply_options(int fd, const struct connection_options *o)
{
  /* lifeline batches writes itself; Nagle would only add latency to a lone line. */
  _set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1);
  if (!o)
    return;
  if (o->user_timeout_ms > 0)
    _set_int(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, o->user_timeout_ms);
  if (o->keepalive)
    {
      _set_int(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
      if (o->keepalive_time_s > 0)
        _set_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, o->keepalive_time_s);
      if (o->keepalive_intvl_s > 0)
        _set_int(fd, IPPROTO_TCP, TCP_KEEPINTVL, o->keepalive_intvl_s);
      if (o->keepalive_probes > 0)
        _set_int(fd, IPPROTO_TCP, TCP_KEEPCNT, o->keepalive_probes);
    }
  if (o->sndbuf > 0)
    _set_int(fd, SOL_SOCKET, SO_SNDBUF, o->sndbuf);
  if (o->notsent_lowat > 0)
    _set_int(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, o->notsent_lowat);
}

/* localip(): an address of the other family cannot be the source of this
 * connection; the attempt on this address fails (EAFNOSUPPORT). */
static int
_bind_local(int fd, int family, const char *ip)
{
  struct sockaddr_storage ss;
  socklen_t len;
  memset(&ss, 0, sizeof(ss));
  if (family == AF_INET)
    {
      struct sockaddr_in *sin = (struct sockaddr_in *) &ss;
      sin->sin_family = AF_INET;
      if (inet_pton(AF_INET, ip, &sin->sin_addr) != 1)
        {
          errno = EAFNOSUPPORT;
          return -1;
        }
      len = sizeof(*sin);
    }
  else
    {
      struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &ss;
      sin6->sin6_family = AF_INET6;
      if (inet_pton(AF_INET6, ip, &sin6->sin6_addr) != 1)
        {
          errno = EAFNOSUPPORT;
          return -1;
        }
      len = sizeof(*sin6);
    }
  return bind(fd, (struct sockaddr *) &ss, len);
}

int
connection_connect(struct connection *self, const struct sockaddr *addr, socklen_t addrlen,
                   const struct connection_options *opts)
{
  int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0)
    return -1;
  _apply_options(fd, opts);
  if (opts && opts->local_ip && *opts->local_ip && _bind_local(fd, addr->sa_family, opts->local_ip) < 0)
    {
      int saved = errno;
      close(fd);
      errno = saved;
      return -1;
    }

  if (connect(fd, addr, addrlen) < 0 && errno != EINPROGRESS)
    {
      int saved = errno;
      close(fd);
      errno = saved;
      return -1;
    }
  self->fd.fd = fd;
  self->failed = 0;
  self->written = 0;
  self->state = CONNECTION_CONNECTING;
  iv_fd_register(&self->fd);
  /* Completion (or failure) of a connect shows as writability. */
  iv_fd_set_handler_out(&self->fd, _connect_done);
  iv_fd_set_handler_err(&self->fd, _connect_done);
  return 0;
}

ssize_t
connection_write(struct connection *self, const struct iovec *iov, int iovcnt)
{
  struct msghdr msg;

  if (self->state != CONNECTION_ESTABLISHED || self->failed)
    return -1;
  memset(&msg, 0, sizeof(msg));
  msg.msg_iov = (struct iovec *) iov;
  msg.msg_iovlen = (size_t) iovcnt;
  for (;;)
    {
      /* MSG_NOSIGNAL: a peer reset must not deliver SIGPIPE to the host. */
      ssize_t n = sendmsg(self->fd.fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n >= 0)
        {
          self->written += (uint64_t) n;
          return n;
        }
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        {
          iv_fd_set_handler_out(&self->fd, _writable);
          return 0;
        }
      _schedule_failure(self, errno);
      return -1;
    }
}

uint64_t
connection_acked(const struct connection *self)
{
  int outq = 0;

  if (self->fd.fd < 0 || self->state != CONNECTION_ESTABLISHED)
    return 0;
  if (ioctl(self->fd.fd, SIOCOUTQ, &outq) < 0 || outq < 0)
    return 0;
  if ((uint64_t) outq > self->written)
    return 0;
  return self->written - (uint64_t) outq;
}

static void
_close(struct connection *self, int abortive)
{
  if (self->fd.fd < 0)
    return;
  if (iv_task_registered(&self->fail_task))
    iv_task_unregister(&self->fail_task);
  if (abortive)
    {
      struct linger lg = { .l_onoff = 1, .l_linger = 0 };
      setsockopt(self->fd.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    }
  /* Unregister before close: ivykis must never see a closed (or reused) fd. */
  iv_fd_unregister(&self->fd);
  close(self->fd.fd);
  self->fd.fd = -1;
  self->state = CONNECTION_IDLE;
}

void
connection_close(struct connection *self)
{
  _close(self, 0);
}

void
connection_abort(struct connection *self)
{
  _close(self, 1);
}

int
connection_is_open(const struct connection *self)
{
  return self->fd.fd >= 0;
}

const char *
connection_peer(const struct connection *self, char *buf, size_t size)
{
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  char ip[INET6_ADDRSTRLEN] = "";
  unsigned port = 0;

  buf[0] = '\0';
  if (self->fd.fd < 0 || getpeername(self->fd.fd, (struct sockaddr *) &ss, &len) < 0)
    return buf;
  if (ss.ss_family == AF_INET)
    {
      struct sockaddr_in *sin = (struct sockaddr_in *) &ss;
      inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
      port = ntohs(sin->sin_port);
      snprintf(buf, size, "%s:%u", ip, port);
    }
  else if (ss.ss_family == AF_INET6)
    {
      struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &ss;
      inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof(ip));
      port = ntohs(sin6->sin6_port);
      snprintf(buf, size, "[%s]:%u", ip, port);
    }
  return buf;
}
