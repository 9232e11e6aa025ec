/*
 * The failover policy, replayed on a fake clock with a fixed seed.
 *
 * Each STEP feeds one event at a time and compares the actions it returns,
 * formatted by failover_actions_format(), with the exact expected sequence.
 * The rules under test are listed in docs/failover.md.
 */
#include <criterion/criterion.h>

#include "core/failover-policy.h"

#include <stdio.h>
#include <string.h>

/* The most actions the current rules produce for one event (see docs). */
#define ACTIONS_BOUND 6

static struct failover_policy_options opts;
static struct failover_policy *policy;
static char text[4096];

static void
setup(void)
{
  failover_policy_options_defaults(&opts);
  opts.n_servers = 3;
  opts.seed = 42;
  policy = NULL;
}

static void
teardown(void)
{
  failover_policy_free(policy);
  policy = NULL;
}

static void
make(void)
{
  failover_policy_free(policy);
  policy = failover_policy_new(&opts);
  cr_assert_not_null(policy, "options rejected: %s", failover_policy_options_check(&opts));
}

static struct failover_event
ev(enum failover_event_type type, int server, enum failover_reason reason, int64_t duration_ms)
{
  struct failover_event e = { .type = type, .server = server, .reason = reason, .duration_ms = duration_ms };
  return e;
}

#define START ev(FAILOVER_EVENT_START, -1, FAILOVER_REASON_NONE, 0)
#define CONNECTED(s) ev(FAILOVER_EVENT_CONNECTED, (s), FAILOVER_REASON_NONE, 0)
#define REFUSED(s) ev(FAILOVER_EVENT_CONNECT_FAILED, (s), FAILOVER_REASON_REFUSED, 0)
#define CONNECT_FAILED(s, r) ev(FAILOVER_EVENT_CONNECT_FAILED, (s), (r), 0)
#define CLOSED(s) ev(FAILOVER_EVENT_CLOSED, (s), FAILOVER_REASON_RESET, 0)
#define CLOSED_BY(s, r) ev(FAILOVER_EVENT_CLOSED, (s), (r), 0)
#define STALLED(s) ev(FAILOVER_EVENT_STALLED, (s), FAILOVER_REASON_NONE, 0)
#define PROBE_OK ev(FAILOVER_EVENT_PROBE_OK, 0, FAILOVER_REASON_NONE, 0)
#define PROBE_FAILED(r) ev(FAILOVER_EVENT_PROBE_FAILED, 0, (r), 0)
#define TIMER ev(FAILOVER_EVENT_TIMER, -1, FAILOVER_REASON_NONE, 0)
#define SWITCH(s) ev(FAILOVER_EVENT_SWITCH, (s), FAILOVER_REASON_NONE, 0)
#define BLACKLIST(s, d) ev(FAILOVER_EVENT_BLACKLIST, (s), FAILOVER_REASON_NONE, (d))
#define UNBLACKLIST(s) ev(FAILOVER_EVENT_UNBLACKLIST, (s), FAILOVER_REASON_NONE, 0)
#define RESET ev(FAILOVER_EVENT_RESET, -1, FAILOVER_REASON_NONE, 0)

#define DEADLINE failover_policy_next_deadline(policy)
#define NEVER INT64_MAX

static const char *
feed(int64_t now, struct failover_event e)
{
  struct failover_action out[FAILOVER_ACTIONS_MAX];
  size_t n = failover_policy_handle(policy, &e, now, out, FAILOVER_ACTIONS_MAX);

  cr_assert_leq(n, ACTIONS_BOUND, "%zu actions for one event", n);
  return failover_actions_format(out, n, text, sizeof(text));
}

#define STEP(now, event, want)                                                                  \
  do {                                                                                          \
    const char *got_ = feed((now), (event));                                                    \
    cr_assert_str_eq(got_, (want), "at t=%lld %s:\n   got [%s]\n  want [%s]", (long long) (now), \
                     #event, got_, (want));                                                     \
  } while (0)

#define ASSERT_DEADLINE(want)                                                                   \
  cr_assert_eq(DEADLINE, (int64_t) (want), "deadline %lld, want %lld", (long long) DEADLINE,    \
               (long long) (want))

/* The deadline lies in [NOW + LO, NOW + HI]; returns it. */
static int64_t
deadline_within(int64_t now, int64_t lo, int64_t hi)
{
  int64_t d = DEADLINE;
  cr_assert(d >= now + lo && d <= now + hi, "deadline %lld not in [%lld, %lld]", (long long) d,
            (long long) (now + lo), (long long) (now + hi));
  return d;
}

static struct failover_status
status(void)
{
  struct failover_status st;
  failover_policy_get_status(policy, &st);
  return st;
}

static const struct server_state *
server(int i)
{
  return failover_policy_server(policy, i);
}

/* START at 0, every server before TARGET refuses, TARGET connects: all at T=0. */
static void
up_on(int target)
{
  char want[128];

  STEP(0, START, "connect(0)");
  for (int s = 0; s < target; s++)
    {
      snprintf(want, sizeof(want), "connect-failed(%d, connection-refused); connect(%d)", s, s + 1);
      STEP(0, REFUSED(s), want);
    }
  if (target == 0)
    snprintf(want, sizeof(want), "connected(0, primary)");
  else
    snprintf(want, sizeof(want), "connected(%d, failover); on-failover(%d)", target, target);
  STEP(0, CONNECTED(target), want);
}

/* ======================================================================
 * Start
 * ==================================================================== */

TestSuite(start, .init = setup, .fini = teardown);

Test(start, tries_the_primary_exactly_once_then_the_list)
{
  make();
  ASSERT_DEADLINE(NEVER);
  STEP(0, START, "connect(0)");
  ASSERT_DEADLINE(5000);
  STEP(10, REFUSED(0), "connect-failed(0, connection-refused); connect(1)");
  ASSERT_DEADLINE(5010);
  STEP(20, REFUSED(1), "connect-failed(1, connection-refused); connect(2)");
  STEP(30, REFUSED(2), "connect-failed(2, connection-refused)");
  cr_assert_eq(status().state, FAILOVER_STATE_WAITING);
  cr_assert_eq(server(0)->connect_failures, 1, "the primary was tried once in the pass");
  int64_t d = deadline_within(30, 500, 1000);
  STEP(d - 1, TIMER, "");
  STEP(d, TIMER, "connect(0)");
}

Test(start, failback_mode_also_tries_the_primary_once)
{
  opts.failback = 1;
  make();
  STEP(0, START, "connect(0)");
  STEP(10, REFUSED(0), "connect-failed(0, connection-refused); connect(1)");
  STEP(20, REFUSED(1), "connect-failed(1, connection-refused); connect(2)");
  STEP(30, REFUSED(2), "connect-failed(2, connection-refused)");
  cr_assert_eq(server(0)->connect_failures, 1);
  STEP(DEADLINE, TIMER, "connect(0)");
}

Test(start, primary_answers)
{
  make();
  STEP(0, START, "connect(0)");
  STEP(3, CONNECTED(0), "connected(0, primary)");
  ASSERT_DEADLINE(NEVER);
  struct failover_status st = status();
  cr_assert_eq(st.state, FAILOVER_STATE_CONNECTED);
  cr_assert_eq(st.current_server, 0);
  cr_assert_eq(st.role, FAILOVER_ROLE_PRIMARY);
  cr_assert_eq(st.connected_since_ms, 3);
}

Test(start, a_second_start_is_ignored)
{
  make();
  STEP(0, START, "connect(0)");
  STEP(1, START, "");
  STEP(2, CONNECTED(0), "connected(0, primary)");
  STEP(3, START, "");
}

Test(start, events_before_start_are_ignored_and_commands_refused)
{
  make();
  STEP(0, CONNECTED(0), "");
  STEP(0, REFUSED(0), "");
  STEP(0, CLOSED(0), "");
  STEP(0, STALLED(0), "");
  STEP(0, PROBE_OK, "");
  STEP(0, TIMER, "");
  STEP(0, SWITCH(1), "command-rejected(1, not-started)");
  STEP(0, SWITCH(-1), "command-rejected(-1, not-started)");
  STEP(0, RESET, "command-rejected(0, not-started)");
  cr_assert_eq(status().state, FAILOVER_STATE_IDLE);
  ASSERT_DEADLINE(NEVER);
}

Test(start, a_primary_blacklisted_before_start_is_skipped)
{
  make();
  STEP(0, BLACKLIST(0, 0), "");
  STEP(0, START, "connect(1)");
}

/* ======================================================================
 * Round-robin mode
 * ==================================================================== */

TestSuite(round_robin, .init = setup, .fini = teardown);

Test(round_robin, a_break_retries_the_server_then_moves_on_and_wraps_to_the_primary)
{
  make();
  up_on(1);
  STEP(1000, CLOSED(1), "disconnected(1, connection-reset); connect(1)");
  STEP(1010, REFUSED(1), "connect-failed(1, connection-refused); connect(2)");
  STEP(1020, REFUSED(2), "connect-failed(2, connection-refused); connect(0)");
  STEP(1030, CONNECTED(0), "server-changed(1->0, connection-reset); connected(0, primary)");
}

Test(round_robin, after_the_last_server_comes_the_primary_and_the_cycle_continues)
{
  make();
  up_on(2);
  STEP(5000, CLOSED_BY(2, FAILOVER_REASON_CLOSED_BY_PEER), "disconnected(2, closed-by-peer); connect(2)");
  STEP(5010, REFUSED(2), "connect-failed(2, connection-refused); connect(0)");
  STEP(5020, REFUSED(0), "connect-failed(0, connection-refused); connect(1)");
  STEP(5030, REFUSED(1), "connect-failed(1, connection-refused)");
  /* The next pass continues the cycle after the last server tried. */
  STEP(deadline_within(5030, 500, 1000), TIMER, "connect(2)");
}

Test(round_robin, never_switches_away_from_a_working_server)
{
  make();
  up_on(1);
  ASSERT_DEADLINE(NEVER);
  STEP(60000, TIMER, "");
  STEP(10000000, TIMER, "");
  STEP(10000001, PROBE_OK, "");
  cr_assert_eq(status().current_server, 1);
  cr_assert_eq(status().state, FAILOVER_STATE_CONNECTED);
  cr_assert_not(status().probing);
}

Test(round_robin, a_stall_closes_the_connection_and_retries)
{
  make();
  up_on(1);
  STEP(20000, STALLED(1), "close(1); disconnected(1, stalled); connect(1)");
  STEP(20010, CONNECTED(1), "connected(1, failover)");
  cr_assert_eq(server(1)->disconnects, 1);
  cr_assert_eq(server(1)->last_error, FAILOVER_REASON_STALLED);
  cr_assert_eq(server(1)->last_error_at_ms, 20000);
}

Test(round_robin, a_close_during_the_handshake_is_a_connect_failure)
{
  make();
  STEP(0, START, "connect(0)");
  STEP(5, CLOSED(0), "connect-failed(0, connection-reset); connect(1)");
}

Test(round_robin, one_server)
{
  opts.n_servers = 1;
  make();
  STEP(0, START, "connect(0)");
  STEP(10, REFUSED(0), "connect-failed(0, connection-refused)");
  STEP(deadline_within(10, 500, 1000), TIMER, "connect(0)");
  STEP(2000, CONNECTED(0), "connected(0, primary)");
  STEP(3000, CLOSED(0), "disconnected(0, connection-reset); connect(0)");
  STEP(3010, REFUSED(0), "connect-failed(0, connection-refused)");
  STEP(DEADLINE, TIMER, "connect(0)");
  STEP(DEADLINE - 1, SWITCH(-1), "command-rejected(-1, no-other-server)");
}

Test(round_robin, one_server_without_retries_still_reconnects)
{
  opts.n_servers = 1;
  opts.retries_per_server = 0;
  make();
  up_on(0);
  STEP(1000, CLOSED(0), "disconnected(0, connection-reset); connect(0)");
}

/* ======================================================================
 * Failback mode: wrap rules, the nothing-connected rule, probes
 * ==================================================================== */

TestSuite(failback, .init = setup, .fini = teardown);

Test(failback, failover_passes_wrap_to_the_first_failover_server_not_the_primary)
{
  opts.failback = 1;
  opts.n_servers = 4;
  make();
  up_on(3);
  STEP(1000, CLOSED(3), "disconnected(3, connection-reset); connect(3)");
  STEP(1001, REFUSED(3), "connect-failed(3, connection-refused); connect(1)");
  STEP(1002, REFUSED(1), "connect-failed(1, connection-refused); connect(2)");
  STEP(1003, REFUSED(2), "connect-failed(2, connection-refused)");
  cr_assert_eq(server(0)->connect_failures, 1, "only the start pass tried the primary");
  /* Nothing connected: the next pass begins with the primary. */
  int64_t t = deadline_within(1003, 500, 1000);
  STEP(t, TIMER, "connect(0)");
  STEP(t + 5, CONNECTED(0), "server-changed(3->0, connection-reset); connected(0, primary)");
  ASSERT_DEADLINE(NEVER);
}

Test(failback, a_broken_primary_hands_over_to_the_failover_servers)
{
  opts.failback = 1;
  make();
  up_on(0);
  STEP(1000, CLOSED(0), "disconnected(0, connection-reset); connect(0)");
  STEP(1001, REFUSED(0), "connect-failed(0, connection-refused); connect(1)");
  STEP(1002, CONNECTED(1), "server-changed(0->1, connection-reset); connected(1, failover); on-failover(1)");
  ASSERT_DEADLINE(1002 + 60000);
}

Test(failback, nothing_connected_passes_begin_with_the_primary_without_probes)
{
  opts.failback = 1;
  make();
  STEP(0, START, "connect(0)");
  STEP(1, REFUSED(0), "connect-failed(0, connection-refused); connect(1)");
  STEP(2, REFUSED(1), "connect-failed(1, connection-refused); connect(2)");
  STEP(3, REFUSED(2), "connect-failed(2, connection-refused)");
  int64_t t = DEADLINE;
  STEP(t, TIMER, "connect(0)");
  STEP(t + 5, CONNECTED(0), "connected(0, primary)");
  cr_assert_eq(server(0)->probes_ok, 0, "no probe counting");
  ASSERT_DEADLINE(NEVER);
}

Test(failback, probes_the_primary_every_interval_and_promotes_after_the_required_count)
{
  opts.failback = 1;
  make();
  up_on(1);
  ASSERT_DEADLINE(60000);
  cr_assert(status().probing);
  cr_assert_eq(status().next_probe_at_ms, 60000);
  STEP(59999, TIMER, "");
  STEP(60000, TIMER, "probe(0)");
  ASSERT_DEADLINE(65000);
  STEP(60050, PROBE_OK, "probe-ok(0, 1); cancel-probe(0)");
  ASSERT_DEADLINE(120000);
  STEP(120000, TIMER, "probe(0)");
  STEP(120010, PROBE_OK, "probe-ok(0, 2); cancel-probe(0)");
  cr_assert_eq(status().probe_successes, 2);
  STEP(180000, TIMER, "probe(0)");
  STEP(180010, PROBE_OK,
       "probe-ok(0, 3); promote-probe(0); server-changed(1->0, failback); connected(0, primary)");
  ASSERT_DEADLINE(NEVER);
  struct failover_status st = status();
  cr_assert_eq(st.current_server, 0);
  cr_assert_eq(st.state, FAILOVER_STATE_CONNECTED);
  cr_assert_not(st.probing);
  cr_assert_eq(server(0)->connects, 1);
  cr_assert_eq(server(0)->probes_ok, 3);
}

Test(failback, a_probe_failure_resets_the_consecutive_count)
{
  opts.failback = 1;
  make();
  up_on(1);
  STEP(60000, TIMER, "probe(0)");
  STEP(60010, PROBE_OK, "probe-ok(0, 1); cancel-probe(0)");
  STEP(120000, TIMER, "probe(0)");
  STEP(120010, PROBE_OK, "probe-ok(0, 2); cancel-probe(0)");
  STEP(180000, TIMER, "probe(0)");
  STEP(180010, PROBE_FAILED(FAILOVER_REASON_REFUSED), "probe-failed(0, connection-refused)");
  cr_assert_eq(status().probe_successes, 0);
  ASSERT_DEADLINE(240000);
  STEP(240000, TIMER, "probe(0)");
  STEP(240010, PROBE_OK, "probe-ok(0, 1); cancel-probe(0)");
  STEP(300000, TIMER, "probe(0)");
  STEP(300010, PROBE_OK, "probe-ok(0, 2); cancel-probe(0)");
  STEP(360000, TIMER, "probe(0)");
  STEP(360010, PROBE_OK,
       "probe-ok(0, 3); promote-probe(0); server-changed(1->0, failback); connected(0, primary)");
  cr_assert_eq(server(0)->probes_failed, 1);
  cr_assert_eq(server(0)->last_error, FAILOVER_REASON_REFUSED);
}

Test(failback, a_probe_times_out_and_resets_the_count)
{
  opts.failback = 1;
  make();
  up_on(1);
  STEP(60000, TIMER, "probe(0)");
  STEP(60010, PROBE_OK, "probe-ok(0, 1); cancel-probe(0)");
  STEP(120000, TIMER, "probe(0)");
  STEP(124999, TIMER, "");
  STEP(125000, TIMER, "cancel-probe(0); probe-failed(0, timeout)");
  cr_assert_eq(status().probe_successes, 0);
  ASSERT_DEADLINE(180000);
  cr_assert_eq(server(0)->probes_failed, 1);
  cr_assert_eq(server(0)->last_error, FAILOVER_REASON_TIMEOUT);
}

Test(failback, a_handshake_slower_than_the_probe_timeout_fails)
{
  opts.failback = 1;
  make();
  up_on(1);
  STEP(60000, TIMER, "probe(0)");
  STEP(65001, PROBE_OK, "cancel-probe(0); probe-failed(0, timeout)");
  STEP(120000, TIMER, "probe(0)");
  STEP(125000, PROBE_OK, "probe-ok(0, 1); cancel-probe(0)");
}

Test(failback, one_probe_in_flight_at_a_time)
{
  opts.failback = 1;
  opts.probe_interval_ms = 1000;
  opts.probe_timeout_ms = 5000;
  make();
  up_on(1);
  STEP(1000, TIMER, "probe(0)");
  ASSERT_DEADLINE(6000);
  STEP(2000, TIMER, "");
  STEP(3000, TIMER, "");
  /* The interval passed long ago: the next probe starts at once. */
  STEP(6000, TIMER, "cancel-probe(0); probe-failed(0, timeout); probe(0)");
  ASSERT_DEADLINE(11000);
}

Test(failback, probes_never_delay_delivery)
{
  opts.failback = 1;
  make();
  up_on(1);
  STEP(60000, TIMER, "probe(0)");
  STEP(60010, CLOSED(1), "disconnected(1, connection-reset); connect(1)");
  STEP(60020, CONNECTED(1), "connected(1, failover)");
  STEP(60030, PROBE_OK, "probe-ok(0, 1); cancel-probe(0)");
  cr_assert_eq(status().current_server, 1);
}

Test(failback, promotion_while_reconnecting_abandons_the_attempt)
{
  opts.failback = 1;
  opts.probes_required = 1;
  make();
  up_on(1);
  STEP(60000, TIMER, "probe(0)");
  STEP(60010, CLOSED(1), "disconnected(1, connection-reset); connect(1)");
  STEP(60020, PROBE_OK,
       "probe-ok(0, 1); close(1); promote-probe(0); server-changed(1->0, failback); connected(0, primary)");
  STEP(60030, CONNECTED(1), "");
  ASSERT_DEADLINE(NEVER);
}

Test(failback, promotion_during_the_failover_jitter_delay)
{
  opts.failback = 1;
  opts.probes_required = 1;
  opts.failover_jitter_ms = 100000;
  opts.seed = 1;
  make();
  up_on(1);
  STEP(60000, TIMER, "probe(0)");
  STEP(60010, CLOSED(1), "disconnected(1, connection-reset)");
  cr_assert_eq(status().state, FAILOVER_STATE_WAITING);
  STEP(60020, PROBE_OK, "probe-ok(0, 1); promote-probe(0); server-changed(1->0, failback); connected(0, primary)");
  ASSERT_DEADLINE(NEVER);
}

Test(failback, a_failed_failover_pass_stops_probing_and_starts_from_the_primary)
{
  opts.failback = 1;
  make();
  up_on(1);
  STEP(60000, TIMER, "probe(0)");
  STEP(60010, CLOSED(1), "disconnected(1, connection-reset); connect(1)");
  STEP(60020, REFUSED(1), "connect-failed(1, connection-refused); connect(2)");
  STEP(60030, REFUSED(2), "connect-failed(2, connection-refused); cancel-probe(0)");
  cr_assert_not(status().probing);
  STEP(deadline_within(60030, 500, 1000), TIMER, "connect(0)");
}

Test(failback, running_on_failover_is_reported_once_per_switch)
{
  opts.failback = 1;
  make();
  up_on(1);
  STEP(1000, CLOSED(1), "disconnected(1, connection-reset); connect(1)");
  STEP(1010, CONNECTED(1), "connected(1, failover)");
  STEP(2000000, CLOSED(1), "disconnected(1, connection-reset); connect(1)");
  STEP(2000010, REFUSED(1), "connect-failed(1, connection-refused); connect(2)");
  STEP(2000020, CONNECTED(2), "server-changed(1->2, connection-reset); connected(2, failover); on-failover(2)");
}

Test(failback, probing_continues_on_another_failover_server)
{
  opts.failback = 1;
  make();
  up_on(1);
  STEP(60000, TIMER, "probe(0)");
  STEP(60010, PROBE_OK, "probe-ok(0, 1); cancel-probe(0)");
  STEP(70000, CLOSED(1), "disconnected(1, connection-reset); connect(1)");
  STEP(70010, REFUSED(1), "connect-failed(1, connection-refused); connect(2)");
  STEP(70020, CONNECTED(2), "server-changed(1->2, connection-reset); connected(2, failover); on-failover(2)");
  cr_assert_eq(status().probe_successes, 1, "the count is about the primary, not the failover server");
  ASSERT_DEADLINE(120000);
}

Test(failback, a_single_server_never_probes)
{
  opts.failback = 1;
  opts.n_servers = 1;
  make();
  up_on(0);
  ASSERT_DEADLINE(NEVER);
  STEP(1000, CLOSED(0), "disconnected(0, connection-reset); connect(0)");
}

Test(failback, round_robin_never_probes)
{
  make();
  up_on(1);
  ASSERT_DEADLINE(NEVER);
  cr_assert_not(status().probing);
}

/* ======================================================================
 * Connect timeout
 * ==================================================================== */

TestSuite(connect_timeout, .init = setup, .fini = teardown);

Test(connect_timeout, an_attempt_not_completed_in_time_is_abandoned)
{
  make();
  STEP(0, START, "connect(0)");
  STEP(4999, TIMER, "");
  STEP(5000, TIMER, "close(0); connect-failed(0, timeout); connect(1)");
  ASSERT_DEADLINE(10000);
  cr_assert_eq(server(0)->connect_failures, 1);
  cr_assert_eq(server(0)->last_error, FAILOVER_REASON_TIMEOUT);
  cr_assert_eq(server(0)->last_error_at_ms, 5000);
  STEP(5001, CONNECTED(0), "");
}

Test(connect_timeout, a_completion_seen_before_the_timer_counts)
{
  make();
  STEP(0, START, "connect(0)");
  STEP(5001, CONNECTED(0), "connected(0, primary)");
}

Test(connect_timeout, the_last_candidate_timing_out_ends_the_pass)
{
  opts.n_servers = 1;
  opts.connect_timeout_ms = 2000;
  make();
  STEP(0, START, "connect(0)");
  STEP(2000, TIMER, "close(0); connect-failed(0, timeout)");
  cr_assert_eq(status().state, FAILOVER_STATE_WAITING);
  deadline_within(2000, 500, 1000);
}

/* ======================================================================
 * Retries per server
 * ==================================================================== */

TestSuite(retries, .init = setup, .fini = teardown);

Test(retries, two_retries_then_the_next_server)
{
  opts.retries_per_server = 2;
  make();
  up_on(1);
  STEP(1000, CLOSED(1), "disconnected(1, connection-reset); connect(1)");
  STEP(1010, REFUSED(1), "connect-failed(1, connection-refused); connect(1)");
  STEP(1020, REFUSED(1), "connect-failed(1, connection-refused); connect(2)");
}

Test(retries, zero_retries_tries_the_broken_server_last)
{
  opts.retries_per_server = 0;
  make();
  up_on(1);
  STEP(1000, CLOSED(1), "disconnected(1, connection-reset); connect(2)");
  STEP(1010, REFUSED(2), "connect-failed(2, connection-refused); connect(0)");
  STEP(1020, REFUSED(0), "connect-failed(0, connection-refused); connect(1)");
  STEP(1030, REFUSED(1), "connect-failed(1, connection-refused)");
  cr_assert_eq(status().state, FAILOVER_STATE_WAITING);
}

Test(retries, only_after_a_break_not_after_a_connect_failure)
{
  opts.retries_per_server = 3;
  make();
  STEP(0, START, "connect(0)");
  STEP(10, REFUSED(0), "connect-failed(0, connection-refused); connect(1)");
}

Test(retries, a_retried_connection_that_breaks_again_soon_earns_no_retry)
{
  make();
  up_on(1);
  STEP(1000, CLOSED(1), "disconnected(1, connection-reset); connect(1)");
  STEP(1010, CONNECTED(1), "connected(1, failover)");
  STEP(2000, STALLED(1), "close(1); disconnected(1, stalled); connect(2)");
  STEP(2010, REFUSED(2), "connect-failed(2, connection-refused); connect(0)");
  STEP(2020, REFUSED(0), "connect-failed(0, connection-refused); connect(1)");
}

Test(retries, a_retried_connection_that_stayed_healthy_earns_retries_again)
{
  make();
  up_on(1);
  STEP(1000, CLOSED(1), "disconnected(1, connection-reset); connect(1)");
  STEP(1010, CONNECTED(1), "connected(1, failover)");
  STEP(1010 + 300000, CLOSED(1), "disconnected(1, connection-reset); connect(1)");
}

/* ======================================================================
 * Passes, backoff, try-count and EXHAUSTED
 * ==================================================================== */

TestSuite(passes, .init = setup, .fini = teardown);

/* Both servers of a two-server list refuse from T on: returns the pass wait's end. */
static int64_t
fail_pass(int64_t t, int first)
{
  char want[128];
  int other = 1 - first;

  snprintf(want, sizeof(want), "connect-failed(%d, connection-refused); connect(%d)", first, other);
  STEP(t, REFUSED(first), want);
  snprintf(want, sizeof(want), "connect-failed(%d, connection-refused)", other);
  STEP(t, REFUSED(other), want);
  return DEADLINE;
}

Test(passes, the_wait_doubles_per_failed_pass_with_jitter_up_to_the_ceiling)
{
  opts.n_servers = 2;
  make();
  STEP(0, START, "connect(0)");
  int64_t t = 0;
  for (int pass = 1; pass <= 12; pass++)
    {
      int64_t computed = 1000LL << (pass - 1);
      if (computed > 60000)
        computed = 60000;
      int64_t end = fail_pass(t, 0);
      cr_assert_eq(status().failed_passes, pass);
      cr_assert(end - t >= computed - computed / 2 && end - t <= computed,
                "pass %d: wait %lld outside [%lld, %lld]", pass, (long long) (end - t),
                (long long) (computed - computed / 2), (long long) computed);
      cr_assert_eq(status().wait_until_ms, end);
      STEP(end - 1, TIMER, "");
      STEP(end, TIMER, "connect(0)");
      t = end;
    }
}

Test(passes, pass_waits_over_many_seeds_stay_within_half_and_full)
{
  opts.n_servers = 2;
  for (uint64_t seed = 0; seed < 300; seed++)
    {
      opts.seed = seed;
      make();
      STEP(0, START, "connect(0)");
      int64_t t = 0;
      for (int pass = 1; pass <= 8; pass++)
        {
          int64_t computed = (1000LL << (pass - 1)) > 60000 ? 60000 : (1000LL << (pass - 1));
          int64_t end = fail_pass(t, 0);
          cr_assert(2 * (end - t) >= computed && end - t <= computed && end - t <= 60000,
                    "seed %llu pass %d wait %lld", (unsigned long long) seed, pass, (long long) (end - t));
          STEP(end, TIMER, "connect(0)");
          t = end;
        }
    }
}

Test(passes, try_count_exhausts_once_keeps_retrying_at_the_ceiling_and_a_connect_leaves_it)
{
  opts.n_servers = 2;
  opts.try_count = 2;
  make();
  STEP(0, START, "connect(0)");
  STEP(0, REFUSED(0), "connect-failed(0, connection-refused); connect(1)");
  STEP(0, REFUSED(1), "connect-failed(1, connection-refused)");
  cr_assert_not(status().exhausted);
  int64_t t = DEADLINE;
  STEP(t, TIMER, "connect(0)");
  STEP(t, REFUSED(0), "connect-failed(0, connection-refused); connect(1)");
  STEP(t, REFUSED(1), "connect-failed(1, connection-refused); exhausted(2)");
  cr_assert(status().exhausted);
  cr_assert(failover_policy_accepts_messages(policy), "messages stay queued by default");
  t = deadline_within(t, 30000, 60000);
  STEP(t, TIMER, "connect(0)");
  STEP(t, REFUSED(0), "connect-failed(0, connection-refused); connect(1)");
  STEP(t, REFUSED(1), "connect-failed(1, connection-refused)");
  cr_assert_eq(status().failed_passes, 3);
  t = deadline_within(t, 30000, 60000);
  STEP(t, TIMER, "connect(0)");
  STEP(t + 1, CONNECTED(0), "connected(0, primary); recovered(0, 3)");
  cr_assert_not(status().exhausted);
  cr_assert_eq(status().failed_passes, 0);
}

Test(passes, on_exhausted_drop_refuses_messages_only_while_exhausted)
{
  opts.n_servers = 2;
  opts.try_count = 1;
  opts.on_exhausted_drop = 1;
  make();
  cr_assert(failover_policy_accepts_messages(policy));
  STEP(0, START, "connect(0)");
  STEP(0, REFUSED(0), "connect-failed(0, connection-refused); connect(1)");
  cr_assert(failover_policy_accepts_messages(policy));
  STEP(0, REFUSED(1), "connect-failed(1, connection-refused); exhausted(1)");
  cr_assert_not(failover_policy_accepts_messages(policy));
  cr_assert_not(status().accepts_messages);
  int64_t t = DEADLINE;
  STEP(t, TIMER, "connect(0)");
  STEP(t, REFUSED(0), "connect-failed(0, connection-refused); connect(1)");
  STEP(t, CONNECTED(1), "connected(1, failover); recovered(1, 1); on-failover(1)");
  cr_assert(failover_policy_accepts_messages(policy));
}

Test(passes, try_count_zero_is_unlimited)
{
  opts.n_servers = 2;
  make();
  STEP(0, START, "connect(0)");
  int64_t t = 0;
  for (int pass = 1; pass <= 40; pass++)
    {
      t = fail_pass(t, 0);
      cr_assert_not(status().exhausted);
      STEP(t, TIMER, "connect(0)");
    }
}

Test(passes, a_connection_resets_the_pass_count_and_the_backoff)
{
  opts.n_servers = 2;
  make();
  STEP(0, START, "connect(0)");
  int64_t t = 0;
  for (int pass = 1; pass <= 4; pass++)
    {
      t = fail_pass(t, 0);
      STEP(t, TIMER, "connect(0)");
    }
  STEP(t, CONNECTED(0), "connected(0, primary)");
  STEP(t + 10, CLOSED(0), "disconnected(0, connection-reset); connect(0)");
  STEP(t + 20, REFUSED(0), "connect-failed(0, connection-refused); connect(1)");
  STEP(t + 30, REFUSED(1), "connect-failed(1, connection-refused)");
  cr_assert_eq(status().failed_passes, 1);
  deadline_within(t + 30, 500, 1000);
}

/* ======================================================================
 * Failover jitter
 * ==================================================================== */

TestSuite(failover_jitter, .init = setup, .fini = teardown);

Test(failover_jitter, delays_the_first_attempt_after_a_break_within_bounds)
{
  opts.failover_jitter_ms = 2000;
  int delayed = 0;
  for (uint64_t seed = 0; seed < 200; seed++)
    {
      opts.seed = seed;
      make();
      up_on(1);
      const char *got = feed(1000, CLOSED(1));
      if (strcmp(got, "disconnected(1, connection-reset); connect(1)") == 0)
        {
          cr_assert_eq(status().state, FAILOVER_STATE_CONNECTING, "delay 0: at once");
        }
      else
        {
          cr_assert_str_eq(got, "disconnected(1, connection-reset)");
          cr_assert_eq(status().state, FAILOVER_STATE_WAITING);
          int64_t d = deadline_within(1000, 1, 2000);
          STEP(d - 1, TIMER, "");
          STEP(d, TIMER, "connect(1)");
          delayed++;
        }
      /* Only the first attempt is delayed. */
      STEP(DEADLINE - 1, REFUSED(1), "connect-failed(1, connection-refused); connect(2)");
    }
  cr_assert_gt(delayed, 190, "the jitter spreads the attempts (%d of 200 delayed)", delayed);
}

Test(failover_jitter, does_not_delay_start_connect_failures_or_commands)
{
  opts.failover_jitter_ms = 100000;
  make();
  STEP(0, START, "connect(0)");
  STEP(10, REFUSED(0), "connect-failed(0, connection-refused); connect(1)");
  STEP(20, CONNECTED(1), "connected(1, failover); on-failover(1)");
  STEP(30, SWITCH(2), "close(1); disconnected(1, command); connect(2)");
}

/* ======================================================================
 * Quarantine of a primary that fails right after a failback
 * ==================================================================== */

TestSuite(quarantine, .init = setup, .fini = teardown);

static const char *const promoted_from_1 =
  "probe-ok(0, 1); promote-probe(0); server-changed(1->0, failback); connected(0, primary)";

static void
failback_setup(void)
{
  opts.failback = 1;
  opts.probes_required = 1;
  make();
  up_on(1);
}

/* From "connected on 1, probing": probe at the deadline, fail back, stall
 * STALL_AFTER later; the retry is refused and 1 takes over again.  Returns
 * the time of the stall and checks the quarantine length. */
static int64_t
failback_and_stall(int64_t stall_after, int64_t quarantine_ms)
{
  char want[256];
  int64_t t = DEADLINE;

  STEP(t, TIMER, "probe(0)");
  STEP(t + 10, PROBE_OK, promoted_from_1);
  int64_t s = t + 10 + stall_after;
  if (quarantine_ms)
    snprintf(want, sizeof(want), "close(0); disconnected(0, stalled); quarantined(0, until=%lld); connect(0)",
             (long long) (s + quarantine_ms));
  else
    snprintf(want, sizeof(want), "close(0); disconnected(0, stalled); connect(0)");
  STEP(s, STALLED(0), want);
  STEP(s + 10, REFUSED(0), "connect-failed(0, connection-refused); connect(1)");
  STEP(s + 20, CONNECTED(1), "server-changed(0->1, stalled); connected(1, failover); on-failover(1)");
  return s;
}

Test(quarantine, a_stall_soon_after_failback_quarantines_the_primary_from_probing)
{
  failback_setup();
  STEP(60000, TIMER, "probe(0)");
  STEP(60010, PROBE_OK, promoted_from_1);
  STEP(70010, STALLED(0), "close(0); disconnected(0, stalled); quarantined(0, until=370010); connect(0)");
  /* The kernel still accepts: the retry connects, stalls again, and no more retries. */
  STEP(70020, CONNECTED(0), "connected(0, primary)");
  STEP(80020, STALLED(0), "close(0); disconnected(0, stalled); connect(1)");
  STEP(80030, CONNECTED(1), "server-changed(0->1, stalled); connected(1, failover); on-failover(1)");
  ASSERT_DEADLINE(370010);
  cr_assert_eq(status().next_probe_at_ms, 370010);
  cr_assert_eq(server(0)->quarantined_until_ms, 370010);
  cr_assert_eq(server(0)->quarantine_level, 1);
  STEP(370009, TIMER, "");
  STEP(370010, TIMER, "probe(0)");
}

Test(quarantine, grows_by_doubling_up_to_the_maximum)
{
  failback_setup();
  const int64_t lengths[] = { 300000, 600000, 1200000, 2400000, 3600000, 3600000 };
  for (int i = 0; i < 6; i++)
    {
      int64_t s = failback_and_stall(10000, lengths[i]);
      ASSERT_DEADLINE(s + lengths[i]);
      cr_assert_eq(server(0)->quarantine_level, i + 1);
    }
}

Test(quarantine, resets_after_the_primary_stays_healthy_for_the_window)
{
  failback_setup();
  failback_and_stall(10000, 300000);
  failback_and_stall(10000, 600000);
  /* Healthy for the whole window: no quarantine, level forgotten. */
  failback_and_stall(300000, 0);
  cr_assert_eq(server(0)->quarantine_level, 0);
  failback_and_stall(10000, 300000);
}

Test(quarantine, a_reset_connection_after_failback_counts_too)
{
  failback_setup();
  STEP(60000, TIMER, "probe(0)");
  STEP(60010, PROBE_OK, promoted_from_1);
  STEP(61000, CLOSED(0), "disconnected(0, connection-reset); quarantined(0, until=361000); connect(0)");
}

Test(quarantine, only_after_a_failback)
{
  opts.failback = 1;
  make();
  up_on(0);
  STEP(1000, STALLED(0), "close(0); disconnected(0, stalled); connect(0)");
  cr_assert_eq(server(0)->quarantined_until_ms, 0);
}

Test(quarantine, a_window_of_zero_disables_it)
{
  opts.quarantine_window_ms = 0;
  failback_setup();
  int64_t s = failback_and_stall(1000, 0);
  ASSERT_DEADLINE(s + 20 + 60000);
}

/* ======================================================================
 * Blacklist
 * ==================================================================== */

TestSuite(blacklist, .init = setup, .fini = teardown);

Test(blacklist, blacklisting_the_current_server_forces_a_switch)
{
  make();
  up_on(0);
  STEP(100, BLACKLIST(0, 10000), "close(0); disconnected(0, blacklisted); connect(1)");
  STEP(110, CONNECTED(1), "server-changed(0->1, blacklisted); connected(1, failover); on-failover(1)");
  cr_assert(failover_policy_is_blacklisted(policy, 0, 10099));
  cr_assert_not(failover_policy_is_blacklisted(policy, 0, 10100));
  cr_assert_eq(server(0)->blacklisted_until_ms, 10100);
}

Test(blacklist, passes_skip_a_blacklisted_server_until_it_expires)
{
  make();
  STEP(0, BLACKLIST(1, 500), "");
  STEP(0, START, "connect(0)");
  STEP(10, REFUSED(0), "connect-failed(0, connection-refused); connect(2)");
  STEP(20, REFUSED(2), "connect-failed(2, connection-refused)");
  int64_t t = deadline_within(20, 500, 1000);
  STEP(t, TIMER, "connect(0)");
  STEP(t, REFUSED(0), "connect-failed(0, connection-refused); connect(1)");
}

Test(blacklist, unblacklist_makes_the_server_a_candidate_again)
{
  make();
  STEP(0, BLACKLIST(1, 0), "");
  cr_assert_eq(server(1)->blacklisted_until_ms, INT64_MAX);
  STEP(0, START, "connect(0)");
  STEP(10, REFUSED(0), "connect-failed(0, connection-refused); connect(2)");
  STEP(15, UNBLACKLIST(1), "");
  STEP(20, REFUSED(2), "connect-failed(2, connection-refused)");
  int64_t t = DEADLINE;
  STEP(t, TIMER, "connect(0)");
  STEP(t, REFUSED(0), "connect-failed(0, connection-refused); connect(1)");
}

Test(blacklist, blacklisting_the_server_being_tried_continues_the_pass)
{
  make();
  STEP(0, START, "connect(0)");
  STEP(1, REFUSED(0), "connect-failed(0, connection-refused); connect(1)");
  STEP(5, BLACKLIST(1, 1000), "close(1); connect(2)");
  STEP(6, CONNECTED(1), "");
}

Test(blacklist, every_server_blacklisted_blocks_until_the_first_expiry)
{
  opts.n_servers = 2;
  make();
  up_on(0);
  STEP(0, BLACKLIST(1, 5000), "");
  STEP(100, BLACKLIST(0, 3000), "close(0); disconnected(0, blacklisted); all-blacklisted");
  cr_assert_eq(status().state, FAILOVER_STATE_BLOCKED);
  cr_assert_eq(status().current_server, -1);
  ASSERT_DEADLINE(3100);
  STEP(3099, TIMER, "");
  STEP(3100, TIMER, "connect(0)");
  cr_assert_eq(status().failed_passes, 0, "blocking is not a failed pass");
}

Test(blacklist, every_server_blacklisted_for_good_waits_for_unblacklist)
{
  opts.n_servers = 2;
  make();
  STEP(0, START, "connect(0)");
  STEP(10, BLACKLIST(0, 0), "close(0); connect(1)");
  STEP(20, BLACKLIST(1, 0), "close(1); all-blacklisted");
  ASSERT_DEADLINE(NEVER);
  STEP(1000000, TIMER, "");
  STEP(1000001, SWITCH(-1), "command-rejected(-1, no-other-server)");
  STEP(1000002, RESET, "command-rejected(0, blacklisted)");
  STEP(1000003, UNBLACKLIST(1), "connect(1)");
}

Test(blacklist, blacklisting_the_primary_stops_its_probes_until_lifted)
{
  opts.failback = 1;
  make();
  up_on(1);
  STEP(60000, TIMER, "probe(0)");
  STEP(60010, PROBE_OK, "probe-ok(0, 1); cancel-probe(0)");
  STEP(120000, TIMER, "probe(0)");
  STEP(120005, BLACKLIST(0, 0), "cancel-probe(0)");
  cr_assert_eq(status().probe_successes, 0);
  ASSERT_DEADLINE(NEVER);
  STEP(500000, TIMER, "");
  STEP(500000, UNBLACKLIST(0), "");
  /* The probe is overdue: it runs at the next timer. */
  ASSERT_DEADLINE(180000);
  STEP(500001, TIMER, "probe(0)");
}

Test(blacklist, a_timed_blacklist_of_the_primary_delays_its_probes)
{
  opts.failback = 1;
  make();
  up_on(1);
  STEP(10, BLACKLIST(0, 100000), "");
  ASSERT_DEADLINE(100010);
  STEP(100010, TIMER, "probe(0)");
}

Test(blacklist, failback_with_every_failover_server_blacklisted_goes_to_the_primary)
{
  opts.failback = 1;
  make();
  up_on(1);
  STEP(5, BLACKLIST(2, 0), "");
  STEP(10, BLACKLIST(1, 0), "close(1); disconnected(1, blacklisted); connect(0)");
  STEP(20, CONNECTED(0), "server-changed(1->0, blacklisted); connected(0, primary)");
  ASSERT_DEADLINE(NEVER);
}

Test(blacklist, bad_arguments_are_rejected)
{
  make();
  STEP(0, BLACKLIST(7, 0), "command-rejected(7, no-such-server)");
  STEP(0, BLACKLIST(-1, 0), "command-rejected(-1, no-such-server)");
  STEP(0, BLACKLIST(1, -5), "command-rejected(1, invalid-argument)");
  STEP(0, UNBLACKLIST(3), "command-rejected(3, no-such-server)");
  cr_assert_eq(server(1)->blacklisted_until_ms, 0);
}

Test(blacklist, one_server)
{
  opts.n_servers = 1;
  make();
  up_on(0);
  STEP(10, BLACKLIST(0, 1000), "close(0); disconnected(0, blacklisted); all-blacklisted");
  STEP(1010, TIMER, "connect(0)");
  STEP(1020, CONNECTED(0), "connected(0, primary)");
}

/* ======================================================================
 * Commands: switch and reset
 * ==================================================================== */

TestSuite(commands, .init = setup, .fini = teardown);

Test(commands, switch_to_a_given_server)
{
  make();
  up_on(0);
  STEP(10, SWITCH(2), "close(0); disconnected(0, command); connect(2)");
  STEP(20, CONNECTED(2), "server-changed(0->2, command); connected(2, failover); on-failover(2)");
}

Test(commands, switch_to_next_follows_the_list_and_wraps)
{
  make();
  up_on(0);
  STEP(10, SWITCH(-1), "close(0); disconnected(0, command); connect(1)");
  STEP(20, CONNECTED(1), "server-changed(0->1, command); connected(1, failover); on-failover(1)");
  STEP(30, SWITCH(-1), "close(1); disconnected(1, command); connect(2)");
  STEP(40, CONNECTED(2), "server-changed(1->2, command); connected(2, failover); on-failover(2)");
  STEP(50, SWITCH(-1), "close(2); disconnected(2, command); connect(0)");
  STEP(60, CONNECTED(0), "server-changed(2->0, command); connected(0, primary)");
}

Test(commands, switch_to_next_skips_blacklisted_servers)
{
  make();
  up_on(0);
  STEP(5, BLACKLIST(1, 0), "");
  STEP(10, SWITCH(-1), "close(0); disconnected(0, command); connect(2)");
}

Test(commands, switch_to_the_current_server_does_nothing)
{
  make();
  STEP(0, START, "connect(0)");
  STEP(1, SWITCH(0), "");
  STEP(2, REFUSED(0), "connect-failed(0, connection-refused); connect(1)");
  STEP(3, CONNECTED(1), "connected(1, failover); on-failover(1)");
  STEP(4, SWITCH(1), "");
}

Test(commands, switch_rejections)
{
  make();
  up_on(0);
  STEP(1, SWITCH(5), "command-rejected(5, no-such-server)");
  STEP(2, SWITCH(-2), "command-rejected(-2, no-such-server)");
  STEP(3, BLACKLIST(2, 0), "");
  STEP(4, SWITCH(2), "command-rejected(2, blacklisted)");
  STEP(5, BLACKLIST(1, 0), "");
  STEP(6, SWITCH(-1), "command-rejected(-1, no-other-server)");
  cr_assert_eq(status().current_server, 0);
}

Test(commands, a_failing_switch_target_continues_like_a_pass)
{
  make();
  up_on(0);
  STEP(10, SWITCH(1), "close(0); disconnected(0, command); connect(1)");
  STEP(20, REFUSED(1), "connect-failed(1, connection-refused); connect(2)");
  STEP(30, REFUSED(2), "connect-failed(2, connection-refused); connect(0)");
  STEP(40, CONNECTED(0), "connected(0, primary)");
}

Test(commands, failback_switch_target_failing_skips_the_primary)
{
  opts.failback = 1;
  opts.n_servers = 4;
  make();
  up_on(0);
  STEP(10, SWITCH(2), "close(0); disconnected(0, command); connect(2)");
  STEP(20, REFUSED(2), "connect-failed(2, connection-refused); connect(3)");
  STEP(30, REFUSED(3), "connect-failed(3, connection-refused); connect(1)");
  STEP(40, REFUSED(1), "connect-failed(1, connection-refused)");
  STEP(DEADLINE, TIMER, "connect(0)");
}

Test(commands, failback_switch_away_from_the_primary_starts_probes)
{
  opts.failback = 1;
  make();
  up_on(0);
  STEP(10, SWITCH(1), "close(0); disconnected(0, command); connect(1)");
  STEP(20, CONNECTED(1), "server-changed(0->1, command); connected(1, failover); on-failover(1)");
  ASSERT_DEADLINE(60020);
}

Test(commands, switch_while_waiting_connects_at_once)
{
  opts.n_servers = 2;
  make();
  STEP(0, START, "connect(0)");
  STEP(10, REFUSED(0), "connect-failed(0, connection-refused); connect(1)");
  STEP(20, REFUSED(1), "connect-failed(1, connection-refused)");
  STEP(40, SWITCH(1), "connect(1)");
  ASSERT_DEADLINE(5040);
}

Test(commands, reset_goes_back_to_the_primary_now)
{
  opts.failback = 1;
  make();
  up_on(1);
  STEP(60000, TIMER, "probe(0)");
  STEP(60005, RESET, "close(1); disconnected(1, command); cancel-probe(0); connect(0)");
  STEP(60010, CONNECTED(0), "server-changed(1->0, command); connected(0, primary)");
  ASSERT_DEADLINE(NEVER);
}

Test(commands, a_failing_reset_continues_as_after_a_break)
{
  make();
  up_on(2);
  STEP(10, RESET, "close(2); disconnected(2, command); connect(0)");
  STEP(20, REFUSED(0), "connect-failed(0, connection-refused); connect(1)");
  STEP(30, REFUSED(1), "connect-failed(1, connection-refused); connect(2)");
  STEP(40, CONNECTED(2), "connected(2, failover)");
}

Test(commands, reset_on_the_primary_does_nothing)
{
  make();
  up_on(0);
  STEP(10, RESET, "");
}

Test(commands, reset_refused_while_the_primary_is_blacklisted)
{
  make();
  up_on(1);
  STEP(10, BLACKLIST(0, 0), "");
  STEP(20, RESET, "command-rejected(0, blacklisted)");
}

Test(commands, reset_while_waiting_keeps_exhausted_until_a_connection)
{
  opts.n_servers = 2;
  opts.try_count = 1;
  make();
  STEP(0, START, "connect(0)");
  STEP(10, REFUSED(0), "connect-failed(0, connection-refused); connect(1)");
  STEP(20, REFUSED(1), "connect-failed(1, connection-refused); exhausted(1)");
  STEP(50, RESET, "connect(0)");
  cr_assert(status().exhausted);
  STEP(60, CONNECTED(0), "connected(0, primary); recovered(0, 1)");
}

/* ======================================================================
 * Deadlines
 * ==================================================================== */

TestSuite(deadlines, .init = setup, .fini = teardown);

Test(deadlines, the_earliest_of_connect_and_probe_timeouts)
{
  opts.failback = 1;
  make();
  up_on(1);
  STEP(60000, TIMER, "probe(0)");
  STEP(61000, CLOSED(1), "disconnected(1, connection-reset); connect(1)");
  ASSERT_DEADLINE(65000);
  STEP(62000, PROBE_FAILED(FAILOVER_REASON_REFUSED), "probe-failed(0, connection-refused)");
  ASSERT_DEADLINE(66000);
  STEP(63000, CONNECTED(1), "connected(1, failover)");
  ASSERT_DEADLINE(120000);
}

Test(deadlines, connect_timeout_and_probe_timeout_fire_in_one_timer)
{
  opts.failback = 1;
  opts.connect_timeout_ms = 5000;
  make();
  up_on(1);
  STEP(60000, TIMER, "probe(0)");
  STEP(60000, CLOSED(1), "disconnected(1, connection-reset); connect(1)");
  ASSERT_DEADLINE(65000);
  STEP(65000, TIMER,
       "cancel-probe(0); probe-failed(0, timeout); close(1); connect-failed(1, timeout); connect(2)");
  ASSERT_DEADLINE(70000);
}

Test(deadlines, none_when_idle_or_connected_in_round_robin)
{
  make();
  ASSERT_DEADLINE(NEVER);
  up_on(0);
  ASSERT_DEADLINE(NEVER);
  cr_assert_eq(status().next_deadline_ms, NEVER);
}

/* ======================================================================
 * Status, names, API edges
 * ==================================================================== */

TestSuite(status, .init = setup, .fini = teardown);

Test(status, reports_state_role_and_per_server_counters)
{
  opts.failback = 1;
  make();
  STEP(0, START, "connect(0)");
  struct failover_status st = status();
  cr_assert_eq(st.state, FAILOVER_STATE_CONNECTING);
  cr_assert_eq(st.current_server, 0);
  cr_assert_eq(st.role, FAILOVER_ROLE_PRIMARY);
  cr_assert_eq(st.last_connected_server, -1);
  cr_assert_eq(st.pass_attempts, 1);
  cr_assert_eq(st.next_deadline_ms, 5000);
  STEP(7, CONNECT_FAILED(0, FAILOVER_REASON_RESOLVE_FAILED), "connect-failed(0, resolve-failed); connect(1)");
  STEP(8, CONNECTED(1), "connected(1, failover); on-failover(1)");
  st = status();
  cr_assert_eq(st.state, FAILOVER_STATE_CONNECTED);
  cr_assert_eq(st.role, FAILOVER_ROLE_FAILOVER);
  cr_assert_eq(st.last_connected_server, 1);
  cr_assert_eq(st.connected_since_ms, 8);
  cr_assert(st.probing);
  cr_assert_not(st.probe_in_flight);
  cr_assert_eq(st.next_probe_at_ms, 60008);
  cr_assert_eq(server(0)->connect_failures, 1);
  cr_assert_eq(server(0)->last_error, FAILOVER_REASON_RESOLVE_FAILED);
  cr_assert_eq(server(0)->last_error_at_ms, 7);
  cr_assert_eq(server(1)->connects, 1);
  cr_assert_eq(server(1)->connected_since_ms, 8);
  cr_assert_eq(server(2)->connects, 0);
  cr_assert_null(server(3));
  cr_assert_null(server(-1));
  cr_assert_eq(failover_policy_n_servers(policy), 3);
  STEP(60008, TIMER, "probe(0)");
  cr_assert(status().probe_in_flight);
  STEP(60009, STALLED(1), "close(1); disconnected(1, stalled); connect(1)");
  cr_assert_eq(server(1)->connected_since_ms, -1);
  cr_assert_eq(server(1)->disconnects, 1);
  cr_assert_eq(failover_policy_state(policy), FAILOVER_STATE_CONNECTING);
}

Test(status, names)
{
  cr_assert_str_eq(failover_state_name(FAILOVER_STATE_IDLE), "idle");
  cr_assert_str_eq(failover_state_name(FAILOVER_STATE_CONNECTING), "connecting");
  cr_assert_str_eq(failover_state_name(FAILOVER_STATE_CONNECTED), "connected");
  cr_assert_str_eq(failover_state_name(FAILOVER_STATE_WAITING), "waiting");
  cr_assert_str_eq(failover_state_name(FAILOVER_STATE_BLOCKED), "blocked");
  cr_assert_str_eq(failover_role_name(FAILOVER_ROLE_PRIMARY), "primary");
  cr_assert_str_eq(failover_role_name(FAILOVER_ROLE_FAILOVER), "failover");
  cr_assert_str_eq(failover_reason_name(FAILOVER_REASON_REFUSED), "connection-refused");
  cr_assert_str_eq(failover_reason_name((enum failover_reason) 999), "unknown");
  cr_assert_str_eq(failover_event_type_name(FAILOVER_EVENT_PROBE_OK), "probe-ok");
  cr_assert_str_eq(failover_action_type_name(FAILOVER_ACTION_PROMOTE_PROBE), "promote-probe");

  /* Every reason has its own name, fit for a key=value log tag. */
  for (int i = 0; i < FAILOVER_REASON_COUNT_; i++)
    {
      const char *a = failover_reason_name((enum failover_reason) i);
      cr_assert_str_neq(a, "unknown", "reason %d", i);
      cr_assert_null(strpbrk(a, " =\""), "reason %s", a);
      for (int j = 0; j < i; j++)
        cr_assert_str_neq(a, failover_reason_name((enum failover_reason) j));
    }
}

Test(status, action_format_covers_every_emit)
{
  struct failover_action a = { .type = FAILOVER_ACTION_EMIT, .server = 2, .from = 1,
                               .reason = FAILOVER_REASON_STALLED, .role = FAILOVER_ROLE_FAILOVER,
                               .count = 4, .until_ms = 99 };
  char buf[128];
  const struct
  {
    enum failover_emit emit;
    const char *text;
  } cases[] = {
    { FAILOVER_EMIT_CONNECT_FAILED, "connect-failed(2, stalled)" },
    { FAILOVER_EMIT_DISCONNECTED, "disconnected(2, stalled)" },
    { FAILOVER_EMIT_SERVER_CHANGED, "server-changed(1->2, stalled)" },
    { FAILOVER_EMIT_CONNECTED, "connected(2, failover)" },
    { FAILOVER_EMIT_ON_FAILOVER, "on-failover(2)" },
    { FAILOVER_EMIT_EXHAUSTED, "exhausted(4)" },
    { FAILOVER_EMIT_RECOVERED, "recovered(2, 4)" },
    { FAILOVER_EMIT_PROBE_OK, "probe-ok(2, 4)" },
    { FAILOVER_EMIT_PROBE_FAILED, "probe-failed(2, stalled)" },
    { FAILOVER_EMIT_QUARANTINED, "quarantined(2, until=99)" },
    { FAILOVER_EMIT_ALL_BLACKLISTED, "all-blacklisted" },
    { FAILOVER_EMIT_COMMAND_REJECTED, "command-rejected(2, stalled)" },
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    {
      a.emit = cases[i].emit;
      cr_assert_str_eq(failover_action_format(&a, buf, sizeof(buf)), cases[i].text);
      cr_assert_str_neq(failover_emit_name(cases[i].emit), "unknown");
    }
  a.type = FAILOVER_ACTION_CANCEL_PROBE;
  a.server = 0;
  cr_assert_str_eq(failover_action_format(&a, buf, sizeof(buf)), "cancel-probe(0)");

  struct failover_action two[2] = { { .type = FAILOVER_ACTION_CLOSE, .server = 1 },
                                    { .type = FAILOVER_ACTION_CONNECT, .server = 2 } };
  cr_assert_str_eq(failover_actions_format(two, 2, buf, sizeof(buf)), "close(1); connect(2)");
  cr_assert_str_eq(failover_actions_format(two, 2, buf, 5), "clos");
  cr_assert_str_eq(failover_actions_format(two, 0, buf, sizeof(buf)), "");
}

TestSuite(api, .init = setup, .fini = teardown);

Test(api, defaults)
{
  struct failover_policy_options o;
  failover_policy_options_defaults(&o);
  cr_assert_eq(o.n_servers, 1);
  cr_assert_eq(o.failback, 0);
  cr_assert_eq(o.time_reopen_ms, 1000);
  cr_assert_eq(o.reconnect_backoff_max_ms, 60000);
  cr_assert_eq(o.failover_jitter_ms, 0);
  cr_assert_eq(o.retries_per_server, 1);
  cr_assert_eq(o.try_count, 0);
  cr_assert_eq(o.on_exhausted_drop, 0);
  cr_assert_eq(o.probe_interval_ms, 60000);
  cr_assert_eq(o.probe_timeout_ms, 5000);
  cr_assert_eq(o.probes_required, 3);
  cr_assert_eq(o.connect_timeout_ms, 5000);
  cr_assert_eq(o.quarantine_window_ms, 300000);
  cr_assert_eq(o.quarantine_base_ms, 300000);
  cr_assert_eq(o.quarantine_max_ms, 3600000);
  cr_assert_null(failover_policy_options_check(&o));
}

Test(api, every_bad_option_is_refused)
{
  struct failover_policy_options o;
#define BAD(field, value)                                                        \
  do {                                                                           \
    failover_policy_options_defaults(&o);                                        \
    o.field = (value);                                                           \
    const char *msg_ = failover_policy_options_check(&o);                        \
    cr_assert_not_null(msg_, #field " = " #value " accepted");                   \
    cr_assert_not_null(strstr(msg_, #field), "message names " #field ": %s", msg_); \
    cr_assert_null(failover_policy_new(&o));                                     \
  } while (0)
  BAD(n_servers, 0);
  BAD(n_servers, FAILOVER_SERVERS_MAX + 1);
  BAD(time_reopen_ms, 0);
  BAD(reconnect_backoff_max_ms, -1);
  BAD(failover_jitter_ms, -1);
  BAD(retries_per_server, -1);
  BAD(try_count, -1);
  BAD(probe_interval_ms, 0);
  BAD(probe_timeout_ms, 0);
  BAD(probes_required, 0);
  BAD(connect_timeout_ms, 0);
  BAD(quarantine_window_ms, -1);
  BAD(quarantine_base_ms, 0);
  BAD(quarantine_max_ms, 0);
#undef BAD
  cr_assert_not_null(failover_policy_options_check(NULL));
  cr_assert_null(failover_policy_new(NULL));
}

Test(api, handle_refuses_a_short_array_and_null_arguments)
{
  make();
  struct failover_action out[FAILOVER_ACTIONS_MAX];
  struct failover_event start = START;
  cr_assert_eq(failover_policy_handle(policy, &start, 0, out, FAILOVER_ACTIONS_MAX - 1), 0);
  cr_assert_eq(failover_policy_handle(policy, NULL, 0, out, FAILOVER_ACTIONS_MAX), 0);
  cr_assert_eq(failover_policy_handle(policy, &start, 0, NULL, FAILOVER_ACTIONS_MAX), 0);
  cr_assert_eq(failover_policy_handle(NULL, &start, 0, out, FAILOVER_ACTIONS_MAX), 0);
  cr_assert_eq(status().state, FAILOVER_STATE_IDLE, "nothing happened");
  STEP(0, START, "connect(0)");
}

Test(api, free_accepts_null)
{
  failover_policy_free(NULL);
}

Test(api, stale_events_are_ignored)
{
  make();
  STEP(0, START, "connect(0)");
  STEP(1, CONNECTED(1), "");
  STEP(2, REFUSED(2), "");
  STEP(3, STALLED(0), "");
  STEP(4, PROBE_OK, "");
  STEP(5, PROBE_FAILED(FAILOVER_REASON_REFUSED), "");
  STEP(6, CONNECTED(0), "connected(0, primary)");
  STEP(7, CLOSED(1), "");
  STEP(8, REFUSED(0), "");
  STEP(9, CONNECTED(0), "");
  STEP(10, CONNECTED(99), "");
  STEP(11, CLOSED(-1), "");
  struct failover_event bogus = ev((enum failover_event_type) 77, 0, FAILOVER_REASON_NONE, 0);
  STEP(12, bogus, "");
  cr_assert_eq(status().current_server, 0);
}

/* ======================================================================
 * A table-driven replay: the story in failback mode
 * ==================================================================== */

#define AT_DEADLINE (-1)

struct replay_step
{
  int64_t at; /* AT_DEADLINE: at failover_policy_next_deadline() */
  struct failover_event event;
  const char *want;
};

static void
replay(const struct replay_step *steps, size_t n)
{
  int64_t now = 0;
  for (size_t i = 0; i < n; i++)
    {
      now = steps[i].at == AT_DEADLINE ? DEADLINE : steps[i].at;
      const char *got = feed(now, steps[i].event);
      cr_assert_str_eq(got, steps[i].want, "step %zu at t=%lld (%s):\n   got [%s]\n  want [%s]", i,
                       (long long) now, failover_event_type_name(steps[i].event.type), got, steps[i].want);
    }
}

TestSuite(replay, .init = setup, .fini = teardown);

/* network("primary" failover(servers("backup1" "backup2") failback(tcp-probe-interval(60)
 * successful-probes-required(3)))): the primary dies mid-stream and backup1 takes over;
 * backup1 dies and backup2 times out, so that failover pass fails and the next pass
 * starts with the primary (still down) and lands on backup2; the primary comes back and
 * is failed back to after three consecutive probes, one failing first. */
Test(replay, primary_dies_backups_take_over_and_failback_after_three_probes)
{
  opts.failback = 1;
  make();
  const struct replay_step story[] = {
    { 0, START, "connect(0)" },
    { 20, CONNECTED(0), "connected(0, primary)" },
    { 100000, CLOSED(0), "disconnected(0, connection-reset); connect(0)" },
    { 100001, REFUSED(0), "connect-failed(0, connection-refused); connect(1)" },
    { 100010, CONNECTED(1), "server-changed(0->1, connection-reset); connected(1, failover); on-failover(1)" },
    { 130000, CLOSED_BY(1, FAILOVER_REASON_CLOSED_BY_PEER), "disconnected(1, closed-by-peer); connect(1)" },
    { 130001, REFUSED(1), "connect-failed(1, connection-refused); connect(2)" },
    { AT_DEADLINE, TIMER, "close(2); connect-failed(2, timeout)" }, /* 135001: the pass failed */
    { AT_DEADLINE, TIMER, "connect(0)" },                           /* nothing connected: primary first */
    { 137000, REFUSED(0), "connect-failed(0, connection-refused); connect(1)" },
    { 137001, REFUSED(1), "connect-failed(1, connection-refused); connect(2)" },
    { 137002, CONNECTED(2), "server-changed(1->2, closed-by-peer); connected(2, failover); on-failover(2)" },
    { AT_DEADLINE, TIMER, "probe(0)" }, /* 197002 */
    { 197003, PROBE_FAILED(FAILOVER_REASON_REFUSED), "probe-failed(0, connection-refused)" },
    { AT_DEADLINE, TIMER, "probe(0)" }, /* 257002 */
    { 257010, PROBE_OK, "probe-ok(0, 1); cancel-probe(0)" },
    { AT_DEADLINE, TIMER, "probe(0)" },
    { 317010, PROBE_OK, "probe-ok(0, 2); cancel-probe(0)" },
    { AT_DEADLINE, TIMER, "probe(0)" },
    { 377010, PROBE_OK, "probe-ok(0, 3); promote-probe(0); server-changed(2->0, failback); connected(0, primary)" },
    { 400000, TIMER, "" },
  };
  replay(story, sizeof(story) / sizeof(story[0]));
  cr_assert_eq(DEADLINE, NEVER);
  cr_assert_eq(server(0)->connects, 2);
  cr_assert_eq(server(1)->connects, 1);
  cr_assert_eq(server(2)->connects, 1);
  cr_assert_eq(server(2)->connect_failures, 1);
  cr_assert_eq(server(0)->probes_ok, 3);
  cr_assert_eq(server(0)->probes_failed, 1);
}

/* Round-robin, everything down at start, then backup2 answers: passes with growing
 * waits, exhaustion after try-count(2), recovery. */
Test(replay, all_down_then_one_answers_with_try_count)
{
  opts.try_count = 2;
  make();
  const struct replay_step story[] = {
    { 0, START, "connect(0)" },
    { 1, REFUSED(0), "connect-failed(0, connection-refused); connect(1)" },
    { 2, CONNECT_FAILED(1, FAILOVER_REASON_RESOLVE_FAILED), "connect-failed(1, resolve-failed); connect(2)" },
    { 3, CONNECT_FAILED(2, FAILOVER_REASON_UNREACHABLE), "connect-failed(2, unreachable)" },
    { AT_DEADLINE, TIMER, "connect(0)" },
    { AT_DEADLINE, TIMER, "close(0); connect-failed(0, timeout); connect(1)" },
    { AT_DEADLINE, TIMER, "close(1); connect-failed(1, timeout); connect(2)" },
    { AT_DEADLINE, TIMER, "close(2); connect-failed(2, timeout); exhausted(2)" },
    { AT_DEADLINE, TIMER, "connect(0)" },
    { AT_DEADLINE, TIMER, "close(0); connect-failed(0, timeout); connect(1)" },
    { AT_DEADLINE, TIMER, "close(1); connect-failed(1, timeout); connect(2)" },
  };
  replay(story, sizeof(story) / sizeof(story[0]));
  cr_assert(status().exhausted);
  STEP(DEADLINE - 1, CONNECTED(2), "connected(2, failover); recovered(2, 2); on-failover(2)");
}

/* ======================================================================
 * Random event streams against a model of the shell
 * ==================================================================== */

enum slot
{
  SLOT_NONE,
  SLOT_CONNECTING,
  SLOT_CONNECTED,
};

/* How often each action type and emit kind was seen over the whole run. */
static unsigned fuzz_actions[FAILOVER_ACTION_EMIT + 1];
static unsigned fuzz_emits[FAILOVER_EMIT_COMMAND_REJECTED + 1];

struct shell
{
  enum slot live;
  int live_server;
  int probe; /* 0 none, 1 in flight, 2 handshake done, waiting for the policy's answer */
  int exhausted_emits;
};

/* Executes ACTIONS on the model, checking each is legal at that point. */
static void
shell_apply(struct shell *sh, const struct failover_action *a, size_t n, enum failover_event_type cause,
            uint64_t seed, int step)
{
  for (size_t i = 0; i < n; i++)
    {
      fuzz_actions[a[i].type]++;
      if (a[i].type == FAILOVER_ACTION_EMIT)
        fuzz_emits[a[i].emit]++;
      switch (a[i].type)
        {
        case FAILOVER_ACTION_CONNECT:
          cr_assert_eq(sh->live, SLOT_NONE, "seed %llu step %d: connect over a live slot",
                       (unsigned long long) seed, step);
          cr_assert(a[i].server >= 0 && a[i].server < (int) opts.n_servers);
          sh->live = SLOT_CONNECTING;
          sh->live_server = a[i].server;
          break;
        case FAILOVER_ACTION_CLOSE:
          cr_assert(sh->live != SLOT_NONE && sh->live_server == a[i].server,
                    "seed %llu step %d: close of a connection the shell does not hold",
                    (unsigned long long) seed, step);
          if (sh->live == SLOT_CONNECTED)
            cr_assert(cause == FAILOVER_EVENT_STALLED || cause == FAILOVER_EVENT_SWITCH
                      || cause == FAILOVER_EVENT_RESET || cause == FAILOVER_EVENT_BLACKLIST,
                      "seed %llu step %d: a working connection closed on %s", (unsigned long long) seed,
                      step, failover_event_type_name(cause));
          sh->live = SLOT_NONE;
          break;
        case FAILOVER_ACTION_PROBE:
          cr_assert(opts.failback && opts.n_servers > 1, "probes only in failback mode");
          cr_assert_eq(sh->probe, 0, "seed %llu step %d: a second probe", (unsigned long long) seed, step);
          cr_assert_eq(a[i].server, 0);
          sh->probe = 1;
          break;
        case FAILOVER_ACTION_CANCEL_PROBE:
          cr_assert_neq(sh->probe, 0, "seed %llu step %d: cancel without a probe", (unsigned long long) seed, step);
          sh->probe = 0;
          break;
        case FAILOVER_ACTION_PROMOTE_PROBE:
          cr_assert_eq(sh->probe, 2, "promote needs a completed probe");
          cr_assert_neq(sh->live, SLOT_CONNECTING, "an attempt in flight is closed first");
          sh->live = SLOT_CONNECTED;
          sh->live_server = 0;
          sh->probe = 0;
          break;
        case FAILOVER_ACTION_EMIT:
          if (a[i].emit == FAILOVER_EMIT_EXHAUSTED)
            {
              cr_assert_gt(opts.try_count, 0);
              cr_assert_eq(sh->exhausted_emits, 0, "exhausted is emitted once");
              sh->exhausted_emits++;
            }
          if (a[i].emit == FAILOVER_EMIT_CONNECTED)
            sh->exhausted_emits = 0;
          break;
        default:
          cr_assert_fail("unknown action %d", (int) a[i].type);
        }
    }
}

static const enum failover_reason fuzz_reasons[] = {
  FAILOVER_REASON_REFUSED, FAILOVER_REASON_TIMEOUT, FAILOVER_REASON_RESET, FAILOVER_REASON_CLOSED_BY_PEER,
  FAILOVER_REASON_RESOLVE_FAILED, FAILOVER_REASON_TLS_REJECTED, FAILOVER_REASON_UNREACHABLE,
};

static uint64_t
rnd(uint64_t *state, uint64_t bound)
{
  *state ^= *state << 13;
  *state ^= *state >> 7;
  *state ^= *state << 17;
  return *state % bound;
}

TestSuite(fuzz, .init = setup, .fini = teardown);

Test(fuzz, random_event_streams_keep_the_shell_contract_and_invariants)
{
  size_t most = 0;

  for (uint64_t seed = 1; seed <= 600; seed++)
    {
      uint64_t r = seed * 0x9e3779b97f4a7c15ULL;
      failover_policy_options_defaults(&opts);
      opts.seed = seed;
      opts.n_servers = 1 + rnd(&r, 4);
      opts.failback = (int) rnd(&r, 2);
      opts.retries_per_server = (int) rnd(&r, 3);
      opts.try_count = (int) rnd(&r, 3);
      opts.on_exhausted_drop = (int) rnd(&r, 2);
      opts.failover_jitter_ms = rnd(&r, 2) ? 3000 : 0;
      opts.probes_required = 1 + (int) rnd(&r, 3);
      opts.probe_interval_ms = 1000 + (int64_t) rnd(&r, 60000);
      opts.quarantine_window_ms = (int64_t) rnd(&r, 2) * 20000;
      opts.quarantine_base_ms = 10000;
      opts.quarantine_max_ms = 40000;
      make();

      struct shell sh = { SLOT_NONE, -1, 0, 0 };
      int64_t now = 0;
      struct failover_event e = START;

      for (int step = 0; step < 400; step++)
        {
          struct failover_action out[FAILOVER_ACTIONS_MAX];
          int64_t before = DEADLINE;

          /* The shell's side of the event. */
          if (e.type == FAILOVER_EVENT_CONNECTED)
            sh.live = SLOT_CONNECTED;
          else if (e.type == FAILOVER_EVENT_CONNECT_FAILED || e.type == FAILOVER_EVENT_CLOSED)
            sh.live = SLOT_NONE;
          else if (e.type == FAILOVER_EVENT_PROBE_OK)
            sh.probe = 2;
          else if (e.type == FAILOVER_EVENT_PROBE_FAILED)
            sh.probe = 0;

          size_t n = failover_policy_handle(policy, &e, now, out, FAILOVER_ACTIONS_MAX);
          most = n > most ? n : most;
          cr_assert_leq(n, ACTIONS_BOUND, "seed %llu step %d: %zu actions", (unsigned long long) seed, step, n);
          shell_apply(&sh, out, n, e.type, seed, step);

          struct failover_status st = status();
          cr_assert_neq(sh.probe, 2, "seed %llu step %d: a completed probe left unanswered",
                        (unsigned long long) seed, step);
          cr_assert_eq(st.probe_in_flight, sh.probe == 1, "seed %llu step %d after %s: policy probe %d, shell %d",
                       (unsigned long long) seed, step, failover_event_type_name(e.type), st.probe_in_flight,
                       sh.probe);
          if (st.state == FAILOVER_STATE_CONNECTING)
            cr_assert(sh.live == SLOT_CONNECTING && sh.live_server == st.current_server);
          else if (st.state == FAILOVER_STATE_CONNECTED)
            {
              cr_assert(sh.live == SLOT_CONNECTED && sh.live_server == st.current_server,
                        "seed %llu step %d: policy connected on %d, shell %d/%d", (unsigned long long) seed,
                        step, st.current_server, (int) sh.live, sh.live_server);
              cr_assert_not(failover_policy_is_blacklisted(policy, st.current_server, now));
            }
          else if (st.state != FAILOVER_STATE_IDLE)
            cr_assert_eq(sh.live, SLOT_NONE, "seed %llu step %d: state %s with a live slot",
                         (unsigned long long) seed, step, failover_state_name(st.state));
          if (e.type == FAILOVER_EVENT_TIMER && now >= before)
            cr_assert_gt(DEADLINE, now, "seed %llu step %d: the timer made no progress", (unsigned long long) seed, step);
          if (st.exhausted)
            cr_assert(opts.try_count > 0 && st.state != FAILOVER_STATE_CONNECTED);
          cr_assert_eq(failover_policy_accepts_messages(policy), !(st.exhausted && opts.on_exhausted_drop));
          if (!opts.failback)
            cr_assert_not(st.probing);

          /* The next event. */
          now += (int64_t) rnd(&r, 3000);
          int server = (int) rnd(&r, opts.n_servers);
          enum failover_reason reason = fuzz_reasons[rnd(&r, sizeof(fuzz_reasons) / sizeof(fuzz_reasons[0]))];
          uint64_t pick = rnd(&r, 100);
          if (sh.live == SLOT_CONNECTING && pick < 30)
            e = pick < 15 ? CONNECTED(sh.live_server) : CONNECT_FAILED(sh.live_server, reason);
          else if (sh.live == SLOT_CONNECTED && pick < 12)
            e = pick < 8 ? CLOSED_BY(sh.live_server, reason) : STALLED(sh.live_server);
          else if (sh.probe == 1 && pick < 45)
            e = pick < 38 ? PROBE_OK : PROBE_FAILED(reason);
          else if (pick < 80)
            {
              e = TIMER;
              if (DEADLINE != NEVER && DEADLINE > now)
                now = DEADLINE;
            }
          else if (pick < 84)
            e = SWITCH(rnd(&r, 4) ? server : -1);
          else if (pick < 87)
            e = BLACKLIST(server, (int64_t) rnd(&r, 3) * 5000);
          else if (pick < 91)
            e = UNBLACKLIST(server);
          else if (pick < 93)
            e = RESET;
          else if (pick < 96)
            e = (struct failover_event) { .type = (enum failover_event_type) (1 + rnd(&r, 8)),
                                          .server = (int) rnd(&r, 6) - 1, .reason = reason };
          else
            e = TIMER;
          if (e.type == FAILOVER_EVENT_START)
            e = TIMER;
          /* A stale event must not contradict the shell model: keep only harmless ones. */
          if ((e.type == FAILOVER_EVENT_CONNECTED || e.type == FAILOVER_EVENT_CONNECT_FAILED)
              && !(sh.live == SLOT_CONNECTING && sh.live_server == e.server))
            e = TIMER;
          if ((e.type == FAILOVER_EVENT_CLOSED || e.type == FAILOVER_EVENT_STALLED)
              && !(sh.live == SLOT_CONNECTED && sh.live_server == e.server))
            e = TIMER;
          if ((e.type == FAILOVER_EVENT_PROBE_OK || e.type == FAILOVER_EVENT_PROBE_FAILED)
              && (sh.probe != 1 || e.server != 0))
            e = TIMER;
        }
      /* Freeing with a live slot is the shell's business; the policy holds no I/O. */
    }
  cr_log_info("most actions from one event: %zu", most);
  for (int t = FAILOVER_ACTION_CONNECT; t <= FAILOVER_ACTION_EMIT; t++)
    cr_assert_gt(fuzz_actions[t], 0, "the run never produced %s", failover_action_type_name(t));
  for (int k = FAILOVER_EMIT_CONNECT_FAILED; k <= FAILOVER_EMIT_COMMAND_REJECTED; k++)
    cr_assert_gt(fuzz_emits[k], 0, "the run never emitted %s", failover_emit_name(k));
}
