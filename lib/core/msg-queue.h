/*
 * The destination's queue: framed messages in one byte ring, with a record per
 * message.  Three cursors walk the same stream of bytes:
 *
 *   head ........ write ........ tail
 *   |  written,   |  not yet     |
 *   |  not acked  |  written     |
 *
 * A message leaves the queue only when the receiver's TCP stack acknowledged
 * its last byte (msg_queue_ack).  After a broken connection the write cursor
 * goes back to head (msg_queue_rewind), so everything unacknowledged is sent
 * again, whole and in order, and no message is split across connections.
 *
 * Pure: no I/O, no clock.  All memory is allocated by msg_queue_new(); pushing,
 * writing and acknowledging allocate nothing.
 */
#ifndef LIFELINE_MSG_QUEUE_H
#define LIFELINE_MSG_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct msg_queue;

/* max_msgs and max_bytes bound the queue; max_frame is the largest single
 * frame that will ever be pushed (sizes the scratch buffer for returning
 * messages that wrap around the ring).  NULL if out of memory or max_frame >
 * max_bytes.  Freed with msg_queue_free(). */
struct msg_queue *msg_queue_new(size_t max_msgs, size_t max_bytes, size_t max_frame);
void msg_queue_free(struct msg_queue *self);

/* Appends one frame made of prefix + payload + suffix (any may be empty).
 * Returns 0, or -1 when it does not fit (nothing changed). */
int msg_queue_push(struct msg_queue *self, uint64_t seq,
                   const void *prefix, size_t prefix_len,
                   const void *payload, size_t payload_len,
                   const void *suffix, size_t suffix_len);

/* True when a frame of frame_len bytes would fit now. */
int msg_queue_has_room(const struct msg_queue *self, size_t frame_len);

/* Up to two segments of bytes not yet written (the ring may wrap).  Returns
 * the segment count (0 when nothing is unwritten). */
int msg_queue_unwritten(const struct msg_queue *self, struct iovec iov[2]);
void msg_queue_mark_written(struct msg_queue *self, size_t n);

/* The stream offset of the write cursor; connections record it when they
 * start so acknowledged byte counts map to stream offsets. */
uint64_t msg_queue_write_offset(const struct msg_queue *self);

/* Releases messages whose last byte is at or below acked_offset, one run of
 * consecutive seqs at a time (call again until it returns 0).  Returns how
 * many; *first_seq and *last_seq give their range (untouched when 0). */
size_t msg_queue_ack(struct msg_queue *self, uint64_t acked_offset, uint64_t *first_seq, uint64_t *last_seq);

/* Moves the write cursor back to the first unacknowledged message.  Returns
 * how many messages had been (fully or partly) written and will be sent again. */
size_t msg_queue_rewind(struct msg_queue *self);

/* The oldest message, for handing it back (RETURNED).  *data points into the
 * queue or into its scratch buffer and stays valid until the next call that
 * changes the queue.  0, or -1 when empty. */
int msg_queue_front(struct msg_queue *self, uint64_t *seq, const uint8_t **data, size_t *len);
/* Drops the oldest message (after msg_queue_front); the write cursor never
 * points behind head. */
void msg_queue_pop(struct msg_queue *self);

size_t msg_queue_length(const struct msg_queue *self); /* messages queued (incl. in flight) */
size_t msg_queue_bytes(const struct msg_queue *self);
size_t msg_queue_in_flight(const struct msg_queue *self); /* messages with bytes written */
uint64_t msg_queue_unacked_bytes(const struct msg_queue *self); /* write - head */
size_t msg_queue_max_msgs(const struct msg_queue *self);
size_t msg_queue_max_bytes(const struct msg_queue *self);

#endif
