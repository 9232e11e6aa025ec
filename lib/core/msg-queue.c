#include "msg-queue.h"

#include <stdlib.h>
#include <string.h>

struct msg_record
{
  uint64_t seq;
  uint64_t end; /* stream offset just past the frame */
  uint32_t payload_skip; /* framing bytes before the payload */
  uint32_t payload_len;
};

struct msg_queue
{
  uint8_t *ring;
  size_t ring_mask; /* ring size is a power of two so offsets map with a mask */
  size_t max_bytes;

  struct msg_record *recs;
  size_t max_msgs;
  size_t rec_first; /* index of the oldest record */
  size_t rec_count;
  size_t rec_touched; /* records from the oldest on with at least one byte written */

  uint64_t head; /* start of the oldest record */
  uint64_t write;
  uint64_t tail;

  uint8_t *scratch; /* a returned message that wraps the ring is copied here */
  size_t scratch_size;
};

static size_t
_round_up_pow2(size_t n)
{
  size_t p = 1;
  while (p < n)
    p <<= 1;
  return p;
}

struct msg_queue *
msg_queue_new(size_t max_msgs, size_t max_bytes, size_t max_frame)
{
  if (max_msgs == 0 || max_bytes == 0 || max_frame > max_bytes)
    return NULL;

  struct msg_queue *self = calloc(1, sizeof(*self));
  if (!self)
    return NULL;
  size_t ring_size = _round_up_pow2(max_bytes);
  self->ring = malloc(ring_size);
  self->recs = malloc(max_msgs * sizeof(*self->recs));
  self->scratch = malloc(max_frame ? max_frame : 1);
  if (!self->ring || !self->recs || !self->scratch)
    {
      msg_queue_free(self);
      return NULL;
    }
  self->ring_mask = ring_size - 1;
  self->max_bytes = max_bytes;
  self->max_msgs = max_msgs;
  self->scratch_size = max_frame;
  return self;
}

void
msg_queue_free(struct msg_queue *self)
{
  if (!self)
    return;
  free(self->ring);
  free(self->recs);
  free(self->scratch);
  free(self);
}

static struct msg_record *
_rec(const struct msg_queue *self, size_t i)
{
  return &self->recs[(self->rec_first + i) % self->max_msgs];
}

static uint64_t
_rec_start(const struct msg_queue *self, size_t i)
{
  return i == 0 ? self->head : _rec(self, i - 1)->end;
}

static void
_copy_in(struct msg_queue *self, uint64_t at, const void *src, size_t len)
{
  size_t pos = at & self->ring_mask;
  size_t first = self->ring_mask + 1 - pos;
  if (len == 0)
    return; /* an absent prefix or suffix is NULL, which memcpy may not see */
  if (first >= len)
    {
      memcpy(self->ring + pos, src, len);
      return;
    }
  memcpy(self->ring + pos, src, first);
  memcpy(self->ring, (const uint8_t *) src + first, len - first);
}

int
msg_queue_has_room(const struct msg_queue *self, size_t frame_len)
{
  return self->rec_count < self->max_msgs && (self->tail - self->head) + frame_len <= self->max_bytes;
}

int
msg_queue_push(struct msg_queue *self, uint64_t seq,
               const void *prefix, size_t prefix_len,
               const void *payload, size_t payload_len,
               const void *suffix, size_t suffix_len)
{
  size_t frame_len = prefix_len + payload_len + suffix_len;
  if (!msg_queue_has_room(self, frame_len) || payload_len > UINT32_MAX || prefix_len > UINT32_MAX)
    return -1;

  uint64_t at = self->tail;
  _copy_in(self, at, prefix, prefix_len);
  _copy_in(self, at + prefix_len, payload, payload_len);
  _copy_in(self, at + prefix_len + payload_len, suffix, suffix_len);
  self->tail = at + frame_len;

  struct msg_record *r = _rec(self, self->rec_count);
  r->seq = seq;
  r->end = self->tail;
  r->payload_skip = (uint32_t) prefix_len;
  r->payload_len = (uint32_t) payload_len;
  self->rec_count++;
  return 0;
}

static int
_segments(const struct msg_queue *self, uint64_t from, uint64_t to, struct iovec iov[2])
{
  if (from == to)
    return 0;
  size_t pos = from & self->ring_mask;
  size_t len = to - from;
  size_t first = self->ring_mask + 1 - pos;
  iov[0].iov_base = self->ring + pos;
  if (first >= len)
    {
      iov[0].iov_len = len;
      return 1;
    }
  iov[0].iov_len = first;
  iov[1].iov_base = self->ring;
  iov[1].iov_len = len - first;
  return 2;
}

int
msg_queue_unwritten(const struct msg_queue *self, struct iovec iov[2])
{
  return _segments(self, self->write, self->tail, iov);
}

void
msg_queue_mark_written(struct msg_queue *self, size_t n)
{
  self->write += n;
  if (self->write > self->tail)
    self->write = self->tail;
  while (self->rec_touched < self->rec_count && _rec_start(self, self->rec_touched) < self->write)
    self->rec_touched++;
}

uint64_t
msg_queue_write_offset(const struct msg_queue *self)
{
  return self->write;
}

size_t
msg_queue_ack(struct msg_queue *self, uint64_t acked_offset, uint64_t *first_seq, uint64_t *last_seq)
{
  size_t n = 0;

  /* Bytes the kernel says were acknowledged cannot be ahead of what was written. */
  if (acked_offset > self->write)
    acked_offset = self->write;
  /* One run of consecutive seqs per call: a DELIVERED range must never cover
   * a seq that got another fate (e.g. dropped at push). */
  while (n < self->rec_count && _rec(self, n)->end <= acked_offset
         && (n == 0 || _rec(self, n)->seq == _rec(self, n - 1)->seq + 1))
    n++;
  if (n == 0)
    return 0;

  *first_seq = _rec(self, 0)->seq;
  *last_seq = _rec(self, n - 1)->seq;
  self->head = _rec(self, n - 1)->end;
  self->rec_first = (self->rec_first + n) % self->max_msgs;
  self->rec_count -= n;
  self->rec_touched = self->rec_touched > n ? self->rec_touched - n : 0;
  return n;
}

size_t
msg_queue_rewind(struct msg_queue *self)
{
  size_t touched = self->rec_touched;
  self->write = self->head;
  self->rec_touched = 0;
  return touched;
}

int
msg_queue_front(struct msg_queue *self, uint64_t *seq, const uint8_t **data, size_t *len)
{
  if (self->rec_count == 0)
    return -1;

  const struct msg_record *r = _rec(self, 0);
  struct iovec iov[2];
  uint64_t from = self->head + r->payload_skip;
  int n = _segments(self, from, from + r->payload_len, iov);

  *seq = r->seq;
  *len = r->payload_len;
  if (n <= 1)
    {
      *data = n ? iov[0].iov_base : self->scratch;
      return 0;
    }
  memcpy(self->scratch, iov[0].iov_base, iov[0].iov_len);
  memcpy(self->scratch + iov[0].iov_len, iov[1].iov_base, iov[1].iov_len);
  *data = self->scratch;
  return 0;
}

void
msg_queue_pop(struct msg_queue *self)
{
  if (self->rec_count == 0)
    return;
  self->head = _rec(self, 0)->end;
  self->rec_first = (self->rec_first + 1) % self->max_msgs;
  self->rec_count--;
  if (self->rec_touched)
    self->rec_touched--;
  if (self->write < self->head)
    self->write = self->head;
}

size_t
msg_queue_length(const struct msg_queue *self)
{
  return self->rec_count;
}

size_t
msg_queue_bytes(const struct msg_queue *self)
{
  return (size_t) (self->tail - self->head);
}

size_t
msg_queue_in_flight(const struct msg_queue *self)
{
  return self->rec_touched;
}

uint64_t
msg_queue_unacked_bytes(const struct msg_queue *self)
{
  return self->write - self->head;
}

size_t
msg_queue_max_msgs(const struct msg_queue *self)
{
  return self->max_msgs;
}

size_t
msg_queue_max_bytes(const struct msg_queue *self)
{
  return self->max_bytes;
}
