#include "tls-error.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <stdio.h>

static enum tls_error_kind
_verify_kind(long v)
{
  switch (v)
    {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return TLS_ERROR_EXPIRED;
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return TLS_ERROR_NOT_YET_VALID;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_INVALID_CA:
      return TLS_ERROR_UNTRUSTED;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return TLS_ERROR_NAME_MISMATCH;
    case X509_V_ERR_CERT_REVOKED:
      return TLS_ERROR_REVOKED;
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_CRL_HAS_EXPIRED:
    case X509_V_ERR_CRL_NOT_YET_VALID:
    case X509_V_ERR_CRL_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
      return TLS_ERROR_CRL;
    default:
      return TLS_ERROR_HANDSHAKE;
    }
}

static enum tls_error_kind
_ssl_kind(unsigned long e)
{
  if (ERR_GET_LIB(e) != ERR_LIB_SSL)
    return TLS_ERROR_HANDSHAKE;
  switch (ERR_GET_REASON(e))
    {
    case SSL_R_UNSUPPORTED_PROTOCOL:
    case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
    case SSL_R_WRONG_SSL_VERSION:
    case SSL_R_VERSION_TOO_LOW:
    case SSL_R_VERSION_TOO_HIGH:
    case SSL_R_NO_PROTOCOLS_AVAILABLE:
    case SSL_R_UNSUPPORTED_SSL_VERSION:
      return TLS_ERROR_PROTOCOL_VERSION;
    case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
    case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
      return TLS_ERROR_CLIENT_CERT_REQUIRED;
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
    case SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:
    case SSL_R_TLSV1_ALERT_ACCESS_DENIED:
      return TLS_ERROR_CLIENT_CERT_REJECTED;
    case SSL_R_WRONG_VERSION_NUMBER:
    case SSL_R_PACKET_LENGTH_TOO_LONG:
    case SSL_R_RECORD_LENGTH_MISMATCH:
      return TLS_ERROR_NOT_TLS;
    default:
      return TLS_ERROR_HANDSHAKE;
    }
}

enum tls_error_kind
tls_error_describe(long verify_result, unsigned long ssl_err, const char *expected, char *buf, size_t size)
{
  enum tls_error_kind kind = verify_result != X509_V_OK ? _verify_kind(verify_result) : TLS_ERROR_HANDSHAKE;
  const char *detail = NULL;

  if (verify_result != X509_V_OK && kind == TLS_ERROR_HANDSHAKE)
    {
      snprintf(buf, size, "certificate rejected: %s", X509_verify_cert_error_string(verify_result));
      return kind;
    }
  if (verify_result == X509_V_OK)
    kind = _ssl_kind(ssl_err);
  if (ssl_err)
    detail = ERR_reason_error_string(ssl_err);
  if (!detail)
    detail = "no detail from OpenSSL";
  switch (kind)
    {
    case TLS_ERROR_EXPIRED:
      snprintf(buf, size, "certificate expired");
      break;
    case TLS_ERROR_NOT_YET_VALID:
      snprintf(buf, size, "certificate not yet valid");
      break;
    case TLS_ERROR_UNTRUSTED:
      snprintf(buf, size, "untrusted issuer: %s", X509_verify_cert_error_string(verify_result));
      break;
    case TLS_ERROR_NAME_MISMATCH:
      snprintf(buf, size, "name mismatch: the certificate is not for the expected name \"%s\"",
               expected ? expected : "");
      break;
    case TLS_ERROR_REVOKED:
      snprintf(buf, size, "certificate revoked");
      break;
    case TLS_ERROR_CRL:
      snprintf(buf, size, "revocation check failed: %s", X509_verify_cert_error_string(verify_result));
      break;
    case TLS_ERROR_PROTOCOL_VERSION:
      snprintf(buf, size, "protocol version: no TLS version both sides accept (%s)", detail);
      break;
    case TLS_ERROR_CLIENT_CERT_REQUIRED:
      snprintf(buf, size, "the server requires a client certificate (%s)", detail);
      break;
    case TLS_ERROR_CLIENT_CERT_REJECTED:
      snprintf(buf, size, "the server rejected the client certificate (%s)", detail);
      break;
    case TLS_ERROR_NOT_TLS:
      snprintf(buf, size, "handshake failure: the server does not speak TLS (%s)", detail);
      break;
    case TLS_ERROR_NO_CERTIFICATE:
      snprintf(buf, size, "the server presented no certificate");
      break;
    case TLS_ERROR_PIN_MISMATCH:
    case TLS_ERROR_HANDSHAKE:
      snprintf(buf, size, "handshake failure: %s", detail);
      break;
    }
  return kind;
}

const char *
tls_error_kind_name(enum tls_error_kind kind)
{
  static const char *const names[] = {
    [TLS_ERROR_HANDSHAKE] = "handshake-failure",
    [TLS_ERROR_EXPIRED] = "expired",
    [TLS_ERROR_NOT_YET_VALID] = "not-yet-valid",
    [TLS_ERROR_UNTRUSTED] = "untrusted-issuer",
    [TLS_ERROR_NAME_MISMATCH] = "name-mismatch",
    [TLS_ERROR_REVOKED] = "revoked",
    [TLS_ERROR_CRL] = "crl",
    [TLS_ERROR_PROTOCOL_VERSION] = "protocol-version",
    [TLS_ERROR_CLIENT_CERT_REQUIRED] = "client-certificate-required",
    [TLS_ERROR_CLIENT_CERT_REJECTED] = "client-certificate-rejected",
    [TLS_ERROR_PIN_MISMATCH] = "pin-mismatch",
    [TLS_ERROR_NOT_TLS] = "not-tls",
    [TLS_ERROR_NO_CERTIFICATE] = "no-certificate",
  };
  return (unsigned) kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "handshake-failure";
}
