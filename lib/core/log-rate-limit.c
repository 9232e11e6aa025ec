#include "log-rate-limit.h"

#include <glib.h>

struct kind_state
{
  int64_t window_start;
  unsigned passed;
  uint64_t suppressed;
};

struct log_rate_limit
{
  int64_t window_ms;
  unsigned burst;
  GHashTable *kinds; /* char * -> struct kind_state * */
};

struct log_rate_limit *
log_rate_limit_new(int64_t window_ms, unsigned burst)
{
  struct log_rate_limit *self = g_new0(struct log_rate_limit, 1);
  self->window_ms = window_ms > 0 ? window_ms : 1;
  self->burst = burst ? burst : 1;
  self->kinds = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

void
log_rate_limit_free(struct log_rate_limit *self)
{
  if (!self)
    return;
  g_hash_table_destroy(self->kinds);
  g_free(self);
}

int
log_rate_limit_allow(struct log_rate_limit *self, const char *kind, int64_t now_ms, uint64_t *suppressed)
{
  struct kind_state *st = g_hash_table_lookup(self->kinds, kind);
  if (!st)
    {
      /* Kinds are the program's fixed sentences: the table stays small. */
      st = g_new0(struct kind_state, 1);
      st->window_start = now_ms;
      g_hash_table_insert(self->kinds, g_strdup(kind), st);
    }
  if (now_ms - st->window_start >= self->window_ms)
    {
      st->window_start = now_ms;
      st->passed = 0;
    }
  if (st->passed >= self->burst)
    {
      st->suppressed++;
      return 0;
    }
  st->passed++;
  *suppressed = st->suppressed;
  st->suppressed = 0;
  return 1;
}
