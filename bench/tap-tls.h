/*
 * The TLS side of lifeline-bench-tap (tap.c): one server session per
 * accepted connection, handshaken and read inside the tap's poll loop, and
 * the count the hard kill needs: bytes the session took from the kernel but
 * has not decrypted yet (a TLS record that arrived only in part).  Those
 * bytes were acknowledged by the tap's kernel and never reached its files,
 * like the socket's unread bytes (SIOCINQ).
 *
 * The SSL_CTX is tools/tls-server.c's (the collector's), so the tap and the
 * collector present certificates the same way.
 *
 * tap_tls_new() returns an object the caller frees with tap_tls_free()
 * (NULL-safe) before closing the socket and before freeing the server.
 */
#ifndef LIFELINE_BENCH_TAP_TLS_H
#define LIFELINE_BENCH_TAP_TLS_H

#include "tls-server.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct tap_tls;

struct tap_tls *tap_tls_new(struct tls_server *server, int fd);
void tap_tls_free(struct tap_tls *self);

/* As read(2) on a non-blocking socket: decrypted bytes (> 0), 0 once the
 * stream ended (close_notify, reset, failed handshake), or -1 with errno
 * EAGAIN when nothing can be decrypted now.  Handshakes first. */
ssize_t tap_tls_read(struct tap_tls *self, char *buf, size_t cap);

/* POLLIN or POLLOUT: what the session waits for. */
short tap_tls_events(const struct tap_tls *self);

/* Bytes read from the socket that are not yet decrypted. */
uint64_t tap_tls_held(const struct tap_tls *self);

#endif
