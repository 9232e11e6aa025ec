#include "backoff.h"

int64_t
backoff_computed_wait(int64_t time_reopen_ms, int64_t max_ms, int failed_passes)
{
  if (failed_passes < 1 || time_reopen_ms <= 0 || max_ms <= 0)
    return 0;

  int64_t wait = time_reopen_ms;
  for (int pass = 1; pass < failed_passes && wait < max_ms; pass++)
    wait = (wait > max_ms / 2) ? max_ms : wait * 2;
  return wait < max_ms ? wait : max_ms;
}

int64_t
backoff_jitter(int64_t wait_ms, struct prng *prng)
{
  if (wait_ms <= 0)
    return 0;

  int64_t half = wait_ms / 2;
  return wait_ms - half + prng_range(prng, 0, half);
}

int64_t
backoff_pass_wait(int64_t time_reopen_ms, int64_t max_ms, int failed_passes, int at_ceiling,
                  struct prng *prng)
{
  int64_t computed = at_ceiling ? (max_ms > 0 ? max_ms : 0)
                                : backoff_computed_wait(time_reopen_ms, max_ms, failed_passes);
  return backoff_jitter(computed, prng);
}

int64_t
backoff_failover_delay(int64_t jitter_ms, struct prng *prng)
{
  if (jitter_ms <= 0)
    return 0;
  return prng_range(prng, 0, jitter_ms);
}
