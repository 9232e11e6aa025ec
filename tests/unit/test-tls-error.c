/* OpenSSL's verify results and error codes to the kind and the words an
 * operator reads in the log ("kind=expired reason=\"certificate expired\""). */
#include "io/tls-error.h"

#include <criterion/criterion.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <string.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define SSL_CODE(reason) ERR_PACK(ERR_LIB_SSL, 0, (reason))

static char buf[512];

/* As in lifeline, where SSL_CTX_new() has loaded OpenSSL's reason strings
 * before any error can be described. */
static void
_setup(void)
{
  cr_assert_eq(OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS, NULL), 1);
}

TestSuite(tls_error, .init = _setup);

static void
_expect(long verify, unsigned long ssl_err, const char *expected, enum tls_error_kind kind, const char *name,
        const char *words)
{
  enum tls_error_kind got = tls_error_describe(verify, ssl_err, expected, buf, sizeof(buf));
  cr_assert_eq(got, kind, "verify %ld ssl 0x%lx: kind %s, want %s (%s)", verify, ssl_err, tls_error_kind_name(got),
               name, buf);
  cr_assert_str_eq(tls_error_kind_name(got), name);
  cr_assert_not_null(strstr(buf, words), "verify %ld ssl 0x%lx: '%s' lacks '%s'", verify, ssl_err, buf, words);
}

Test(tls_error, expired_and_not_yet_valid)
{
  _expect(X509_V_ERR_CERT_HAS_EXPIRED, SSL_CODE(SSL_R_CERTIFICATE_VERIFY_FAILED), "h", TLS_ERROR_EXPIRED, "expired",
          "certificate expired");
  _expect(X509_V_ERR_CERT_NOT_YET_VALID, SSL_CODE(SSL_R_CERTIFICATE_VERIFY_FAILED), "h", TLS_ERROR_NOT_YET_VALID,
          "not-yet-valid", "certificate not yet valid");
}

Test(tls_error, untrusted_issuer_says_which_chain_problem)
{
  static const long codes[] = {
    X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT,       X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
    X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
    X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,     X509_V_ERR_CERT_UNTRUSTED,
    X509_V_ERR_CERT_SIGNATURE_FAILURE,          X509_V_ERR_INVALID_CA,
  };

  for (size_t i = 0; i < N_OF(codes); i++)
    {
      _expect(codes[i], SSL_CODE(SSL_R_CERTIFICATE_VERIFY_FAILED), "h", TLS_ERROR_UNTRUSTED, "untrusted-issuer",
              "untrusted issuer: ");
      cr_assert_not_null(strstr(buf, X509_verify_cert_error_string(codes[i])), "'%s' hides OpenSSL's reason", buf);
    }
}

Test(tls_error, name_mismatch_names_the_expected_name)
{
  _expect(X509_V_ERR_HOSTNAME_MISMATCH, SSL_CODE(SSL_R_CERTIFICATE_VERIFY_FAILED), "logs.example",
          TLS_ERROR_NAME_MISMATCH, "name-mismatch",
          "name mismatch: the certificate is not for the expected name \"logs.example\"");
  _expect(X509_V_ERR_IP_ADDRESS_MISMATCH, 0, "127.0.0.1", TLS_ERROR_NAME_MISMATCH, "name-mismatch",
          "expected name \"127.0.0.1\"");
  _expect(X509_V_ERR_HOSTNAME_MISMATCH, 0, NULL, TLS_ERROR_NAME_MISMATCH, "name-mismatch", "expected name \"\"");
}

Test(tls_error, revoked_and_crl_problems)
{
  static const long crl_codes[] = {
    X509_V_ERR_UNABLE_TO_GET_CRL,         X509_V_ERR_CRL_HAS_EXPIRED,
    X509_V_ERR_CRL_NOT_YET_VALID,         X509_V_ERR_CRL_SIGNATURE_FAILURE,
    X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER,
  };

  _expect(X509_V_ERR_CERT_REVOKED, SSL_CODE(SSL_R_CERTIFICATE_VERIFY_FAILED), "h", TLS_ERROR_REVOKED, "revoked",
          "certificate revoked");
  for (size_t i = 0; i < N_OF(crl_codes); i++)
    {
      _expect(crl_codes[i], 0, "h", TLS_ERROR_CRL, "crl", "revocation check failed: ");
      cr_assert_not_null(strstr(buf, X509_verify_cert_error_string(crl_codes[i])));
    }
}

Test(tls_error, other_verify_results_are_rejections_in_openssl_words)
{
  _expect(X509_V_ERR_CERT_CHAIN_TOO_LONG, SSL_CODE(SSL_R_CERTIFICATE_VERIFY_FAILED), "h", TLS_ERROR_HANDSHAKE,
          "handshake-failure", "certificate rejected: ");
  cr_assert_not_null(strstr(buf, X509_verify_cert_error_string(X509_V_ERR_CERT_CHAIN_TOO_LONG)));
}

Test(tls_error, protocol_version)
{
  static const int reasons[] = {
    SSL_R_UNSUPPORTED_PROTOCOL, SSL_R_TLSV1_ALERT_PROTOCOL_VERSION, SSL_R_WRONG_SSL_VERSION,
    SSL_R_VERSION_TOO_LOW,      SSL_R_VERSION_TOO_HIGH,             SSL_R_NO_PROTOCOLS_AVAILABLE,
    SSL_R_UNSUPPORTED_SSL_VERSION,
  };

  for (size_t i = 0; i < N_OF(reasons); i++)
    {
      _expect(X509_V_OK, SSL_CODE(reasons[i]), "h", TLS_ERROR_PROTOCOL_VERSION, "protocol-version",
              "protocol version: no TLS version both sides accept (");
      const char *detail = ERR_reason_error_string(SSL_CODE(reasons[i]));
      cr_assert_not_null(detail, "OpenSSL has no words for reason %d", reasons[i]);
      cr_assert_not_null(strstr(buf, detail), "'%s' lacks OpenSSL's detail", buf);
    }
  _expect(X509_V_OK, SSL_CODE(SSL_R_UNSUPPORTED_PROTOCOL), "h", TLS_ERROR_PROTOCOL_VERSION, "protocol-version",
          "(unsupported protocol)");
}

Test(tls_error, client_certificate_required_and_rejected)
{
  static const int required[] = { SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED, SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE };
  static const int rejected[] = {
    SSL_R_TLSV1_ALERT_UNKNOWN_CA,           SSL_R_SSLV3_ALERT_BAD_CERTIFICATE,
    SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED,  SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED,
    SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN,  SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE,
    SSL_R_TLSV1_ALERT_ACCESS_DENIED,
  };

  for (size_t i = 0; i < N_OF(required); i++)
    _expect(X509_V_OK, SSL_CODE(required[i]), "h", TLS_ERROR_CLIENT_CERT_REQUIRED, "client-certificate-required",
            "the server requires a client certificate (");
  for (size_t i = 0; i < N_OF(rejected); i++)
    _expect(X509_V_OK, SSL_CODE(rejected[i]), "h", TLS_ERROR_CLIENT_CERT_REJECTED, "client-certificate-rejected",
            "the server rejected the client certificate (");
  _expect(X509_V_OK, SSL_CODE(SSL_R_TLSV1_ALERT_UNKNOWN_CA), "h", TLS_ERROR_CLIENT_CERT_REJECTED,
          "client-certificate-rejected", "unknown ca");
}

Test(tls_error, not_tls)
{
  static const int reasons[] = { SSL_R_WRONG_VERSION_NUMBER, SSL_R_PACKET_LENGTH_TOO_LONG,
                                 SSL_R_RECORD_LENGTH_MISMATCH };

  for (size_t i = 0; i < N_OF(reasons); i++)
    _expect(X509_V_OK, SSL_CODE(reasons[i]), "h", TLS_ERROR_NOT_TLS, "not-tls",
            "handshake failure: the server does not speak TLS (");
  _expect(X509_V_OK, SSL_CODE(SSL_R_WRONG_VERSION_NUMBER), "h", TLS_ERROR_NOT_TLS, "not-tls",
          "(wrong version number)");
}

/* The code from OpenSSL's queue, as the shell reads it, is what ERR_PACK builds. */
Test(tls_error, codes_as_raised_by_openssl)
{
  ERR_clear_error();
  ERR_raise(ERR_LIB_SSL, SSL_R_WRONG_VERSION_NUMBER);
  unsigned long e = ERR_get_error();
  cr_assert_eq(e, SSL_CODE(SSL_R_WRONG_VERSION_NUMBER));
  _expect(X509_V_OK, e, "h", TLS_ERROR_NOT_TLS, "not-tls", "does not speak TLS");
}

Test(tls_error, everything_else_is_a_handshake_failure_with_openssl_detail)
{
  _expect(X509_V_OK, SSL_CODE(SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE), "h", TLS_ERROR_HANDSHAKE, "handshake-failure",
          "handshake failure: sslv3 alert handshake failure");
  _expect(X509_V_OK, SSL_CODE(SSL_R_CERTIFICATE_VERIFY_FAILED), "h", TLS_ERROR_HANDSHAKE, "handshake-failure",
          "handshake failure: certificate verify failed");
  _expect(X509_V_OK, 0, "h", TLS_ERROR_HANDSHAKE, "handshake-failure", "handshake failure: no detail from OpenSSL");
  /* The same reason number from another library is not the SSL reason. */
  _expect(X509_V_OK, ERR_PACK(ERR_LIB_X509, 0, SSL_R_WRONG_VERSION_NUMBER), "h", TLS_ERROR_HANDSHAKE,
          "handshake-failure", "handshake failure: ");
  _expect(X509_V_OK, ERR_PACK(ERR_LIB_SYS, 0, 104), "h", TLS_ERROR_HANDSHAKE, "handshake-failure",
          "handshake failure: ");
}

Test(tls_error, a_verify_result_wins_over_the_queue)
{
  _expect(X509_V_ERR_CERT_HAS_EXPIRED, SSL_CODE(SSL_R_WRONG_VERSION_NUMBER), "h", TLS_ERROR_EXPIRED, "expired",
          "certificate expired");
}

Test(tls_error, a_short_buffer_truncates)
{
  char small[12];

  memset(small, 'x', sizeof(small));
  cr_assert_eq(tls_error_describe(X509_V_ERR_HOSTNAME_MISMATCH, 0, "a-very-long-name.example", small, sizeof(small)),
               TLS_ERROR_NAME_MISMATCH);
  cr_assert_eq(strlen(small), sizeof(small) - 1);
  cr_assert_eq(tls_error_describe(X509_V_OK, SSL_CODE(SSL_R_WRONG_VERSION_NUMBER), "h", small, 1), TLS_ERROR_NOT_TLS);
  cr_assert_eq(small[0], '\0');
}

Test(tls_error, every_kind_has_a_distinct_name)
{
  for (int a = TLS_ERROR_HANDSHAKE; a <= TLS_ERROR_NO_CERTIFICATE; a++)
    {
      const char *name = tls_error_kind_name((enum tls_error_kind) a);
      cr_assert(name && *name && !strchr(name, ' '), "kind %d: '%s' is not a log tag", a, name ? name : "(null)");
      for (int b = TLS_ERROR_HANDSHAKE; b < a; b++)
        cr_assert_str_neq(name, tls_error_kind_name((enum tls_error_kind) b));
    }
  cr_assert_str_eq(tls_error_kind_name(TLS_ERROR_PIN_MISMATCH), "pin-mismatch");
  cr_assert_str_eq(tls_error_kind_name((enum tls_error_kind) 99), "handshake-failure");
  cr_assert_str_eq(tls_error_kind_name((enum tls_error_kind) -1), "handshake-failure");
}
