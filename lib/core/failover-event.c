#include "failover-event.h"

#include <stdio.h>
#include <string.h>

static const char *const reason_names[FAILOVER_REASON_COUNT_] =
{
  [FAILOVER_REASON_NONE] = "none",
  [FAILOVER_REASON_REFUSED] = "connection-refused",
  [FAILOVER_REASON_TIMEOUT] = "timeout",
  [FAILOVER_REASON_RESET] = "connection-reset",
  [FAILOVER_REASON_CLOSED_BY_PEER] = "closed-by-peer",
  [FAILOVER_REASON_STALLED] = "stalled",
  [FAILOVER_REASON_UNREACHABLE] = "unreachable",
  [FAILOVER_REASON_RESOLVE_FAILED] = "resolve-failed",
  [FAILOVER_REASON_TLS_REJECTED] = "tls-rejected",
  [FAILOVER_REASON_IO_ERROR] = "io-error",
  [FAILOVER_REASON_COMMAND] = "command",
  [FAILOVER_REASON_BLACKLISTED] = "blacklisted",
  [FAILOVER_REASON_FAILBACK] = "failback",
  [FAILOVER_REASON_NO_SUCH_SERVER] = "no-such-server",
  [FAILOVER_REASON_NO_OTHER_SERVER] = "no-other-server",
  [FAILOVER_REASON_INVALID_ARGUMENT] = "invalid-argument",
  [FAILOVER_REASON_NOT_STARTED] = "not-started",
};

const char *
failover_reason_name(enum failover_reason reason)
{
  if ((int) reason < 0 || reason >= FAILOVER_REASON_COUNT_ || !reason_names[reason])
    return "unknown";
  return reason_names[reason];
}

const char *
failover_event_type_name(enum failover_event_type type)
{
  switch (type)
    {
    case FAILOVER_EVENT_START: return "start";
    case FAILOVER_EVENT_CONNECTED: return "connected";
    case FAILOVER_EVENT_CONNECT_FAILED: return "connect-failed";
    case FAILOVER_EVENT_CLOSED: return "closed";
    case FAILOVER_EVENT_STALLED: return "stalled";
    case FAILOVER_EVENT_PROBE_OK: return "probe-ok";
    case FAILOVER_EVENT_PROBE_FAILED: return "probe-failed";
    case FAILOVER_EVENT_TIMER: return "timer";
    case FAILOVER_EVENT_SWITCH: return "switch";
    case FAILOVER_EVENT_BLACKLIST: return "blacklist";
    case FAILOVER_EVENT_UNBLACKLIST: return "unblacklist";
    case FAILOVER_EVENT_RESET: return "reset";
    }
  return "unknown";
}

const char *
failover_action_type_name(enum failover_action_type type)
{
  switch (type)
    {
    case FAILOVER_ACTION_CONNECT: return "connect";
    case FAILOVER_ACTION_CLOSE: return "close";
    case FAILOVER_ACTION_PROBE: return "probe";
    case FAILOVER_ACTION_CANCEL_PROBE: return "cancel-probe";
    case FAILOVER_ACTION_PROMOTE_PROBE: return "promote-probe";
    case FAILOVER_ACTION_EMIT: return "emit";
    }
  return "unknown";
}

const char *
failover_emit_name(enum failover_emit emit)
{
  switch (emit)
    {
    case FAILOVER_EMIT_CONNECT_FAILED: return "connect-failed";
    case FAILOVER_EMIT_DISCONNECTED: return "disconnected";
    case FAILOVER_EMIT_SERVER_CHANGED: return "server-changed";
    case FAILOVER_EMIT_CONNECTED: return "connected";
    case FAILOVER_EMIT_ON_FAILOVER: return "on-failover";
    case FAILOVER_EMIT_EXHAUSTED: return "exhausted";
    case FAILOVER_EMIT_RECOVERED: return "recovered";
    case FAILOVER_EMIT_PROBE_OK: return "probe-ok";
    case FAILOVER_EMIT_PROBE_FAILED: return "probe-failed";
    case FAILOVER_EMIT_QUARANTINED: return "quarantined";
    case FAILOVER_EMIT_ALL_BLACKLISTED: return "all-blacklisted";
    case FAILOVER_EMIT_COMMAND_REJECTED: return "command-rejected";
    }
  return "unknown";
}

const char *
failover_role_name(enum failover_role role)
{
  switch (role)
    {
    case FAILOVER_ROLE_NONE: return "none";
    case FAILOVER_ROLE_PRIMARY: return "primary";
    case FAILOVER_ROLE_FAILOVER: return "failover";
    }
  return "unknown";
}

static const char *
_format_emit(const struct failover_action *a, char *buf, size_t size)
{
  const char *name = failover_emit_name(a->emit);

  switch (a->emit)
    {
    case FAILOVER_EMIT_CONNECT_FAILED:
    case FAILOVER_EMIT_DISCONNECTED:
    case FAILOVER_EMIT_PROBE_FAILED:
    case FAILOVER_EMIT_COMMAND_REJECTED:
      snprintf(buf, size, "%s(%d, %s)", name, a->server, failover_reason_name(a->reason));
      break;
    case FAILOVER_EMIT_SERVER_CHANGED:
      snprintf(buf, size, "%s(%d->%d, %s)", name, a->from, a->server, failover_reason_name(a->reason));
      break;
    case FAILOVER_EMIT_CONNECTED:
      snprintf(buf, size, "%s(%d, %s)", name, a->server, failover_role_name(a->role));
      break;
    case FAILOVER_EMIT_ON_FAILOVER:
      snprintf(buf, size, "%s(%d)", name, a->server);
      break;
    case FAILOVER_EMIT_EXHAUSTED:
      snprintf(buf, size, "%s(%d)", name, a->count);
      break;
    case FAILOVER_EMIT_RECOVERED:
    case FAILOVER_EMIT_PROBE_OK:
      snprintf(buf, size, "%s(%d, %d)", name, a->server, a->count);
      break;
    case FAILOVER_EMIT_QUARANTINED:
      snprintf(buf, size, "%s(%d, until=%lld)", name, a->server, (long long) a->until_ms);
      break;
    case FAILOVER_EMIT_ALL_BLACKLISTED:
      snprintf(buf, size, "%s", name);
      break;
    default:
      snprintf(buf, size, "emit-%d", (int) a->emit);
      break;
    }
  return buf;
}

const char *
failover_action_format(const struct failover_action *action, char *buf, size_t size)
{
  if (size == 0)
    return buf;
  if (action->type == FAILOVER_ACTION_EMIT)
    return _format_emit(action, buf, size);
  snprintf(buf, size, "%s(%d)", failover_action_type_name(action->type), action->server);
  return buf;
}

const char *
failover_actions_format(const struct failover_action *actions, size_t n, char *buf, size_t size)
{
  size_t used = 0;

  if (size == 0)
    return buf;
  buf[0] = '\0';
  for (size_t i = 0; i < n && used + 1 < size; i++)
    {
      char one[128];
      int len = snprintf(buf + used, size - used, "%s%s", i ? "; " : "",
                         failover_action_format(&actions[i], one, sizeof(one)));
      if (len < 0)
        break;
      used += (size_t) len;
    }
  return buf;
}
