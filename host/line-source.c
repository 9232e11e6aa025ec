#include "line-source.h"

#include "core/line-splitter.h"
#include "core/option-reader.h"
#include "logger.h"

#include <errno.h>
#include <glib.h>
#include <unistd.h>

/* Reads per wake-up before yielding to the rest of the loop (EINTR counts as
 * one, so even a storm of signals cannot keep a turn going). */
#define READS_PER_TURN 32

struct line_source
{
  char *name;
  const struct line_source_ops *ops;
  void *impl;
  GPtrArray *targets; /* struct host_destination *, borrowed */
  GArray *taken; /* gboolean per target, for the current line */
  GArray *seqs; /* uint64_t per target: the seq the current line got, 0 if none */
  GArray *completed; /* uint64_t per target: scratch for line_source_delivered */
  struct line_ledger *ledger; /* NULL unless tracking positions */
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
  self->seqs = g_array_new(FALSE, TRUE, sizeof(uint64_t));
  self->completed = g_array_new(FALSE, TRUE, sizeof(uint64_t));
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
  g_array_free(self->seqs, TRUE);
  g_array_free(self->completed, TRUE);
  line_ledger_free(self->ledger);
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
  uint64_t none = 0;
  g_ptr_array_add(self->targets, target);
  g_array_append_val(self->taken, no);
  g_array_append_val(self->seqs, none);
  g_array_append_val(self->completed, none);
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

static void
_cancel_waits(struct line_source *self)
{
  for (guint i = 0; i < self->targets->len; i++)
    host_destination_cancel_wait(g_ptr_array_index(self->targets, i), self);
}

void
line_source_stop(struct line_source *self)
{
  if (self->stopped)
    return;
  self->stopped = 1;
  self->held = NULL;
  /* A destination that outlives this source must not wake it. */
  _cancel_waits(self);
  if (self->started)
    self->ops->stop(self->impl);
}

int
line_source_is_started(const struct line_source *self)
{
  return self->started;
}

size_t
line_source_n_targets(const struct line_source *self)
{
  return self->targets->len;
}

struct host_destination *
line_source_target(const struct line_source *self, size_t i)
{
  return g_ptr_array_index(self->targets, i);
}

void
line_source_replace_target(struct line_source *self, struct host_destination *old,
                           struct host_destination *replacement)
{
  for (guint i = 0; i < self->targets->len; i++)
    if (g_ptr_array_index(self->targets, i) == old)
      g_ptr_array_index(self->targets, i) = replacement;
}

void
line_source_retarget(struct line_source *self, struct host_destination *const *targets, const int *from, size_t n)
{
  GArray *taken = g_array_new(FALSE, TRUE, sizeof(gboolean));
  GArray *seqs = g_array_new(FALSE, TRUE, sizeof(uint64_t));

  _cancel_waits(self);
  g_array_set_size(taken, n);
  g_array_set_size(seqs, n);
  for (size_t j = 0; j < n; j++)
    if (from[j] >= 0)
      {
        g_array_index(taken, gboolean, j) = g_array_index(self->taken, gboolean, from[j]);
        g_array_index(seqs, uint64_t, j) = g_array_index(self->seqs, uint64_t, from[j]);
      }
  g_array_free(self->taken, TRUE);
  g_array_free(self->seqs, TRUE);
  self->taken = taken;
  self->seqs = seqs;
  g_array_set_size(self->completed, n);
  g_ptr_array_set_size(self->targets, 0);
  for (size_t j = 0; j < n; j++)
    g_ptr_array_add(self->targets, targets[j]);
  if (self->ledger)
    line_ledger_remap(self->ledger, n, from);
}

static void _resume(void *cookie);

void
line_source_adopt(struct line_source *self, host_destination_fn done, void *ctx)
{
  self->done = done;
  self->done_ctx = ctx;
  if (self->done_called && done)
    done(ctx);
  /* Its wait was on an old target: offer again (a full target waits anew). */
  _resume(self);
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
      uint64_t *seq = &g_array_index(self->seqs, uint64_t, i);
      int r = host_destination_push(d, line, len, seq);
      if (r == LIFELINE_PUSH_FULL)
        {
          /* Wait on the first full target only; the retry re-offers to all. */
          if (all)
            host_destination_wait(d, _resume, self);
          all = 0;
          continue;
        }
      if (r != LIFELINE_PUSH_QUEUED)
        {
          self->refused = 1; /* counted as rejected by the destination */
          *seq = 0; /* no fate will come */
        }
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

/* The offset just past LINE in IN's file.  A truncated line's rest is
 * skipped later, so its start is taken: a restart re-reads it whole rather
 * than from the middle. */
static uint64_t
_line_end(const struct line_input *in, const uint8_t *line, size_t len, int truncated)
{
  uint64_t start = in->read.offset - (uint64_t) (in->read_end - line);
  if (truncated)
    return start;
  if (line + len < in->read_end && line[len] == '\n')
    return start + len + 1;
  return start + len; /* a last line without '\n' */
}

static void
_enter(struct line_source *self, const struct line_input *in, const uint8_t *line, size_t len, int truncated)
{
  struct line_position pos = in->read;
  pos.offset = _line_end(in, line, len, truncated);
  line_ledger_append(self->ledger, &pos, (const uint64_t *) self->seqs->data);
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
      if (self->ledger)
        _enter(self, in, line, len, truncated);
      for (guint i = 0; i < self->taken->len; i++)
        {
          g_array_index(self->taken, gboolean, i) = FALSE;
          g_array_index(self->seqs, uint64_t, i) = 0;
        }
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

void
line_source_track(struct line_source *self)
{
  if (!self->ledger)
    self->ledger = line_ledger_new(self->targets->len);
}

void
line_source_mark(struct line_source *self, const struct line_input *in)
{
  if (self->ledger)
    line_ledger_append(self->ledger, &in->read, NULL);
}

int
line_source_delivered(struct line_source *self, struct line_position *out)
{
  if (!self->ledger || line_ledger_len(self->ledger) == 0)
    return 0;
  for (guint i = 0; i < self->targets->len; i++)
    g_array_index(self->completed, uint64_t, i) = host_destination_completed(g_ptr_array_index(self->targets, i));
  return line_ledger_advance(self->ledger, (const uint64_t *) self->completed->data, out);
}

size_t
line_source_pending(const struct line_source *self)
{
  return self->ledger ? line_ledger_len(self->ledger) : 0;
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
      in->read_end = space; /* the buffer may have moved */
      ssize_t n = read(fd, space, avail);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK)
            return LINE_READ_AGAIN;
          *errnum = errno;
          return LINE_READ_ERROR;
        }
      if (n == 0)
        return LINE_READ_EOF;
      line_splitter_commit(in->lines, (size_t) n);
      in->read_end += n;
      in->read.offset += (uint64_t) n;
      if (!line_source_drain(self, in))
        return LINE_READ_PAUSED;
    }
  return LINE_READ_MORE;
}

const struct lifeline_option *
line_source_size_option(const struct lifeline_option *driver)
{
  const struct lifeline_option *at = driver;

  for (size_t i = 0; i < driver->n_children; i++)
    if (option_name_is(driver->children[i], "log-msg-size"))
      at = driver->children[i];
  return at;
}
