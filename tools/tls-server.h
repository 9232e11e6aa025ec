/*
 * The collector's TLS configuration: one server SSL_CTX built from the
 * --tls-* options, the SNI log (--sni-file) and the handshake counters that
 * every connection's tls_stream adds to (tls-stream.h).
 *
 * tls_server_new() reads the certificate, key and CA files once, at start;
 * tls_server_free() frees the context (NULL-safe).  Live streams keep a
 * pointer to the server: free it after them.
 */
#ifndef LIFELINE_TOOLS_TLS_SERVER_H
#define LIFELINE_TOOLS_TLS_SERVER_H

#include <openssl/ssl.h>

#include <stdbool.h>
#include <stdint.h>

/* The strings point into argv. */
struct tls_server_options
{
  const char *cert_file;      /* NULL: plain TCP, and every other field is unset */
  const char *key_file;
  const char *ca_file;        /* trusted for client certificates; NULL: none */
  bool verify_client;         /* require a client certificate that verifies against ca_file */
  int min_version, max_version; /* TLS1_VERSION .. TLS1_3_VERSION; 0: OpenSSL's default */
  bool no_tickets;            /* send no session tickets (TLS 1.3 or 1.2) */
  const char *sni_file;       /* NULL: none */
};

struct tls_server
{
  /* For the stats file: handshakes completed (resumed ones among them), and
   * handshakes that failed after the client sent something. */
  uint64_t handshakes, resumed, failures;

  /* Private. */
  SSL_CTX *ctx;
  int sni_fd;
};

/* Does not return when a file cannot be used: names it and exits 1. */
struct tls_server *tls_server_new(const struct tls_server_options *opt);
void tls_server_free(struct tls_server *self);

/* A new server-side SSL for the accepted socket FD; the caller frees it
 * with SSL_free(), which leaves FD open.  *SNI_LOGGED (false at first, owned
 * by the caller, alive as long as the SSL) is set once the client's SNI was
 * written to the SNI file, so a second ClientHello (after a
 * HelloRetryRequest) does not add a line. */
SSL *tls_server_accept(struct tls_server *self, int fd, bool *sni_logged);

#endif
