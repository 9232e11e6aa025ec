/*
 * Operator commands of the failover policy (lifelinectl): SWITCH, RESET,
 * BLACKLIST and UNBLACKLIST.  A command is checked first and refused with a
 * COMMAND_REJECTED report naming why, so a bad request never moves the destination;
 * an accepted one is carried out through the machine's own transitions
 * (failover-policy-private.h), so it obeys the same pass, probe and
 * blacklist rules as an event would.  docs/failover.md, "Commands".
 */
#include "failover-policy-private.h"

static void
_reject(struct failover_policy *self, int server, enum failover_reason reason)
{
  failover_policy_emit(self, FAILOVER_EMIT_COMMAND_REJECTED, server, reason);
}

/* A fresh pass from TARGET (eligible), leaving whatever is live. */
static void
_move_to(struct failover_policy *self, int target)
{
  if ((self->state == FAILOVER_STATE_CONNECTED || self->state == FAILOVER_STATE_CONNECTING)
      && self->current == target)
    return;
  failover_policy_leave_current(self, FAILOVER_REASON_COMMAND);
  failover_policy_begin_pass(self, target, failover_policy_is_failback_enabled(self) && target != 0);
  failover_policy_advance(self);
}

static int
_next_in_list(const struct failover_policy *self)
{
  int base = self->current >= 0 ? self->current
             : self->last_connected >= 0 ? self->last_connected
             : self->last_attempted >= 0 ? self->last_attempted
             : 0;

  for (int i = 1; i < self->n_servers; i++)
    {
      int server = (base + i) % self->n_servers;
      if (!failover_policy_is_blacklisted_now(self, server))
        return server;
    }
  return -1;
}

void
failover_command_switch(struct failover_policy *self, int server)
{
  if (!self->started)
    {
      _reject(self, server, FAILOVER_REASON_NOT_STARTED);
      return;
    }
  if (server == -1)
    {
      int next = _next_in_list(self);
      if (next < 0)
        {
          _reject(self, -1, FAILOVER_REASON_NO_OTHER_SERVER);
          return;
        }
      server = next;
    }
  else if (!failover_policy_is_valid_server(self, server))
    {
      _reject(self, server, FAILOVER_REASON_NO_SUCH_SERVER);
      return;
    }
  else if (failover_policy_is_blacklisted_now(self, server))
    {
      _reject(self, server, FAILOVER_REASON_BLACKLISTED);
      return;
    }
  _move_to(self, server);
}

void
failover_command_reset(struct failover_policy *self)
{
  if (!self->started)
    _reject(self, 0, FAILOVER_REASON_NOT_STARTED);
  else if (failover_policy_is_blacklisted_now(self, 0))
    _reject(self, 0, FAILOVER_REASON_BLACKLISTED);
  else
    _move_to(self, 0);
}

void
failover_command_blacklist(struct failover_policy *self, int server, int64_t duration_ms)
{
  if (!failover_policy_is_valid_server(self, server))
    {
      _reject(self, server, FAILOVER_REASON_NO_SUCH_SERVER);
      return;
    }
  if (duration_ms < 0)
    {
      _reject(self, server, FAILOVER_REASON_INVALID_ARGUMENT);
      return;
    }

  server_state_blacklist(&self->servers[server], self->now, duration_ms);
  if (server == 0 && probe_schedule_interrupt(&self->probe, self->now, self->opts.probe_interval_ms))
    failover_policy_push(self, FAILOVER_ACTION_CANCEL_PROBE, 0);

  if (failover_policy_is_current(self, FAILOVER_STATE_CONNECTED, server))
    {
      failover_policy_leave_current(self, FAILOVER_REASON_BLACKLISTED);
      failover_policy_begin_pass_after_break(self, server, 0);
      failover_policy_advance(self);
    }
  else if (failover_policy_is_current(self, FAILOVER_STATE_CONNECTING, server))
    {
      failover_policy_leave_current(self, FAILOVER_REASON_BLACKLISTED);
      failover_policy_advance(self); /* the rest of the pass; SERVER is skipped now */
    }
}

void
failover_command_unblacklist(struct failover_policy *self, int server)
{
  if (!failover_policy_is_valid_server(self, server))
    {
      _reject(self, server, FAILOVER_REASON_NO_SUCH_SERVER);
      return;
    }
  server_state_unblacklist(&self->servers[server]);
  if (self->state == FAILOVER_STATE_BLOCKED)
    failover_policy_leave_blocked(self);
}
