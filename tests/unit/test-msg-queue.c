#include "core/msg-queue.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static struct msg_queue *q;

static void
_push(uint64_t seq, const char *payload)
{
  cr_assert_eq(msg_queue_push(q, seq, NULL, 0, payload, strlen(payload), "\n", 1), 0, "push %s", payload);
}

/* Concatenates the unwritten segments. */
static size_t
_unwritten(char *out, size_t size)
{
  struct iovec iov[2];
  int n = msg_queue_unwritten(q, iov);
  size_t len = 0;
  for (int i = 0; i < n; i++)
    {
      cr_assert_leq(len + iov[i].iov_len, size);
      memcpy(out + len, iov[i].iov_base, iov[i].iov_len);
      len += iov[i].iov_len;
    }
  out[len] = '\0';
  return len;
}

static void
_teardown(void)
{
  msg_queue_free(q);
  q = NULL;
}

TestSuite(msg_queue, .fini = _teardown);

Test(msg_queue, new_refuses_a_frame_larger_than_the_queue)
{
  cr_assert_null(msg_queue_new(10, 100, 101));
  cr_assert_null(msg_queue_new(0, 100, 10));
  q = msg_queue_new(10, 100, 100);
  cr_assert_not_null(q);
}

Test(msg_queue, frames_are_written_in_order_with_framing)
{
  char buf[256];
  q = msg_queue_new(10, 1024, 64);
  _push(1, "one");
  _push(2, "two");
  cr_assert_eq(_unwritten(buf, sizeof(buf)), 8);
  cr_assert_str_eq(buf, "one\ntwo\n");
  cr_assert_eq(msg_queue_length(q), 2);
  cr_assert_eq(msg_queue_bytes(q), 8);
}

Test(msg_queue, prefix_and_suffix_frame_the_payload)
{
  char buf[64];
  q = msg_queue_new(4, 64, 32);
  cr_assert_eq(msg_queue_push(q, 7, "5 ", 2, "hello", 5, NULL, 0), 0);
  _unwritten(buf, sizeof(buf));
  cr_assert_str_eq(buf, "5 hello");

  uint64_t seq;
  const uint8_t *data;
  size_t len;
  cr_assert_eq(msg_queue_front(q, &seq, &data, &len), 0);
  cr_assert_eq(seq, 7);
  cr_assert_eq(len, 5);
  cr_assert_eq(memcmp(data, "hello", 5), 0, "front returns the payload without framing");
}

Test(msg_queue, full_by_count_and_by_bytes)
{
  q = msg_queue_new(2, 16, 8);
  _push(1, "a");
  _push(2, "b");
  cr_assert_eq(msg_queue_push(q, 3, NULL, 0, "c", 1, "\n", 1), -1, "count limit");
  msg_queue_free(q);

  q = msg_queue_new(100, 16, 16);
  _push(1, "1234567");
  _push(2, "1234567");
  cr_assert_eq(msg_queue_bytes(q), 16);
  cr_assert_eq(msg_queue_push(q, 3, NULL, 0, "x", 1, NULL, 0), -1, "byte limit");
  cr_assert_not(msg_queue_has_room(q, 1));
}

Test(msg_queue, ack_releases_only_messages_whose_last_byte_is_acknowledged)
{
  uint64_t first = 0, last = 0;
  q = msg_queue_new(10, 1024, 64);
  _push(1, "aaaa"); /* bytes 0..4 */
  _push(2, "bbbb"); /* 5..9 */
  _push(3, "cccc"); /* 10..14 */
  msg_queue_mark_written(q, 15);
  cr_assert_eq(msg_queue_in_flight(q), 3);

  cr_assert_eq(msg_queue_ack(q, 4, &first, &last), 0, "one byte short of message 1");
  cr_assert_eq(msg_queue_ack(q, 7, &first, &last), 1, "ack inside message 2 releases message 1 only");
  cr_assert_eq(first, 1);
  cr_assert_eq(last, 1);
  cr_assert_eq(msg_queue_ack(q, 15, &first, &last), 2);
  cr_assert_eq(first, 2);
  cr_assert_eq(last, 3);
  cr_assert_eq(msg_queue_length(q), 0);
  cr_assert_eq(msg_queue_in_flight(q), 0);
}

Test(msg_queue, ack_never_runs_ahead_of_what_was_written)
{
  uint64_t first, last;
  q = msg_queue_new(10, 1024, 64);
  _push(1, "aaaa");
  _push(2, "bbbb");
  msg_queue_mark_written(q, 5);
  cr_assert_eq(msg_queue_ack(q, 1000, &first, &last), 1);
  cr_assert_eq(last, 1);
}

Test(msg_queue, rewind_resends_whole_messages_from_the_first_unacknowledged)
{
  char buf[256];
  uint64_t first, last;
  q = msg_queue_new(10, 1024, 64);
  _push(1, "aaaa");
  _push(2, "bbbb");
  _push(3, "cccc");
  _push(4, "dddd");
  msg_queue_mark_written(q, 12); /* message 3 partly written */
  cr_assert_eq(msg_queue_ack(q, 7, &first, &last), 1); /* peer acked into message 2 */
  cr_assert_eq(msg_queue_in_flight(q), 2);

  cr_assert_eq(msg_queue_rewind(q), 2, "messages 2 and 3 were touched");
  _unwritten(buf, sizeof(buf));
  cr_assert_str_eq(buf, "bbbb\ncccc\ndddd\n", "re-sent whole, in order, before new ones");
  cr_assert_eq(msg_queue_in_flight(q), 0);
  cr_assert_eq(msg_queue_unacked_bytes(q), 0);
}

Test(msg_queue, a_frame_wrapping_the_ring_is_written_in_two_segments_and_returned_whole)
{
  char buf[64];
  uint64_t first, last, seq;
  const uint8_t *data;
  size_t len;
  struct iovec iov[2];

  q = msg_queue_new(10, 16, 16); /* ring of 16 bytes */
  _push(1, "0123456789"); /* 11 bytes */
  msg_queue_mark_written(q, 11);
  cr_assert_eq(msg_queue_ack(q, 11, &first, &last), 1);
  _push(2, "abcdefghij"); /* bytes 11..21: wraps at 16 */
  cr_assert_eq(msg_queue_unwritten(q, iov), 2);
  _unwritten(buf, sizeof(buf));
  cr_assert_str_eq(buf, "abcdefghij\n");
  cr_assert_eq(msg_queue_front(q, &seq, &data, &len), 0);
  cr_assert_eq(len, 10);
  cr_assert_eq(memcmp(data, "abcdefghij", 10), 0);
  msg_queue_pop(q);
  cr_assert_eq(msg_queue_length(q), 0);
  cr_assert_eq(msg_queue_front(q, &seq, &data, &len), -1);
}

Test(msg_queue, pop_moves_the_write_cursor_past_returned_messages)
{
  char buf[64];
  q = msg_queue_new(10, 64, 16);
  _push(1, "a");
  _push(2, "b");
  msg_queue_pop(q);
  cr_assert_eq(msg_queue_write_offset(q), 2);
  _unwritten(buf, sizeof(buf));
  cr_assert_str_eq(buf, "b\n");
}

Test(msg_queue, long_run_keeps_offsets_consistent)
{
  /* Many laps around a small ring, with partial writes and acks at odd points. */
  uint64_t first, last, expect_seq = 1, next_seq = 1, acked = 0, delivered = 0;
  q = msg_queue_new(7, 64, 32);
  for (int round = 0; round < 20000; round++)
    {
      char payload[16];
      snprintf(payload, sizeof(payload), "m%d", round % 1000);
      if (msg_queue_push(q, next_seq, NULL, 0, payload, strlen(payload), "\n", 1) == 0)
        next_seq++;
      struct iovec iov[2];
      if (msg_queue_unwritten(q, iov) > 0)
        msg_queue_mark_written(q, 1 + (size_t) round % iov[0].iov_len);
      acked += (uint64_t) (round % 3);
      if (acked > msg_queue_write_offset(q))
        acked = msg_queue_write_offset(q);
      size_t n = msg_queue_ack(q, acked, &first, &last);
      if (n)
        {
          cr_assert_eq(first, expect_seq);
          cr_assert_eq(last, expect_seq + n - 1);
          expect_seq += n;
          delivered += n;
        }
    }
  cr_assert_eq(delivered + msg_queue_length(q), next_seq - 1, "every pushed message is delivered or still queued");
}

Test(msg_queue, ack_stops_at_a_gap_in_seqs_so_ranges_stay_exact)
{
  uint64_t first, last;
  q = msg_queue_new(10, 1024, 64);
  _push(1, "a");
  _push(2, "b");
  _push(5, "c"); /* 3 and 4 got another fate (dropped at push) */
  _push(6, "d");
  msg_queue_mark_written(q, 8);
  cr_assert_eq(msg_queue_ack(q, 8, &first, &last), 2);
  cr_assert_eq(first, 1);
  cr_assert_eq(last, 2);
  cr_assert_eq(msg_queue_ack(q, 8, &first, &last), 2);
  cr_assert_eq(first, 5);
  cr_assert_eq(last, 6);
  cr_assert_eq(msg_queue_ack(q, 8, &first, &last), 0);
}
