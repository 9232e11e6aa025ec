#include "tap-tls.h"

#include "xalloc.h"

#include <openssl/err.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>

struct tap_tls
{
  SSL *ssl;
  short events;
  /* Every record header the session parsed: where the last parsed record
   * ends in the raw stream, and its length with the header. */
  uint64_t records_end;
  uint64_t last_record;
};

/* OpenSSL reports each record header it parses, before the record's body is
 * complete: with BIO_number_read() that tells how much of what was read is
 * still an unfinished record. */
static void
_on_record(int write_p, int version, int content_type, const void *buf, size_t len, SSL *ssl, void *arg)
{
  struct tap_tls *self = arg;
  (void) version;
  (void) ssl;
  if (write_p || content_type != SSL3_RT_HEADER || len < 5)
    return;
  const unsigned char *h = buf;
  self->last_record = 5 + ((uint64_t) h[3] << 8 | h[4]);
  self->records_end += self->last_record;
}

struct tap_tls *
tap_tls_new(struct tls_server *server, int fd)
{
  struct tap_tls *self = xcalloc(1, sizeof(*self));
  self->ssl = tls_server_accept(server, fd, NULL);
  self->events = POLLIN;
  SSL_set_msg_callback(self->ssl, _on_record);
  SSL_set_msg_callback_arg(self->ssl, self);
  return self;
}

void
tap_tls_free(struct tap_tls *self)
{
  if (!self)
    return;
  SSL_free(self->ssl);
  free(self);
}

ssize_t
tap_tls_read(struct tap_tls *self, char *buf, size_t cap)
{
  self->events = POLLIN;
  if (!SSL_is_init_finished(self->ssl))
    {
      int rc = SSL_accept(self->ssl);
      if (rc != 1)
        {
          int err = SSL_get_error(self->ssl, rc);
          ERR_clear_error();
          if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE)
            return 0;
          if (err == SSL_ERROR_WANT_WRITE)
            self->events = POLLOUT;
          errno = EAGAIN;
          return -1;
        }
    }
  int n = SSL_read(self->ssl, buf, cap > INT32_MAX ? INT32_MAX : (int) cap);
  if (n > 0)
    return n;
  int err = SSL_get_error(self->ssl, n);
  ERR_clear_error();
  /* A read may have to write first (a key update's answer). */
  if (err == SSL_ERROR_WANT_WRITE)
    self->events = POLLOUT;
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
    {
      errno = EAGAIN;
      return -1;
    }
  return 0;
}

short
tap_tls_events(const struct tap_tls *self)
{
  return self->events;
}

uint64_t
tap_tls_held(const struct tap_tls *self)
{
  uint64_t raw = BIO_number_read(SSL_get_rbio(self->ssl));
  uint64_t done = self->records_end;
  /* The last parsed record is unfinished when its end was not read yet. */
  if (raw < done)
    done -= self->last_record;
  return raw > done ? raw - done : 0;
}
