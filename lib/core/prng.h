/*
 * A small deterministic pseudo-random generator (splitmix64) for jitter.
 *
 * The failover policy takes its randomness from here, seeded from its
 * options, so a replay with the same seed and the same events yields the same
 * actions and deadlines.  Not for anything security related.  The caller owns
 * the struct; nothing allocates.
 */
#ifndef LIFELINE_PRNG_H
#define LIFELINE_PRNG_H

#include <stdint.h>

struct prng
{
  uint64_t state;
};

void prng_init(struct prng *self, uint64_t seed);

/* The next 64 random bits. */
uint64_t prng_next(struct prng *self);

/* Uniform in [0, BOUND), without modulo bias; 0 when BOUND is 0. */
uint64_t prng_below(struct prng *self, uint64_t bound);

/* Uniform in [LO, HI], both included; LO when HI < LO. */
int64_t prng_range(struct prng *self, int64_t lo, int64_t hi);

#endif
