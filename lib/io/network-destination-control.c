/*
 * The operator's side of a network() destination: status for query() and
 * the commands switch, blacklist, unblacklist and reset (docs/operations.md,
 * "The control socket and lifelinectl").
 */
#include "network-destination-private.h"

#include "tls-error.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
_emit_u64(lifeline_emit_fn emit, void *ctx, const char *key, uint64_t v)
{
  char buf[32];
  snprintf(buf, sizeof(buf), "%" PRIu64, v);
  emit(ctx, key, buf);
}

/* Seconds from now until AT (negative: ago), or "" for "never". */
static void
_emit_when(lifeline_emit_fn emit, void *ctx, const char *key, int64_t at_ms, int64_t now_ms)
{
  char buf[32];
  if (at_ms <= 0 || at_ms == INT64_MAX)
    {
      emit(ctx, key, at_ms == INT64_MAX ? "forever" : "never");
      return;
    }
  snprintf(buf, sizeof(buf), "%.3f", (double) (at_ms - now_ms) / 1000.0);
  emit(ctx, key, buf);
}

static void
_emit_server(struct network_destination *self, lifeline_emit_fn emit, void *ctx, int i, int64_t now)
{
  const struct server_state *st = failover_policy_server(self->policy, i);
  char key[64];
#define KEY(name) (snprintf(key, sizeof(key), "server.%d.%s", i, name), key)
  emit(ctx, KEY("address"), self->server_names[i]);
  _emit_u64(emit, ctx, KEY("connects"), st->connects);
  _emit_u64(emit, ctx, KEY("connect_failures"), st->connect_failures);
  _emit_u64(emit, ctx, KEY("disconnects"), st->disconnects);
  _emit_u64(emit, ctx, KEY("probes_ok"), st->probes_ok);
  _emit_u64(emit, ctx, KEY("probes_failed"), st->probes_failed);
  _emit_u64(emit, ctx, KEY("delivered"), self->counters[i].delivered);
  _emit_u64(emit, ctx, KEY("bytes_written"), self->counters[i].bytes_written);
  emit(ctx, KEY("last_error"), st->last_error ? failover_reason_name(st->last_error) : "none");
  _emit_when(emit, ctx, KEY("last_error_at"), st->last_error_at_ms, now);
  _emit_when(emit, ctx, KEY("connected_since"), st->connected_since_ms >= 0 ? st->connected_since_ms : 0, now);
  if (self->tls_peers)
    {
      _emit_u64(emit, ctx, KEY("tls_failures"), self->counters[i].tls_failures);
      emit(ctx, KEY("tls_last_error"),
           self->counters[i].tls_last_kind ? tls_error_kind_name(self->counters[i].tls_last_kind - 1) : "none");
      emit(ctx, KEY("tls_expected_name"), self->tls_peers[i].expected);
    }
  if (failover_policy_is_blacklisted(self->policy, i, now))
    _emit_when(emit, ctx, KEY("blacklisted_until"), st->blacklisted_until_ms, now);
  if (st->quarantined_until_ms > now)
    _emit_when(emit, ctx, KEY("quarantined_until"), st->quarantined_until_ms, now);
#undef KEY
}

int
network_destination_query(struct network_destination *self, lifeline_emit_fn emit, void *ctx)
{
  struct failover_status st;
  int64_t now = network_destination_now_ms();

  failover_policy_get_status(self->policy, &st);
  emit(ctx, "state", self->stopped ? "stopped" : failover_state_name(st.state));
  emit(ctx, "exhausted", st.exhausted ? "yes" : "no");
  emit(ctx, "server", st.current_server >= 0 ? self->server_names[st.current_server] : "none");
  emit(ctx, "role", failover_role_name(st.role));
  emit(ctx, "primary", self->server_names[0]);
  emit(ctx, "mode", self->opts.failover.policy.failback ? "failback" : "round-robin");
  emit(ctx, "transport", self->tls_peers ? "tls" : "tcp");
  _emit_u64(emit, ctx, "failed_passes", (uint64_t) st.failed_passes);
  _emit_u64(emit, ctx, "probe_successes", (uint64_t) st.probe_successes);
  _emit_u64(emit, ctx, "queued", msg_queue_length(self->queue));
  _emit_u64(emit, ctx, "in_flight", msg_queue_in_flight(self->queue));
  _emit_u64(emit, ctx, "delivered", self->delivered);
  _emit_u64(emit, ctx, "resent", self->resent);
  _emit_u64(emit, ctx, "returned", self->returned);
  _emit_u64(emit, ctx, "truncated", self->truncated);
  _emit_u64(emit, ctx, "dropped_on_exhausted", self->dropped_exhausted);
  _emit_u64(emit, ctx, "dropped_queue_full", self->dropped_full);
  if (self->tls_peers)
    _emit_u64(emit, ctx, "tls_failures", self->tls_failures);
  _emit_when(emit, ctx, "last_delivery", self->last_delivery_ms, now);
  emit(ctx, "last_event", self->last_event[0] ? self->last_event : "none");
  for (size_t i = 0; i < self->opts.failover.n_servers; i++)
    _emit_server(self, emit, ctx, (int) i, now);
  return 0;
}

/* A server named by index ("1"), by "host:port", or by host alone when that
 * is unambiguous.  -1 when none matches. */
static int
_find_server(const struct network_destination *self, const char *ref)
{
  char *end;
  size_t n = self->opts.failover.n_servers;
  long idx = strtol(ref, &end, 10);
  if (*ref && !*end)
    return idx >= 0 && (size_t) idx < n ? (int) idx : -1;
  for (size_t i = 0; i < n; i++)
    if (strcmp(self->server_names[i], ref) == 0)
      return (int) i;
  int found = -1;
  for (size_t i = 0; i < n; i++)
    if (strcmp(self->opts.failover.servers[i].host, ref) == 0)
      {
        if (found >= 0)
          return -1;
        found = (int) i;
      }
  return found;
}

static int
_reply_servers(const struct network_destination *self, const char *ref, char *reply, size_t size)
{
  size_t len = (size_t) snprintf(reply, size, "no server '%s'; servers:", ref);
  for (size_t i = 0; i < self->opts.failover.n_servers && len < size; i++)
    len += (size_t) snprintf(reply + len, size - len, " %zu=%s", i, self->server_names[i]);
  return -1;
}

int
network_destination_command(struct network_destination *self, const char *verb, const char *arg, char *reply,
                            size_t reply_size)
{
  char ref[SERVER_ADDRESS_HOST_MAX + 16] = "";
  double seconds = 0;
  struct failover_event ev = { .server = -1, .reason = FAILOVER_REASON_COMMAND };
  char extra[32] = "";
  int fields = arg && *arg ? sscanf(arg, "%271s %31s", ref, extra) : 0;

  if (!self->started || self->stopped)
    {
      snprintf(reply, reply_size, "destination %s is not running", self->dest_name);
      return -1;
    }
  if (strcmp(verb, "switch") == 0)
    ev.type = FAILOVER_EVENT_SWITCH;
  else if (strcmp(verb, "reset") == 0)
    ev.type = FAILOVER_EVENT_RESET;
  else if (strcmp(verb, "blacklist") == 0)
    ev.type = FAILOVER_EVENT_BLACKLIST;
  else if (strcmp(verb, "unblacklist") == 0)
    ev.type = FAILOVER_EVENT_UNBLACKLIST;
  else
    {
      snprintf(reply, reply_size, "unknown command '%s'; expected switch, blacklist, unblacklist or reset", verb);
      return -1;
    }

  if (fields >= 1)
    {
      ev.server = _find_server(self, ref);
      if (ev.server < 0)
        return _reply_servers(self, ref, reply, reply_size);
    }
  else if (ev.type == FAILOVER_EVENT_BLACKLIST || ev.type == FAILOVER_EVENT_UNBLACKLIST)
    {
      snprintf(reply, reply_size, "%s needs a server", verb);
      return -1;
    }
  if (fields == 2 && ev.type != FAILOVER_EVENT_BLACKLIST)
    {
      snprintf(reply, reply_size, "%s takes no argument after the server", verb);
      return -1;
    }
  if (ev.type == FAILOVER_EVENT_BLACKLIST && fields == 2)
    {
      char *end;
      seconds = strtod(extra, &end);
      if (*end || !(seconds >= 0 && seconds <= 365.0 * 24 * 3600))
        {
          snprintf(reply, reply_size, "blacklist duration must be a number of seconds from 0 to 31536000, got '%s'",
                   extra);
          return -1;
        }
      ev.duration_ms = (int64_t) (seconds * 1000.0);
    }
  if (ev.type == FAILOVER_EVENT_RESET)
    ev.server = 0;

  self->command_rejected = 0;
  network_destination_feed(self, &ev);
  if (self->command_rejected)
    {
      snprintf(reply, reply_size, "%s", self->command_reply);
      return -1;
    }
  struct failover_status st;
  failover_policy_get_status(self->policy, &st);
  snprintf(reply, reply_size, "%s done; state=%s server=%s", verb, failover_state_name(st.state),
           st.current_server >= 0 ? self->server_names[st.current_server] : "none");
  return 0;
}
