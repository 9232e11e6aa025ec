#include "core/line-splitter.h"

#include <criterion/criterion.h>
#include <string.h>

static struct line_splitter *ls;

static void
_feed(const char *s)
{
  size_t avail;
  uint8_t *space = line_splitter_space(ls, &avail);
  cr_assert_geq(avail, strlen(s));
  memcpy(space, s, strlen(s));
  line_splitter_commit(ls, strlen(s));
}

/* Takes the next line into BUF; returns 1 if there was one. */
static int
_next(char *buf, int at_eof, int *truncated)
{
  const uint8_t *line;
  size_t len;
  if (!line_splitter_peek(ls, at_eof, &line, &len, truncated))
    return 0;
  memcpy(buf, line, len);
  buf[len] = '\0';
  line_splitter_consume(ls);
  return 1;
}

static void
_teardown(void)
{
  line_splitter_free(ls);
}

TestSuite(line_splitter, .fini = _teardown);

Test(line_splitter, splits_lines_across_reads)
{
  char buf[64];
  int t;
  ls = line_splitter_new(32, 64);
  _feed("one\ntw");
  cr_assert(_next(buf, 0, &t));
  cr_assert_str_eq(buf, "one");
  cr_assert_not(_next(buf, 0, &t), "partial line waits");
  _feed("o\n\nthree\n");
  cr_assert(_next(buf, 0, &t));
  cr_assert_str_eq(buf, "two");
  cr_assert(_next(buf, 0, &t));
  cr_assert_str_eq(buf, "", "empty lines are lines");
  cr_assert(_next(buf, 0, &t));
  cr_assert_str_eq(buf, "three");
  cr_assert_not(_next(buf, 0, &t));
}

Test(line_splitter, final_line_without_newline_at_eof)
{
  char buf[64];
  int t;
  ls = line_splitter_new(32, 64);
  _feed("last");
  cr_assert_not(_next(buf, 0, &t));
  cr_assert(_next(buf, 1, &t));
  cr_assert_str_eq(buf, "last");
  cr_assert_not(_next(buf, 1, &t));
}

Test(line_splitter, overlong_line_is_cut_counted_and_its_tail_skipped)
{
  char buf[64];
  int t;
  ls = line_splitter_new(8, 16);
  _feed("0123456789ab");
  cr_assert(_next(buf, 0, &t));
  cr_assert_str_eq(buf, "01234567");
  cr_assert(t);
  _feed("cdef\nnext\n");
  cr_assert(_next(buf, 0, &t));
  cr_assert_str_eq(buf, "next", "the tail of the long line is skipped");
  cr_assert_not(t);
  cr_assert_eq(line_splitter_truncated(ls), 1);
}

Test(line_splitter, line_of_exactly_max_length_is_not_truncated)
{
  char buf[64];
  int t;
  ls = line_splitter_new(8, 16);
  _feed("01234567\nab\n");
  cr_assert(_next(buf, 0, &t));
  cr_assert_str_eq(buf, "01234567");
  cr_assert_not(t);
  cr_assert(_next(buf, 0, &t));
  cr_assert_str_eq(buf, "ab");
  cr_assert_eq(line_splitter_truncated(ls), 0);
}

Test(line_splitter, peek_without_consume_returns_the_same_line)
{
  const uint8_t *a, *b;
  size_t la, lb;
  int t;
  ls = line_splitter_new(32, 64);
  _feed("x\ny\n");
  cr_assert(line_splitter_peek(ls, 0, &a, &la, &t));
  cr_assert(line_splitter_peek(ls, 0, &b, &lb, &t));
  cr_assert_eq(a, b);
  cr_assert_eq(la, 1);
}

Test(line_splitter, many_small_reads_never_run_out_of_space)
{
  char buf[64];
  int t, lines = 0;
  ls = line_splitter_new(16, 8);
  for (int i = 0; i < 10000; i++)
    {
      _feed(i % 3 ? "abc" : "d\n");
      while (_next(buf, 0, &t))
        lines++;
    }
  cr_assert_gt(lines, 3000);
}

/* A file source drains with at_eof at a rotation, then reads the new file
 * into the same splitter: the tail of a line truncated in the old file must
 * not swallow the first line of the new one.  (Found by fuzz-line-splitter.) */
Test(line_splitter, end_of_stream_ends_a_truncated_tail)
{
  char buf[64];
  int truncated;
  ls = line_splitter_new(4, 16);
  _feed("overlong");
  cr_assert(_next(buf, 0, &truncated));
  cr_assert_str_eq(buf, "over");
  cr_assert(truncated);
  cr_assert_not(_next(buf, 1, &truncated)); /* the rest of the tail, then the end */
  _feed("new\nx");
  cr_assert(_next(buf, 0, &truncated));
  cr_assert_str_eq(buf, "new");
  cr_assert_not(truncated);
  cr_assert_not(_next(buf, 0, &truncated));
  cr_assert(_next(buf, 1, &truncated));
  cr_assert_str_eq(buf, "x");
  cr_assert_eq(line_splitter_truncated(ls), 1);
}

/* The buffer is max_line + read_size bytes: a sum that overflows is a failed
 * allocation (NULL), not a small buffer. */
Test(line_splitter, size_overflow_is_null)
{
  cr_assert_null(line_splitter_new(SIZE_MAX - 10, 64 * 1024));
  cr_assert_null(line_splitter_new(64 * 1024, SIZE_MAX));
  ls = line_splitter_new(16, 16);
  cr_assert_not_null(ls);
}
