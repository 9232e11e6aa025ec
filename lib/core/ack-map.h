/*
 * Acknowledged ciphertext to acknowledged plaintext.  Over TLS the kernel
 * acknowledges record bytes, while the queue counts frame bytes; after each
 * complete SSL_write the shell records (plaintext end, ciphertext end), and
 * the plaintext acknowledged is the end of the last write whose every record
 * byte the peer acknowledged.  Handshake and other TLS records written in
 * between only shift the ciphertext offsets.
 *
 * Pure.  Marks live in a ring that grows by doubling up to a bound (no
 * allocation per message, only when the window of outstanding writes
 * reaches a new high); at the bound two neighbouring marks merge, which
 * makes acknowledgements conservative (later, never early).
 *
 * Ownership: the caller embeds struct ack_map; ack_map_clear() frees the ring.
 */
#ifndef LIFELINE_ACK_MAP_H
#define LIFELINE_ACK_MAP_H

#include <stddef.h>
#include <stdint.h>

struct ack_mark
{
  uint64_t plain_end;
  uint64_t cipher_end;
};

struct ack_map
{
  struct ack_mark *marks;
  size_t cap, head, count, max_cap;
  uint64_t plain_acked; /* the last answer: acknowledgements never go back */
};

/* MAX_MARKS bounds the ring (0: a default of 65536). */
void ack_map_init(struct ack_map *self, size_t max_marks);
void ack_map_clear(struct ack_map *self);

/* A write of plaintext up to PLAIN_END ended at ciphertext CIPHER_END.  Both
 * grow monotonically.  0, or -1 when out of memory (the mark merges into the
 * newest one instead, still correct but coarser). */
int ack_map_record(struct ack_map *self, uint64_t plain_end, uint64_t cipher_end);

/* The plaintext offset acknowledged once the peer acknowledged CIPHER_ACKED
 * ciphertext bytes; drops the marks it passed. */
uint64_t ack_map_acked(struct ack_map *self, uint64_t cipher_acked);

#endif
