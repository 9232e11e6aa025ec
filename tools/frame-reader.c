#include "frame-reader.h"

#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void
frame_reader_init(struct frame_reader *self, enum frame_reader_framing framing)
{
  memset(self, 0, sizeof(*self));
  self->framing = framing;
}

void
frame_reader_deinit(struct frame_reader *self)
{
  free(self->carry);
  self->carry = NULL;
  self->carry_len = self->carry_cap = 0;
  self->window = NULL;
}

const char *
frame_reader_framing_name(enum frame_reader_framing framing)
{
  return framing == FRAME_READER_NEWLINE ? "newline" : "octet-counted";
}

char *
frame_reader_prepare(struct frame_reader *self, char *shared)
{
  size_t have = self->carry_len;

  if (have <= FRAME_READER_CHUNK)
    {
      self->window = shared;
      if (have)
        memcpy(shared, self->carry, have);
    }
  else
    {
      if (self->carry_cap < have + FRAME_READER_CHUNK)
        {
          self->carry_cap = have + FRAME_READER_CHUNK > 2 * self->carry_cap ? have + FRAME_READER_CHUNK
                                                                             : 2 * self->carry_cap;
          self->carry = xrealloc(self->carry, self->carry_cap);
        }
      self->window = self->carry;
    }
  return self->window + have;
}

/*
 * Hands every complete message in DATA to FN and returns the bytes consumed;
 * the rest is an incomplete message.  SCAN_FROM: no '\n' before this offset
 * (the carry never holds one), so a long line is not rescanned.
 */
static size_t
_split(enum frame_reader_framing framing, const char *data, size_t len, size_t scan_from,
       frame_reader_message_fn fn, void *cookie, const char **error)
{
  const char *p = data, *end = data + len;

  if (framing == FRAME_READER_NEWLINE)
    {
      const char *scan = data + scan_from;
      const char *nl;
      while (scan < end && (nl = memchr(scan, '\n', (size_t) (end - scan))))
        {
          fn(cookie, p, (size_t) (nl - p));
          p = scan = nl + 1;
        }
      if ((size_t) (end - p) > FRAME_READER_MAX_MESSAGE)
        *error = "line-too-long";
      return (size_t) (p - data);
    }

  /* RFC 6587 octet counting: MSG-LEN SP SYSLOG-MSG, MSG-LEN = NONZERO-DIGIT *DIGIT. */
  while (p < end)
    {
      size_t avail = (size_t) (end - p), i = 0;
      uint64_t n = 0;
      if (*p < '1' || *p > '9')
        {
          *error = "bad-frame-length";
          break;
        }
      while (i < avail && i < 10 && p[i] >= '0' && p[i] <= '9')
        {
          n = n * 10 + (uint64_t) (p[i] - '0');
          i++;
        }
      if (i == avail)
        break;                  /* header not complete yet */
      if (p[i] != ' ')
        {
          *error = "bad-frame-length";
          break;
        }
      if (n > FRAME_READER_MAX_MESSAGE)
        {
          *error = "frame-too-long";
          break;
        }
      if (avail - i - 1 < n)
        break;                  /* body not complete yet */
      fn(cookie, p + i + 1, (size_t) n);
      p += i + 1 + n;
    }
  return (size_t) (p - data);
}

static void
_store_carry(struct frame_reader *self, const char *src, size_t len)
{
  if (len > self->carry_cap)
    {
      size_t cap = self->carry_cap ? self->carry_cap : 1024;
      while (cap < len)
        cap *= 2;
      self->carry = xrealloc(self->carry, cap);
      self->carry_cap = cap;
    }
  if (len)
    memmove(self->carry, src, len);
  self->carry_len = len;
}

const char *
frame_reader_feed(struct frame_reader *self, size_t n, frame_reader_message_fn fn, void *cookie,
                  size_t *consumed)
{
  char *buf = self->window;
  size_t have = self->carry_len;
  size_t total = have + n;
  const char *error = NULL;

  self->window = NULL;
  *consumed = _split(self->framing, buf, total, have, fn, cookie, &error);
  if (error)
    {
      self->carry_len = 0;
      return error;
    }
  _store_carry(self, buf + *consumed, total - *consumed);
  /* A huge message is over: do not keep its buffer for the short ones that follow. */
  if (self->carry_len == 0 && self->carry_cap > 4 * FRAME_READER_CHUNK)
    {
      free(self->carry);
      self->carry = NULL;
      self->carry_cap = 0;
    }
  return NULL;
}

size_t
frame_reader_pending(const struct frame_reader *self)
{
  return self->carry_len;
}
