#include "failover-pass.h"

#include <string.h>

static void
_init(struct failover_pass *self, int n_servers, int first, int skip_primary)
{
  memset(self, 0, sizeof(*self));
  self->n_servers = n_servers;
  self->first = first;
  self->skip_primary = skip_primary && first > 0 && n_servers > 1;
  self->pos = 1;
}

void
failover_pass_begin(struct failover_pass *self, int n_servers, int first, int skip_primary)
{
  _init(self, n_servers, first, skip_primary);
  self->front = 1;
}

void
failover_pass_begin_after_break(struct failover_pass *self, int n_servers, int server,
                                int skip_primary, int retries)
{
  _init(self, n_servers, server, skip_primary);
  self->front = retries > 0 ? retries : 0;
  self->front_retry = 1;
  self->tail = retries <= 0;
}

int
failover_pass_length(const struct failover_pass *self)
{
  return self->skip_primary ? self->n_servers - 1 : self->n_servers;
}

int
failover_pass_walk(const struct failover_pass *self, int pos)
{
  if (self->skip_primary)
    return 1 + (self->first - 1 + pos) % (self->n_servers - 1);
  return (self->first + pos) % self->n_servers;
}

static int
_hand_out(struct failover_pass *self, int server, int retry, int *is_retry)
{
  self->attempts++;
  if (is_retry)
    *is_retry = retry;
  return server;
}

int
failover_pass_next(struct failover_pass *self, failover_pass_eligible_fn eligible, void *cookie,
                   int *is_retry)
{
  while (self->front > 0)
    {
      self->front--;
      if (eligible(cookie, self->first))
        return _hand_out(self, self->first, self->front_retry, is_retry);
    }
  while (self->pos < failover_pass_length(self))
    {
      int server = failover_pass_walk(self, self->pos++);
      if (eligible(cookie, server))
        return _hand_out(self, server, 0, is_retry);
    }
  if (self->tail)
    {
      self->tail = 0;
      if (eligible(cookie, self->first))
        return _hand_out(self, self->first, 1, is_retry);
    }
  return -1;
}
