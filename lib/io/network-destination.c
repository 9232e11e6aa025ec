#include "network-destination.h"

#include "connection.h"
#include "core/located-error.h"
#include "core/msg-queue.h"
#include "host-log.h"
#include "resolver.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* While bytes are outstanding, acknowledgements are polled: the kernel has no
 * event for them (../shared/FACTS.md).  Every 5 ms while they advance; a
 * stalled peer backs the poll off to 100 ms so it costs no CPU. */
#define ACK_POLL_MIN_MS 5
#define ACK_POLL_MAX_MS 100

enum dest_state
{
  DEST_NEW = 0,
  DEST_RESOLVING,
  DEST_CONNECTING,
  DEST_CONNECTED,
  DEST_WAITING, /* time-reopen() between attempts */
  DEST_STOPPED,
};

static const char *const dest_state_names[] = {
  "new", "resolving", "connecting", "connected", "waiting", "stopped",
};

struct network_destination
{
  struct network_options opts;
  const struct lifeline_host *host;
  struct lifeline_dest_host dh;
  char dest_name[128];
  char server_name[SERVER_ADDRESS_HOST_MAX + 16];

  int state;
  int stopping;
  int want_wakeup;
  struct msg_queue *queue;
  struct connection conn;
  uint64_t conn_base; /* stream offset at which the current connection started */
  struct resolver_request *resolving;
  struct addrinfo *addrs;
  struct addrinfo *next_addr;
  int last_errno;

  struct iv_timer retry_timer; /* time-reopen wait, or the connect timeout */
  struct iv_timer ack_timer;
  int64_t ack_poll_ms;
  struct iv_timer stop_timer;
  struct iv_task flush_task;

  uint64_t delivered, resent, returned, truncated;
  uint64_t connects, connect_failures, breaks, bytes_written;
};

static void _try_next_address(struct network_destination *self);
static void _flush(void *cookie);

static const char *
_errno_reason(int err)
{
  switch (err)
    {
    case 0:
      return "closed-by-peer";
    case ECONNREFUSED:
      return "connection-refused";
    case ECONNRESET:
      return "connection-reset";
    case EPIPE:
      return "broken-pipe";
    case ETIMEDOUT:
      return "timeout";
    case EHOSTUNREACH:
    case ENETUNREACH:
      return "unreachable";
    default:
      return strerror(err);
    }
}

static void
_timer_arm(struct iv_timer *t, int64_t ms)
{
  if (iv_timer_registered(t))
    iv_timer_unregister(t);
  iv_validate_now();
  t->expires = iv_now;
  t->expires.tv_sec += ms / 1000;
  t->expires.tv_nsec += (ms % 1000) * 1000000L;
  if (t->expires.tv_nsec >= 1000000000L)
    {
      t->expires.tv_sec++;
      t->expires.tv_nsec -= 1000000000L;
    }
  iv_timer_register(t);
}

static void
_timer_cancel(struct iv_timer *t)
{
  if (iv_timer_registered(t))
    iv_timer_unregister(t);
}

static void
_report(struct network_destination *self, uint32_t kind, uint64_t first, uint64_t last,
        const char *reason, const uint8_t *data, size_t len)
{
  struct lifeline_fate fate;
  memset(&fate, 0, sizeof(fate));
  LIFELINE_ABI_INIT(&fate);
  fate.kind = kind;
  fate.first_seq = first;
  fate.last_seq = last;
  fate.reason = reason;
  fate.data = data;
  fate.len = len;
  self->dh.fate(self->dh.cookie, &fate);
}

static int
_has_comfortable_room(const struct network_destination *self)
{
  /* Hysteresis: waking the host for a single free slot would make it stop and
   * start reading for every acknowledged message. */
  size_t max_msgs = msg_queue_max_msgs(self->queue);
  size_t max_bytes = msg_queue_max_bytes(self->queue);
  return msg_queue_length(self->queue) <= max_msgs - max_msgs / 4
         && msg_queue_bytes(self->queue) + max_bytes / 4 <= max_bytes
         && msg_queue_has_room(self->queue, (size_t) self->opts.log_msg_size + 1);
}

static void
_finish_stop(struct network_destination *self)
{
  if (self->state == DEST_STOPPED)
    return;
  _timer_cancel(&self->retry_timer);
  _timer_cancel(&self->ack_timer);
  _timer_cancel(&self->stop_timer);
  if (iv_task_registered(&self->flush_task))
    iv_task_unregister(&self->flush_task);
  resolver_cancel(self->resolving);
  self->resolving = NULL;
  if (self->addrs)
    freeaddrinfo(self->addrs);
  self->addrs = self->next_addr = NULL;
  if (connection_is_open(&self->conn))
    {
      if (msg_queue_unacked_bytes(self->queue) == 0)
        connection_close(&self->conn);
      else
        connection_abort(&self->conn);
    }
  self->state = DEST_STOPPED;
  host_log(self->host, LIFELINE_LOG_DEBUG, "Destination stopped", "destination", self->dest_name, NULL);
  self->dh.stopped(self->dh.cookie);
}

/* Turns what the kernel acknowledged into DELIVERED fates; returns how many. */
static size_t
_update_acks(struct network_destination *self)
{
  uint64_t first, last;

  if (!connection_is_open(&self->conn) || self->conn.state != CONNECTION_ESTABLISHED)
    return 0;
  size_t n = msg_queue_ack(self->queue, self->conn_base + connection_acked(&self->conn), &first, &last);
  if (n == 0)
    return 0;
  self->delivered += n;
  _report(self, LIFELINE_FATE_DELIVERED, first, last, NULL, NULL, 0);
  if (self->stopping && msg_queue_length(self->queue) == 0)
    {
      _finish_stop(self);
      return n;
    }
  if (self->want_wakeup && !self->stopping && _has_comfortable_room(self))
    {
      self->want_wakeup = 0;
      self->dh.wakeup(self->dh.cookie);
    }
  return n;
}

static void
_ack_timer_fired(void *cookie)
{
  struct network_destination *self = cookie;
  if (_update_acks(self) > 0)
    self->ack_poll_ms = ACK_POLL_MIN_MS;
  else if (self->ack_poll_ms < ACK_POLL_MAX_MS)
    self->ack_poll_ms = self->ack_poll_ms * 2 > ACK_POLL_MAX_MS ? ACK_POLL_MAX_MS : self->ack_poll_ms * 2;
  if (self->state == DEST_CONNECTED && msg_queue_unacked_bytes(self->queue) > 0)
    _timer_arm(&self->ack_timer, self->ack_poll_ms);
}

static void
_schedule_flush(struct network_destination *self)
{
  if (self->state == DEST_CONNECTED && !iv_task_registered(&self->flush_task))
    iv_task_register(&self->flush_task);
}

static void
_flush(void *cookie)
{
  struct network_destination *self = cookie;
  struct iovec iov[2];
  int cnt;

  while (self->state == DEST_CONNECTED && (cnt = msg_queue_unwritten(self->queue, iov)) > 0)
    {
      ssize_t n = connection_write(&self->conn, iov, cnt);
      if (n <= 0)
        break; /* full (writable follows) or broken (failed follows) */
      msg_queue_mark_written(self->queue, (size_t) n);
      self->bytes_written += (uint64_t) n;
    }
  if (_update_acks(self) > 0)
    self->ack_poll_ms = ACK_POLL_MIN_MS;
  if (self->state == DEST_CONNECTED && msg_queue_unacked_bytes(self->queue) > 0
      && !iv_timer_registered(&self->ack_timer))
    _timer_arm(&self->ack_timer, self->ack_poll_ms);
}

static void
_schedule_retry(struct network_destination *self)
{
  self->state = DEST_WAITING;
  _timer_arm(&self->retry_timer, self->opts.time_reopen_ms);
}

static void
_resolved(void *cookie, struct addrinfo *result, int gai_error)
{
  struct network_destination *self = cookie;

  self->resolving = NULL;
  if (gai_error)
    {
      self->connect_failures++;
      host_log(self->host, LIFELINE_LOG_ERROR, "Cannot resolve server name; retrying after time-reopen()",
               "destination", self->dest_name, "server", self->server_name, "reason", gai_strerror(gai_error),
               NULL);
      _schedule_retry(self);
      return;
    }
  self->addrs = self->next_addr = result;
  _try_next_address(self);
}

static void
_start_attempt(struct network_destination *self)
{
  self->state = DEST_RESOLVING;
  self->resolving = resolver_lookup(self->opts.server.host, self->opts.server.port, AF_UNSPEC, _resolved, self);
  if (!self->resolving)
    _schedule_retry(self);
}

static void
_retry_timer_fired(void *cookie)
{
  struct network_destination *self = cookie;

  if (self->state == DEST_WAITING)
    {
      _start_attempt(self);
      return;
    }
  if (self->state == DEST_CONNECTING)
    {
      /* connect-timeout(): this address did not answer; try the next one. */
      connection_abort(&self->conn);
      self->last_errno = ETIMEDOUT;
      _try_next_address(self);
    }
}

static void
_all_addresses_failed(struct network_destination *self)
{
  if (self->addrs)
    freeaddrinfo(self->addrs);
  self->addrs = self->next_addr = NULL;
  self->connect_failures++;
  host_log(self->host, LIFELINE_LOG_ERROR, "Connection failed; retrying after time-reopen()",
           "destination", self->dest_name, "server", self->server_name, "reason", _errno_reason(self->last_errno),
           NULL);
  _schedule_retry(self);
}

static void
_try_next_address(struct network_destination *self)
{
  while (self->next_addr)
    {
      struct addrinfo *ai = self->next_addr;
      self->next_addr = ai->ai_next;
      if (connection_connect(&self->conn, ai->ai_addr, ai->ai_addrlen) == 0)
        {
          self->state = DEST_CONNECTING;
          _timer_arm(&self->retry_timer, self->opts.connect_timeout_ms);
          return;
        }
      self->last_errno = errno;
    }
  _all_addresses_failed(self);
}

static void
_connected(void *cookie)
{
  struct network_destination *self = cookie;
  char peer[80];

  _timer_cancel(&self->retry_timer);
  if (self->addrs)
    freeaddrinfo(self->addrs);
  self->addrs = self->next_addr = NULL;
  self->state = DEST_CONNECTED;
  self->connects++;
  self->conn_base = msg_queue_write_offset(self->queue);
  host_log(self->host, LIFELINE_LOG_NOTICE, "Connected", "destination", self->dest_name,
           "server", self->server_name, "address", connection_peer(&self->conn, peer, sizeof(peer)), NULL);
  _schedule_flush(self);
}

static void
_failed(void *cookie, int err)
{
  struct network_destination *self = cookie;

  if (self->state == DEST_CONNECTING)
    {
      connection_abort(&self->conn);
      self->last_errno = err ? err : ECONNREFUSED;
      _try_next_address(self);
      return;
    }

  /* An established connection broke.  Read the acknowledged count while the
   * fd is still open, then discard the kernel's tail and re-send it. */
  _update_acks(self);
  if (self->state == DEST_STOPPED)
    return;
  size_t resend = msg_queue_rewind(self->queue);
  self->resent += resend;
  self->breaks++;
  connection_abort(&self->conn);
  _timer_cancel(&self->ack_timer);
  if (iv_task_registered(&self->flush_task))
    iv_task_unregister(&self->flush_task);

  char resend_text[32];
  snprintf(resend_text, sizeof(resend_text), "%zu", resend);
  host_log(self->host, LIFELINE_LOG_ERROR, "Connection broken; re-sending unacknowledged messages after time-reopen()",
           "destination", self->dest_name, "server", self->server_name, "reason", _errno_reason(err),
           "resend", resend_text, NULL);
  self->last_errno = err;
  _schedule_retry(self);
}

static void
_writable(void *cookie)
{
  _flush(cookie);
}

static void
_stop_deadline(void *cookie)
{
  struct network_destination *self = cookie;
  uint64_t seq;
  const uint8_t *data;
  size_t len;

  _update_acks(self);
  if (self->state == DEST_STOPPED)
    return;
  /* Anything not acknowledged by now goes back to the host; the abortive
   * close in _finish_stop makes sure the kernel does not deliver it later. */
  if (connection_is_open(&self->conn))
    connection_abort(&self->conn);
  while (msg_queue_front(self->queue, &seq, &data, &len) == 0)
    {
      _report(self, LIFELINE_FATE_RETURNED, seq, seq, NULL, data, len);
      msg_queue_pop(self->queue);
      self->returned++;
    }
  _finish_stop(self);
}

struct network_destination *
network_destination_new(const struct network_options *opts, const struct lifeline_host *host,
                        const struct lifeline_dest_host *dest_host, struct lifeline_error *err)
{
  struct network_destination *self = calloc(1, sizeof(*self));
  if (!self)
    goto oom;
  self->opts = *opts;
  self->host = host;
  self->dh = *dest_host;
  snprintf(self->dest_name, sizeof(self->dest_name), "%s", dest_host->dest_name ? dest_host->dest_name : "");
  self->dh.dest_name = self->dest_name;
  server_address_format(&opts->server, self->server_name, sizeof(self->server_name));
  self->queue = msg_queue_new((size_t) opts->log_fifo_size, (size_t) opts->queue_max_bytes,
                              (size_t) opts->log_msg_size + 1);
  if (!self->queue)
    goto oom;

  struct connection_callbacks cb = {
    .cookie = self, .connected = _connected, .failed = _failed, .writable = _writable,
  };
  connection_init(&self->conn, &cb);
  IV_TIMER_INIT(&self->retry_timer);
  self->retry_timer.cookie = self;
  self->retry_timer.handler = _retry_timer_fired;
  IV_TIMER_INIT(&self->ack_timer);
  self->ack_timer.cookie = self;
  self->ack_timer.handler = _ack_timer_fired;
  self->ack_poll_ms = ACK_POLL_MIN_MS;
  IV_TIMER_INIT(&self->stop_timer);
  self->stop_timer.cookie = self;
  self->stop_timer.handler = _stop_deadline;
  IV_TASK_INIT(&self->flush_task);
  self->flush_task.cookie = self;
  self->flush_task.handler = _flush;
  return self;

oom:
  if (self)
    free(self);
  located_error_set(err, NULL, 0, 0, NULL, "out of memory creating the destination's queue");
  return NULL;
}

int
network_destination_start(struct network_destination *self, struct lifeline_error *err)
{
  if (self->state != DEST_NEW)
    {
      located_error_set(err, NULL, 0, 0, NULL, "destination %s started twice", self->dest_name);
      return -1;
    }
  /* Start connects to the configured server at once, exactly once. */
  _start_attempt(self);
  return 0;
}

int
network_destination_push(struct network_destination *self, const struct lifeline_msg *msg)
{
  static const char newline = '\n';
  size_t len = msg->len;

  if (self->state == DEST_NEW || self->state == DEST_STOPPED || self->stopping)
    return LIFELINE_PUSH_ERROR;
  if (len > (size_t) self->opts.log_msg_size)
    {
      if (self->truncated++ == 0)
        host_log(self->host, LIFELINE_LOG_WARNING,
                 "Message longer than log-msg-size() truncated; further ones are only counted",
                 "destination", self->dest_name, NULL);
      len = (size_t) self->opts.log_msg_size;
    }
  if (msg_queue_push(self->queue, msg->seq, NULL, 0, msg->data, len, &newline, 1) < 0)
    {
      self->want_wakeup = 1;
      return LIFELINE_PUSH_FULL;
    }
  _schedule_flush(self);
  return LIFELINE_PUSH_QUEUED;
}

void
network_destination_stop(struct network_destination *self, uint32_t timeout_ms)
{
  if (self->state == DEST_STOPPED || self->stopping)
    return;
  self->stopping = 1;
  if (self->state == DEST_NEW || msg_queue_length(self->queue) == 0)
    {
      _finish_stop(self);
      return;
    }
  _timer_arm(&self->stop_timer, timeout_ms);
}

void
network_destination_free(struct network_destination *self)
{
  if (!self)
    return;
  if (self->state != DEST_STOPPED && self->state != DEST_NEW)
    {
      /* Defensive: the ABI forbids this, but a host bug must not leave fds
       * registered on its loop. */
      self->stopping = 1;
      _finish_stop(self);
    }
  msg_queue_free(self->queue);
  free(self);
}

static void
_emit_u64(lifeline_emit_fn emit, void *ctx, const char *key, uint64_t v)
{
  char buf[32];
  snprintf(buf, sizeof(buf), "%" PRIu64, v);
  emit(ctx, key, buf);
}

int
network_destination_query(struct network_destination *self, lifeline_emit_fn emit, void *ctx)
{
  emit(ctx, "state", dest_state_names[self->state]);
  emit(ctx, "server", self->server_name);
  _emit_u64(emit, ctx, "queued", msg_queue_length(self->queue));
  _emit_u64(emit, ctx, "in_flight", msg_queue_in_flight(self->queue));
  _emit_u64(emit, ctx, "delivered", self->delivered);
  _emit_u64(emit, ctx, "resent", self->resent);
  _emit_u64(emit, ctx, "returned", self->returned);
  _emit_u64(emit, ctx, "truncated", self->truncated);
  _emit_u64(emit, ctx, "connects", self->connects);
  _emit_u64(emit, ctx, "connect_failures", self->connect_failures);
  _emit_u64(emit, ctx, "breaks", self->breaks);
  _emit_u64(emit, ctx, "bytes_written", self->bytes_written);
  return 0;
}

int
network_destination_command(struct network_destination *self, const char *verb, const char *arg,
                            char *reply, size_t reply_size)
{
  snprintf(reply, reply_size, "unknown command '%s' for destination %s", verb, self->dest_name);
  return -1;
}
