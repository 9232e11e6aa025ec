/* One server's blacklist, quarantine and counters. */
#include <criterion/criterion.h>

#include "core/server-state.h"

Test(server_state, starts_clean)
{
  struct server_state s;
  server_state_init(&s);
  cr_assert_eq(s.connects, 0);
  cr_assert_eq(s.last_error, FAILOVER_REASON_NONE);
  cr_assert_eq(s.connected_since_ms, -1);
  cr_assert_not(server_state_is_blacklisted(&s, 0));
  cr_assert_eq(server_state_probe_blocked_until(&s), 0);
}

Test(server_state, timed_blacklist_expires_at_its_end)
{
  struct server_state s;
  server_state_init(&s);
  server_state_blacklist(&s, 1000, 500);
  cr_assert(server_state_is_blacklisted(&s, 1000));
  cr_assert(server_state_is_blacklisted(&s, 1499));
  cr_assert_not(server_state_is_blacklisted(&s, 1500));
  cr_assert_eq(server_state_probe_blocked_until(&s), 1500);
}

Test(server_state, blacklist_until_lifted)
{
  struct server_state s;
  server_state_init(&s);
  server_state_blacklist(&s, 1000, 0);
  cr_assert(server_state_is_blacklisted(&s, INT64_MAX - 1));
  cr_assert_eq(server_state_probe_blocked_until(&s), INT64_MAX);
  server_state_unblacklist(&s);
  cr_assert_not(server_state_is_blacklisted(&s, 1001));
  server_state_blacklist(&s, INT64_MAX - 10, 100);
  cr_assert_eq(s.blacklisted_until_ms, INT64_MAX, "saturates");
}

Test(server_state, quarantine_doubles_up_to_max_and_forgiveness_resets_it)
{
  struct server_state s;
  server_state_init(&s);
  cr_assert_eq(server_state_quarantine(&s, 0, 300, 1000), 300);
  cr_assert_eq(server_state_quarantine(&s, 0, 300, 1000), 600);
  cr_assert_eq(server_state_quarantine(&s, 0, 300, 1000), 1000);
  cr_assert_eq(server_state_quarantine(&s, 0, 300, 1000), 1000);
  cr_assert_eq(s.quarantine_level, 4);
  cr_assert_eq(server_state_probe_blocked_until(&s), 1000);
  server_state_forgive(&s);
  cr_assert_eq(server_state_quarantine(&s, 5000, 300, 1000), 5300);
  for (int i = 0; i < 200; i++)
    cr_assert_leq(server_state_quarantine(&s, 0, 300, 1000), 1000, "no overflow at high levels");
  cr_assert_eq(server_state_quarantine(&s, 0, 5000, 1000), 1000, "a base above the max is capped");
}

Test(server_state, probe_block_is_the_later_of_blacklist_and_quarantine)
{
  struct server_state s;
  server_state_init(&s);
  server_state_quarantine(&s, 0, 2000, 10000);
  server_state_blacklist(&s, 0, 1000);
  cr_assert_eq(server_state_probe_blocked_until(&s), 2000);
  server_state_blacklist(&s, 0, 3000);
  cr_assert_eq(server_state_probe_blocked_until(&s), 3000);
}

Test(server_state, errors_and_time_add)
{
  struct server_state s;
  server_state_init(&s);
  server_state_note_error(&s, FAILOVER_REASON_TLS_REJECTED, 77);
  cr_assert_eq(s.last_error, FAILOVER_REASON_TLS_REJECTED);
  cr_assert_eq(s.last_error_at_ms, 77);
  cr_assert_eq(server_state_time_add(INT64_MAX - 1, 5), INT64_MAX);
  cr_assert_eq(server_state_time_add(10, 5), 15);
  cr_assert_eq(server_state_time_add(10, 0), 10);
}
