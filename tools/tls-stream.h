/*
 * One accepted connection's TLS session, driven by the collector's poll
 * loop: a non-blocking server handshake, then reads that fill the frame
 * reader's buffer like read(2) does on a plain connection.
 *
 * A failed handshake, an alert, a reset or an end of stream ends the stream;
 * what was decrypted before it is still returned.  Handshake outcomes are
 * counted in the server (tls-server.h) and logged with the peer's address.
 *
 * tls_stream_new() returns an object the caller frees with
 * tls_stream_free() (NULL-safe) before closing the socket and before
 * freeing the server.
 */
#ifndef LIFELINE_TOOLS_TLS_STREAM_H
#define LIFELINE_TOOLS_TLS_STREAM_H

#include "tls-server.h"

#include <stdbool.h>
#include <stddef.h>

struct tls_stream;

/* PEER ("addr:port", for log lines) is copied. */
struct tls_stream *tls_stream_new(struct tls_server *server, int fd, const char *peer);
void tls_stream_free(struct tls_stream *self);

/* Handshakes first if needed, then decrypts into BUF until CAP bytes are
 * there or nothing more can be read now.  Returns the bytes decrypted.  When
 * the stream ended, *END is set to the reason (valid until the next call or
 * tls_stream_free()), else to NULL; the bytes returned with it come first. */
size_t tls_stream_read(struct tls_stream *self, char *buf, size_t cap, const char **end);

/* POLLIN or POLLOUT: what the stream waits for before the next
 * tls_stream_read() can make progress. */
short tls_stream_events(const struct tls_stream *self);

/* True when decrypted or buffered bytes wait in the stream itself: the next
 * tls_stream_read() has data although the socket may not be readable. */
bool tls_stream_has_pending(const struct tls_stream *self);

bool tls_stream_is_established(const struct tls_stream *self);

/* Sends close_notify once established (best effort, never blocks), so a
 * stopping collector tells its TLS client that it will read no more. */
void tls_stream_close_notify(struct tls_stream *self);

#endif
