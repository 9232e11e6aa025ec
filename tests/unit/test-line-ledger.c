/* The ledger of lines handed over: the delivered position per target set,
 * markers, growth past the initial ring, and remapping at a reload. */
#include <criterion/criterion.h>

#include "line-ledger.h"

static struct line_position
_pos(uint64_t offset)
{
  return (struct line_position) { 1, 2, offset };
}

Test(line_ledger, advances_only_past_lines_every_target_completed)
{
  struct line_ledger *l = line_ledger_new(2);
  struct line_position out = { 0 };
  for (uint64_t i = 1; i <= 3; i++)
    {
      uint64_t seqs[2] = { i, 10 + i };
      struct line_position p = _pos(i * 100);
      line_ledger_append(l, &p, seqs);
    }
  uint64_t none[2] = { 3, 11 };
  cr_assert_eq(line_ledger_advance(l, none, &out), 1);
  cr_assert_eq(out.offset, 100);
  uint64_t still[2] = { 3, 11 };
  cr_assert_eq(line_ledger_advance(l, still, &out), 0, "nothing moved since");
  uint64_t all[2] = { 3, 13 };
  cr_assert_eq(line_ledger_advance(l, all, &out), 1);
  cr_assert_eq(out.offset, 300);
  cr_assert_eq(out.dev, 1);
  cr_assert_eq(out.ino, 2);
  cr_assert_eq(line_ledger_len(l), 0);
  line_ledger_free(l);
}

Test(line_ledger, a_marker_or_a_refused_target_waits_for_nothing)
{
  struct line_ledger *l = line_ledger_new(2);
  struct line_position out;
  struct line_position p = _pos(0);
  line_ledger_append(l, &p, NULL);
  uint64_t seqs[2] = { 0, 5 }; /* target 0 refused the line */
  p = _pos(50);
  line_ledger_append(l, &p, seqs);
  uint64_t completed[2] = { 0, 5 };
  cr_assert_eq(line_ledger_advance(l, completed, &out), 1);
  cr_assert_eq(out.offset, 50);
  line_ledger_free(l);
}

Test(line_ledger, grows_and_keeps_order_across_the_wrap)
{
  struct line_ledger *l = line_ledger_new(1);
  struct line_position out;
  uint64_t seq = 0, done = 0;
  /* Half the ring consumed first, so the growth happens across the wrap. */
  for (int i = 0; i < 600; i++)
    {
      struct line_position p = _pos(++seq);
      line_ledger_append(l, &p, &seq);
    }
  done = 500;
  cr_assert_eq(line_ledger_advance(l, &done, &out), 1);
  cr_assert_eq(out.offset, 500);
  for (int i = 0; i < 5000; i++)
    {
      struct line_position p = _pos(++seq);
      line_ledger_append(l, &p, &seq);
    }
  cr_assert_eq(line_ledger_len(l), 5100);
  for (done = 501; done <= seq; done += 97)
    {
      cr_assert_eq(line_ledger_advance(l, &done, &out), 1);
      cr_assert_eq(out.offset, done);
    }
  done = seq;
  line_ledger_advance(l, &done, &out);
  cr_assert_eq(out.offset, seq);
  cr_assert_eq(line_ledger_len(l), 0);
  line_ledger_free(l);
}

Test(line_ledger, remap_keeps_kept_targets_and_forgets_removed_ones)
{
  struct line_ledger *l = line_ledger_new(2);
  struct line_position out;
  uint64_t seqs[2] = { 7, 9 };
  struct line_position p = _pos(10);
  line_ledger_append(l, &p, seqs);
  /* Target 1 stays (now first), target 0 is removed, a new one is added. */
  int from[2] = { 1, -1 };
  line_ledger_remap(l, 2, from);
  uint64_t waiting[2] = { 8, 0 };
  cr_assert_eq(line_ledger_advance(l, waiting, &out), 0);
  uint64_t done[2] = { 9, 0 };
  cr_assert_eq(line_ledger_advance(l, done, &out), 1);
  cr_assert_eq(out.offset, 10);
  line_ledger_free(l);
}
