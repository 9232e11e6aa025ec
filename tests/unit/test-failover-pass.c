/* The walk of one pass: order, wrap rules, retries, eligibility. */
#include <criterion/criterion.h>

#include "core/failover-pass.h"

#include <stdio.h>
#include <string.h>

static int blacklisted[8];

static int
_eligible(void *cookie, int server)
{
  (void) cookie;
  return !blacklisted[server];
}

/* The whole pass as "0 1 2", retries marked "r". */
static const char *
walk(struct failover_pass *pass)
{
  static char buf[128];
  size_t used = 0;
  int server, retry;

  buf[0] = '\0';
  while ((server = failover_pass_next(pass, _eligible, NULL, &retry)) >= 0)
    used += (size_t) snprintf(buf + used, sizeof(buf) - used, "%s%d%s", used ? " " : "", server,
                              retry ? "r" : "");
  return buf;
}

static void
clear(void)
{
  memset(blacklisted, 0, sizeof(blacklisted));
}

TestSuite(failover_pass, .init = clear);

Test(failover_pass, fresh_pass_from_primary_in_list_order)
{
  struct failover_pass p;
  failover_pass_begin(&p, 3, 0, 0);
  cr_assert_str_eq(walk(&p), "0 1 2");
  cr_assert_eq(p.attempts, 3);
  cr_assert_eq(failover_pass_next(&p, _eligible, NULL, NULL), -1, "stays over");
}

Test(failover_pass, fresh_pass_wraps_to_the_primary)
{
  struct failover_pass p;
  failover_pass_begin(&p, 4, 2, 0);
  cr_assert_str_eq(walk(&p), "2 3 0 1");
}

Test(failover_pass, skip_primary_wraps_to_the_first_failover_server)
{
  struct failover_pass p;
  failover_pass_begin(&p, 4, 3, 1);
  cr_assert_str_eq(walk(&p), "3 1 2");
  cr_assert_eq(failover_pass_length(&p), 3);
}

Test(failover_pass, skip_primary_ignored_from_the_primary_or_alone)
{
  struct failover_pass p;
  failover_pass_begin(&p, 3, 0, 1);
  cr_assert_str_eq(walk(&p), "0 1 2");
  failover_pass_begin(&p, 1, 0, 1);
  cr_assert_str_eq(walk(&p), "0");
}

Test(failover_pass, after_break_retries_first_then_others)
{
  struct failover_pass p;
  failover_pass_begin_after_break(&p, 3, 1, 0, 2);
  cr_assert_str_eq(walk(&p), "1r 1r 2 0");
  failover_pass_begin_after_break(&p, 4, 2, 1, 1);
  cr_assert_str_eq(walk(&p), "2r 3 1");
}

Test(failover_pass, after_break_without_retries_tries_the_broken_server_last)
{
  struct failover_pass p;
  failover_pass_begin_after_break(&p, 3, 1, 0, 0);
  cr_assert_str_eq(walk(&p), "2 0 1r");
  failover_pass_begin_after_break(&p, 1, 0, 0, 0);
  cr_assert_str_eq(walk(&p), "0r", "a pass is never empty");
}

Test(failover_pass, blacklisted_servers_are_skipped_everywhere)
{
  struct failover_pass p;
  blacklisted[1] = 1;
  failover_pass_begin_after_break(&p, 4, 1, 0, 2);
  cr_assert_str_eq(walk(&p), "2 3 0");
  blacklisted[1] = 0;
  blacklisted[0] = 1;
  failover_pass_begin(&p, 3, 0, 0);
  cr_assert_str_eq(walk(&p), "1 2");
  cr_assert_eq(p.attempts, 2);
}

Test(failover_pass, nothing_eligible_is_an_empty_pass)
{
  struct failover_pass p;
  blacklisted[0] = blacklisted[1] = blacklisted[2] = 1;
  failover_pass_begin(&p, 3, 0, 0);
  cr_assert_str_eq(walk(&p), "");
  cr_assert_eq(p.attempts, 0);
}

Test(failover_pass, walk_positions)
{
  struct failover_pass p;
  failover_pass_begin(&p, 5, 3, 1);
  cr_assert_eq(failover_pass_walk(&p, 0), 3);
  cr_assert_eq(failover_pass_walk(&p, 1), 4);
  cr_assert_eq(failover_pass_walk(&p, 2), 1);
  cr_assert_eq(failover_pass_walk(&p, 3), 2);
}
