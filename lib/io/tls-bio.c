#include "tls-bio.h"

#include <errno.h>
#include <pthread.h>
#include <sys/socket.h>

struct tls_bio_state
{
  int fd;
  uint64_t *written;
  int *last_errno;
};

static BIO_METHOD *tls_bio_method;
static pthread_once_t tls_bio_once = PTHREAD_ONCE_INIT;

static int
_write_ex(BIO *bio, const char *data, size_t len, size_t *done)
{
  struct tls_bio_state *st = BIO_get_data(bio);

  BIO_clear_retry_flags(bio);
  for (;;)
    {
      ssize_t n = send(st->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n >= 0)
        {
          *st->written += (uint64_t) n;
          *done = (size_t) n;
          return 1;
        }
      if (errno == EINTR)
        continue;
      *st->last_errno = errno;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        BIO_set_retry_write(bio);
      *done = 0;
      return 0;
    }
}

static int
_read_ex(BIO *bio, char *data, size_t len, size_t *done)
{
  struct tls_bio_state *st = BIO_get_data(bio);

  BIO_clear_retry_flags(bio);
  for (;;)
    {
      ssize_t n = recv(st->fd, data, len, MSG_DONTWAIT);
      if (n > 0)
        {
          *done = (size_t) n;
          return 1;
        }
      if (n == 0)
        {
          /* EOF: OpenSSL tells a close_notify from a bare FIN by itself. */
          *done = 0;
          return 0;
        }
      if (errno == EINTR)
        continue;
      *st->last_errno = errno;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        BIO_set_retry_read(bio);
      *done = 0;
      return 0;
    }
}

static long
_ctrl(BIO *bio, int cmd, long num, void *ptr)
{
  (void) num;
  (void) ptr;
  switch (cmd)
    {
    case BIO_CTRL_FLUSH:
      return 1; /* nothing is buffered here */
    case BIO_CTRL_PUSH:
    case BIO_CTRL_POP:
      return 0;
    default:
      (void) bio;
      return 0;
    }
}

static int
_destroy(BIO *bio)
{
  OPENSSL_free(BIO_get_data(bio));
  BIO_set_data(bio, NULL);
  return 1;
}

static void
_make_method(void)
{
  BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "lifeline socket");
  if (!m)
    return;
  BIO_meth_set_write_ex(m, _write_ex);
  BIO_meth_set_read_ex(m, _read_ex);
  BIO_meth_set_ctrl(m, _ctrl);
  BIO_meth_set_destroy(m, _destroy);
  tls_bio_method = m;
}

BIO *
tls_bio_new(int fd, uint64_t *written, int *last_errno)
{
  pthread_once(&tls_bio_once, _make_method);
  if (!tls_bio_method)
    return NULL;
  struct tls_bio_state *st = OPENSSL_zalloc(sizeof(*st));
  BIO *bio = st ? BIO_new(tls_bio_method) : NULL;
  if (!bio)
    {
      OPENSSL_free(st);
      return NULL;
    }
  st->fd = fd;
  st->written = written;
  st->last_errno = last_errno;
  BIO_set_data(bio, st);
  BIO_set_init(bio, 1);
  return bio;
}
