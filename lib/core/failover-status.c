/*
 * The failover policy as seen from outside: its state and counters for
 * status and logs, and the per-server records.  Read-only; every decision
 * stays in failover-policy.c.
 */
#include "failover-policy.h"
#include "failover-policy-private.h"

#include <string.h>

int
failover_policy_accepts_messages(const struct failover_policy *self)
{
  return !(self->exhausted && self->opts.on_exhausted_drop);
}

enum failover_state
failover_policy_state(const struct failover_policy *self)
{
  return self->state;
}

const char *
failover_state_name(enum failover_state state)
{
  switch (state)
    {
    case FAILOVER_STATE_IDLE: return "idle";
    case FAILOVER_STATE_CONNECTING: return "connecting";
    case FAILOVER_STATE_CONNECTED: return "connected";
    case FAILOVER_STATE_WAITING: return "waiting";
    case FAILOVER_STATE_BLOCKED: return "blocked";
    }
  return "unknown";
}

void
failover_policy_get_status(const struct failover_policy *self, struct failover_status *status)
{
  memset(status, 0, sizeof(*status));
  status->state = self->state;
  status->current_server = self->current;
  status->role = failover_policy_role_of(self->current);
  status->last_connected_server = self->last_connected;
  status->exhausted = self->exhausted;
  status->accepts_messages = failover_policy_accepts_messages(self);
  status->failed_passes = self->failed_passes;
  status->pass_attempts = self->state == FAILOVER_STATE_CONNECTED ? 0 : self->pass.attempts;
  status->probing = self->probe.active;
  status->probe_in_flight = self->probe.in_flight;
  status->probe_successes = self->probe.successes;
  status->next_probe_at_ms = failover_policy_probe_due(self);
  status->wait_until_ms = self->state == FAILOVER_STATE_WAITING ? self->wait_until : 0;
  status->connected_since_ms = self->state == FAILOVER_STATE_CONNECTED ? self->connected_at : -1;
  status->next_deadline_ms = failover_policy_next_deadline(self);
}

size_t
failover_policy_n_servers(const struct failover_policy *self)
{
  return (size_t) self->n_servers;
}

const struct server_state *
failover_policy_server(const struct failover_policy *self, int server)
{
  if (!failover_policy_is_valid_server(self, server))
    return NULL;
  return &self->servers[server];
}

int
failover_policy_is_blacklisted(const struct failover_policy *self, int server, int64_t now_ms)
{
  if (!failover_policy_is_valid_server(self, server))
    return 0;
  return server_state_is_blacklisted(&self->servers[server], now_ms);
}
