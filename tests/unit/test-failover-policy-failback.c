/*
 * The failover policy in failback mode: wrap rules, probes of the primary,
 * promotion, and the quarantine of a primary that fails right after a
 * failback.  The fixture (fake clock, STEP) is in failover-policy-fixture.h.
 */
#include "failover-policy-fixture.h"

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
 * STALL_AFTER later; no retry of a stalled server, 1 takes over again.
 * Returns the time of the stall and checks the quarantine length. */
static int64_t
failback_and_stall(int64_t stall_after, int64_t quarantine_ms)
{
  char want[256];
  int64_t t = DEADLINE;

  STEP(t, TIMER, "probe(0)");
  STEP(t + 10, PROBE_OK, promoted_from_1);
  int64_t s = t + 10 + stall_after;
  if (quarantine_ms)
    snprintf(want, sizeof(want), "close(0); disconnected(0, stalled); quarantined(0, until=%lld); connect(1)",
             (long long) (s + quarantine_ms));
  else
    snprintf(want, sizeof(want), "close(0); disconnected(0, stalled); connect(1)");
  STEP(s, STALLED(0), want);
  STEP(s + 10, CONNECTED(1), "server-changed(0->1, stalled); connected(1, failover); on-failover(1)");
  return s;
}

Test(quarantine, a_stall_soon_after_failback_quarantines_the_primary_from_probing)
{
  failback_setup();
  STEP(60000, TIMER, "probe(0)");
  STEP(60010, PROBE_OK, promoted_from_1);
  /* The kernel still accepts connections: no retry of a stalled server. */
  STEP(70010, STALLED(0), "close(0); disconnected(0, stalled); quarantined(0, until=370010); connect(1)");
  STEP(70020, CONNECTED(1), "server-changed(0->1, stalled); connected(1, failover); on-failover(1)");
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
  STEP(1000, STALLED(0), "close(0); disconnected(0, stalled); connect(1)");
  cr_assert_eq(server(0)->quarantined_until_ms, 0);
}

Test(quarantine, a_window_of_zero_disables_it)
{
  opts.quarantine_window_ms = 0;
  failback_setup();
  int64_t s = failback_and_stall(1000, 0);
  ASSERT_DEADLINE(s + 10 + 60000); /* connected on 1 at s + 10 */
}
