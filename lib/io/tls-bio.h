/*
 * The BIO between OpenSSL and a connection's non-blocking socket.  OpenSSL's
 * own socket BIO writes with write(2), which raises SIGPIPE after a peer
 * reset and kills a host that did not ignore it (exit status 141); this one sends
 * with MSG_NOSIGNAL and counts every ciphertext byte the kernel accepted,
 * which the acknowledgement accounting needs (acked = written - SIOCOUTQ).
 *
 * Ownership: the BIO does not own the fd (the connection closes it) and is
 * owned by the SSL it is attached to (SSL_set_bio).
 */
#ifndef LIFELINE_TLS_BIO_H
#define LIFELINE_TLS_BIO_H

#include <openssl/bio.h>
#include <stdint.h>

/* A BIO over FD that adds what the kernel accepts to *WRITTEN and keeps the
 * last socket error in *LAST_ERRNO.  NULL when out of memory. */
BIO *tls_bio_new(int fd, uint64_t *written, int *last_errno);

#endif
