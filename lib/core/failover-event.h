/*
 * The vocabulary of the failover policy: the events the I/O shell feeds in,
 * the actions the policy hands back, and the reasons both carry.
 *
 * Servers are indices into the configured list: 0 is the primary, then the
 * servers of failover(servers(...)) in order.  -1 means "no server".
 */
#ifndef LIFELINE_FAILOVER_EVENT_H
#define LIFELINE_FAILOVER_EVENT_H

#include <stddef.h>
#include <stdint.h>

/* Why a connection or a probe ended, or why the policy moved. */
enum failover_reason
{
  FAILOVER_REASON_NONE = 0,
  FAILOVER_REASON_REFUSED,          /* ECONNREFUSED */
  FAILOVER_REASON_TIMEOUT,          /* connect or probe not completed in time, ETIMEDOUT */
  FAILOVER_REASON_RESET,            /* ECONNRESET, EPIPE */
  FAILOVER_REASON_CLOSED_BY_PEER,   /* orderly close (EOF) from the collector */
  FAILOVER_REASON_STALLED,          /* the shell's send-stall detection */
  FAILOVER_REASON_UNREACHABLE,      /* ENETUNREACH, EHOSTUNREACH */
  FAILOVER_REASON_RESOLVE_FAILED,   /* the name did not resolve */
  FAILOVER_REASON_TLS_REJECTED,     /* handshake or certificate check failed */
  FAILOVER_REASON_IO_ERROR,         /* any other socket error */
  FAILOVER_REASON_COMMAND,          /* an operator's switch or reset */
  FAILOVER_REASON_BLACKLISTED,      /* the server is blacklisted */
  FAILOVER_REASON_FAILBACK,         /* the primary passed its probes */
  FAILOVER_REASON_NO_SUCH_SERVER,   /* command: server index out of range */
  FAILOVER_REASON_NO_OTHER_SERVER,  /* command: switch to "next" found none */
  FAILOVER_REASON_INVALID_ARGUMENT, /* command: e.g. a negative duration */
  FAILOVER_REASON_NOT_STARTED,      /* command before START */
  FAILOVER_REASON_COUNT_
};

enum failover_event_type
{
  FAILOVER_EVENT_START = 1,      /* begin: connect to the primary */
  FAILOVER_EVENT_CONNECTED,      /* server: the attempt the policy asked for completed */
  FAILOVER_EVENT_CONNECT_FAILED, /* server, reason: that attempt failed (shell already released it) */
  FAILOVER_EVENT_CLOSED,         /* server, reason: the live connection broke (shell already released it) */
  FAILOVER_EVENT_STALLED,        /* server: the live connection is declared dead (still open) */
  FAILOVER_EVENT_PROBE_OK,       /* server: the probe's handshake completed (probe still open) */
  FAILOVER_EVENT_PROBE_FAILED,   /* server, reason: the probe failed (shell already released it) */
  FAILOVER_EVENT_TIMER,          /* the deadline from failover_policy_next_deadline() passed */
  FAILOVER_EVENT_SWITCH,         /* command: server, or -1 for the next one in list order */
  FAILOVER_EVENT_BLACKLIST,      /* command: server, duration_ms (0 = until unblacklisted) */
  FAILOVER_EVENT_UNBLACKLIST,    /* command: server */
  FAILOVER_EVENT_RESET,          /* command: back to the primary now */
};

struct failover_event
{
  enum failover_event_type type;
  int server;
  enum failover_reason reason;
  int64_t duration_ms;
};

enum failover_action_type
{
  FAILOVER_ACTION_CONNECT = 1,   /* open the live connection to server */
  FAILOVER_ACTION_CLOSE,         /* close the live connection or abandon the attempt on server; reason says
                                    why (command, blacklisted, failback: planned, so the shell drains) */
  FAILOVER_ACTION_PROBE,         /* open a probe connection to server */
  FAILOVER_ACTION_CANCEL_PROBE,  /* close the probe connection (in flight or completed) */
  FAILOVER_ACTION_PROMOTE_PROBE, /* the probe's connection becomes the live one; the old live
                                    connection (if any) drains, then closes */
  FAILOVER_ACTION_EMIT,          /* report a policy event (log it, keep it for status) */
};

/* What an EMIT action reports.  Fields of struct failover_action used by each
 * are listed; the rest are zero or -1. */
enum failover_emit
{
  FAILOVER_EMIT_CONNECT_FAILED = 1, /* server, reason: one attempt of a pass failed */
  FAILOVER_EMIT_DISCONNECTED,       /* server, reason: the live connection is gone */
  FAILOVER_EMIT_SERVER_CHANGED,     /* from, server (to), reason: why FROM was left */
  FAILOVER_EMIT_CONNECTED,          /* server, role */
  FAILOVER_EMIT_ON_FAILOVER,        /* server: running on a non-primary server (warning, once per switch) */
  FAILOVER_EMIT_EXHAUSTED,          /* count: failed passes (try-count reached) */
  FAILOVER_EMIT_RECOVERED,          /* server, count: a connection ended EXHAUSTED after COUNT passes */
  FAILOVER_EMIT_PROBE_OK,           /* server, count: consecutive successes so far (debug) */
  FAILOVER_EMIT_PROBE_FAILED,       /* server, reason (debug) */
  FAILOVER_EMIT_QUARANTINED,        /* server, until_ms: not probed before then */
  FAILOVER_EMIT_ALL_BLACKLISTED,    /* every server is blacklisted: nothing to connect to */
  FAILOVER_EMIT_COMMAND_REJECTED,   /* server, reason: a command was refused */
};

enum failover_role
{
  FAILOVER_ROLE_NONE = 0,
  FAILOVER_ROLE_PRIMARY,
  FAILOVER_ROLE_FAILOVER,
};

struct failover_action
{
  enum failover_action_type type;
  int server;                  /* every action; the "to" of SERVER_CHANGED */
  enum failover_emit emit;     /* EMIT only */
  int from;                    /* SERVER_CHANGED: the server left; else -1 */
  enum failover_reason reason;
  enum failover_role role;
  int count;
  int64_t until_ms;
};

const char *failover_reason_name(enum failover_reason reason);
const char *failover_event_type_name(enum failover_event_type type);
const char *failover_action_type_name(enum failover_action_type type);
const char *failover_emit_name(enum failover_emit emit);
const char *failover_role_name(enum failover_role role);

/* One action as text, e.g. "connect(1)", "server-changed(0->1, connection-refused)",
 * "connected(1, failover)".  Returns BUF. */
const char *failover_action_format(const struct failover_action *action, char *buf, size_t size);

/* ACTIONS joined with "; " into BUF (truncated to SIZE).  Returns BUF. */
const char *failover_actions_format(const struct failover_action *actions, size_t n, char *buf, size_t size);

#endif
