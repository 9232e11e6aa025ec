/*
 * The waits of the failover policy, as pure functions.
 *
 * Pass wait: after the P-th pass in a row in which every candidate server
 * failed, the policy waits
 *
 *     computed(P) = min(time_reopen * 2^(P-1), reconnect_backoff_max)
 *     wait        = computed - floor(computed / 2) + U{0 .. floor(computed / 2)}
 *
 * so the wait is uniform over [ceil(computed / 2), computed]: never below half
 * the computed wait, never above it, hence never above reconnect-backoff-max
 * ("equal jitter").  Once the destination is EXHAUSTED the computed wait is
 * reconnect-backoff-max itself.
 *
 * Failover jitter: the first attempt after an established connection broke
 * is delayed by U{0 .. failover_jitter}, both ends included.
 *
 * U{a .. b} is drawn from the caller's struct prng, one draw per wait.
 */
#ifndef LIFELINE_BACKOFF_H
#define LIFELINE_BACKOFF_H

#include "prng.h"

#include <stdint.h>

/* computed(FAILED_PASSES) above, without jitter; 0 when FAILED_PASSES < 1 or
 * a duration is not positive.  Never overflows. */
int64_t backoff_computed_wait(int64_t time_reopen_ms, int64_t max_ms, int failed_passes);

/* WAIT_MS jittered into [ceil(WAIT_MS / 2), WAIT_MS]; 0 for WAIT_MS <= 0. */
int64_t backoff_jitter(int64_t wait_ms, struct prng *prng);

/* The whole pass wait: jittered computed(FAILED_PASSES), or the jittered
 * ceiling MAX_MS when AT_CEILING (the destination is exhausted). */
int64_t backoff_pass_wait(int64_t time_reopen_ms, int64_t max_ms, int failed_passes, int at_ceiling,
                          struct prng *prng);

/* The failover-jitter delay: uniform in [0, JITTER_MS]; 0 for JITTER_MS <= 0. */
int64_t backoff_failover_delay(int64_t jitter_ms, struct prng *prng);

#endif
