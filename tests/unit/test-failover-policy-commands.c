/*
 * The failover policy's operator commands: blacklist/unblacklist, switch
 * and reset.  The fixture (fake clock, STEP) is in failover-policy-fixture.h.
 */
#include "failover-policy-fixture.h"

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
