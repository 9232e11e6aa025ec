#include "fd-reserve.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <unistd.h>

void
fd_reserve_init(struct fd_reserve *self)
{
  self->fd = -1;
  self->starved = 0;
  self->failures = 0;
  self->since_us = 0;
}

int
fd_reserve_take(struct fd_reserve *self)
{
  if (self->fd < 0)
    self->fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  return self->fd < 0 ? -1 : 0;
}

int
fd_reserve_starve(struct fd_reserve *self, int errnum)
{
  int first = !self->starved;

  if (self->fd >= 0 && (errnum == EMFILE || errnum == ENFILE))
    {
      close(self->fd);
      self->fd = -1;
    }
  if (first)
    {
      self->starved = 1;
      self->failures = 0;
      self->since_us = g_get_monotonic_time();
    }
  self->failures++;
  return first;
}

int
fd_reserve_recover(struct fd_reserve *self, struct fd_reserve_episode *out)
{
  if (!self->starved)
    return 0;
  self->starved = 0;
  g_snprintf(out->failed_attempts, sizeof(out->failed_attempts), "%" G_GUINT64_FORMAT, self->failures);
  g_snprintf(out->paused_ms, sizeof(out->paused_ms), "%" G_GINT64_FORMAT,
             (g_get_monotonic_time() - self->since_us) / 1000);
  return 1;
}

void
fd_reserve_close(struct fd_reserve *self)
{
  if (self->fd >= 0)
    close(self->fd);
  self->fd = -1;
  self->starved = 0;
}
