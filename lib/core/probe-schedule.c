#include "probe-schedule.h"

#include "server-state.h"

#include <string.h>

void
probe_schedule_start(struct probe_schedule *self, int64_t now_ms, int64_t interval_ms)
{
  memset(self, 0, sizeof(*self));
  self->active = 1;
  self->base_due = server_state_time_add(now_ms, interval_ms);
}

int
probe_schedule_stop(struct probe_schedule *self)
{
  int was_in_flight = self->in_flight;

  memset(self, 0, sizeof(*self));
  return was_in_flight;
}

int64_t
probe_schedule_due(const struct probe_schedule *self, int64_t blocked_until_ms)
{
  if (!self->active || self->in_flight)
    return INT64_MAX;
  return self->base_due > blocked_until_ms ? self->base_due : blocked_until_ms;
}

int64_t
probe_schedule_deadline(const struct probe_schedule *self, int64_t timeout_ms)
{
  if (!self->in_flight)
    return INT64_MAX;
  return server_state_time_add(self->started_at, timeout_ms);
}

void
probe_schedule_begin(struct probe_schedule *self, int64_t now_ms)
{
  self->in_flight = 1;
  self->started_at = now_ms;
}

int
probe_schedule_finish(struct probe_schedule *self, int ok, int64_t now_ms, int64_t interval_ms)
{
  int64_t next = server_state_time_add(self->started_at, interval_ms);

  self->in_flight = 0;
  self->base_due = next > now_ms ? next : now_ms;
  self->successes = ok ? self->successes + 1 : 0;
  return self->successes;
}

int
probe_schedule_interrupt(struct probe_schedule *self, int64_t now_ms, int64_t interval_ms)
{
  int was_in_flight = self->in_flight;

  if (was_in_flight)
    probe_schedule_finish(self, 0, now_ms, interval_ms);
  self->successes = 0;
  return was_in_flight;
}
