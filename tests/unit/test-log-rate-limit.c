#include "core/log-rate-limit.h"

#include <criterion/criterion.h>

Test(log_rate_limit, burst_passes_then_counts_and_reports_on_the_next_window)
{
  struct log_rate_limit *rl = log_rate_limit_new(1000, 3);
  uint64_t s = 99;
  for (int i = 0; i < 3; i++)
    {
      cr_assert(log_rate_limit_allow(rl, "Connection failed", 10 * i, &s));
      cr_assert_eq(s, 0);
    }
  for (int i = 0; i < 5; i++)
    cr_assert_not(log_rate_limit_allow(rl, "Connection failed", 100 + i, &s));
  cr_assert(log_rate_limit_allow(rl, "Connection failed", 1000, &s), "a new window");
  cr_assert_eq(s, 5, "the first message after a window carries the suppressed count");
  cr_assert(log_rate_limit_allow(rl, "Connection failed", 1001, &s));
  cr_assert_eq(s, 0);
  log_rate_limit_free(rl);
}

Test(log_rate_limit, kinds_are_independent)
{
  struct log_rate_limit *rl = log_rate_limit_new(1000, 1);
  uint64_t s;
  cr_assert(log_rate_limit_allow(rl, "a", 0, &s));
  cr_assert_not(log_rate_limit_allow(rl, "a", 1, &s));
  cr_assert(log_rate_limit_allow(rl, "b", 1, &s));
  log_rate_limit_free(rl);
}
