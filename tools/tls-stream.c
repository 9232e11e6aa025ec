#include "tls-stream.h"

#include "diag.h"
#include "xalloc.h"

#include <openssl/err.h>
#include <openssl/x509.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tls_stream
{
  struct tls_server *server;  /* not owned */
  SSL *ssl;
  short events;
  bool established;
  bool sni_logged;            /* owned here, set by the server's SNI callback */
  char peer[64];
  char reason[256];           /* why the stream ended */
};

/* Puts why the last call on the SSL failed (ERR, the result of SSL_get_error()
 * and errno saved right after the call) into self->reason in words. */
static const char *
_describe(struct tls_stream *self, int ssl_error, int saved_errno)
{
  unsigned long e = ERR_peek_last_error();
  if (ssl_error == SSL_ERROR_ZERO_RETURN)
    snprintf(self->reason, sizeof(self->reason), "close-notify");
  else if (ssl_error == SSL_ERROR_SYSCALL && e == 0)
    {
      /* Linux hands over queued data before reporting a reset, so a reset
       * is an end of stream after everything sent was read. */
      if (saved_errno == ECONNRESET)
        snprintf(self->reason, sizeof(self->reason), "reset");
      else
        snprintf(self->reason, sizeof(self->reason), "%s", saved_errno ? strerror(saved_errno) : "eof");
    }
  else if (ERR_GET_LIB(e) == ERR_LIB_SSL && ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
    snprintf(self->reason, sizeof(self->reason), "eof");
  else
    {
      char text[200];
      ERR_error_string_n(e, text, sizeof(text));
      long verify = SSL_get_verify_result(self->ssl);
      if (verify != X509_V_OK)
        snprintf(self->reason, sizeof(self->reason), "%s (client certificate: %s)", text,
                 X509_verify_cert_error_string(verify));
      else
        snprintf(self->reason, sizeof(self->reason), "%s", text);
    }
  ERR_clear_error();
  return self->reason;
}

static void
_log_established(const struct tls_stream *self)
{
  const char *sni = SSL_get_servername(self->ssl, TLSEXT_NAMETYPE_host_name);
  char client[256] = "-";
  X509 *cert = SSL_get0_peer_certificate(self->ssl);
  if (cert)
    X509_NAME_oneline(X509_get_subject_name(cert), client, sizeof(client));
  diag_info("TLS handshake done; from=%s version=%s cipher=%s sni=%s resumed=%s client=%s",
            self->peer, SSL_get_version(self->ssl), SSL_get_cipher_name(self->ssl), sni ? sni : "-",
            SSL_session_reused(self->ssl) ? "yes" : "no", client);
}

/* True when the handshake is done; false when it waits or ended (*END). */
static bool
_handshake(struct tls_stream *self, const char **end)
{
  ERR_clear_error();
  int rc = SSL_do_handshake(self->ssl);
  if (rc == 1)
    {
      self->established = true;
      self->server->handshakes++;
      if (SSL_session_reused(self->ssl))
        self->server->resumed++;
      _log_established(self);
      return true;
    }
  int saved_errno = errno;
  int err = SSL_get_error(self->ssl, rc);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
    {
      self->events = err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
      return false;
    }
  *end = _describe(self, err, saved_errno);
  /* A connect-and-close without a byte (a TCP probe) is no failed handshake. */
  if (BIO_number_read(SSL_get_rbio(self->ssl)) == 0)
    return false;
  self->server->failures++;
  diag_info("TLS handshake failed; from=%s error=%s", self->peer, *end);
  return false;
}

struct tls_stream *
tls_stream_new(struct tls_server *server, int fd, const char *peer)
{
  struct tls_stream *self = xcalloc(1, sizeof(*self));
  self->server = server;
  self->events = POLLIN;
  snprintf(self->peer, sizeof(self->peer), "%s", peer);
  self->ssl = tls_server_accept(server, fd, &self->sni_logged);
  return self;
}

void
tls_stream_free(struct tls_stream *self)
{
  if (!self)
    return;
  SSL_free(self->ssl);
  free(self);
}

size_t
tls_stream_read(struct tls_stream *self, char *buf, size_t cap, const char **end)
{
  *end = NULL;
  if (!self->established && !_handshake(self, end))
    return 0;

  size_t got = 0;
  self->events = POLLIN;
  while (got < cap)
    {
      size_t want = cap - got < INT_MAX ? cap - got : INT_MAX;
      ERR_clear_error();
      int rc = SSL_read(self->ssl, buf + got, (int) want);
      if (rc > 0)
        {
          got += (size_t) rc;
          continue;
        }
      int saved_errno = errno;
      int err = SSL_get_error(self->ssl, rc);
      if (err == SSL_ERROR_WANT_WRITE)
        self->events = POLLOUT;
      else if (err != SSL_ERROR_WANT_READ)
        *end = _describe(self, err, saved_errno);
      break;
    }
  return got;
}

short
tls_stream_events(const struct tls_stream *self)
{
  return self->events;
}

bool
tls_stream_has_pending(const struct tls_stream *self)
{
  return self->established && SSL_has_pending(self->ssl);
}

bool
tls_stream_is_established(const struct tls_stream *self)
{
  return self->established;
}

void
tls_stream_close_notify(struct tls_stream *self)
{
  if (!self->established)
    return;
  ERR_clear_error();
  SSL_shutdown(self->ssl);
  ERR_clear_error();
}
