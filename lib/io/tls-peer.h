/*
 * One failover server as a TLS peer: the name its certificate must carry
 * (verify-name(), else the server's own host, never the primary's), the SNI
 * it gets (that same name; none for an IP address), its optional public-key
 * pin, and its cached session for resumption.
 *
 * A resumed session skips OpenSSL's chain verification, so the name and the
 * pin are checked again on the session's certificate after every handshake.
 * A cached session is offered for at most TLS_PEER_SESSION_MAX_MS and only
 * to the server (and trust settings) that issued it.
 *
 * Ownership: the peer borrows its tls_context (the destination owns both)
 * and owns its cached SSL_SESSION; tls_peer_clear() frees it.
 */
#ifndef LIFELINE_TLS_PEER_H
#define LIFELINE_TLS_PEER_H

#include "core/tls-options.h"
#include "tls-context.h"
#include "tls-error.h"

#include <openssl/ssl.h>
#include <stdint.h>

#define TLS_PEER_SESSION_MAX_MS (3600 * 1000)
#define TLS_PEER_NAME_MAX 256

struct tls_peer
{
  struct tls_context *context; /* borrowed */
  char expected[TLS_PEER_NAME_MAX]; /* what the certificate is checked against */
  int expected_is_ip;
  int send_sni;
  int has_pin;
  uint8_t pin[TLS_OPTIONS_PIN_LEN];
  SSL_SESSION *session;
  int64_t session_until_ms;
};

void tls_peer_init(struct tls_peer *self, struct tls_context *context, const char *host,
                   const struct tls_options *opts);
void tls_peer_clear(struct tls_peer *self);

/* A new client SSL for this peer: name check, SNI, and the cached session
 * when it is still fresh at NOW_MS.  NULL when out of memory. */
SSL *tls_peer_new_ssl(struct tls_peer *self, int64_t now_ms);

/* Keeps SESSION (the caller's reference passes to the peer) for resumption. */
void tls_peer_store_session(struct tls_peer *self, SSL_SESSION *session, int64_t now_ms);

/* After a completed handshake: 0, or -1 with the failure's kind in *KIND
 * (no certificate, name mismatch on a resumed session, pin mismatch) and the
 * reason in words in WHY.  The kind is the value to act on; WHY is only for
 * people.  The cached session is dropped on failure. */
int tls_peer_check(struct tls_peer *self, SSL *ssl, enum tls_error_kind *kind, char *why, size_t size);

#endif
