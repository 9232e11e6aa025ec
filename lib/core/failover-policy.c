#include "failover-policy.h"
#include "failover-policy-private.h"

#include "backoff.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * Life cycle
 * ---------------------------------------------------------------------- */

struct failover_policy *
failover_policy_new(const struct failover_policy_options *opts)
{
  if (failover_policy_options_check(opts))
    return NULL;

  struct failover_policy *self = calloc(1, sizeof(*self));
  if (!self)
    return NULL;
  self->servers = calloc(opts->n_servers, sizeof(*self->servers));
  if (!self->servers)
    {
      free(self);
      return NULL;
    }

  self->opts = *opts;
  self->n_servers = (int) opts->n_servers;
  prng_init(&self->prng, opts->seed);
  for (int i = 0; i < self->n_servers; i++)
    server_state_init(&self->servers[i]);
  self->state = FAILOVER_STATE_IDLE;
  self->current = -1;
  self->last_attempted = -1;
  self->last_connected = -1;
  self->leave_reason = FAILOVER_REASON_NONE;
  return self;
}

void
failover_policy_free(struct failover_policy *self)
{
  if (!self)
    return;
  free(self->servers);
  free(self);
}

/* ------------------------------------------------------------------------
 * Small helpers
 * ---------------------------------------------------------------------- */

static int64_t
_min(int64_t a, int64_t b)
{
  return a < b ? a : b;
}

enum failover_role
failover_policy_role_of(int server)
{
  if (server < 0)
    return FAILOVER_ROLE_NONE;
  return server == 0 ? FAILOVER_ROLE_PRIMARY : FAILOVER_ROLE_FAILOVER;
}

static int
_is_eligible(void *cookie, int server)
{
  return !failover_policy_is_blacklisted_now((struct failover_policy *) cookie, server);
}

/* A connection counts as healthy once it has been up for the quarantine window. */
static int
_live_is_healthy(const struct failover_policy *self)
{
  return self->opts.quarantine_window_ms == 0
         || self->now - self->connected_at >= self->opts.quarantine_window_ms;
}

struct failover_action *
failover_policy_push(struct failover_policy *self, enum failover_action_type type, int server)
{
  /* FAILOVER_ACTIONS_MAX bounds every path; the scratch slot only keeps a
   * broken bound from writing past the caller's array. */
  assert(self->n_out < self->cap);
  struct failover_action *a = self->n_out < self->cap ? &self->out[self->n_out++] : &self->scratch;

  memset(a, 0, sizeof(*a));
  a->type = type;
  a->server = server;
  a->from = -1;
  a->reason = FAILOVER_REASON_NONE;
  a->role = FAILOVER_ROLE_NONE;
  return a;
}

struct failover_action *
failover_policy_emit(struct failover_policy *self, enum failover_emit emit, int server,
                     enum failover_reason reason)
{
  struct failover_action *a = failover_policy_push(self, FAILOVER_ACTION_EMIT, server);
  a->emit = emit;
  a->reason = reason;
  return a;
}

/* ------------------------------------------------------------------------
 * Probes of the primary (failback mode)
 * ---------------------------------------------------------------------- */

int64_t
failover_policy_probe_due(const struct failover_policy *self)
{
  return probe_schedule_due(&self->probe, server_state_probe_blocked_until(&self->servers[0]));
}

static int64_t
_probe_deadline(const struct failover_policy *self)
{
  return probe_schedule_deadline(&self->probe, self->opts.probe_timeout_ms);
}

static void
_stop_probing(struct failover_policy *self)
{
  if (probe_schedule_stop(&self->probe))
    failover_policy_push(self, FAILOVER_ACTION_CANCEL_PROBE, 0);
}

static void
_probe_failed(struct failover_policy *self, enum failover_reason reason)
{
  struct server_state *primary = &self->servers[0];

  primary->probes_failed++;
  server_state_note_error(primary, reason, self->now);
  probe_schedule_finish(&self->probe, 0, self->now, self->opts.probe_interval_ms);
  failover_policy_emit(self, FAILOVER_EMIT_PROBE_FAILED, 0, reason);
}

/* ------------------------------------------------------------------------
 * Passes and attempts
 * ---------------------------------------------------------------------- */

/* Probing exists to re-enter the primary while passes leave it out; a pass
 * that includes the primary ends it. */
void
failover_policy_begin_pass(struct failover_policy *self, int first, int skip_primary)
{
  failover_pass_begin(&self->pass, self->n_servers, first, skip_primary);
  if (!self->pass.skip_primary)
    _stop_probing(self);
}

void
failover_policy_begin_pass_after_break(struct failover_policy *self, int server, int retries)
{
  int skip_primary = failover_policy_is_failback_enabled(self) && server != 0;

  failover_pass_begin_after_break(&self->pass, self->n_servers, server, skip_primary, retries);
  if (!self->pass.skip_primary)
    _stop_probing(self);
}

/* Where a pass begins when nothing is connected. */
static int
_fresh_pass_first(const struct failover_policy *self)
{
  if (failover_policy_is_failback_enabled(self) || self->last_attempted < 0)
    return 0;
  return (self->last_attempted + 1) % self->n_servers;
}

static void
_connect(struct failover_policy *self, int server, int is_retry)
{
  self->state = FAILOVER_STATE_CONNECTING;
  self->current = server;
  self->last_attempted = server;
  self->attempt_is_retry = is_retry;
  self->attempt_deadline = server_state_time_add(self->now, self->opts.connect_timeout_ms);
  failover_policy_push(self, FAILOVER_ACTION_CONNECT, server);
}

/* The next attempt happens at UNTIL (at once when it is not in the future). */
static void
_wait_until(struct failover_policy *self, int64_t until)
{
  self->current = -1;
  if (until <= self->now)
    {
      failover_policy_advance(self);
      return;
    }
  self->state = FAILOVER_STATE_WAITING;
  self->wait_until = until;
}

static void
_pass_failed(struct failover_policy *self)
{
  self->failed_passes++;
  if (self->opts.try_count > 0 && self->failed_passes >= self->opts.try_count && !self->exhausted)
    {
      self->exhausted = 1;
      failover_policy_emit(self, FAILOVER_EMIT_EXHAUSTED, -1, FAILOVER_REASON_NONE)->count =
        self->failed_passes;
    }

  int64_t wait = backoff_pass_wait(self->opts.time_reopen_ms, self->opts.reconnect_backoff_max_ms,
                                   self->failed_passes, self->exhausted, &self->prng);
  failover_policy_begin_pass(self, _fresh_pass_first(self), 0);
  _wait_until(self, server_state_time_add(self->now, wait));
}

static void
_enter_blocked(struct failover_policy *self)
{
  self->state = FAILOVER_STATE_BLOCKED;
  self->current = -1;
  failover_policy_emit(self, FAILOVER_EMIT_ALL_BLACKLISTED, -1, FAILOVER_REASON_BLACKLISTED);
}

static int
_any_eligible(const struct failover_policy *self)
{
  for (int i = 0; i < self->n_servers; i++)
    if (!failover_policy_is_blacklisted_now(self, i))
      return 1;
  return 0;
}

/* Makes the next attempt of the pass, or ends the pass: BLOCKED when every
 * server is blacklisted, a failed pass when it made attempts, else (a pass
 * without the primary found every failover server blacklisted) the whole
 * list from the primary. */
void
failover_policy_advance(struct failover_policy *self)
{
  for (int round = 0; round < 2; round++)
    {
      int is_retry = 0;
      int server = failover_pass_next(&self->pass, _is_eligible, self, &is_retry);

      if (server >= 0)
        {
          _connect(self, server, is_retry);
          return;
        }
      if (!_any_eligible(self))
        break;
      if (self->pass.attempts > 0)
        {
          _pass_failed(self);
          return;
        }
      failover_policy_begin_pass(self, 0, 0);
    }
  _enter_blocked(self);
}

/* ------------------------------------------------------------------------
 * Connections
 * ---------------------------------------------------------------------- */

/* SERVER became the live connection; REASON is why the previous one was left. */
static void
_established(struct failover_policy *self, int server, enum failover_reason reason)
{
  struct server_state *ss = &self->servers[server];
  int previous = self->last_connected;
  int passes = self->failed_passes;

  ss->connects++;
  ss->connected_since_ms = self->now;
  self->state = FAILOVER_STATE_CONNECTED;
  self->current = server;
  self->connected_at = self->now;
  self->failed_passes = 0;
  self->last_connected = server;

  if (previous >= 0 && previous != server)
    failover_policy_emit(self, FAILOVER_EMIT_SERVER_CHANGED, server, reason)->from = previous;
  failover_policy_emit(self, FAILOVER_EMIT_CONNECTED, server, FAILOVER_REASON_NONE)->role = failover_policy_role_of(server);
  if (self->exhausted)
    {
      self->exhausted = 0;
      failover_policy_emit(self, FAILOVER_EMIT_RECOVERED, server, FAILOVER_REASON_NONE)->count = passes;
    }
  if (server != 0 && previous != server)
    failover_policy_emit(self, FAILOVER_EMIT_ON_FAILOVER, server, FAILOVER_REASON_NONE);

  if (!failover_policy_is_failback_enabled(self))
    return;
  if (server == 0)
    _stop_probing(self);
  else if (!self->probe.active)
    probe_schedule_start(&self->probe, self->now, self->opts.probe_interval_ms);
}

static void
_attempt_failed(struct failover_policy *self, enum failover_reason reason)
{
  int server = self->current;
  struct server_state *ss = &self->servers[server];

  ss->connect_failures++;
  server_state_note_error(ss, reason, self->now);
  failover_policy_emit(self, FAILOVER_EMIT_CONNECT_FAILED, server, reason);
  self->current = -1;
  failover_policy_advance(self);
}

/* The live connection ends without a replacement; CLOSE it when asked to. */
static void
_drop_live(struct failover_policy *self, enum failover_reason reason, int close_it)
{
  int server = self->current;
  struct server_state *ss = &self->servers[server];

  if (close_it)
    /* The reason tells the shell whether to drain (a planned leave) or cut. */
    failover_policy_push(self, FAILOVER_ACTION_CLOSE, server)->reason = reason;
  ss->connected_since_ms = -1;
  failover_policy_emit(self, FAILOVER_EMIT_DISCONNECTED, server, reason);
  self->leave_reason = reason;
  self->current = -1;
}

/* The live connection broke (CLOSED) or was declared dead (STALLED). */
static void
_connection_broke(struct failover_policy *self, enum failover_reason reason, int close_it)
{
  int server = self->current;
  struct server_state *ss = &self->servers[server];
  int healthy = _live_is_healthy(self);

  ss->disconnects++;
  server_state_note_error(ss, reason, self->now);
  _drop_live(self, reason, close_it);
  if (healthy)
    {
      server_state_forgive(&self->servers[server]);
    }
  else if (self->live_by_failback)
    {
      int64_t until = server_state_quarantine(&self->servers[server], self->now,
                                              self->opts.quarantine_base_ms, self->opts.quarantine_max_ms);
      failover_policy_emit(self, FAILOVER_EMIT_QUARANTINED, server, reason)->until_ms = until;
    }

  /* A connection that a retry brought back and that broke again before it
   * proved healthy earns no further retries: a hung server that still
   * accepts connections must not hold the destination forever.  A stalled
   * server earns none at all: its kernel still accepts connections, so a
   * retry would connect, stall again and only double the time to fail over. */
  int retries = ((self->live_by_retry && !healthy) || reason == FAILOVER_REASON_STALLED)
                  ? 0
                  : self->opts.retries_per_server;
  failover_policy_begin_pass_after_break(self, server, retries);
  int64_t delay = backoff_failover_delay(self->opts.failover_jitter_ms, &self->prng);
  _wait_until(self, server_state_time_add(self->now, delay));
}

/* Ends the live connection or the attempt in flight for a command or a blacklist. */
void
failover_policy_leave_current(struct failover_policy *self, enum failover_reason reason)
{
  if (self->state == FAILOVER_STATE_CONNECTED)
    {
      _drop_live(self, reason, 1);
    }
  else if (self->state == FAILOVER_STATE_CONNECTING)
    {
      failover_policy_push(self, FAILOVER_ACTION_CLOSE, self->current)->reason = reason;
      self->current = -1;
    }
}

static void
_promote_probe(struct failover_policy *self)
{
  if (self->state == FAILOVER_STATE_CONNECTING)
    failover_policy_push(self, FAILOVER_ACTION_CLOSE, self->current)->reason = FAILOVER_REASON_FAILBACK;
  else if (self->state == FAILOVER_STATE_CONNECTED)
    self->servers[self->current].connected_since_ms = -1; /* drains in the shell */
  failover_policy_push(self, FAILOVER_ACTION_PROMOTE_PROBE, 0);
  probe_schedule_stop(&self->probe);
  self->live_by_retry = 0;
  self->live_by_failback = 1;
  _established(self, 0, FAILOVER_REASON_FAILBACK);
}

/* ------------------------------------------------------------------------
 * Events
 * ---------------------------------------------------------------------- */

static void
_on_start(struct failover_policy *self)
{
  if (self->started)
    return;
  self->started = 1;
  failover_policy_begin_pass(self, 0, 0);
  failover_policy_advance(self);
}

static void
_on_connected(struct failover_policy *self, int server)
{
  if (!failover_policy_is_current(self, FAILOVER_STATE_CONNECTING, server))
    return;
  self->live_by_retry = self->attempt_is_retry;
  self->live_by_failback = 0;
  _established(self, server, self->leave_reason);
}

static void
_on_connect_failed(struct failover_policy *self, int server, enum failover_reason reason)
{
  if (!failover_policy_is_current(self, FAILOVER_STATE_CONNECTING, server))
    return;
  _attempt_failed(self, reason);
}

static void
_on_closed(struct failover_policy *self, int server, enum failover_reason reason)
{
  if (failover_policy_is_current(self, FAILOVER_STATE_CONNECTING, server))
    _attempt_failed(self, reason);
  else if (failover_policy_is_current(self, FAILOVER_STATE_CONNECTED, server))
    _connection_broke(self, reason, 0);
}

static void
_on_stalled(struct failover_policy *self, int server)
{
  if (failover_policy_is_current(self, FAILOVER_STATE_CONNECTED, server))
    _connection_broke(self, FAILOVER_REASON_STALLED, 1);
}

static void
_on_probe_ok(struct failover_policy *self, int server)
{
  if (server != 0 || !self->probe.in_flight)
    return;
  if (self->now > _probe_deadline(self))
    {
      /* The handshake completed, but later than probe-timeout. */
      failover_policy_push(self, FAILOVER_ACTION_CANCEL_PROBE, 0);
      _probe_failed(self, FAILOVER_REASON_TIMEOUT);
      return;
    }

  self->servers[0].probes_ok++;
  int successes = probe_schedule_finish(&self->probe, 1, self->now, self->opts.probe_interval_ms);
  failover_policy_emit(self, FAILOVER_EMIT_PROBE_OK, 0, FAILOVER_REASON_NONE)->count = successes;
  if (successes >= self->opts.probes_required)
    _promote_probe(self);
  else
    failover_policy_push(self, FAILOVER_ACTION_CANCEL_PROBE, 0);
}

static void
_on_probe_failed(struct failover_policy *self, int server, enum failover_reason reason)
{
  if (server != 0 || !self->probe.in_flight)
    return;
  _probe_failed(self, reason);
}

static int64_t
_blocked_deadline(const struct failover_policy *self)
{
  int64_t deadline = INT64_MAX;

  for (int i = 0; i < self->n_servers; i++)
    if (self->servers[i].blacklisted_until_ms > 0)
      deadline = _min(deadline, self->servers[i].blacklisted_until_ms);
  return deadline;
}

void
failover_policy_leave_blocked(struct failover_policy *self)
{
  failover_policy_begin_pass(self, _fresh_pass_first(self), 0);
  failover_policy_advance(self);
}

static void
_on_timer(struct failover_policy *self)
{
  if (self->now >= _probe_deadline(self))
    {
      failover_policy_push(self, FAILOVER_ACTION_CANCEL_PROBE, 0);
      _probe_failed(self, FAILOVER_REASON_TIMEOUT);
    }

  switch (self->state)
    {
    case FAILOVER_STATE_CONNECTING:
      if (self->now >= self->attempt_deadline)
        {
          failover_policy_push(self, FAILOVER_ACTION_CLOSE, self->current)->reason = FAILOVER_REASON_TIMEOUT;
          _attempt_failed(self, FAILOVER_REASON_TIMEOUT);
        }
      break;
    case FAILOVER_STATE_WAITING:
      if (self->now >= self->wait_until)
        failover_policy_advance(self);
      break;
    case FAILOVER_STATE_BLOCKED:
      if (self->now >= _blocked_deadline(self))
        failover_policy_leave_blocked(self);
      break;
    default:
      break;
    }

  if (self->now >= failover_policy_probe_due(self))
    {
      probe_schedule_begin(&self->probe, self->now);
      failover_policy_push(self, FAILOVER_ACTION_PROBE, 0);
    }
}

size_t
failover_policy_handle(struct failover_policy *self, const struct failover_event *ev,
                       int64_t now_ms, struct failover_action *out, size_t cap)
{
  if (!self || !ev || !out || cap < FAILOVER_ACTIONS_MAX)
    return 0;

  self->now = now_ms;
  self->out = out;
  self->cap = cap;
  self->n_out = 0;

  switch (ev->type)
    {
    case FAILOVER_EVENT_START:
      _on_start(self);
      break;
    case FAILOVER_EVENT_CONNECTED:
      _on_connected(self, ev->server);
      break;
    case FAILOVER_EVENT_CONNECT_FAILED:
      _on_connect_failed(self, ev->server, ev->reason);
      break;
    case FAILOVER_EVENT_CLOSED:
      _on_closed(self, ev->server, ev->reason);
      break;
    case FAILOVER_EVENT_STALLED:
      _on_stalled(self, ev->server);
      break;
    case FAILOVER_EVENT_PROBE_OK:
      _on_probe_ok(self, ev->server);
      break;
    case FAILOVER_EVENT_PROBE_FAILED:
      _on_probe_failed(self, ev->server, ev->reason);
      break;
    case FAILOVER_EVENT_TIMER:
      _on_timer(self);
      break;
    /* Operator commands: failover-command.c. */
    case FAILOVER_EVENT_SWITCH:
      failover_command_switch(self, ev->server);
      break;
    case FAILOVER_EVENT_BLACKLIST:
      failover_command_blacklist(self, ev->server, ev->duration_ms);
      break;
    case FAILOVER_EVENT_UNBLACKLIST:
      failover_command_unblacklist(self, ev->server);
      break;
    case FAILOVER_EVENT_RESET:
      failover_command_reset(self);
      break;
    }

  size_t n = self->n_out;
  self->out = NULL;
  self->cap = 0;
  self->n_out = 0;
  return n;
}

/* ------------------------------------------------------------------------
 * Queries
 * ---------------------------------------------------------------------- */

int64_t
failover_policy_next_deadline(const struct failover_policy *self)
{
  int64_t deadline = INT64_MAX;

  switch (self->state)
    {
    case FAILOVER_STATE_CONNECTING:
      deadline = self->attempt_deadline;
      break;
    case FAILOVER_STATE_WAITING:
      deadline = self->wait_until;
      break;
    case FAILOVER_STATE_BLOCKED:
      deadline = _blocked_deadline(self);
      break;
    default:
      break;
    }
  deadline = _min(deadline, _probe_deadline(self));
  return _min(deadline, failover_policy_probe_due(self));
}
