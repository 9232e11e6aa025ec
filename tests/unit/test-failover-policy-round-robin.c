/*
 * The failover policy's connection cycle in round-robin mode: the start
 * pass, moving along the list after a break, and retries per server.
 * The fixture (fake clock, STEP) is in failover-policy-fixture.h.
 */
#include "failover-policy-fixture.h"

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

/* A stalled server's kernel still accepts connections: a retry would only
 * connect, stall again and double the time to fail over. */
Test(round_robin, a_stall_closes_the_connection_and_moves_on_without_a_retry)
{
  make();
  up_on(1);
  STEP(20000, STALLED(1), "close(1); disconnected(1, stalled); connect(2)");
  STEP(20010, CONNECTED(2), "server-changed(1->2, stalled); connected(2, failover); on-failover(2)");
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
