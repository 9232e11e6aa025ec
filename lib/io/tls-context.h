/*
 * An OpenSSL client context built from one set of tls() options: trust
 * anchors, CRLs, the client certificate and key, the minimum protocol
 * version and ciphers.  Files are read here, at start and at every reload, so
 * renewed certificates and CRLs apply to new connections after a reload.
 *
 * Sessions are never cached inside OpenSSL (SSL_SESS_CACHE_NO_INTERNAL_STORE):
 * each server keeps its own (tls-peer.h), so a session is offered only to
 * the server that issued it.  Early data (0-RTT) is never used: a replayed
 * log line would be a duplicate.
 *
 * Ownership: tls_context_new() returns a context the caller frees with
 * tls_context_free() (NULL-safe).
 */
#ifndef LIFELINE_TLS_CONTEXT_H
#define LIFELINE_TLS_CONTEXT_H

#include "core/tls-options.h"

#include <openssl/ssl.h>
#include <stddef.h>

struct tls_context
{
  SSL_CTX *ctx;
  int verify; /* the chain and the name are checked (peer-verify trusted) */
};

/* NEW_SESSION is installed as the context's new-session callback (see
 * SSL_CTX_sess_set_new_cb).  NULL on error, with the sentence in ERRBUF and
 * the tls() option it is about ("ca-file", "key-file", ...) in *OPTION. */
struct tls_context *tls_context_new(const struct tls_options *opts, int (*new_session)(SSL *, SSL_SESSION *),
                                    char *errbuf, size_t errsize, const char **option);
void tls_context_free(struct tls_context *self);

#endif
