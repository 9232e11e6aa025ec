#include "server-state.h"

#include <string.h>

int64_t
server_state_time_add(int64_t a, int64_t b)
{
  if (b > 0 && a > INT64_MAX - b)
    return INT64_MAX;
  return a + b;
}

void
server_state_init(struct server_state *self)
{
  memset(self, 0, sizeof(*self));
  self->last_error = FAILOVER_REASON_NONE;
  self->connected_since_ms = -1;
}

void
server_state_note_error(struct server_state *self, enum failover_reason reason, int64_t now_ms)
{
  self->last_error = reason;
  self->last_error_at_ms = now_ms;
}

void
server_state_blacklist(struct server_state *self, int64_t now_ms, int64_t duration_ms)
{
  self->blacklisted_until_ms = duration_ms > 0 ? server_state_time_add(now_ms, duration_ms) : INT64_MAX;
}

void
server_state_unblacklist(struct server_state *self)
{
  self->blacklisted_until_ms = 0;
}

int
server_state_is_blacklisted(const struct server_state *self, int64_t now_ms)
{
  return self->blacklisted_until_ms > now_ms;
}

int64_t
server_state_quarantine(struct server_state *self, int64_t now_ms, int64_t base_ms, int64_t max_ms)
{
  int64_t length = base_ms;

  for (int i = 0; i < self->quarantine_level && length < max_ms; i++)
    length = (length > max_ms / 2) ? max_ms : length * 2;
  if (length > max_ms)
    length = max_ms;
  if (self->quarantine_level < 62)
    self->quarantine_level++;
  self->quarantined_until_ms = server_state_time_add(now_ms, length);
  return self->quarantined_until_ms;
}

void
server_state_forgive(struct server_state *self)
{
  self->quarantine_level = 0;
}

int64_t
server_state_probe_blocked_until(const struct server_state *self)
{
  return self->blacklisted_until_ms > self->quarantined_until_ms ? self->blacklisted_until_ms
                                                                   : self->quarantined_until_ms;
}
