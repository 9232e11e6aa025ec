#include "line-splitter.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct line_splitter
{
  uint8_t *buf;
  size_t size;
  size_t start; /* first byte of the current line */
  size_t scan; /* bytes before this offset hold no '\n' (so a rescan starts here) */
  size_t end;
  size_t max_line;

  /* Result of the last peek, kept until consume. */
  int have_line;
  size_t line_len;
  size_t consume_to;
  int line_truncated;

  int skipping; /* inside the tail of a truncated line */
  uint64_t truncated;
};

struct line_splitter *
line_splitter_new(size_t max_line, size_t read_size)
{
  if (max_line > SIZE_MAX - read_size)
    return NULL;
  struct line_splitter *self = calloc(1, sizeof(*self));
  if (!self)
    return NULL;
  self->size = max_line + read_size;
  self->buf = malloc(self->size);
  if (!self->buf)
    {
      free(self);
      return NULL;
    }
  self->max_line = max_line;
  return self;
}

void
line_splitter_free(struct line_splitter *self)
{
  if (!self)
    return;
  free(self->buf);
  free(self);
}

uint8_t *
line_splitter_space(struct line_splitter *self, size_t *avail)
{
  if (self->start > 0)
    {
      memmove(self->buf, self->buf + self->start, self->end - self->start);
      self->end -= self->start;
      self->scan -= self->start;
      self->start = 0;
      self->have_line = 0;
    }
  *avail = self->size - self->end;
  return self->buf + self->end;
}

void
line_splitter_commit(struct line_splitter *self, size_t n)
{
  self->end += n;
  self->have_line = 0;
}

/* Drops the rest of a truncated line; returns 1 once its newline was found. */
static int
_skip_tail(struct line_splitter *self)
{
  const uint8_t *nl = memchr(self->buf + self->start, '\n', self->end - self->start);
  if (!nl)
    {
      self->start = self->scan = self->end;
      return 0;
    }
  self->start = self->scan = (size_t) (nl - self->buf) + 1;
  self->skipping = 0;
  return 1;
}

int
line_splitter_peek(struct line_splitter *self, int at_eof, const uint8_t **line, size_t *len, int *truncated)
{
  if (self->have_line)
    goto found;
  if (self->skipping && !_skip_tail(self))
    {
      /* The stream ended inside the tail: the next bytes (a rotated or
       * truncated file starting over) begin a new line, not more tail. */
      if (at_eof)
        self->skipping = 0;
      return 0;
    }

  const uint8_t *nl = memchr(self->buf + self->scan, '\n', self->end - self->scan);
  size_t avail = self->end - self->start;
  if (nl && (size_t) (nl - (self->buf + self->start)) <= self->max_line)
    {
      self->line_len = (size_t) (nl - (self->buf + self->start));
      self->consume_to = self->start + self->line_len + 1;
      self->line_truncated = 0;
    }
  else if (avail > self->max_line)
    {
      /* Cut at the maximum; the remainder up to the newline is skipped. */
      self->line_len = self->max_line;
      self->consume_to = self->start + self->max_line;
      self->line_truncated = 1;
    }
  else if (at_eof && avail > 0)
    {
      self->line_len = avail;
      self->consume_to = self->end;
      self->line_truncated = 0;
    }
  else
    {
      self->scan = self->end;
      return 0;
    }
  self->have_line = 1;

found:
  *line = self->buf + self->start;
  *len = self->line_len;
  *truncated = self->line_truncated;
  return 1;
}

void
line_splitter_consume(struct line_splitter *self)
{
  if (!self->have_line)
    return;
  if (self->line_truncated)
    {
      self->truncated++;
      /* Unless the cut fell exactly on the newline, skip to it. */
      if (self->consume_to < self->end && self->buf[self->consume_to] == '\n')
        self->consume_to++;
      else
        self->skipping = 1;
    }
  self->start = self->scan = self->consume_to;
  self->have_line = 0;
}

uint64_t
line_splitter_truncated(const struct line_splitter *self)
{
  return self->truncated;
}
