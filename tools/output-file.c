#include "output-file.h"

#include "diag.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define OUTPUT_FILE_BUF_SIZE (1024 * 1024)

static void
_fail(struct output_file *self)
{
  diag_warn("Writing the output file failed, output disabled; file=%s error=%s", self->path, strerror(errno));
  close(self->fd);
  self->fd = -1;
  self->failed = true;
}

/* Writes IOV fully (short writes resumed), or fails the file. */
static void
_write_iov(struct output_file *self, struct iovec *iov, int iovcnt)
{
  while (self->fd >= 0)
    {
      while (iovcnt > 0 && iov->iov_len == 0)
        iov++, iovcnt--;
      if (iovcnt == 0)
        return;
      ssize_t n = writev(self->fd, iov, iovcnt);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          _fail(self);
          return;
        }
      for (int i = 0; i < iovcnt && n > 0; i++)
        {
          size_t take = (size_t) n < iov[i].iov_len ? (size_t) n : iov[i].iov_len;
          iov[i].iov_base = (char *) iov[i].iov_base + take;
          iov[i].iov_len -= take;
          n -= (ssize_t) take;
        }
    }
}

void
output_file_open(struct output_file *self, const char *path)
{
  memset(self, 0, sizeof(*self));
  self->path = path;
  self->fd = -1;
  if (!path)
    return;
  self->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (self->fd < 0)
    diag_die("Opening the output file failed; file=%s error=%s", path, strerror(errno));
  self->buf = xmalloc(OUTPUT_FILE_BUF_SIZE);
}

void
output_file_flush(struct output_file *self)
{
  struct iovec iov = { self->buf, self->len };
  if (self->len > 0)
    _write_iov(self, &iov, 1);
  self->len = 0;
}

void
output_file_append(struct output_file *self, const char *msg, size_t len)
{
  if (self->fd < 0)
    return;
  if (len + 1 > OUTPUT_FILE_BUF_SIZE - self->len)
    output_file_flush(self);
  if (len + 1 > OUTPUT_FILE_BUF_SIZE)
    {
      /* Rare (a message larger than the buffer): written straight from MSG. */
      struct iovec iov[2] = { { (void *) msg, len }, { "\n", 1 } };
      _write_iov(self, iov, 2);
      return;
    }
  memcpy(self->buf + self->len, msg, len);
  self->buf[self->len + len] = '\n';
  self->len += len + 1;
}

bool
output_file_close(struct output_file *self)
{
  output_file_flush(self);
  if (self->fd >= 0 && close(self->fd) != 0)
    {
      diag_warn("Closing the output file failed; file=%s error=%s", self->path, strerror(errno));
      self->failed = true;
    }
  self->fd = -1;
  free(self->buf);
  self->buf = NULL;
  return !self->failed;
}
