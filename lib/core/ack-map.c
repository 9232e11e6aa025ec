#include "ack-map.h"

#include <stdlib.h>
#include <string.h>

#define ACK_MAP_DEFAULT_MAX 65536
#define ACK_MAP_INITIAL 64

void
ack_map_init(struct ack_map *self, size_t max_marks)
{
  memset(self, 0, sizeof(*self));
  self->max_cap = max_marks ? max_marks : ACK_MAP_DEFAULT_MAX;
}

void
ack_map_clear(struct ack_map *self)
{
  size_t max = self->max_cap;
  free(self->marks);
  ack_map_init(self, max);
}

static struct ack_mark *
_at(struct ack_map *self, size_t i)
{
  return &self->marks[(self->head + i) % self->cap];
}

static int
_grow(struct ack_map *self)
{
  size_t cap = self->cap ? self->cap * 2 : ACK_MAP_INITIAL;
  if (cap > self->max_cap)
    cap = self->max_cap;
  if (cap <= self->cap)
    return -1;
  struct ack_mark *marks = malloc(cap * sizeof(*marks));
  if (!marks)
    return -1;
  for (size_t i = 0; i < self->count; i++)
    marks[i] = *_at(self, i);
  free(self->marks);
  self->marks = marks;
  self->cap = cap;
  self->head = 0;
  return 0;
}

int
ack_map_record(struct ack_map *self, uint64_t plain_end, uint64_t cipher_end)
{
  if (self->count == self->cap && _grow(self) < 0)
    {
      if (self->count == 0)
        return -1;
      /* Full: the newest mark stretches to cover this write.  Its plaintext
       * then counts as acknowledged only when all of it is. */
      struct ack_mark *last = _at(self, self->count - 1);
      last->plain_end = plain_end;
      last->cipher_end = cipher_end;
      return self->cap == self->max_cap ? 0 : -1;
    }
  self->count++;
  struct ack_mark *m = _at(self, self->count - 1);
  m->plain_end = plain_end;
  m->cipher_end = cipher_end;
  return 0;
}

uint64_t
ack_map_acked(struct ack_map *self, uint64_t cipher_acked)
{
  while (self->count)
    {
      struct ack_mark *m = _at(self, 0);
      if (m->cipher_end > cipher_acked)
        break;
      if (m->plain_end > self->plain_acked)
        self->plain_acked = m->plain_end;
      self->head = (self->head + 1) % self->cap;
      self->count--;
    }
  return self->plain_acked;
}
