#include "tls-context.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Clears OpenSSL's error queue: what is left there would be blamed on the
 * next, unrelated failure of this thread. */
static void
_fail(char *errbuf, size_t errsize, const char **option, const char *name, const char *what, const char *path)
{
  unsigned long e = ERR_peek_last_error();
  const char *why = e ? ERR_reason_error_string(e) : NULL;

  *option = name;
  if (path)
    snprintf(errbuf, errsize, "%s(\"%s\"): %s%s%s", name, path, what, why ? ": " : "", why ? why : "");
  else
    snprintf(errbuf, errsize, "%s(): %s%s%s", name, what, why ? ": " : "", why ? why : "");
  ERR_clear_error();
}

/* A file that is not there or not readable says so in the words of errno,
 * before OpenSSL says something vaguer. */
static int
_readable(const char *path, int dir, char *errbuf, size_t errsize, const char **option, const char *name)
{
  if (access(path, dir ? (R_OK | X_OK) : R_OK) == 0)
    return 0;
  *option = name;
  snprintf(errbuf, errsize, "%s(\"%s\"): cannot read: %s", name, path, strerror(errno));
  return -1;
}

static int
_password_cb(char *buf, int size, int rwflag, void *userdata)
{
  const char *pw = userdata;
  (void) rwflag;
  if (!pw)
    return 0;
  int len = (int) strlen(pw);
  if (len > size)
    len = size;
  memcpy(buf, pw, (size_t) len);
  return len;
}

static int
_load_trust(SSL_CTX *ctx, const struct tls_options *o, char *errbuf, size_t errsize, const char **option)
{
  if (o->ca_file && (_readable(o->ca_file, 0, errbuf, errsize, option, "ca-file") < 0
                     || SSL_CTX_load_verify_file(ctx, o->ca_file) != 1))
    {
      if (!*option)
        _fail(errbuf, errsize, option, "ca-file", "no CA certificate could be loaded", o->ca_file);
      return -1;
    }
  if (o->ca_dir && (_readable(o->ca_dir, 1, errbuf, errsize, option, "ca-dir") < 0
                    || SSL_CTX_load_verify_dir(ctx, o->ca_dir) != 1))
    {
      if (!*option)
        _fail(errbuf, errsize, option, "ca-dir", "cannot use it as a CA directory", o->ca_dir);
      return -1;
    }
  if (!o->ca_file && !o->ca_dir && SSL_CTX_set_default_verify_paths(ctx) != 1)
    {
      _fail(errbuf, errsize, option, "ca-file", "no ca-file() or ca-dir(), and the system's CA store cannot be used",
            NULL);
      return -1;
    }

  X509_STORE *store = SSL_CTX_get_cert_store(ctx);
  if (o->crl_file)
    {
      X509_LOOKUP *lookup = X509_STORE_add_lookup(store, X509_LOOKUP_file());
      if (_readable(o->crl_file, 0, errbuf, errsize, option, "crl-file") < 0)
        return -1;
      if (!lookup || X509_load_crl_file(lookup, o->crl_file, X509_FILETYPE_PEM) <= 0)
        {
          _fail(errbuf, errsize, option, "crl-file", "no CRL could be loaded", o->crl_file);
          return -1;
        }
    }
  if (o->crl_dir)
    {
      X509_LOOKUP *lookup = X509_STORE_add_lookup(store, X509_LOOKUP_hash_dir());
      if (_readable(o->crl_dir, 1, errbuf, errsize, option, "crl-dir") < 0)
        return -1;
      if (!lookup || X509_LOOKUP_add_dir(lookup, o->crl_dir, X509_FILETYPE_PEM) != 1)
        {
          _fail(errbuf, errsize, option, "crl-dir", "cannot use it as a CRL directory", o->crl_dir);
          return -1;
        }
    }
  if (o->crl_file || o->crl_dir)
    /* The leaf's revocation; a CA's own CRL for intermediates is rarely
     * published where a forwarder can read it (as syslog-ng). */
    X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
  return 0;
}

static int
_load_identity(SSL_CTX *ctx, const struct tls_options *o, char *errbuf, size_t errsize, const char **option)
{
  if (!o->cert_file)
    return 0;
  if (_readable(o->cert_file, 0, errbuf, errsize, option, "cert-file") < 0)
    return -1;
  if (SSL_CTX_use_certificate_chain_file(ctx, o->cert_file) != 1)
    {
      _fail(errbuf, errsize, option, "cert-file", "not a usable certificate", o->cert_file);
      return -1;
    }
  if (_readable(o->key_file, 0, errbuf, errsize, option, "key-file") < 0)
    return -1;
  SSL_CTX_set_default_passwd_cb(ctx, _password_cb);
  SSL_CTX_set_default_passwd_cb_userdata(ctx, o->key_password);
  int ok = SSL_CTX_use_PrivateKey_file(ctx, o->key_file, SSL_FILETYPE_PEM) == 1;
  /* The password is needed only while the key is read. */
  SSL_CTX_set_default_passwd_cb_userdata(ctx, NULL);
  if (!ok)
    {
      unsigned long e = ERR_peek_last_error();
      /* OpenSSL checks the pair while loading the key. */
      int mismatch = ERR_GET_LIB(e) == ERR_LIB_X509 && ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH;
      _fail(errbuf, errsize, option, "key-file",
            mismatch           ? "the key does not belong to cert-file()'s certificate"
            : o->key_password ? "cannot read the key (is key-password() right?)"
                              : "cannot read the key (encrypted keys need key-password())",
            o->key_file);
      return -1;
    }
  if (SSL_CTX_check_private_key(ctx) != 1)
    {
      _fail(errbuf, errsize, option, "key-file", "the key does not belong to cert-file()'s certificate", o->key_file);
      return -1;
    }
  return 0;
}

static int
_set_ciphers(SSL_CTX *ctx, const char *suite, char *errbuf, size_t errsize, const char **option)
{
  if (!suite)
    return 0;
  /* TLS 1.3 suites are named TLS_*; everything else is a TLS 1.2 cipher list. */
  int ok = strncmp(suite, "TLS_", 4) == 0 ? SSL_CTX_set_ciphersuites(ctx, suite) : SSL_CTX_set_cipher_list(ctx, suite);
  if (ok != 1)
    {
      _fail(errbuf, errsize, option, "cipher-suite", "no usable cipher in the list", suite);
      return -1;
    }
  return 0;
}

struct tls_context *
tls_context_new(const struct tls_options *o, int (*new_session)(SSL *, SSL_SESSION *), char *errbuf,
                size_t errsize, const char **option)
{
  struct tls_context *self = calloc(1, sizeof(*self));

  *option = NULL;
  ERR_clear_error();
  if (!self || !(self->ctx = SSL_CTX_new(TLS_client_method())))
    {
      free(self);
      _fail(errbuf, errsize, option, "tls", "cannot create a TLS context", NULL);
      return NULL;
    }
  SSL_CTX *ctx = self->ctx;
  self->verify = tls_options_verifies(o);
  SSL_CTX_set_verify(ctx, self->verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
  SSL_CTX_set_min_proto_version(ctx, o->min_version);
  /* Partial writes off: a record is written whole or retried whole, so a
   * completed SSL_write marks a frame boundary in the ciphertext. */
  SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  if (new_session)
    SSL_CTX_sess_set_new_cb(ctx, new_session);
  if (_load_trust(ctx, o, errbuf, errsize, option) < 0 || _load_identity(ctx, o, errbuf, errsize, option) < 0
      || _set_ciphers(ctx, o->cipher_suite, errbuf, errsize, option) < 0)
    {
      tls_context_free(self);
      return NULL;
    }
  return self;
}

void
tls_context_free(struct tls_context *self)
{
  if (!self)
    return;
  SSL_CTX_free(self->ctx);
  free(self);
}
