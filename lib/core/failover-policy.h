/*
 * The failover policy of a destination: which server to connect to, when to
 * give up on one, when to probe the primary and fail back.
 *
 * A pure state machine in the style of hiredis' reader: the I/O shell feeds
 * it events (connected, connect failed, closed, stalled, probe results, timer,
 * operator commands) with the current monotonic time, and executes the
 * actions it hands back (connect, close, probe, cancel or promote the probe,
 * emit a report).  It never reads a clock, opens a socket or allocates after
 * failover_policy_new(); its randomness comes from the seed in its options.
 * The shell keeps one timer armed at failover_policy_next_deadline() and
 * feeds FAILOVER_EVENT_TIMER when it fires.
 *
 * The rules are in docs/failover.md.
 *
 * Contract with the shell:
 *  - The shell holds at most one live connection (or attempt) and one probe.
 *  - CONNECT(s) replaces the live slot with an attempt on s; the shell reports
 *    exactly one of CONNECTED(s) / CONNECT_FAILED(s) for it, unless the policy
 *    closes it first.
 *  - After CLOSED, CONNECT_FAILED and PROBE_FAILED the shell has already
 *    released that connection; the policy sends CLOSE / CANCEL_PROBE only for
 *    connections it ends itself (stall, timeouts, commands, blacklist).
 *  - After PROBE_OK the probe connection stays open until the policy answers
 *    with CANCEL_PROBE (not enough successes yet) or PROMOTE_PROBE.
 *  - After CLOSE / CANCEL_PROBE the shell reports nothing more about that
 *    connection.  Events that do not match what the policy waits for (stale
 *    server, wrong state) are ignored.
 */
#ifndef LIFELINE_FAILOVER_POLICY_H
#define LIFELINE_FAILOVER_POLICY_H

#include "failover-event.h"
#include "failover-policy-options.h"
#include "server-state.h"

#include <stddef.h>
#include <stdint.h>

/* The capacity the caller's action array must have.  The rules produce at
 * most 6 actions for one event (a timer that times out a probe and an attempt,
 * then starts the next attempt and a probe; or a promotion); the rest is
 * headroom for later rules.  See docs/failover.md. */
#define FAILOVER_ACTIONS_MAX 16


enum failover_state
{
  FAILOVER_STATE_IDLE = 0,   /* before START */
  FAILOVER_STATE_CONNECTING, /* an attempt is in flight */
  FAILOVER_STATE_CONNECTED,  /* a live connection delivers */
  FAILOVER_STATE_WAITING,    /* between passes (backoff) or before the first attempt after a break (jitter) */
  FAILOVER_STATE_BLOCKED,    /* every server is blacklisted */
};

struct failover_status
{
  enum failover_state state;
  int current_server;          /* live connection or attempt in flight; -1 otherwise */
  enum failover_role role;     /* of current_server */
  int last_connected_server;   /* -1 before the first connection */
  int exhausted;               /* try-count reached and no connection since */
  int accepts_messages;        /* 0 while exhausted with on-exhausted(drop) */
  int failed_passes;           /* passes without a connection since the last connection */
  int pass_attempts;           /* attempts made in the current pass */
  int probing;                 /* failback probes of the primary are on */
  int probe_in_flight;
  int probe_successes;         /* consecutive */
  int64_t next_probe_at_ms;    /* INT64_MAX when none is scheduled */
  int64_t wait_until_ms;       /* WAITING only; else 0 */
  int64_t connected_since_ms;  /* CONNECTED only; else -1 */
  int64_t next_deadline_ms;
};

/* NULL when OPTS fail failover_policy_options_check() or memory is short. */
struct failover_policy *failover_policy_new(const struct failover_policy_options *opts);
void failover_policy_free(struct failover_policy *self);

/* Feeds one event at NOW_MS (monotonic, non-decreasing) and writes the
 * resulting actions to OUT, in the order the shell executes them.  CAP must
 * be at least FAILOVER_ACTIONS_MAX; with a smaller CAP (or a NULL argument)
 * nothing happens and 0 is returned.  Returns the number of actions. */
size_t failover_policy_handle(struct failover_policy *self, const struct failover_event *ev,
                              int64_t now_ms, struct failover_action *out, size_t cap);

/* When the shell must feed FAILOVER_EVENT_TIMER next (at or after it);
 * INT64_MAX when no timer is needed.  Changes only through _handle(). */
int64_t failover_policy_next_deadline(const struct failover_policy *self);

/* 0 while EXHAUSTED with on_exhausted_drop: the shell drops new messages
 * (counted); otherwise it queues them. */
int failover_policy_accepts_messages(const struct failover_policy *self);

enum failover_state failover_policy_state(const struct failover_policy *self);
const char *failover_state_name(enum failover_state state);

void failover_policy_get_status(const struct failover_policy *self, struct failover_status *status);

size_t failover_policy_n_servers(const struct failover_policy *self);

/* Per-server counters, blacklist and quarantine; NULL when out of range.
 * Valid until the next failover_policy_handle(). */
const struct server_state *failover_policy_server(const struct failover_policy *self, int server);

/* Whether SERVER is blacklisted at NOW_MS (0 for an invalid index). */
int failover_policy_is_blacklisted(const struct failover_policy *self, int server, int64_t now_ms);

#endif
