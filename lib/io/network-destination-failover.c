/*
 * The failover side of a network() destination: feeds events to the pure
 * policy and carries out the actions it returns on the connection slots
 * (connect, close, probe, cancel, promote, report).  Decisions stay in
 * lib/core/failover-policy.c; this file only translates.
 */
#include "network-destination-private.h"

#include "host-log.h"
#include "tls-error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static enum failover_reason
_reason(int err)
{
  if (err < 0)
    return FAILOVER_REASON_RESOLVE_FAILED;
  switch (err)
    {
    case 0:
      return FAILOVER_REASON_CLOSED_BY_PEER;
    case ECONNREFUSED:
      return FAILOVER_REASON_REFUSED;
    case ETIMEDOUT:
      return FAILOVER_REASON_TIMEOUT;
    case ECONNRESET:
    case EPIPE:
      return FAILOVER_REASON_RESET;
    case CONNECTION_ETLS:
      return FAILOVER_REASON_TLS_REJECTED;
    case EHOSTUNREACH:
    case ENETUNREACH:
      return FAILOVER_REASON_UNREACHABLE;
    default:
      return FAILOVER_REASON_IO_ERROR;
    }
}

/* Reasons an operator or the failback chose: not errors. */
static int
_planned(enum failover_reason reason)
{
  return reason == FAILOVER_REASON_COMMAND || reason == FAILOVER_REASON_BLACKLISTED
         || reason == FAILOVER_REASON_FAILBACK;
}

static void
_log_emit(struct network_destination *self, const struct failover_action *a)
{
  char text[64];
  const char *server = network_destination_server_name(self, a->server);
  const char *reason = failover_reason_name(a->reason);
  const char *d = self->dest_name;

  failover_action_format(a, self->last_event, sizeof(self->last_event));
  switch (a->emit)
    {
    case FAILOVER_EMIT_CONNECT_FAILED:
      host_log(self->host, LIFELINE_LOG_ERROR, "Connection failed", "destination", d, "server", server, "reason",
               reason, NULL);
      break;
    case FAILOVER_EMIT_DISCONNECTED:
      if (_planned(a->reason))
        host_log(self->host, LIFELINE_LOG_NOTICE, "Leaving server", "destination", d, "server", server, "reason",
                 reason, NULL);
      else
        host_log(self->host, LIFELINE_LOG_ERROR, "Connection lost", "destination", d, "server", server, "reason",
                 reason, NULL);
      break;
    case FAILOVER_EMIT_SERVER_CHANGED:
      host_log(self->host, LIFELINE_LOG_NOTICE,
               a->reason == FAILOVER_REASON_FAILBACK ? "Failing back to the primary"
               : _planned(a->reason)                 ? "Switching server"
                                                     : "Failing over",
               "destination", d, "from", network_destination_server_name(self, a->from), "to", server, "reason", reason, NULL);
      break;
    case FAILOVER_EMIT_CONNECTED:
      host_log(self->host, LIFELINE_LOG_NOTICE, "Connected", "destination", d, "server", server, "role",
               failover_role_name(a->role), NULL);
      break;
    case FAILOVER_EMIT_ON_FAILOVER:
      host_log(self->host, LIFELINE_LOG_WARNING, "Running on a failover server, not the primary", "destination", d,
               "server", server, "primary", network_destination_server_name(self, 0), NULL);
      break;
    case FAILOVER_EMIT_EXHAUSTED:
      snprintf(text, sizeof(text), "%d", a->count);
      host_log(self->host, LIFELINE_LOG_ERROR, "Every server failed for try-count() passes; destination exhausted",
               "destination", d, "passes", text, "on_exhausted",
               self->opts.failover.policy.on_exhausted_drop ? "drop" : "keep", NULL);
      break;
    case FAILOVER_EMIT_RECOVERED:
      snprintf(text, sizeof(text), "%d", a->count);
      host_log(self->host, LIFELINE_LOG_NOTICE, "Destination recovered", "destination", d, "server", server,
               "passes", text, NULL);
      break;
    case FAILOVER_EMIT_PROBE_OK:
      snprintf(text, sizeof(text), "%d", a->count);
      host_log(self->host, LIFELINE_LOG_DEBUG, "Probe succeeded", "destination", d, "server", server, "successes",
               text, NULL);
      break;
    case FAILOVER_EMIT_PROBE_FAILED:
      host_log(self->host, LIFELINE_LOG_DEBUG, "Probe failed", "destination", d, "server", server, "reason", reason,
               NULL);
      break;
    case FAILOVER_EMIT_QUARANTINED:
      snprintf(text, sizeof(text), "%.1f", (double) (a->until_ms - network_destination_now_ms()) / 1000.0);
      host_log(self->host, LIFELINE_LOG_WARNING,
               "Server left again soon after failing back to it; not probing it for a while", "destination", d,
               "server", server, "seconds", text, NULL);
      break;
    case FAILOVER_EMIT_ALL_BLACKLISTED:
      host_log(self->host, LIFELINE_LOG_ERROR, "Every server is blacklisted; nothing to connect to", "destination",
               d, NULL);
      break;
    case FAILOVER_EMIT_COMMAND_REJECTED:
      self->command_rejected = 1;
      if (a->server >= 0)
        snprintf(self->command_reply, sizeof(self->command_reply), "refused: %s (server %s)", reason, server);
      else
        snprintf(self->command_reply, sizeof(self->command_reply), "refused: %s", reason);
      break;
    }
}

static void
_execute(struct network_destination *self, const struct failover_action *a)
{
  struct conn_slot *slot;

  switch (a->type)
    {
    case FAILOVER_ACTION_CONNECT:
      if (self->live)
        network_destination_drop_live(self);
      slot = network_destination_free_slot(self);
      if (!slot)
        return; /* cannot happen: three slots, at most three roles */
      self->live = slot;
      conn_slot_attempt(slot, CONN_SLOT_LIVE, a->server, &self->opts.failover.servers[a->server],
                        self->opts.ip_protocol, &self->conn_opts, network_destination_tls_peer(self, a->server, 0));
      break;
    case FAILOVER_ACTION_CLOSE:
      if (!self->live || self->live->server != a->server)
        break;
      if (_planned(a->reason) && conn_slot_is_established(self->live) && !self->draining
          && msg_queue_unacked_bytes(self->queue) > 0)
        {
          /* An operator's switch, reset or blacklist is planned: drain the old
           * connection like a failback instead of cutting it. */
          network_destination_start_drain(self, self->live);
          self->live = NULL;
        }
      else
        network_destination_drop_live(self);
      break;
    case FAILOVER_ACTION_PROBE:
      if (self->probe)
        conn_slot_release(self->probe, 1);
      slot = network_destination_free_slot(self);
      if (!slot)
        return;
      self->probe = slot;
      conn_slot_attempt(slot, CONN_SLOT_PROBE, a->server, &self->opts.failover.servers[a->server],
                        self->opts.ip_protocol, &self->conn_opts, network_destination_tls_peer(self, a->server, 1));
      break;
    case FAILOVER_ACTION_CANCEL_PROBE:
      if (self->probe)
        conn_slot_release(self->probe, 0);
      self->probe = NULL;
      break;
    case FAILOVER_ACTION_PROMOTE_PROBE:
      network_destination_promote_probe(self);
      break;
    case FAILOVER_ACTION_EMIT:
      _log_emit(self, a);
      break;
    }
}

static void
_rearm_policy_timer(struct network_destination *self)
{
  int64_t at = failover_policy_next_deadline(self->policy);
  if (at == INT64_MAX)
    network_destination_cancel_timer(&self->policy_timer);
  else
    network_destination_arm_at(&self->policy_timer, at);
}

void
network_destination_feed(struct network_destination *self, const struct failover_event *ev)
{
  struct failover_action actions[FAILOVER_ACTIONS_MAX];

  if (self->stopped)
    return;
  if (self->in_policy)
    {
      /* A callback from inside an action: handle it after the current batch. */
      if (self->n_pending < DEST_PENDING_EVENTS)
        self->pending[self->n_pending++] = *ev;
      return;
    }
  self->in_policy = 1;
  struct failover_event current = *ev;
  for (;;)
    {
      size_t n = failover_policy_handle(self->policy, &current, network_destination_now_ms(), actions,
                                        FAILOVER_ACTIONS_MAX);
      for (size_t i = 0; i < n && !self->stopped; i++)
        _execute(self, &actions[i]);
      if (self->n_pending == 0 || self->stopped)
        break;
      current = self->pending[0];
      memmove(self->pending, self->pending + 1, --self->n_pending * sizeof(self->pending[0]));
    }
  self->in_policy = 0;
  if (!self->stopped)
    _rearm_policy_timer(self);
}

void
network_destination_feed_event(struct network_destination *self, enum failover_event_type type, int server,
                               enum failover_reason reason)
{
  struct failover_event ev = { .type = type, .server = server, .reason = reason, .duration_ms = 0 };
  network_destination_feed(self, &ev);
}

void
network_destination_policy_timer_fired(void *cookie)
{
  network_destination_feed_event(cookie, FAILOVER_EVENT_TIMER, -1, FAILOVER_REASON_NONE);
}

static void
_slot_established(void *owner, struct conn_slot *slot)
{
  struct network_destination *self = owner;
  if (slot->role == CONN_SLOT_PROBE)
    {
      network_destination_feed_event(self, FAILOVER_EVENT_PROBE_OK, slot->server, FAILOVER_REASON_NONE);
      return;
    }
  if (slot->upgraded)
    {
      /* A promoted TCP probe finished its TLS handshake: the policy already
       * counts it as the live connection; only the data starts now. */
      slot->upgraded = 0;
      if (self->live == slot && !self->draining)
        {
          slot->base = msg_queue_write_offset(self->queue);
          slot->last_progress_ms = network_destination_now_ms();
          if (!iv_task_registered(&self->flush_task))
            iv_task_register(&self->flush_task);
        }
      return;
    }
  slot->base = msg_queue_write_offset(self->queue);
  slot->last_progress_ms = network_destination_now_ms();
  network_destination_feed_event(self, FAILOVER_EVENT_CONNECTED, slot->server, FAILOVER_REASON_NONE);
  if (self->live == slot && !self->draining && !iv_task_registered(&self->flush_task))
    iv_task_register(&self->flush_task);
}

/* The words behind a TLS failure: which server, and why (expired, name
 * mismatch, protocol version ...).  The policy only hears tls-rejected. */
static void
_log_tls_failure(struct network_destination *self, int server, const char *why, int kind, const char *role)
{
  self->tls_failures++;
  if (server >= 0 && (size_t) server < self->opts.failover.n_servers)
    {
      self->counters[server].tls_failures++;
      self->counters[server].tls_last_kind = kind + 1;
    }
  host_log(self->host, LIFELINE_LOG_ERROR, "TLS connection to server failed", "destination", self->dest_name,
           "server", network_destination_server_name(self, server), "role", role, "kind", tls_error_kind_name(kind),
           "reason", why && *why ? why : "unknown", NULL);
}

static void
_slot_attempt_failed(void *owner, struct conn_slot *slot, int err)
{
  struct network_destination *self = owner;
  int server = slot->server;
  if (err == CONNECTION_ETLS || slot->error[0])
    _log_tls_failure(self, server, slot->error, slot->error_kind, slot == self->probe ? "probe" : "live");
  slot->server = -1;
  if (self->probe == slot)
    {
      self->probe = NULL;
      network_destination_feed_event(self, FAILOVER_EVENT_PROBE_FAILED, server, _reason(err));
    }
  else if (self->live == slot)
    {
      self->live = NULL;
      network_destination_feed_event(self, FAILOVER_EVENT_CONNECT_FAILED, server, _reason(err));
    }
}

static void
_slot_broken(void *owner, struct conn_slot *slot, int err)
{
  struct network_destination *self = owner;
  int server = slot->server;

  if (err == CONNECTION_ETLS)
    _log_tls_failure(self, server, connection_error(&slot->conn), connection_error_kind(&slot->conn),
                     slot == self->probe ? "probe" : slot == self->draining ? "draining" : "live");

  if (slot == self->draining)
    {
      network_destination_update_acks(self);
      if (self->draining == slot)
        network_destination_drain_done(self);
      return;
    }
  if (slot == self->probe)
    {
      conn_slot_release(slot, 1);
      self->probe = NULL;
      network_destination_feed_event(self, FAILOVER_EVENT_PROBE_FAILED, server, _reason(err));
      return;
    }
  if (slot == self->live)
    {
      network_destination_drop_live(self);
      network_destination_feed_event(self, FAILOVER_EVENT_CLOSED, server, _reason(err));
    }
}

static void
_slot_writable(void *owner, struct conn_slot *slot)
{
  network_destination_flush(owner);
}


/* FIN from the peer.  A collector stopping gracefully half-closes and keeps
 * reading what is in flight; one that is gone answers it with a reset.  So
 * the live connection drains (no new writes; done when acknowledged, or at
 * once on a reset, which re-sends the rest) while the policy already moves
 * on: nothing is duplicated and nothing waits when the peer is really gone. */
static void
_slot_peer_closed(void *owner, struct conn_slot *slot)
{
  struct network_destination *self = owner;
  int server = slot->server;

  if (slot == self->probe)
    {
      conn_slot_release(slot, 1);
      self->probe = NULL;
      network_destination_feed_event(self, FAILOVER_EVENT_PROBE_FAILED, server, FAILOVER_REASON_CLOSED_BY_PEER);
      return;
    }
  if (slot != self->live)
    return; /* a draining connection finishes on acks, a reset or its timer */
  network_destination_update_acks(self);
  if (self->stopped || slot != self->live)
    return;
  if (msg_queue_unacked_bytes(self->queue) > 0 && !self->draining)
    {
      network_destination_start_drain(self, slot);
      self->live = NULL;
    }
  else
    network_destination_drop_live(self);
  network_destination_feed_event(self, FAILOVER_EVENT_CLOSED, server, FAILOVER_REASON_CLOSED_BY_PEER);
}

void
network_destination_slot_callbacks(struct network_destination *self, struct conn_slot_callbacks *cb)
{
  memset(cb, 0, sizeof(*cb));
  cb->owner = self;
  cb->established = _slot_established;
  cb->attempt_failed = _slot_attempt_failed;
  cb->broken = _slot_broken;
  cb->writable = _slot_writable;
  cb->peer_closed = _slot_peer_closed;
}
