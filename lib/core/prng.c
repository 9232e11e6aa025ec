#include "prng.h"

/* splitmix64 (Steele, Lea, Flood 2014; constants from Vigna's reference
 * implementation): every seed, including 0, gives a full-period sequence. */

void
prng_init(struct prng *self, uint64_t seed)
{
  self->state = seed;
}

uint64_t
prng_next(struct prng *self)
{
  uint64_t z = (self->state += UINT64_C(0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

uint64_t
prng_below(struct prng *self, uint64_t bound)
{
  if (bound == 0)
    return 0;

  /* Reject the lowest (2^64 mod BOUND) values so that every residue is
   * equally likely; the loop runs more than once with probability < 1/2. */
  uint64_t threshold = (UINT64_C(0) - bound) % bound;
  for (;;)
    {
      uint64_t r = prng_next(self);
      if (r >= threshold)
        return r % bound;
    }
}

int64_t
prng_range(struct prng *self, int64_t lo, int64_t hi)
{
  if (hi <= lo)
    return lo;

  uint64_t span = (uint64_t) hi - (uint64_t) lo + 1;
  if (span == 0)
    return (int64_t) prng_next(self);
  return (int64_t) ((uint64_t) lo + prng_below(self, span));
}
