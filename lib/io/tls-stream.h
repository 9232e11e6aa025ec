/*
 * The TLS layer of one connection: a non-blocking handshake, writes that
 * record where each frame boundary falls in the ciphertext (core/ack-map.h),
 * reads that only process what the server sends (session tickets, alerts,
 * close_notify), and the checks after the handshake.  The connection owns
 * the fd and the ivykis handlers; every call here says what it waits for.
 *
 * "Settled": with TLS 1.3 a server may reject the client's certificate after
 * the client's handshake returned, and what was written meanwhile is lost
 * although TCP acknowledged it (the server discards it with its alert;
 * docs/tls.md).  The server's first session
 * ticket shows it accepted the client; the connection counts as established
 * only then (or after a settle time, for servers that send no tickets).
 * TLS 1.2 is settled when the handshake completes.
 *
 * Ownership: embedded in struct connection; tls_stream_clear() frees the SSL
 * (and its BIO), the staging buffer and the marks.  The peer is borrowed.
 */
#ifndef LIFELINE_TLS_STREAM_H
#define LIFELINE_TLS_STREAM_H

#include "core/ack-map.h"
#include "tls-peer.h"

#include <openssl/ssl.h>
#include <stdint.h>
#include <sys/uio.h>

#define TLS_STREAM_RECORD 16384

enum tls_io
{
  TLS_IO_OK = 0,
  TLS_IO_WANT_READ,
  TLS_IO_WANT_WRITE,
  TLS_IO_CLOSED, /* close_notify or EOF from the server */
  TLS_IO_ERROR,  /* the reason is in error[] (and errno_value for socket errors) */
};

struct tls_stream
{
  SSL *ssl;
  struct tls_peer *peer;
  struct ack_map map;
  uint64_t *cipher_written; /* the connection's count of bytes the kernel took */
  uint64_t plain_written; /* plaintext offset of the end of the staged write */
  unsigned char *staging;
  size_t staged; /* bytes waiting for SSL_write to complete (retried as is) */
  int handshaken, settled;
  int errno_value;
  int error_kind; /* enum tls_error_kind, with TLS_IO_ERROR */
  char error[256];
};

/* Takes over FD (borrowed) for PEER; *CIPHER_WRITTEN counts the ciphertext
 * bytes the kernel accepted.  0, or -1 when out of memory. */
int tls_stream_start(struct tls_stream *self, struct tls_peer *peer, int fd, uint64_t *cipher_written);
void tls_stream_clear(struct tls_stream *self);

/* Advances the handshake.  TLS_IO_OK once it completed and the peer checks
 * passed (settled may still be 0). */
enum tls_io tls_stream_handshake(struct tls_stream *self);

/* Takes up to one record of plaintext from IOV into the stream and writes
 * it; *TAKEN is the plaintext bytes taken (they are the stream's from now
 * on, written later if the socket is full).  OK: more may follow;
 * WANT_WRITE/WANT_READ: retry with tls_stream_flush() when the fd is ready. */
enum tls_io tls_stream_write(struct tls_stream *self, const struct iovec *iov, int iovcnt, size_t *taken);
/* Retries the staged record.  OK when nothing is staged any more. */
enum tls_io tls_stream_flush(struct tls_stream *self);

/* Reads and discards what the server sent.  OK: nothing more for now. */
enum tls_io tls_stream_read(struct tls_stream *self);

/* Plaintext bytes acknowledged when the peer acknowledged CIPHER_ACKED. */
uint64_t tls_stream_acked(struct tls_stream *self, uint64_t cipher_acked);

/* For tls_context_new(): keeps the server's sessions with the peer and
 * settles a TLS 1.3 connection at its first ticket. */
int tls_stream_new_session(SSL *ssl, SSL_SESSION *session);

/* Sends close_notify, best effort, never blocking. */
void tls_stream_shutdown(struct tls_stream *self);

/* The negotiated protocol ("TLSv1.3"), for logs. */
const char *tls_stream_version(const struct tls_stream *self);

#endif
