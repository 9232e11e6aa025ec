#include "connection.h"

#include "socket-options.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* The fewest a frame batch of the data path spans; more are written next time. */
#define IOV_MAX_TLS 64

static void
_report_failure(struct connection *self, int err)
{
  if (self->failed)
    return;
  self->failed = 1;
  if (iv_timer_registered(&self->settle_timer))
    iv_timer_unregister(&self->settle_timer);
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

static void _socket_error(void *cookie);

/* The peer closed its side (FIN, or close_notify over TLS). */
static void
_peer_eof(struct connection *self)
{
  if (!self->cb.peer_closed)
    {
      _report_failure(self, 0);
      return;
    }
  /* EOF stays readable: stop reading, keep hearing about errors. */
  iv_fd_set_handler_in(&self->fd, NULL);
  self->cb.peer_closed(self->cb.cookie);
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
          _peer_eof(self);
          return;
        }
      if (errno == EINTR)
        continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        _report_failure(self, errno);
      return;
    }
}


static void _tls_step(void *cookie);

static void
_tls_failure(struct connection *self, enum tls_io r)
{
  if (r == TLS_IO_CLOSED && self->state == CONNECTION_ESTABLISHED)
    {
      _peer_eof(self);
      return;
    }
  if (r == TLS_IO_CLOSED || !self->tls.error[0])
    snprintf(self->error, sizeof(self->error), "the server closed the connection during the TLS handshake");
  else
    snprintf(self->error, sizeof(self->error), "%s", self->tls.error);
  self->error_kind = self->tls.error_kind;
  _report_failure(self, self->tls.errno_value ? self->tls.errno_value : CONNECTION_ETLS);
}

static void
_tls_established(struct connection *self)
{
  if (iv_timer_registered(&self->settle_timer))
    iv_timer_unregister(&self->settle_timer);
  self->state = CONNECTION_ESTABLISHED;
  self->cb.connected(self->cb.cookie);
}

static void
_tls_settle_expired(void *cookie)
{
  struct connection *self = cookie;
  self->tls.settled = 1;
  _tls_established(self);
}

/* Reads what the server sends: tickets (which settle a TLS 1.3 connection),
 * alerts (a rejected client certificate), close_notify. */
static void
_tls_readable(void *cookie)
{
  struct connection *self = cookie;
  enum tls_io r = tls_stream_read(&self->tls);

  if (r != TLS_IO_OK)
    {
      _tls_failure(self, r);
      return;
    }
  if (self->state == CONNECTION_HANDSHAKING && self->tls.settled)
    _tls_established(self);
  else if (self->tls_write_wants_read)
    {
      self->tls_write_wants_read = 0;
      self->cb.writable(self->cb.cookie);
    }
}

/* Settle time for servers that send no ticket: long enough for an alert to
 * come back, so a few round trips. */
static int64_t
_settle_ms(int fd)
{
  struct tcp_info ti;
  socklen_t len = sizeof(ti);
  int64_t rtt_ms = 0;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0)
    rtt_ms = ti.tcpi_rtt / 1000;
  return CONNECTION_TLS_SETTLE_MS + 4 * rtt_ms;
}

static void
_tls_step(void *cookie)
{
  struct connection *self = cookie;
  enum tls_io r = tls_stream_handshake(&self->tls);

  switch (r)
    {
    case TLS_IO_WANT_READ:
      iv_fd_set_handler_in(&self->fd, _tls_step);
      iv_fd_set_handler_out(&self->fd, NULL);
      return;
    case TLS_IO_WANT_WRITE:
      iv_fd_set_handler_in(&self->fd, NULL);
      iv_fd_set_handler_out(&self->fd, _tls_step);
      return;
    case TLS_IO_OK:
      break;
    default:
      _tls_failure(self, r);
      return;
    }
  iv_fd_set_handler_out(&self->fd, NULL);
  iv_fd_set_handler_in(&self->fd, _tls_readable);
  if (self->tls.settled)
    {
      _tls_established(self);
      return;
    }
  iv_validate_now();
  int64_t ms = _settle_ms(self->fd.fd);
  self->settle_timer.expires = iv_now;
  self->settle_timer.expires.tv_sec += ms / 1000;
  self->settle_timer.expires.tv_nsec += (ms % 1000) * 1000000L;
  if (self->settle_timer.expires.tv_nsec >= 1000000000L)
    {
      self->settle_timer.expires.tv_sec++;
      self->settle_timer.expires.tv_nsec -= 1000000000L;
    }
  iv_timer_register(&self->settle_timer);
  /* A ticket may already be buffered inside OpenSSL. */
  _tls_readable(self);
}

static void
_tls_begin(struct connection *self)
{
  self->state = CONNECTION_HANDSHAKING;
  iv_fd_set_handler_err(&self->fd, _socket_error);
  if (tls_stream_start(&self->tls, self->tls_peer, self->fd.fd, &self->written) < 0)
    {
      snprintf(self->error, sizeof(self->error), "cannot start TLS: out of memory");
      _schedule_failure(self, ENOMEM);
      return;
    }
  self->tls_on = 1;
  _tls_step(self);
}

void
connection_start_tls(struct connection *self, struct tls_peer *tls_peer)
{
  self->tls_peer = tls_peer;
  _tls_begin(self);
}

static void
_tls_writable(void *cookie)
{
  struct connection *self = cookie;
  enum tls_io r = tls_stream_flush(&self->tls);

  if (r == TLS_IO_WANT_WRITE)
    return;
  iv_fd_set_handler_out(&self->fd, NULL);
  if (r == TLS_IO_WANT_READ)
    {
      self->tls_write_wants_read = 1;
      return;
    }
  if (r != TLS_IO_OK)
    {
      _tls_failure(self, r);
      return;
    }
  self->cb.writable(self->cb.cookie);
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

  if (self->tls_on)
    {
      /* A server that refuses (e.g. the client certificate) sends an alert
       * and closes with our data unread, which is a reset; the kernel still
       * hands over the alert queued before it, and the alert says why. */
      enum tls_io r = self->tls.handshaken ? tls_stream_read(&self->tls) : tls_stream_handshake(&self->tls);
      if (r == TLS_IO_ERROR && self->tls.errno_value == 0)
        {
          _tls_failure(self, r);
          return;
        }
    }
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
  iv_fd_set_handler_out(&self->fd, NULL);
  if (self->tls_peer)
    {
      _tls_begin(self);
      return;
    }
  self->state = CONNECTION_ESTABLISHED;
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
  IV_TIMER_INIT(&self->settle_timer);
  self->settle_timer.cookie = self;
  self->settle_timer.handler = _tls_settle_expired;
  self->cb = *cb;
}

int
connection_connect(struct connection *self, const struct sockaddr *addr, socklen_t addrlen,
                   const struct connection_options *opts, struct tls_peer *tls_peer)
{
  int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0)
    return -1;
  socket_options_apply(fd, opts);
  if (opts && opts->local_ip && *opts->local_ip && socket_options_bind_local(fd, addr->sa_family, opts->local_ip) < 0)
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
  self->tls_peer = tls_peer;
  self->tls_on = 0;
  self->tls_write_wants_read = 0;
  self->error[0] = '\0';
  self->error_kind = 0;
  self->state = CONNECTION_CONNECTING;
  iv_fd_register(&self->fd);
  /* Completion (or failure) of a connect shows as writability. */
  iv_fd_set_handler_out(&self->fd, _connect_done);
  iv_fd_set_handler_err(&self->fd, _connect_done);
  return 0;
}

/* Record by record, until the socket is full; what the stream took is
 * written (the stream retries a record the socket could not take whole). */
static ssize_t
_tls_write(struct connection *self, const struct iovec *iov, int iovcnt)
{
  struct iovec rest[IOV_MAX_TLS];
  size_t total = 0, want = 0;
  enum tls_io r = tls_stream_flush(&self->tls);

  if (iovcnt > IOV_MAX_TLS)
    iovcnt = IOV_MAX_TLS;
  for (int i = 0; i < iovcnt; i++)
    want += iov[i].iov_len;
  while (r == TLS_IO_OK && total < want)
    {
      /* The iovec past what was taken. */
      size_t skip = total;
      int n = 0;
      for (int i = 0; i < iovcnt; i++)
        {
          if (skip >= iov[i].iov_len)
            {
              skip -= iov[i].iov_len;
              continue;
            }
          rest[n].iov_base = (char *) iov[i].iov_base + skip;
          rest[n].iov_len = iov[i].iov_len - skip;
          skip = 0;
          n++;
        }
      size_t taken = 0;
      r = tls_stream_write(&self->tls, rest, n, &taken);
      total += taken;
    }
  switch (r)
    {
    case TLS_IO_OK:
      break;
    case TLS_IO_WANT_WRITE:
      iv_fd_set_handler_out(&self->fd, _tls_writable);
      break;
    case TLS_IO_WANT_READ:
      self->tls_write_wants_read = 1;
      break;
    default:
      snprintf(self->error, sizeof(self->error), "%s", self->tls.error);
      self->error_kind = self->tls.error_kind;
      _schedule_failure(self, self->tls.errno_value ? self->tls.errno_value : CONNECTION_ETLS);
      return total ? (ssize_t) total : -1;
    }
  return (ssize_t) total;
}

ssize_t
connection_write(struct connection *self, const struct iovec *iov, int iovcnt)
{
  struct msghdr msg;

  if (self->state != CONNECTION_ESTABLISHED || self->failed)
    return -1;
  if (self->tls_on)
    return _tls_write(self, iov, iovcnt);
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
connection_acked(struct connection *self)
{
  int outq = 0;

  if (self->fd.fd < 0 || self->state != CONNECTION_ESTABLISHED)
    return 0;
  if (ioctl(self->fd.fd, SIOCOUTQ, &outq) < 0 || outq < 0)
    return 0;
  if ((uint64_t) outq > self->written)
    return 0;
  uint64_t acked = self->written - (uint64_t) outq;
  return self->tls_on ? tls_stream_acked(&self->tls, acked) : acked;
}

const char *
connection_error(const struct connection *self)
{
  return self->error;
}

int
connection_error_kind(const struct connection *self)
{
  return self->error_kind;
}

static void
_close(struct connection *self, int abortive)
{
  if (self->fd.fd < 0)
    return;
  if (iv_task_registered(&self->fail_task))
    iv_task_unregister(&self->fail_task);
  if (iv_timer_registered(&self->settle_timer))
    iv_timer_unregister(&self->settle_timer);
  if (self->tls_on)
    {
      /* close_notify only when everything was delivered: after a break the
       * server must not take a truncated stream for a complete one. */
      if (!abortive && !self->failed)
        tls_stream_shutdown(&self->tls);
      tls_stream_clear(&self->tls);
      self->tls_on = 0;
    }
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
