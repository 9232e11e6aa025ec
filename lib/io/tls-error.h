/*
 * Why a TLS connection failed, in words an operator can act on: "certificate
 * expired", "name mismatch", "protocol version" ...  Built from what OpenSSL
 * leaves behind (the verify result and the first error of its queue), so the
 * mapping is a pure function, unit-tested with OpenSSL's codes.
 */
#ifndef LIFELINE_TLS_ERROR_H
#define LIFELINE_TLS_ERROR_H

#include <stddef.h>

enum tls_error_kind
{
  TLS_ERROR_HANDSHAKE = 0, /* anything not below */
  TLS_ERROR_EXPIRED,
  TLS_ERROR_NOT_YET_VALID,
  TLS_ERROR_UNTRUSTED,
  TLS_ERROR_NAME_MISMATCH,
  TLS_ERROR_REVOKED,
  TLS_ERROR_CRL,
  TLS_ERROR_PROTOCOL_VERSION,
  TLS_ERROR_CLIENT_CERT_REQUIRED,
  TLS_ERROR_CLIENT_CERT_REJECTED,
  TLS_ERROR_PIN_MISMATCH,
  TLS_ERROR_NOT_TLS,
  TLS_ERROR_NO_CERTIFICATE, /* the handshake completed without a server certificate */
};

/* VERIFY_RESULT is SSL_get_verify_result() (X509_V_OK when the chain was not
 * the problem), SSL_ERR the first code of OpenSSL's error queue (0: none).
 * EXPECTED is the name or address the certificate was checked against.
 * Writes the sentence into BUF and returns its kind. */
enum tls_error_kind tls_error_describe(long verify_result, unsigned long ssl_err, const char *expected, char *buf,
                                       size_t size);

/* "expired", "name-mismatch", ... for key=value log tags and status. */
const char *tls_error_kind_name(enum tls_error_kind kind);

#endif
