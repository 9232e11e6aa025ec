/*
 * The failover policy's timers: the connect timeout, pass backoff with
 * jitter, try-count and EXHAUSTED, failover jitter, and which deadline the
 * policy asks for.  The fixture (fake clock, STEP) is in
 * failover-policy-fixture.h.
 */
#include "failover-policy-fixture.h"

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
