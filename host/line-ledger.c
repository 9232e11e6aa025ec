#include "line-ledger.h"

#include <glib.h>
#include <string.h>

/* An entry is WIDTH uint64_t: dev, ino, offset, then one seq per target. */
#define LEDGER_FIXED 3
#define LEDGER_INITIAL 1024

struct line_ledger
{
  size_t n_targets, width;
  uint64_t *ring;
  size_t cap, head, len; /* in entries */
};

struct line_ledger *
line_ledger_new(size_t n_targets)
{
  struct line_ledger *self = g_new0(struct line_ledger, 1);
  self->n_targets = n_targets;
  self->width = LEDGER_FIXED + n_targets;
  self->cap = LEDGER_INITIAL;
  self->ring = g_new(uint64_t, self->cap * self->width);
  return self;
}

void
line_ledger_free(struct line_ledger *self)
{
  if (!self)
    return;
  g_free(self->ring);
  g_free(self);
}

static uint64_t *
_entry(const struct line_ledger *self, size_t i)
{
  return self->ring + ((self->head + i) % self->cap) * self->width;
}

static void
_grow(struct line_ledger *self)
{
  size_t cap = self->cap * 2;
  uint64_t *ring = g_new(uint64_t, cap * self->width);
  /* Unwrapped into the new ring, oldest first. */
  for (size_t i = 0; i < self->len; i++)
    memcpy(ring + i * self->width, _entry(self, i), self->width * sizeof(uint64_t));
  g_free(self->ring);
  self->ring = ring;
  self->cap = cap;
  self->head = 0;
}

void
line_ledger_append(struct line_ledger *self, const struct line_position *pos, const uint64_t *seqs)
{
  if (self->len == self->cap)
    _grow(self);
  uint64_t *e = _entry(self, self->len);
  e[0] = pos->dev;
  e[1] = pos->ino;
  e[2] = pos->offset;
  if (seqs)
    memcpy(e + LEDGER_FIXED, seqs, self->n_targets * sizeof(uint64_t));
  else
    memset(e + LEDGER_FIXED, 0, self->n_targets * sizeof(uint64_t));
  self->len++;
}

static int
_is_complete(const struct line_ledger *self, const uint64_t *e, const uint64_t *completed)
{
  for (size_t t = 0; t < self->n_targets; t++)
    if (e[LEDGER_FIXED + t] > completed[t])
      return 0;
  return 1;
}

void
line_ledger_remap(struct line_ledger *self, size_t n_targets, const int *from)
{
  size_t width = LEDGER_FIXED + n_targets;
  size_t cap = MAX(self->cap, (size_t) LEDGER_INITIAL);
  uint64_t *ring = g_new0(uint64_t, cap * width);

  for (size_t i = 0; i < self->len; i++)
    {
      const uint64_t *e = _entry(self, i);
      uint64_t *n = ring + i * width;
      memcpy(n, e, LEDGER_FIXED * sizeof(uint64_t));
      for (size_t t = 0; t < n_targets; t++)
        n[LEDGER_FIXED + t] = from[t] >= 0 ? e[LEDGER_FIXED + from[t]] : 0;
    }
  g_free(self->ring);
  self->ring = ring;
  self->cap = cap;
  self->head = 0;
  self->n_targets = n_targets;
  self->width = width;
}

int
line_ledger_advance(struct line_ledger *self, const uint64_t *completed, struct line_position *out)
{
  int moved = 0;

  while (self->len > 0)
    {
      const uint64_t *e = _entry(self, 0);
      if (!_is_complete(self, e, completed))
        break;
      out->dev = e[0];
      out->ino = e[1];
      out->offset = e[2];
      moved = 1;
      self->head = (self->head + 1) % self->cap;
      self->len--;
    }
  return moved;
}

size_t
line_ledger_len(const struct line_ledger *self)
{
  return self->len;
}
