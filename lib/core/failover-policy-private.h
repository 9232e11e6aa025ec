/*
 * PRIVATE to the failover policy's implementation: failover-policy.c (the
 * state machine) and failover-command.c (operator commands).  Not installed;
 * the I/O shell and the tests use failover-policy.h only, so the layout below
 * may change at will.
 *
 * It exists because the commands are a concept of their own (validate the
 * operator's request, reject it with a reason, or pick a target) yet act on
 * the machine's state through its transitions.  The commands use only what
 * is declared here; everything else in failover-policy.c stays static.
 *
 * Ownership: the policy owns SERVERS (freed by failover_policy_free()).  OUT
 * is the caller's action array, borrowed for one failover_policy_handle()
 * call; NOW, OUT, N_OUT and CAP mean nothing outside that call.
 */
#ifndef LIFELINE_FAILOVER_POLICY_PRIVATE_H
#define LIFELINE_FAILOVER_POLICY_PRIVATE_H

#include "failover-pass.h"
#include "failover-policy.h"
#include "prng.h"
#include "probe-schedule.h"

struct failover_policy
{
  struct failover_policy_options opts;
  int n_servers;
  struct prng prng;
  struct server_state *servers;

  int started;
  enum failover_state state;
  int current;        /* live connection or attempt in flight; -1 */
  int last_attempted; /* -1 before the first attempt */
  int last_connected; /* -1 before the first connection */
  enum failover_reason leave_reason; /* why LAST_CONNECTED was left */

  int64_t attempt_deadline;
  int attempt_is_retry;
  int64_t connected_at;
  int live_by_retry;    /* the live connection came from a retry after a break */
  int live_by_failback; /* the live connection is a promoted probe */
  int64_t wait_until;

  struct failover_pass pass;
  int failed_passes;
  int exhausted;
  struct probe_schedule probe; /* of the primary, on while failback mode runs on a failover server */

  /* Valid during one failover_policy_handle() call. */
  int64_t now;
  struct failover_action *out;
  size_t n_out;
  size_t cap;
  struct failover_action scratch;
};

/* ---- Predicates (both files) ---- */

static inline int
failover_policy_is_failback_enabled(const struct failover_policy *self)
{
  return self->opts.failback && self->n_servers > 1;
}

static inline int
failover_policy_is_valid_server(const struct failover_policy *self, int server)
{
  return server >= 0 && server < self->n_servers;
}

/* At the NOW of the current failover_policy_handle() call. */
static inline int
failover_policy_is_blacklisted_now(const struct failover_policy *self, int server)
{
  return server_state_is_blacklisted(&self->servers[server], self->now);
}

/* SERVER is the live connection (STATE CONNECTED) or the attempt in flight (CONNECTING). */
static inline int
failover_policy_is_current(const struct failover_policy *self, enum failover_state state, int server)
{
  return self->state == state && self->current == server && server >= 0;
}

/* ---- Transitions, defined in failover-policy.c ---- */

/* Appends an action to OUT; the returned slot may be filled in further. */
struct failover_action *failover_policy_push(struct failover_policy *self, enum failover_action_type type,
                                             int server);
struct failover_action *failover_policy_emit(struct failover_policy *self, enum failover_emit emit,
                                             int server, enum failover_reason reason);

/* Starts a fresh pass at FIRST; ends probing when the pass includes the primary. */
void failover_policy_begin_pass(struct failover_policy *self, int first, int skip_primary);
/* Starts the pass after SERVER broke: RETRIES attempts on it first. */
void failover_policy_begin_pass_after_break(struct failover_policy *self, int server, int retries);

/* Makes the next attempt of the pass, or ends the pass. */
void failover_policy_advance(struct failover_policy *self);

/* Ends the live connection or the attempt in flight (CLOSE), leaving no current server. */
void failover_policy_leave_current(struct failover_policy *self, enum failover_reason reason);

/* BLOCKED is over (a blacklist ended or was lifted): a fresh pass. */
void failover_policy_leave_blocked(struct failover_policy *self);

/* ---- Operator commands, defined in failover-command.c ----
 * Called from failover_policy_handle() with the event's fields; a refused
 * command produces a COMMAND_REJECTED report and changes nothing else. */

void failover_command_switch(struct failover_policy *self, int server);
void failover_command_reset(struct failover_policy *self);
void failover_command_blacklist(struct failover_policy *self, int server, int64_t duration_ms);
void failover_command_unblacklist(struct failover_policy *self, int server);

/* Shared with failover-status.c. */
enum failover_role failover_policy_role_of(int server);
int64_t failover_policy_probe_due(const struct failover_policy *self);

#endif
