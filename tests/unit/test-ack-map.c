/* Acknowledged ciphertext to acknowledged plaintext: exact answers on small
 * tables, the ring across wrap-around and growth, and, with a small bound,
 * a property over random sequences against a reference model that keeps
 * every mark: the bounded map is never earlier than the model, always on a
 * write's boundary, and catches up once everything is acknowledged. */
#include "core/ack-map.h"
#include "core/prng.h"

#include <criterion/criterion.h>
#include <stdlib.h>

static struct ack_map map;

static void
_setup(void)
{
  ack_map_init(&map, 0);
}

static void
_teardown(void)
{
  ack_map_clear(&map);
}

TestSuite(ack_map, .init = _setup, .fini = _teardown);

Test(ack_map, nothing_recorded_nothing_acked)
{
  cr_assert_eq(ack_map_acked(&map, 0), 0);
  cr_assert_eq(ack_map_acked(&map, 1000), 0);
}

Test(ack_map, acked_plaintext_follows_the_marks)
{
  /* Three writes of 100 plaintext bytes, each 129 bytes of records. */
  cr_assert_eq(ack_map_record(&map, 100, 129), 0);
  cr_assert_eq(ack_map_record(&map, 200, 258), 0);
  cr_assert_eq(ack_map_record(&map, 300, 387), 0);
  cr_assert_eq(ack_map_acked(&map, 0), 0);
  cr_assert_eq(ack_map_acked(&map, 128), 0, "one record byte short: nothing of the write counts");
  cr_assert_eq(ack_map_acked(&map, 129), 100);
  cr_assert_eq(ack_map_acked(&map, 300), 200, "inside the third write: the second's end");
  cr_assert_eq(ack_map_acked(&map, 387), 300);
  cr_assert_eq(map.count, 0, "passed marks are dropped");
}

Test(ack_map, handshake_bytes_between_marks_only_shift_ciphertext)
{
  /* 517 bytes of handshake before the first write, a 90-byte key update
   * (or session ticket acknowledgement) between the second and the third. */
  cr_assert_eq(ack_map_record(&map, 50, 517 + 72), 0);
  cr_assert_eq(ack_map_record(&map, 100, 517 + 144), 0);
  cr_assert_eq(ack_map_record(&map, 150, 517 + 144 + 90 + 72), 0);
  cr_assert_eq(ack_map_acked(&map, 517), 0, "the handshake alone acknowledges no plaintext");
  cr_assert_eq(ack_map_acked(&map, 517 + 72), 50);
  cr_assert_eq(ack_map_acked(&map, 517 + 144 + 90), 100, "the key update alone acknowledges nothing new");
  cr_assert_eq(ack_map_acked(&map, 517 + 144 + 90 + 71), 100);
  cr_assert_eq(ack_map_acked(&map, 517 + 144 + 90 + 72), 150);
}

Test(ack_map, acknowledgements_never_go_back)
{
  cr_assert_eq(ack_map_record(&map, 10, 40), 0);
  cr_assert_eq(ack_map_record(&map, 20, 80), 0);
  cr_assert_eq(ack_map_acked(&map, 80), 20);
  cr_assert_eq(ack_map_acked(&map, 0), 20, "a smaller ciphertext count (a new connection's) does not undo");
  cr_assert_eq(ack_map_acked(&map, 40), 20);
  cr_assert_eq(ack_map_record(&map, 30, 120), 0);
  cr_assert_eq(ack_map_acked(&map, 100), 20);
  cr_assert_eq(ack_map_acked(&map, 120), 30);
}

Test(ack_map, ring_wraps_around_then_grows_past_64_marks_in_order)
{
  uint64_t next = 1, acked_to = 0;

  /* Fill the first ring, acknowledge 40 marks, refill so the ring wraps, then
   * go past 64 outstanding marks so it grows while wrapped.  Mark i is plain
   * 10*i at cipher 16*i. */
  for (; next <= 64; next++)
    cr_assert_eq(ack_map_record(&map, 10 * next, 16 * next), 0);
  cr_assert_eq(map.cap, 64);
  cr_assert_eq(ack_map_acked(&map, 16 * 40), 400);
  acked_to = 40;
  for (; next <= 64 + 40; next++)
    cr_assert_eq(ack_map_record(&map, 10 * next, 16 * next), 0);
  cr_assert_eq(map.cap, 64, "the freed slots were reused");
  cr_assert_gt(map.head, 0, "the ring wrapped");
  for (; next <= 64 + 40 + 30; next++)
    cr_assert_eq(ack_map_record(&map, 10 * next, 16 * next), 0);
  cr_assert_eq(map.cap, 128);
  cr_assert_eq(map.count, 64 + 30);

  /* Every mark is found again, in order, one acknowledgement at a time,
   * interleaved with more writes. */
  for (uint64_t i = acked_to + 1; i < next; i++)
    {
      cr_assert_eq(ack_map_acked(&map, 16 * i - 1), 10 * (i - 1), "just before mark %llu", (unsigned long long) i);
      cr_assert_eq(ack_map_acked(&map, 16 * i), 10 * i, "at mark %llu", (unsigned long long) i);
      if (i % 3 == 0)
        {
          cr_assert_eq(ack_map_record(&map, 10 * next, 16 * next), 0);
          next++;
        }
    }
  cr_assert_eq(ack_map_acked(&map, 16 * next), 10 * (next - 1));
  cr_assert_eq(map.count, 0);
}

Test(ack_map, at_the_bound_marks_merge_later_never_earlier)
{
  struct ack_map small;

  ack_map_init(&small, 2);
  cr_assert_eq(ack_map_record(&small, 100, 150), 0);
  cr_assert_eq(ack_map_record(&small, 200, 300), 0);
  cr_assert_eq(ack_map_record(&small, 300, 450), 0, "at the bound a merge is not an error");
  cr_assert_eq(small.count, 2);
  cr_assert_eq(ack_map_acked(&small, 150), 100);
  cr_assert_eq(ack_map_acked(&small, 300), 100, "200 merged into 300: acknowledged later");
  cr_assert_eq(ack_map_acked(&small, 450), 300);
  ack_map_clear(&small);
  cr_assert_eq(small.max_cap, 2, "clear keeps the bound");
  cr_assert_null(small.marks);
}

/* The reference: every mark kept, the exact answer. */
struct reference
{
  struct ack_mark *marks;
  size_t n, passed;
  uint64_t acked;
};

static uint64_t
_reference_acked(struct reference *r, uint64_t cipher_acked)
{
  while (r->passed < r->n && r->marks[r->passed].cipher_end <= cipher_acked)
    {
      if (r->marks[r->passed].plain_end > r->acked)
        r->acked = r->marks[r->passed].plain_end;
      r->passed++;
    }
  return r->acked;
}

/* The map's answer must be 0 or the end of a recorded write. */
static int
_is_boundary(const struct reference *r, uint64_t plain)
{
  if (plain == 0)
    return 1;
  size_t lo = 0, hi = r->n;
  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;
      if (r->marks[mid].plain_end < plain)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo < r->n && r->marks[lo].plain_end == plain;
}

#define SEQUENCES 400
#define STEPS 600

/* One random sequence of writes (some after handshake or key-update
 * records) and acknowledgements (some going back) against a map bounded at
 * MAX marks.  EXACT: the bound is never reached, so the answers must equal
 * the reference's. */
static void
_run_sequence(uint64_t seed, size_t max, int exact)
{
  struct prng rng;
  struct ack_map m;
  struct reference ref = { calloc(STEPS, sizeof(struct ack_mark)), 0, 0, 0 };
  uint64_t plain = 0, cipher = 0, prev = 0, last = 0;

  cr_assert_not_null(ref.marks);
  prng_init(&rng, seed);
  ack_map_init(&m, max);
  for (int step = 0; step < STEPS; step++)
    {
      if (prng_below(&rng, 100) < 55)
        {
          uint64_t len = 1 + prng_below(&rng, 400);
          if (prng_below(&rng, 10) == 0)
            cipher += 1 + prng_below(&rng, 600); /* handshake or other records */
          plain += len;
          cipher += len + 22 * (1 + len / 16384);
          cr_assert_eq(ack_map_record(&m, plain, cipher), 0, "seed %llu step %d", (unsigned long long) seed, step);
          ref.marks[ref.n].plain_end = plain;
          ref.marks[ref.n++].cipher_end = cipher;
          continue;
        }
      /* Mostly forward up to what was written, sometimes an older value. */
      uint64_t acked = prng_below(&rng, 8) == 0 ? prng_below(&rng, cipher + 1)
                                               : prev + prng_below(&rng, cipher - prev + 1);
      if (acked > prev)
        prev = acked;
      uint64_t want = _reference_acked(&ref, prev);
      uint64_t got = ack_map_acked(&m, acked);
      if (exact)
        cr_assert_eq(got, want, "seed %llu step %d: %llu, want %llu", (unsigned long long) seed, step,
                     (unsigned long long) got, (unsigned long long) want);
      cr_assert_leq(got, want, "seed %llu step %d: %llu acknowledged early (exact %llu)",
                    (unsigned long long) seed, step, (unsigned long long) got, (unsigned long long) want);
      cr_assert(_is_boundary(&ref, got), "seed %llu step %d: %llu is not a write's end", (unsigned long long) seed,
                step, (unsigned long long) got);
      cr_assert_geq(got, last, "seed %llu step %d: went back", (unsigned long long) seed, step);
      last = got;
    }
  /* Everything acknowledged: the bounded map catches up exactly. */
  cr_assert_eq(ack_map_acked(&m, cipher), plain, "seed %llu: final %llu", (unsigned long long) seed,
               (unsigned long long) plain);
  ack_map_clear(&m);
  free(ref.marks);
}

Test(ack_map, property_bounded_never_early_over_random_sequences)
{
  static const size_t bounds[] = { 1, 2, 3, 5, 8 };

  for (uint64_t seed = 0; seed < SEQUENCES; seed++)
    _run_sequence(seed, bounds[seed % (sizeof(bounds) / sizeof(bounds[0]))], 0);
}

Test(ack_map, property_unbounded_is_exact_over_random_sequences)
{
  for (uint64_t seed = 0; seed < SEQUENCES; seed++)
    _run_sequence(1000 + seed, seed % 2 ? 0 : STEPS, 1);
}
