#include "tls-server.h"

#include "diag.h"
#include "xalloc.h"

#include <openssl/err.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Resumption with a client certificate fails without a session id context. */
static const unsigned char SESSION_ID_CONTEXT[] = "lifeline-collector";

static const char *
_ssl_error(void)
{
  static char buf[256];
  unsigned long e = ERR_peek_last_error();
  if (e == 0)
    return "unknown error";
  ERR_error_string_n(e, buf, sizeof(buf));
  ERR_clear_error();
  return buf;
}

/* The ClientHello's server name, once per connection, whether or not the
 * handshake then succeeds: a test checks what each client asked for. */
static int
_on_servername(SSL *ssl, int *alert, void *arg)
{
  struct tls_server *self = arg;
  bool *logged = SSL_get_app_data(ssl);
  if (self->sni_fd < 0 || !logged || *logged)
    return SSL_TLSEXT_ERR_OK;
  *logged = true;

  const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  char line[260];              /* a DNS name has at most 253 characters */
  int len = snprintf(line, sizeof(line), "%.253s\n", name ? name : "-");
  /* One write() on an O_APPEND file: lines never interleave. */
  if (write(self->sni_fd, line, (size_t) len) != len)
    diag_warn("Writing the SNI file failed; error=%s", strerror(errno));
  return SSL_TLSEXT_ERR_OK;
}

static void
_load_files(struct tls_server *self, const struct tls_server_options *opt)
{
  if (SSL_CTX_use_certificate_chain_file(self->ctx, opt->cert_file) != 1)
    diag_die("Loading the TLS certificate failed; file=%s error=%s", opt->cert_file, _ssl_error());
  /* Also refuses a key that does not match the certificate ("key values mismatch"). */
  if (SSL_CTX_use_PrivateKey_file(self->ctx, opt->key_file, SSL_FILETYPE_PEM) != 1)
    diag_die("Loading the TLS key failed; file=%s error=%s", opt->key_file, _ssl_error());
  if (!opt->ca_file)
    return;
  if (SSL_CTX_load_verify_locations(self->ctx, opt->ca_file, NULL) != 1)
    diag_die("Loading the TLS CA file failed; file=%s error=%s", opt->ca_file, _ssl_error());
  /* Tells clients which issuers to pick a certificate from. */
  STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(opt->ca_file);
  if (!names)
    diag_die("Reading the CA names failed; file=%s error=%s", opt->ca_file, _ssl_error());
  SSL_CTX_set_client_CA_list(self->ctx, names);
}

static void
_set_versions(struct tls_server *self, const struct tls_server_options *opt)
{
  int min = opt->min_version, max = opt->max_version;
  /* Debian's OpenSSL offers nothing below TLS 1.2 at the default security
   * level (SECLEVEL 2 in /etc/ssl/openssl.cnf): a server "limited to TLS 1.1" would fail with "no
   * ciphers available", and a client test would pass for the wrong reason. */
  if ((min && min < TLS1_2_VERSION) || (max && max < TLS1_2_VERSION))
    {
      SSL_CTX_set_security_level(self->ctx, 0);
      if (SSL_CTX_set_cipher_list(self->ctx, "DEFAULT:@SECLEVEL=0") != 1)
        diag_die("Setting the TLS cipher list failed; error=%s", _ssl_error());
      if (!min)
        min = TLS1_VERSION;
    }
  if (min && SSL_CTX_set_min_proto_version(self->ctx, min) != 1)
    diag_die("Setting the minimum TLS version failed; version=%#x", (unsigned) min);
  if (max && SSL_CTX_set_max_proto_version(self->ctx, max) != 1)
    diag_die("Setting the maximum TLS version failed; version=%#x", (unsigned) max);
}

struct tls_server *
tls_server_new(const struct tls_server_options *opt)
{
  struct tls_server *self = xcalloc(1, sizeof(*self));
  self->sni_fd = -1;
  self->ctx = SSL_CTX_new(TLS_server_method());
  if (!self->ctx)
    diag_die("Creating the TLS context failed; error=%s", _ssl_error());

  _load_files(self, opt);
  _set_versions(self, opt);
  if (opt->verify_client)
    SSL_CTX_set_verify(self->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
  SSL_CTX_set_session_id_context(self->ctx, SESSION_ID_CONTEXT, sizeof(SESSION_ID_CONTEXT) - 1);
  if (opt->no_tickets)
    {
      SSL_CTX_set_num_tickets(self->ctx, 0);
      SSL_CTX_set_options(self->ctx, SSL_OP_NO_TICKET);
    }
  /* Fewer read() calls per record; tls_stream handles what stays buffered. */
  SSL_CTX_set_read_ahead(self->ctx, 1);

  if (opt->sni_file)
    {
      self->sni_fd = open(opt->sni_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (self->sni_fd < 0)
        diag_die("Opening the SNI file failed; file=%s error=%s", opt->sni_file, strerror(errno));
    }
  SSL_CTX_set_tlsext_servername_callback(self->ctx, _on_servername);
  SSL_CTX_set_tlsext_servername_arg(self->ctx, self);
  return self;
}

void
tls_server_free(struct tls_server *self)
{
  if (!self)
    return;
  SSL_CTX_free(self->ctx);
  if (self->sni_fd >= 0)
    close(self->sni_fd);
  free(self);
}

SSL *
tls_server_accept(struct tls_server *self, int fd, bool *sni_logged)
{
  SSL *ssl = SSL_new(self->ctx);
  if (!ssl || SSL_set_fd(ssl, fd) != 1)
    diag_die("Creating a TLS session failed; error=%s", _ssl_error());
  SSL_set_accept_state(ssl);
  SSL_set_app_data(ssl, sni_logged);
  return ssl;
}
