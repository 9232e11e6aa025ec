#include "tls-stream.h"

#include "tls-bio.h"
#include "tls-error.h"

#include <errno.h>
#include <openssl/err.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int tls_stream_index = -1;
static pthread_once_t tls_stream_once = PTHREAD_ONCE_INIT;

static void
_make_index(void)
{
  tls_stream_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

static int64_t
_now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The context's new-session callback (tls-context.h): a TLS 1.3 ticket
 * settles the connection; any session is kept for resumption. */
int
tls_stream_new_session(SSL *ssl, SSL_SESSION *session)
{
  struct tls_stream *self = tls_stream_index >= 0 ? SSL_get_ex_data(ssl, tls_stream_index) : NULL;
  if (!self || !self->peer)
    return 0;
  self->settled = 1;
  tls_peer_store_session(self->peer, session, _now_ms());
  return 1;
}

int
tls_stream_start(struct tls_stream *self, struct tls_peer *peer, int fd, uint64_t *cipher_written)
{
  pthread_once(&tls_stream_once, _make_index);
  memset(self, 0, sizeof(*self));
  ack_map_init(&self->map, 0);
  self->peer = peer;
  self->cipher_written = cipher_written;
  self->staging = malloc(TLS_STREAM_RECORD);
  self->ssl = self->staging ? tls_peer_new_ssl(peer, _now_ms()) : NULL;
  BIO *bio = self->ssl ? tls_bio_new(fd, cipher_written, &self->errno_value) : NULL;
  if (!bio || tls_stream_index < 0)
    {
      tls_stream_clear(self);
      return -1;
    }
  SSL_set_bio(self->ssl, bio, bio);
  SSL_set_ex_data(self->ssl, tls_stream_index, self);
  SSL_set_connect_state(self->ssl);
  return 0;
}

void
tls_stream_clear(struct tls_stream *self)
{
  if (self->ssl)
    {
      SSL_set_ex_data(self->ssl, tls_stream_index, NULL);
      SSL_free(self->ssl);
    }
  free(self->staging);
  ack_map_clear(&self->map);
  memset(self, 0, sizeof(*self));
}

/* Turns an SSL_* result into what to wait for, or a worded error. */
static enum tls_io
_result(struct tls_stream *self, int ret)
{
  int e = SSL_get_error(self->ssl, ret);
  unsigned long code;

  switch (e)
    {
    case SSL_ERROR_WANT_READ:
      return TLS_IO_WANT_READ;
    case SSL_ERROR_WANT_WRITE:
      return TLS_IO_WANT_WRITE;
    case SSL_ERROR_ZERO_RETURN:
      return TLS_IO_CLOSED;
    case SSL_ERROR_SYSCALL:
      ERR_clear_error();
      if (self->errno_value == 0 || self->errno_value == EAGAIN)
        {
          if (!self->handshaken)
            {
              self->error_kind = TLS_ERROR_HANDSHAKE;
              snprintf(self->error, sizeof(self->error), "handshake failure: the server closed the connection");
              self->errno_value = 0;
              return TLS_IO_ERROR;
            }
          return TLS_IO_CLOSED; /* EOF without close_notify */
        }
      self->error_kind = TLS_ERROR_HANDSHAKE;
      snprintf(self->error, sizeof(self->error), "%s", strerror(self->errno_value));
      return TLS_IO_ERROR;
    default:
      code = ERR_peek_error();
      self->error_kind = (int) tls_error_describe(SSL_get_verify_result(self->ssl), code, self->peer->expected,
                                                  self->error, sizeof(self->error));
      self->errno_value = 0;
      ERR_clear_error();
      return TLS_IO_ERROR;
    }
}

enum tls_io
tls_stream_handshake(struct tls_stream *self)
{
  if (self->handshaken)
    return TLS_IO_OK;
  self->errno_value = 0;
  int ret = SSL_connect(self->ssl);
  if (ret != 1)
    return _result(self, ret);
  self->handshaken = 1;
  enum tls_error_kind kind;
  if (tls_peer_check(self->peer, self->ssl, &kind, self->error, sizeof(self->error)) < 0)
    {
      self->error_kind = (int) kind;
      return TLS_IO_ERROR;
    }
  if (SSL_version(self->ssl) < TLS1_3_VERSION || SSL_session_reused(self->ssl))
    /* TLS 1.2 authenticated the client before its Finished; a resumed
     * session authenticated it before. */
    self->settled = 1;
  return TLS_IO_OK;
}

static enum tls_io
_write_staged(struct tls_stream *self)
{
  size_t done = 0;

  self->errno_value = 0;
  if (SSL_write_ex(self->ssl, self->staging, self->staged, &done) != 1)
    return _result(self, 0);
  self->staged = 0;
  /* Out of memory only coarsens the map (acknowledged later, never early). */
  (void) ack_map_record(&self->map, self->plain_written, *self->cipher_written);
  return TLS_IO_OK;
}

enum tls_io
tls_stream_flush(struct tls_stream *self)
{
  if (!self->staged)
    return TLS_IO_OK;
  return _write_staged(self);
}

enum tls_io
tls_stream_write(struct tls_stream *self, const struct iovec *iov, int iovcnt, size_t *taken)
{
  *taken = 0;
  if (self->staged)
    return TLS_IO_WANT_WRITE;
  size_t n = 0;
  for (int i = 0; i < iovcnt && n < TLS_STREAM_RECORD; i++)
    {
      size_t len = iov[i].iov_len;
      if (len > TLS_STREAM_RECORD - n)
        len = TLS_STREAM_RECORD - n;
      memcpy(self->staging + n, iov[i].iov_base, len);
      n += len;
    }
  if (!n)
    return TLS_IO_OK;
  self->staged = n;
  self->plain_written += n;
  *taken = n;
  return _write_staged(self);
}

enum tls_io
tls_stream_read(struct tls_stream *self)
{
  char buf[4096];
  size_t got;

  for (;;)
    {
      self->errno_value = 0;
      if (SSL_read_ex(self->ssl, buf, sizeof(buf), &got) == 1)
        continue; /* collectors send nothing a forwarder needs */
      enum tls_io r = _result(self, 0);
      return r == TLS_IO_WANT_READ ? TLS_IO_OK : r;
    }
}

uint64_t
tls_stream_acked(struct tls_stream *self, uint64_t cipher_acked)
{
  return ack_map_acked(&self->map, cipher_acked);
}

void
tls_stream_shutdown(struct tls_stream *self)
{
  if (self->ssl && self->handshaken)
    {
      (void) SSL_shutdown(self->ssl);
      ERR_clear_error();
    }
}

const char *
tls_stream_version(const struct tls_stream *self)
{
  return self->ssl ? SSL_get_version(self->ssl) : "";
}
