#include "tls-peer.h"

#include <arpa/inet.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

static int
_is_ip(const char *s)
{
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

void
tls_peer_init(struct tls_peer *self, struct tls_context *context, const char *host, const struct tls_options *opts)
{
  memset(self, 0, sizeof(*self));
  self->context = context;
  snprintf(self->expected, sizeof(self->expected), "%s", opts->verify_name ? opts->verify_name : host);
  self->expected_is_ip = _is_ip(self->expected);
  /* RFC 6066: no SNI for an address. */
  self->send_sni = opts->sni && !self->expected_is_ip;
  self->has_pin = opts->has_pin;
  memcpy(self->pin, opts->pin, sizeof(self->pin));
}

void
tls_peer_clear(struct tls_peer *self)
{
  SSL_SESSION_free(self->session);
  self->session = NULL;
}

SSL *
tls_peer_new_ssl(struct tls_peer *self, int64_t now_ms)
{
  SSL *ssl = SSL_new(self->context->ctx);
  if (!ssl)
    return NULL;
  if (self->context->verify)
    {
      int ok;
      if (self->expected_is_ip)
        ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), self->expected);
      else
        {
          /* The leftmost label only: "*.example.com" covers "a.example.com",
           * never "a.b.example.com" or "ab*.example.com" forms. */
          SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
          ok = SSL_set1_host(ssl, self->expected);
        }
      if (ok != 1)
        {
          SSL_free(ssl);
          return NULL;
        }
    }
  if (self->send_sni && SSL_set_tlsext_host_name(ssl, self->expected) != 1)
    {
      SSL_free(ssl);
      return NULL;
    }
  if (self->session)
    {
      if (now_ms < self->session_until_ms && SSL_SESSION_is_resumable(self->session))
        SSL_set_session(ssl, self->session);
      else
        {
          SSL_SESSION_free(self->session);
          self->session = NULL;
        }
    }
  return ssl;
}

void
tls_peer_store_session(struct tls_peer *self, SSL_SESSION *session, int64_t now_ms)
{
  int64_t lifetime = (int64_t) SSL_SESSION_get_timeout(session) * 1000;
  if (lifetime <= 0 || lifetime > TLS_PEER_SESSION_MAX_MS)
    lifetime = TLS_PEER_SESSION_MAX_MS;
  SSL_SESSION_free(self->session);
  self->session = session;
  self->session_until_ms = now_ms + lifetime;
}

static int
_pin_matches(const struct tls_peer *self, X509 *cert)
{
  unsigned char *der = NULL;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
  int ok = len > 0 && EVP_Digest(der, (size_t) len, md, &mdlen, EVP_sha256(), NULL) == 1
           && mdlen == TLS_OPTIONS_PIN_LEN && memcmp(md, self->pin, TLS_OPTIONS_PIN_LEN) == 0;
  OPENSSL_free(der);
  return ok;
}

int
tls_peer_check(struct tls_peer *self, SSL *ssl, enum tls_error_kind *kind, char *why, size_t size)
{
  X509 *cert = SSL_get0_peer_certificate(ssl);

  if (self->context->verify || self->has_pin)
    {
      if (!cert)
        {
          *kind = TLS_ERROR_NO_CERTIFICATE;
          snprintf(why, size, "the server presented no certificate");
          goto fail;
        }
    }
  if (self->context->verify)
    {
      int ok = self->expected_is_ip ? X509_check_ip_asc(cert, self->expected, 0)
                                    : X509_check_host(cert, self->expected, 0, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS,
                                                      NULL);
      if (ok != 1)
        {
          *kind = TLS_ERROR_NAME_MISMATCH;
          snprintf(why, size, "name mismatch: the certificate is not for the expected name \"%s\"", self->expected);
          goto fail;
        }
    }
  if (self->has_pin && !_pin_matches(self, cert))
    {
      *kind = TLS_ERROR_PIN_MISMATCH;
      snprintf(why, size, "public key pin mismatch: the server's key is not the one in pinned-sha256()");
      goto fail;
    }
  return 0;

fail:
  SSL_SESSION_free(self->session);
  self->session = NULL;
  return -1;
}
