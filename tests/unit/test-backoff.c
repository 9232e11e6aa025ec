/* The pass wait, its jitter, the failover-jitter delay, and the PRNG under them. */
#include <criterion/criterion.h>

#include "core/backoff.h"
#include "core/prng.h"

#define SEEDS 20000

Test(prng, same_seed_same_sequence)
{
  struct prng a, b, c;
  prng_init(&a, 42);
  prng_init(&b, 42);
  prng_init(&c, 43);
  int differs = 0;
  for (int i = 0; i < 100; i++)
    {
      uint64_t x = prng_next(&a);
      cr_assert_eq(x, prng_next(&b));
      differs |= x != prng_next(&c);
    }
  cr_assert(differs);
}

Test(prng, splitmix64_reference_values)
{
  /* First outputs of splitmix64 seeded with 0 (Vigna's reference code). */
  struct prng p;
  prng_init(&p, 0);
  cr_assert_eq(prng_next(&p), UINT64_C(0xe220a8397b1dcdaf));
  cr_assert_eq(prng_next(&p), UINT64_C(0x6e789e6aa1b965f4));
  cr_assert_eq(prng_next(&p), UINT64_C(0x06c45d188009454f));
}

Test(prng, below_stays_below_and_covers)
{
  struct prng p;
  prng_init(&p, 7);
  int seen[5] = { 0 };
  for (int i = 0; i < 10000; i++)
    {
      uint64_t v = prng_below(&p, 5);
      cr_assert_lt(v, 5);
      seen[v]++;
    }
  for (int i = 0; i < 5; i++)
    cr_assert_gt(seen[i], 1700, "value %d drawn %d times of 10000", i, seen[i]);
  cr_assert_eq(prng_below(&p, 0), 0);
  cr_assert_eq(prng_below(&p, 1), 0);
}

Test(prng, range_inclusive_and_edges)
{
  struct prng p;
  prng_init(&p, 9);
  int lo_seen = 0, hi_seen = 0;
  for (int i = 0; i < 10000; i++)
    {
      int64_t v = prng_range(&p, -3, 3);
      cr_assert(v >= -3 && v <= 3);
      lo_seen |= v == -3;
      hi_seen |= v == 3;
    }
  cr_assert(lo_seen && hi_seen);
  cr_assert_eq(prng_range(&p, 5, 5), 5);
  cr_assert_eq(prng_range(&p, 5, 4), 5);
  /* The full int64 range must not overflow the span. */
  (void) prng_range(&p, INT64_MIN, INT64_MAX);
}

Test(backoff, computed_wait_doubles_per_failed_pass_up_to_max)
{
  const int64_t expected[] = { 0, 1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000 };
  for (int passes = 0; passes < 10; passes++)
    cr_assert_eq(backoff_computed_wait(1000, 60000, passes), expected[passes], "passes %d", passes);
  cr_assert_eq(backoff_computed_wait(1000, 60000, -1), 0);
  cr_assert_eq(backoff_computed_wait(1000, 60000, 1000000), 60000);
}

Test(backoff, computed_wait_never_above_max_even_when_reopen_is)
{
  cr_assert_eq(backoff_computed_wait(5000, 3000, 1), 3000);
  cr_assert_eq(backoff_computed_wait(5000, 3000, 7), 3000);
}

Test(backoff, computed_wait_does_not_overflow)
{
  cr_assert_eq(backoff_computed_wait(INT64_MAX / 2 + 1, INT64_MAX, 3), INT64_MAX);
  cr_assert_eq(backoff_computed_wait(INT64_MAX, INT64_MAX, 100), INT64_MAX);
  cr_assert_eq(backoff_computed_wait(3, INT64_MAX, 64), INT64_MAX);
  cr_assert_eq(backoff_computed_wait(0, 60000, 3), 0);
  cr_assert_eq(backoff_computed_wait(1000, 0, 3), 0);
}

/* Property: over many seeds, the jittered wait is in [ceil(w/2), w]. */
Test(backoff, jitter_within_half_and_full_over_many_seeds)
{
  const int64_t waits[] = { 1, 2, 3, 999, 1000, 1001, 60000, INT64_MAX };
  for (size_t w = 0; w < sizeof(waits) / sizeof(waits[0]); w++)
    {
      int64_t wait = waits[w];
      int64_t floor_ = wait - wait / 2;
      int64_t lowest = INT64_MAX, highest = 0;
      for (uint64_t seed = 0; seed < SEEDS; seed++)
        {
          struct prng p;
          prng_init(&p, seed);
          int64_t v = backoff_jitter(wait, &p);
          cr_assert(v >= floor_ && v <= wait, "wait %lld seed %llu gave %lld", (long long) wait,
                    (unsigned long long) seed, (long long) v);
          cr_assert(v >= wait / 2 && (wait > INT64_MAX / 2 || 2 * v >= wait), "never below half");
          lowest = v < lowest ? v : lowest;
          highest = v > highest ? v : highest;
        }
      if (wait >= 2 && wait <= 1001)
        {
          /* Both ends of the range are reached: the jitter really spreads. */
          cr_assert_eq(lowest, floor_, "wait %lld lowest %lld", (long long) wait, (long long) lowest);
          cr_assert_eq(highest, wait, "wait %lld highest %lld", (long long) wait, (long long) highest);
        }
    }
}

Test(backoff, jitter_of_nothing_is_nothing)
{
  struct prng p;
  prng_init(&p, 1);
  cr_assert_eq(backoff_jitter(0, &p), 0);
  cr_assert_eq(backoff_jitter(-5, &p), 0);
}

/* Property: the pass wait for every pass count is within [half, full] of the
 * computed wait and never above the max; at the ceiling it is the jittered max. */
Test(backoff, pass_wait_bounds_over_many_seeds)
{
  for (uint64_t seed = 0; seed < SEEDS; seed++)
    {
      struct prng p;
      prng_init(&p, seed * 2654435761u);
      int passes = 1 + (int) (seed % 12);
      int64_t computed = backoff_computed_wait(1000, 60000, passes);
      int64_t v = backoff_pass_wait(1000, 60000, passes, 0, &p);
      cr_assert(v >= computed - computed / 2 && v <= computed, "passes %d gave %lld", passes, (long long) v);
      cr_assert_leq(v, 60000);
      cr_assert_geq(2 * v, computed);

      int64_t ceiling = backoff_pass_wait(1000, 60000, passes, 1, &p);
      cr_assert(ceiling >= 30000 && ceiling <= 60000, "ceiling gave %lld", (long long) ceiling);
    }
}

Test(backoff, pass_wait_is_deterministic_per_seed)
{
  struct prng a, b;
  prng_init(&a, 1234);
  prng_init(&b, 1234);
  for (int passes = 1; passes < 20; passes++)
    cr_assert_eq(backoff_pass_wait(1000, 60000, passes, 0, &a), backoff_pass_wait(1000, 60000, passes, 0, &b));
}

/* Property: the failover-jitter delay is in [0, jitter], both ends reached. */
Test(backoff, failover_delay_within_zero_and_jitter)
{
  const int64_t jitters[] = { 1, 2, 10, 2000 };
  for (size_t j = 0; j < sizeof(jitters) / sizeof(jitters[0]); j++)
    {
      int64_t jitter = jitters[j];
      int zero = 0, full = 0;
      for (uint64_t seed = 0; seed < SEEDS; seed++)
        {
          struct prng p;
          prng_init(&p, seed);
          int64_t v = backoff_failover_delay(jitter, &p);
          cr_assert(v >= 0 && v <= jitter, "jitter %lld gave %lld", (long long) jitter, (long long) v);
          zero |= v == 0;
          full |= v == jitter;
        }
      cr_assert(zero && full, "jitter %lld: both ends reached", (long long) jitter);
    }
}

Test(backoff, failover_delay_zero_jitter_draws_nothing)
{
  struct prng p, q;
  prng_init(&p, 5);
  prng_init(&q, 5);
  cr_assert_eq(backoff_failover_delay(0, &p), 0);
  cr_assert_eq(backoff_failover_delay(-1, &p), 0);
  cr_assert_eq(prng_next(&p), prng_next(&q), "no draw when there is no jitter");
}
