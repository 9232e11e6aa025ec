#include "network-destination-private.h"

#include "core/located-error.h"
#include "host-log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* While bytes are outstanding, acknowledgements are polled: the kernel has no
 * event for them (neither poll nor epoll reports an acknowledgement;
 * SIOCOUTQ must be read).  Every 5 ms while they advance; a
 * stalled peer backs the poll off to 100 ms so it costs no CPU. */
#define ACK_POLL_MIN_MS 5
#define ACK_POLL_MAX_MS 100
#define ACK_POLL_DRAIN_MS 1
/* Unsent bytes the kernel may hold: what a broken connection strands there
 * must be re-sent, so keep it small; loopback throughput does not suffer. */
#define NOTSENT_LOWAT (256 * 1024)
/* A failback drains the old connection at most this long when
 * send-stall-timeout() is off. */
#define DEFAULT_DRAIN_MS 10000


int64_t
network_destination_now_ms(void)
{
  iv_validate_now();
  return (int64_t) iv_now.tv_sec * 1000 + iv_now.tv_nsec / 1000000;
}

void
network_destination_arm_at(struct iv_timer *t, int64_t at_ms)
{
  if (iv_timer_registered(t))
    iv_timer_unregister(t);
  t->expires.tv_sec = at_ms / 1000;
  t->expires.tv_nsec = (at_ms % 1000) * 1000000L;
  iv_timer_register(t);
}

static void
_arm_in(struct iv_timer *t, int64_t ms)
{
  network_destination_arm_at(t, network_destination_now_ms() + ms);
}

void
network_destination_cancel_timer(struct iv_timer *t)
{
  if (iv_timer_registered(t))
    iv_timer_unregister(t);
}

static void
_report(struct network_destination *self, uint32_t kind, uint64_t first, uint64_t last, const char *reason,
        const uint8_t *data, size_t len)
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

const char *
network_destination_server_name(const struct network_destination *self, int server)
{
  return server >= 0 && (size_t) server < self->opts.failover.n_servers ? self->server_names[server] : "none";
}

struct conn_slot *
network_destination_free_slot(struct network_destination *self)
{
  for (int i = 0; i < DEST_SLOTS; i++)
    if (self->slots[i].role == CONN_SLOT_FREE && !connection_is_open(&self->slots[i].conn)
        && !self->slots[i].resolving)
      return &self->slots[i];
  return NULL;
}

/* The slot whose writes are not yet acknowledged: the draining one if any. */
static struct conn_slot *
_writer(struct network_destination *self)
{
  return self->draining ? self->draining : self->live;
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
         && msg_queue_has_room(self->queue, self->max_frame);
}

static void
_finish_stop(struct network_destination *self)
{
  if (self->stopped)
    return;
  self->stopped = 1;
  network_destination_cancel_timer(&self->policy_timer);
  network_destination_cancel_timer(&self->ack_timer);
  network_destination_cancel_timer(&self->drain_timer);
  network_destination_cancel_timer(&self->stop_timer);
  if (iv_task_registered(&self->flush_task))
    iv_task_unregister(&self->flush_task);
  int all_acked = msg_queue_unacked_bytes(self->queue) == 0;
  for (int i = 0; i < DEST_SLOTS; i++)
    conn_slot_release(&self->slots[i], !all_acked || self->slots[i].role == CONN_SLOT_PROBE);
  self->live = self->probe = self->draining = NULL;
  host_log(self->host, LIFELINE_LOG_DEBUG, "Destination stopped", "destination", self->dest_name, NULL);
  self->dh.stopped(self->dh.cookie);
}

static void
_arm_ack_poll(struct network_destination *self)
{
  /* While a connection drains, the new one waits for it: poll at the
   * fastest rate (one ioctl) so a switch costs no more than the peer's
   * last acknowledgement. */
  if (msg_queue_unacked_bytes(self->queue) > 0 && !iv_timer_registered(&self->ack_timer))
    _arm_in(&self->ack_timer, self->draining ? ACK_POLL_DRAIN_MS : self->ack_poll_ms);
}

/* The old connection of a failback is fully acknowledged (or given up):
 * writing continues on the new live connection. */
void
network_destination_drain_done(struct network_destination *self)
{
  struct conn_slot *old = self->draining;
  if (!old)
    return;
  size_t resend = msg_queue_rewind(self->queue);
  self->resent += resend;
  char n[32];
  snprintf(n, sizeof(n), "%zu", resend);
  host_log(self->host, LIFELINE_LOG_DEBUG, "Old connection drained", "destination", self->dest_name, "server",
           network_destination_server_name(self, old->server), "resent", n, NULL);
  conn_slot_release(old, resend > 0);
  self->draining = NULL;
  network_destination_cancel_timer(&self->drain_timer);
  if (self->live && conn_slot_is_established(self->live))
    {
      self->live->base = msg_queue_write_offset(self->queue);
      self->live->last_progress_ms = network_destination_now_ms();
      if (!iv_task_registered(&self->flush_task))
        iv_task_register(&self->flush_task);
    }
}

/* Turns what the kernel acknowledged into DELIVERED fates; returns how many. */
size_t
network_destination_update_acks(struct network_destination *self)
{
  uint64_t first, last;
  struct conn_slot *w = _writer(self);

  if (!w || !conn_slot_has_stream(w))
    return 0;
  uint64_t acked = connection_acked(&w->conn);
  if (acked != w->last_acked)
    {
      w->last_acked = acked;
      w->last_progress_ms = network_destination_now_ms();
    }
  size_t n = 0, run;
  while ((run = msg_queue_ack(self->queue, w->base + acked, &first, &last)) > 0)
    {
      n += run;
      _report(self, LIFELINE_FATE_DELIVERED, first, last, NULL, NULL, 0);
    }
  if (n == 0)
    return 0;
  self->delivered += n;
  self->counters[w->server].delivered += n;
  self->last_delivery_ms = network_destination_now_ms();
  if (self->stopping && msg_queue_length(self->queue) == 0)
    {
      _finish_stop(self);
      return n;
    }
  if (self->draining && msg_queue_unacked_bytes(self->queue) == 0)
    network_destination_drain_done(self);
  if (self->want_wakeup && !self->stopping && _has_comfortable_room(self))
    {
      self->want_wakeup = 0;
      self->dh.wakeup(self->dh.cookie);
    }
  return n;
}

/* An established live connection is gone (broken, stalled, closed on the
 * policy's word): keep what was acknowledged, discard the kernel's tail so it
 * cannot arrive later as a duplicate, and re-send the rest elsewhere. */
void
network_destination_drop_live(struct network_destination *self)
{
  struct conn_slot *live = self->live;
  if (!live)
    return;
  if (conn_slot_has_stream(live) && !self->draining)
    {
      network_destination_update_acks(self);
      if (self->stopped)
        return;
      size_t resend = msg_queue_rewind(self->queue);
      self->resent += resend;
      if (resend)
        {
          char text[32];
          snprintf(text, sizeof(text), "%zu", resend);
          host_log(self->host, LIFELINE_LOG_NOTICE, "Re-sending unacknowledged messages on the next connection",
                   "destination", self->dest_name, "server", network_destination_server_name(self, live->server), "messages", text, NULL);
        }
    }
  conn_slot_release(live, 1);
  self->live = NULL;
}

/* Planned switch: no new writes to OLD; it keeps its place until what it
 * carries is acknowledged (or the drain limit passes). */
void
network_destination_start_drain(struct network_destination *self, struct conn_slot *old)
{
  char n[32];
  snprintf(n, sizeof(n), "%zu", msg_queue_unacked_bytes(self->queue));
  host_log(self->host, LIFELINE_LOG_DEBUG, "Draining the old connection before writing to the new one", "destination",
           self->dest_name, "server", network_destination_server_name(self, old->server), "unacked_bytes", n, NULL);
  old->role = CONN_SLOT_DRAINING;
  self->draining = old;
  if (iv_timer_registered(&self->ack_timer))
    iv_timer_unregister(&self->ack_timer);
  _arm_ack_poll(self);
  int64_t limit = self->opts.send_stall_timeout_ms ? self->opts.send_stall_timeout_ms : DEFAULT_DRAIN_MS;
  _arm_in(&self->drain_timer, limit);
}

void
network_destination_promote_probe(struct network_destination *self)
{
  struct conn_slot *p = self->probe;
  if (!p)
    return;
  self->probe = NULL;
  struct conn_slot *old = self->live;
  if (old)
    {
      if (conn_slot_is_established(old) && msg_queue_unacked_bytes(self->queue) > 0 && !self->draining)
        network_destination_start_drain(self, old);
      else
        conn_slot_release(old, !conn_slot_is_established(old));
    }
  p->role = CONN_SLOT_LIVE;
  self->live = p;
  p->last_progress_ms = network_destination_now_ms();
  struct tls_peer *tls = network_destination_tls_peer(self, p->server, 0);
  if (tls && !p->conn.tls_on)
    /* probe(tcp) on a TLS destination: the handshake comes now, and the
     * flush starts once it completed (its failure is a break). */
    conn_slot_start_tls(p, tls);
  if (!self->draining)
    {
      p->base = msg_queue_write_offset(self->queue);
      if (!iv_task_registered(&self->flush_task))
        iv_task_register(&self->flush_task);
    }
}

/* Stall detection: bytes outstanding and the acknowledged count not moving
 * for send-stall-timeout().  SIOCOUTQ alone is no progress signal: behind a
 * slow but live reader it stays flat while acknowledgements advance. */
static void
_check_stall(struct network_destination *self)
{
  struct conn_slot *w = _writer(self);
  if (!w || !conn_slot_is_established(w) || self->opts.send_stall_timeout_ms <= 0)
    return;
  if (msg_queue_unacked_bytes(self->queue) == 0)
    {
      w->last_progress_ms = network_destination_now_ms();
      return;
    }
  if (network_destination_now_ms() - w->last_progress_ms < self->opts.send_stall_timeout_ms)
    return;
  if (w == self->draining)
    {
      host_log(self->host, LIFELINE_LOG_WARNING,
               "Old connection made no progress for send-stall-timeout() while draining; re-sending its rest",
               "destination", self->dest_name, "server", network_destination_server_name(self, w->server), NULL);
      network_destination_drain_done(self); /* the unacknowledged rest goes on the new connection */
      return;
    }
  host_log(self->host, LIFELINE_LOG_ERROR, "No acknowledgement progress for send-stall-timeout(); server declared dead",
           "destination", self->dest_name, "server", network_destination_server_name(self, w->server), NULL);
  network_destination_feed_event(self, FAILOVER_EVENT_STALLED, w->server, FAILOVER_REASON_STALLED);
}

static void
_ack_timer_fired(void *cookie)
{
  struct network_destination *self = cookie;
  if (network_destination_update_acks(self) > 0)
    self->ack_poll_ms = ACK_POLL_MIN_MS;
  else if (self->ack_poll_ms < ACK_POLL_MAX_MS)
    self->ack_poll_ms = self->ack_poll_ms * 2 > ACK_POLL_MAX_MS ? ACK_POLL_MAX_MS : self->ack_poll_ms * 2;
  if (self->stopped)
    return;
  _check_stall(self);
  if (!self->stopped)
    _arm_ack_poll(self);
}

static void
_drain_timer_fired(void *cookie)
{
  struct network_destination *self = cookie;
  network_destination_update_acks(self);
  if (self->draining)
    {
      host_log(self->host, LIFELINE_LOG_WARNING, "Old connection not drained in time; re-sending its rest",
               "destination", self->dest_name, "server", network_destination_server_name(self, self->draining->server), NULL);
      network_destination_drain_done(self);
    }
}

void
network_destination_flush(void *cookie)
{
  struct network_destination *self = cookie;
  struct conn_slot *live = self->live;
  struct iovec iov[2];
  int cnt;

  if (!live || self->draining || !conn_slot_is_established(live) || self->stopped)
    return;
  if (msg_queue_unacked_bytes(self->queue) == 0)
    live->last_progress_ms = network_destination_now_ms();
  while (self->live == live && conn_slot_is_established(live) && (cnt = msg_queue_unwritten(self->queue, iov)) > 0)
    {
      ssize_t n = connection_write(&live->conn, iov, cnt);
      if (n <= 0)
        break; /* full (writable follows) or broken (broken follows) */
      msg_queue_mark_written(self->queue, (size_t) n);
      self->counters[live->server].bytes_written += (uint64_t) n;
    }
  if (network_destination_update_acks(self) > 0)
    self->ack_poll_ms = ACK_POLL_MIN_MS;
  if (!self->stopped)
    _arm_ack_poll(self);
}

static void
_stop_deadline(void *cookie)
{
  struct network_destination *self = cookie;
  uint64_t seq;
  const uint8_t *data;
  size_t len;

  network_destination_update_acks(self);
  if (self->stopped)
    return;
  /* Anything not acknowledged by now goes back to the host; the abortive
   * close makes sure the kernel does not deliver it later. */
  for (int i = 0; i < DEST_SLOTS; i++)
    conn_slot_release(&self->slots[i], 1);
  self->live = self->probe = self->draining = NULL;
  while (msg_queue_front(self->queue, &seq, &data, &len) == 0)
    {
      _report(self, LIFELINE_FATE_RETURNED, seq, seq, NULL, data, len);
      msg_queue_pop(self->queue);
      self->returned++;
    }
  _finish_stop(self);
}

/* The machine's name is read here, once, so the pure formatter never asks. */
static void
_init_syslog(struct network_destination *self)
{
  struct network_syslog_options *so = &self->opts.syslog;
  char name[SYSLOG_HOSTNAME_MAX + 2];

  if (so->hostname[0] == '\0')
    {
      if (gethostname(name, sizeof(name)) < 0)
        name[0] = '\0';
      name[sizeof(name) - 1] = '\0';
      syslog_sanitize_field(so->hostname, SYSLOG_HOSTNAME_MAX, name);
    }
  syslog_template_init(&self->syslog_template, so->facility, so->severity, so->hostname, so->app_name);
}

static void
_init_timer(struct iv_timer *t, void *cookie, void (*handler)(void *))
{
  IV_TIMER_INIT(t);
  t->cookie = cookie;
  t->handler = handler;
}

struct network_destination *
network_destination_new(const struct network_options *opts, const struct lifeline_option *driver,
                        const struct lifeline_host *host, const struct lifeline_dest_host *dest_host,
                        struct lifeline_error *err)
{
  struct network_destination *self = calloc(1, sizeof(*self));
  if (!self)
    goto oom;
  network_options_copy(&self->opts, opts);
  self->host = host;
  self->dh = *dest_host;
  snprintf(self->dest_name, sizeof(self->dest_name), "%s", dest_host->dest_name ? dest_host->dest_name : "");
  self->dh.dest_name = self->dest_name;
  for (size_t i = 0; i < opts->failover.n_servers; i++)
    server_address_format(&opts->failover.servers[i], self->server_names[i], sizeof(self->server_names[i]));
  if (opts->framing == NETWORK_FRAMING_SYSLOG)
    _init_syslog(self);
  if (network_destination_tls_init(self, driver, err) < 0)
    {
      network_destination_tls_free(self);
      network_options_clear(&self->opts);
      free(self);
      return NULL;
    }

  struct failover_policy_options policy = opts->failover.policy;
  /* The jitters' seed differs per process and destination; tests of the
   * policy inject their own. */
  policy.seed = ((uint64_t) getpid() << 32) ^ (uint64_t) (uintptr_t) self ^ (uint64_t) network_destination_now_ms();
  self->policy = failover_policy_new(&policy);
  self->max_frame = (size_t) network_options_max_frame(opts);
  self->queue = msg_queue_new((size_t) opts->log_fifo_size, (size_t) opts->queue_max_bytes, self->max_frame);
  if (!self->policy || !self->queue)
    goto oom;

  self->conn_opts.user_timeout_ms = (int) opts->send_stall_timeout_ms;
  self->conn_opts.keepalive = opts->so_keepalive;
  self->conn_opts.keepalive_time_s = (int) opts->tcp_keepalive_time_s;
  self->conn_opts.keepalive_intvl_s = (int) opts->tcp_keepalive_intvl_s;
  self->conn_opts.keepalive_probes = (int) opts->tcp_keepalive_probes;
  self->conn_opts.sndbuf = (int) opts->so_sndbuf;
  self->conn_opts.local_ip = self->opts.localip; /* self->opts outlives every connection */
  self->conn_opts.notsent_lowat = NOTSENT_LOWAT;

  struct conn_slot_callbacks cb;
  network_destination_slot_callbacks(self, &cb);
  for (int i = 0; i < DEST_SLOTS; i++)
    conn_slot_init(&self->slots[i], &cb);
  _init_timer(&self->policy_timer, self, network_destination_policy_timer_fired);
  _init_timer(&self->ack_timer, self, _ack_timer_fired);
  _init_timer(&self->drain_timer, self, _drain_timer_fired);
  _init_timer(&self->stop_timer, self, _stop_deadline);
  self->ack_poll_ms = ACK_POLL_MIN_MS;
  IV_TASK_INIT(&self->flush_task);
  self->flush_task.cookie = self;
  self->flush_task.handler = network_destination_flush;
  return self;

oom:
  if (self)
    {
      failover_policy_free(self->policy);
      msg_queue_free(self->queue);
      network_destination_tls_free(self);
      network_options_clear(&self->opts);
      free(self);
    }
  located_error_set(err, NULL, 0, 0, NULL, "cannot create the destination: out of memory or invalid failover options");
  return NULL;
}

int
network_destination_start(struct network_destination *self, struct lifeline_error *err)
{
  if (self->started)
    {
      located_error_set(err, NULL, 0, 0, NULL, "destination %s started twice", self->dest_name);
      return -1;
    }
  self->started = 1;
  network_destination_tls_warn(self);
  /* Start, like restart and reload, begins with the primary, exactly once. */
  network_destination_feed_event(self, FAILOVER_EVENT_START, 0, FAILOVER_REASON_NONE);
  return 0;
}

/* Frames one message into the queue; the payload is the line unchanged, so
 * a RETURNED fate hands back the line (the queue keeps payload offsets). */
static int
_enqueue(struct network_destination *self, uint64_t seq, const uint8_t *data, size_t len)
{
  static const char newline = '\n';

  if (self->opts.framing != NETWORK_FRAMING_SYSLOG)
    return msg_queue_push(self->queue, seq, NULL, 0, data, len, &newline, 1);

  /* The header's TIMESTAMP is when lifeline queued the line; a re-send after
   * a broken connection repeats the queued bytes, timestamp included. */
  struct timespec now;
  const char *prefix;
  size_t prefix_len;
  clock_gettime(CLOCK_REALTIME, &now);
  syslog_frame_prefix(&self->syslog_prefix, &self->syslog_template, &now, data, len, &prefix, &prefix_len);
  return msg_queue_push(self->queue, seq, prefix, prefix_len, data, len, NULL, 0);
}

int
network_destination_push(struct network_destination *self, const struct lifeline_msg *msg)
{
  size_t len = msg->len;

  if (!self->started || self->stopped || self->stopping)
    return LIFELINE_PUSH_ERROR;
  if (!failover_policy_accepts_messages(self->policy))
    {
      /* on-exhausted(drop): the message is accepted and immediately given its
       * fate, so the host's counts stay exact. */
      self->dropped_exhausted++;
      _report(self, LIFELINE_FATE_DROPPED, msg->seq, msg->seq, "on-exhausted-drop", NULL, 0);
      return LIFELINE_PUSH_QUEUED;
    }
  if (len > (size_t) self->opts.log_msg_size)
    {
      if (self->truncated++ == 0)
        host_log(self->host, LIFELINE_LOG_WARNING,
                 "Message longer than log-msg-size() truncated; further ones are only counted", "destination",
                 self->dest_name, NULL);
      len = (size_t) self->opts.log_msg_size;
    }
  if (_enqueue(self, msg->seq, msg->data, len) < 0)
    {
      if (self->opts.drop_when_full)
        {
          /* flags(drop-when-full): the sources keep running; every drop has
           * its fate and reason, and each episode is logged once. */
          if (self->dropping_full++ == 0)
            host_log(self->host, LIFELINE_LOG_WARNING, "Queue full; dropping new messages (flags(drop-when-full))",
                     "destination", self->dest_name, NULL);
          self->dropped_full++;
          _report(self, LIFELINE_FATE_DROPPED, msg->seq, msg->seq, "queue-full", NULL, 0);
          return LIFELINE_PUSH_QUEUED;
        }
      self->want_wakeup = 1;
      return LIFELINE_PUSH_FULL;
    }
  if (self->dropping_full)
    {
      char n[32];
      snprintf(n, sizeof(n), "%" PRIu64, self->dropping_full);
      host_log(self->host, LIFELINE_LOG_WARNING, "Queue has room again; messages dropped while it was full",
               "destination", self->dest_name, "dropped", n, NULL);
      self->dropping_full = 0;
    }
  if (self->live && !self->draining && !iv_task_registered(&self->flush_task))
    iv_task_register(&self->flush_task);
  return LIFELINE_PUSH_QUEUED;
}

void
network_destination_stop(struct network_destination *self, uint32_t timeout_ms)
{
  if (self->stopped || self->stopping)
    return;
  self->stopping = 1;
  if (!self->started || msg_queue_length(self->queue) == 0)
    {
      _finish_stop(self);
      return;
    }
  _arm_in(&self->stop_timer, timeout_ms);
}

int
network_destination_reload(struct network_destination *self, struct lifeline_error *err)
{
  return network_destination_tls_reload(self, err);
}

void
network_destination_free(struct network_destination *self)
{
  if (!self)
    return;
  if (self->started && !self->stopped)
    {
      /* The ABI forbids this, but a host bug must not leave fds registered
       * on its loop. */
      self->stopping = 1;
      _finish_stop(self);
    }
  failover_policy_free(self->policy);
  msg_queue_free(self->queue);
  network_destination_tls_free(self);
  network_options_clear(&self->opts);
  free(self);
}
