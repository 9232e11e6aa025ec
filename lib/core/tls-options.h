/*
 * The tls() block of a network() or syslog() destination, and of a failover
 * server("host" tls(...)) that overrides some of it:
 *
 *   tls(ca-file("ca.pem") cert-file("client.pem") key-file("client.key")
 *       peer-verify(yes) min-version("1.2") sni(yes) verify-name("logs.example")
 *       pinned-sha256("base64 or hex of the SubjectPublicKeyInfo's SHA-256"))
 *
 * Pure: files are named here and read by the I/O shell (lib/io/tls-context.c),
 * which reports a bad file as a config error naming the option.
 *
 * Ownership: a struct tls_options owns its strings (GLib-allocated).
 * tls_options_copy() makes an independent copy; tls_options_clear() frees
 * the strings and zeroes the struct (NULL-safe, idempotent).  A zeroed
 * struct is "not set"; tls_options_defaults() gives the documented defaults.
 */
#ifndef LIFELINE_TLS_OPTIONS_H
#define LIFELINE_TLS_OPTIONS_H

#include <lifeline/plugin.h>
#include <stdint.h>

/* syslog-ng's peer-verify() words, with their syslog-ng meaning for a client
 * (a server always presents a certificate, so "optional" differs from
 * "required" only when the server presents none). */
enum tls_peer_verify
{
  TLS_PEER_VERIFY_REQUIRED_TRUSTED = 0, /* yes: the default */
  TLS_PEER_VERIFY_REQUIRED_UNTRUSTED,
  TLS_PEER_VERIFY_OPTIONAL_TRUSTED,
  TLS_PEER_VERIFY_OPTIONAL_UNTRUSTED, /* no */
};

/* Protocol versions as on the wire (TLS1_2_VERSION etc. in OpenSSL). */
#define TLS_OPTIONS_VERSION_1_0 0x0301
#define TLS_OPTIONS_VERSION_1_1 0x0302
#define TLS_OPTIONS_VERSION_1_2 0x0303
#define TLS_OPTIONS_VERSION_1_3 0x0304
#define TLS_OPTIONS_DEFAULT_MIN_VERSION TLS_OPTIONS_VERSION_1_2

#define TLS_OPTIONS_PIN_LEN 32

struct tls_options
{
  char *ca_file, *ca_dir;
  char *cert_file, *key_file, *key_password;
  char *crl_file, *crl_dir;
  char *cipher_suite;
  char *verify_name; /* check the certificate against this name and send it as SNI */
  int peer_verify;   /* enum tls_peer_verify */
  int min_version;   /* TLS_OPTIONS_VERSION_* */
  int sni;           /* send SNI (never for an IP address) */
  int has_pin;
  uint8_t pin[TLS_OPTIONS_PIN_LEN];
};

void tls_options_defaults(struct tls_options *self);

/* Reads the tls() node NODE over a copy of INHERIT (the destination's options
 * for a server's override, or the defaults): every option written in NODE
 * replaces the inherited one.  OUT must be cleared or zeroed; on error OUT is
 * cleared and ERR located at the offending option.  0 or -1. */
int tls_options_parse(const struct lifeline_option *node, const struct tls_options *inherit,
                      struct tls_options *out, struct lifeline_error *err);

/* 0, or -1 when out of memory (DST is then cleared). */
int tls_options_copy(struct tls_options *dst, const struct tls_options *src);
void tls_options_clear(struct tls_options *self);

/* True when the peer's certificate chain and name are checked. */
int tls_options_verifies(const struct tls_options *self);

/* "1.2" for TLS_OPTIONS_VERSION_1_2, for messages. */
const char *tls_options_version_name(int version);

/* Decodes a pin written as "sha256//BASE64", BASE64 (44 characters) or 64
 * hexadecimal digits (colons allowed).  0, or -1 with *WHY set. */
int tls_options_parse_pin(const char *text, uint8_t pin[TLS_OPTIONS_PIN_LEN], const char **why);

#endif
