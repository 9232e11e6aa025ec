#include "line-source.h"

#include "core/line-splitter.h"
#include "logger.h"

#include <errno.h>
#include <glib.h>
#include <unistd.h>

/* Reads per wake-up before yielding to the rest of the loop. */
#define READS_PER_TURN 32

struct line_source
{
  char *name;
  const struct line_source_ops *ops;
  void *impl;
  GPtrArray *targets; /* struct host_destination *, borrowed */
  GArray *taken; /* gboolean per target, for the current line */
  int refused; /* a target refused the current line with an error */
  int started, paused, stopped, done_called;
  struct line_input *held; /* the input whose line a full target is waited on for */
  struct line_source_counts counts;
  host_destination_fn done;
  void *done_ctx;
};

struct line_source *
line_source_new(const char *name, const struct line_source_ops *ops, void *impl)
{
  struct line_source *self = g_new0(struct line_source, 1);
  self->name = g_strdup(name);
  self->ops = ops;
  self->impl = impl;
  self->targets = g_ptr_array_new();
  self->taken = g_array_new(FALSE, TRUE, sizeof(gboolean));
  return self;
}

void
line_source_free(struct line_source *self)
{
  if (!self)
    return;
  line_source_stop(self);
  self->ops->free(self->impl);
  g_ptr_array_free(self->targets, TRUE);
  g_array_free(self->taken, TRUE);
  g_free(self->name);
  g_free(self);
}

const char *
line_source_name(const struct line_source *self)
{
  return self->name;
}

void
line_source_add_target(struct line_source *self, struct host_destination *target)
{
  for (guint i = 0; i < self->targets->len; i++)
    if (g_ptr_array_index(self->targets, i) == target)
      return;
  gboolean no = FALSE;
  g_ptr_array_add(self->targets, target);
  g_array_append_val(self->taken, no);
}

int
line_source_start(struct line_source *self, host_destination_fn done, void *ctx, struct lifeline_error *err)
{
  self->done = done;
  self->done_ctx = ctx;
  if (self->ops->start(self->impl, err) < 0)
    return -1;
  self->started = 1;
  return 0;
}

void
line_source_stop(struct line_source *self)
{
  if (self->stopped)
    return;
  self->stopped = 1;
  self->held = NULL;
  if (self->started)
    self->ops->stop(self->impl);
}

void
line_source_counts(const struct line_source *self, struct line_source_counts *out)
{
  *out = self->counts;
  out->read = out->forwarded + out->dropped + out->unaccepted;
}

/* ---- the drivers' side ---- */

static void
_resume(void *cookie)
{
  struct line_source *self = cookie;
  if (self->stopped || !self->paused)
    return;
  self->paused = 0;
  struct line_input *held = self->held;
  self->held = NULL;
  /* The held line first: the taken[] flags belong to it. */
  if (held && !line_source_drain(self, held))
    return;
  self->ops->resume(self->impl);
}

/* Offers the current line to every target that has not taken it yet.
 * Returns 1 when all took it. */
static int
_offer(struct line_source *self, const uint8_t *line, size_t len)
{
  int all = 1;

  for (guint i = 0; i < self->targets->len; i++)
    {
      gboolean *taken = &g_array_index(self->taken, gboolean, i);
      if (*taken)
        continue;
      struct host_destination *d = g_ptr_array_index(self->targets, i);
      int r = host_destination_push(d, line, len);
      if (r == LIFELINE_PUSH_FULL)
        {
          /* Wait on the first full target only; the retry re-offers to all. */
          if (all)
            host_destination_wait(d, _resume, self);
          all = 0;
          continue;
        }
      if (r != LIFELINE_PUSH_QUEUED)
        self->refused = 1; /* counted as rejected by the destination */
      *taken = TRUE;
    }
  return all;
}

static void
_count_truncated(struct line_source *self, int truncated)
{
  if (!truncated)
    return;
  self->counts.truncated++;
  if (self->counts.truncated == 1)
    logger_log(LIFELINE_LOG_WARNING, "Line longer than log-msg-size() truncated; further ones are only counted",
               "source", self->name, NULL);
}

int
line_source_drain(struct line_source *self, struct line_input *in)
{
  const uint8_t *line;
  size_t len;
  int truncated;

  if (self->paused || self->stopped)
    return 0;
  while (line_splitter_peek(in->lines, in->at_eof, &line, &len, &truncated))
    {
      if (!_offer(self, line, len))
        {
          self->paused = 1;
          self->held = in;
          return 0;
        }
      for (guint i = 0; i < self->taken->len; i++)
        g_array_index(self->taken, gboolean, i) = FALSE;
      line_splitter_consume(in->lines);
      if (self->refused || self->targets->len == 0)
        self->counts.dropped++;
      else
        self->counts.forwarded++;
      self->refused = 0;
      _count_truncated(self, truncated);
    }
  return 1;
}

int
line_source_blocked(const struct line_source *self)
{
  return self->paused || self->stopped;
}

int
line_source_holds(const struct line_source *self, const struct line_input *in)
{
  return self->paused && self->held == in;
}

void
line_source_discard(struct line_source *self, struct line_input *in)
{
  const uint8_t *line;
  size_t len;
  int truncated;

  if (self->held == in)
    self->held = NULL;
  while (line_splitter_peek(in->lines, 1, &line, &len, &truncated))
    {
      self->counts.unaccepted++;
      _count_truncated(self, truncated);
      line_splitter_consume(in->lines);
    }
}

void
line_source_done(struct line_source *self)
{
  if (self->done_called)
    return;
  self->done_called = 1;
  if (self->done)
    self->done(self->done_ctx);
}

enum line_read_result
line_source_read(struct line_source *self, struct line_input *in, int fd, int *errnum)
{
  if (!line_source_drain(self, in))
    return LINE_READ_PAUSED;
  for (int i = 0; i < READS_PER_TURN; i++)
    {
      size_t avail;
      uint8_t *space = line_splitter_space(in->lines, &avail);
      ssize_t n = read(fd, space, avail);
      if (n < 0)
        {
          if (errno == EINTR)
            {
              i--;
              continue;
            }
          if (errno == EAGAIN || errno == EWOULDBLOCK)
            return LINE_READ_AGAIN;
          *errnum = errno;
          return LINE_READ_ERROR;
        }
      if (n == 0)
        return LINE_READ_EOF;
      line_splitter_commit(in->lines, (size_t) n);
      if (!line_source_drain(self, in))
        return LINE_READ_PAUSED;
    }
  return LINE_READ_MORE;
}
