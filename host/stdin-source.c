#include "stdin-source.h"

#include "core/line-splitter.h"
#include "logger.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <iv.h>
#include <unistd.h>

#define READ_SIZE (64 * 1024)
/* Reads per wake-up before yielding to the rest of the loop. */
#define READS_PER_TURN 32

struct stdin_source
{
  char *name;
  struct iv_fd fd;
  struct iv_task turn; /* regular files, and continuing after a full turn */
  int fd_registered;
  int at_eof, paused, stopped, finished;
  struct line_splitter *lines;
  GPtrArray *targets; /* struct host_destination *, borrowed */
  GArray *accepted; /* gboolean per target, for the current line */
  struct stdin_source_counts counts;
  host_destination_fn done;
  void *done_ctx;
};

static void _pump(void *cookie);

static void
_resume(void *cookie)
{
  struct stdin_source *self = cookie;
  if (self->stopped || !self->paused)
    return;
  self->paused = 0;
  _pump(self);
}

/* Offers the current line to every target that has not taken it yet.
 * Returns 1 when all took it. */
static int
_offer(struct stdin_source *self, const uint8_t *line, size_t len)
{
  int all = 1;

  for (guint i = 0; i < self->targets->len; i++)
    {
      gboolean *taken = &g_array_index(self->accepted, gboolean, i);
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
      /* QUEUED, or ERROR (counted as rejected by the destination). */
      *taken = TRUE;
    }
  return all;
}

static void
_finish(struct stdin_source *self)
{
  if (self->finished)
    return;
  self->finished = 1;
  if (self->fd_registered)
    {
      iv_fd_unregister(&self->fd);
      self->fd_registered = 0;
    }
  if (iv_task_registered(&self->turn))
    iv_task_unregister(&self->turn);
  if (self->done)
    self->done(self->done_ctx);
}

/* Hands every complete line on; returns 0 when paused by a full target. */
static int
_drain(struct stdin_source *self)
{
  const uint8_t *line;
  size_t len;
  int truncated;

  while (line_splitter_peek(self->lines, self->at_eof, &line, &len, &truncated))
    {
      if (!_offer(self, line, len))
        {
          self->paused = 1;
          return 0;
        }
      for (guint i = 0; i < self->accepted->len; i++)
        g_array_index(self->accepted, gboolean, i) = FALSE;
      line_splitter_consume(self->lines);
      self->counts.lines++;
      if (truncated)
        {
          self->counts.truncated++;
          if (self->counts.truncated == 1)
            logger_log(LIFELINE_LOG_WARNING, "Line longer than log-msg-size() truncated; further ones are only counted",
                       "source", self->name, NULL);
        }
    }
  return 1;
}

static void
_pump(void *cookie)
{
  struct stdin_source *self = cookie;

  if (self->stopped || self->finished)
    return;
  if (!_drain(self))
    return;
  for (int i = 0; i < READS_PER_TURN && !self->at_eof; i++)
    {
      size_t avail;
      uint8_t *space = line_splitter_space(self->lines, &avail);
      ssize_t n = read(self->fd.fd, space, avail);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK)
            return; /* handler_in fires when there is more */
          logger_log(LIFELINE_LOG_ERROR, "Error reading standard input; treating it as end of input", "source",
                     self->name, "error", g_strerror(errno), NULL);
          n = 0;
        }
      if (n == 0)
        self->at_eof = 1;
      else
        line_splitter_commit(self->lines, (size_t) n);
      if (!_drain(self))
        return;
    }
  if (self->at_eof)
    {
      _finish(self);
      return;
    }
  /* A full turn: let timers and other fds run, then carry on. */
  if (!iv_task_registered(&self->turn))
    iv_task_register(&self->turn);
}

struct stdin_source *
stdin_source_new(const char *name, int fd, size_t max_line)
{
  struct stdin_source *self = g_new0(struct stdin_source, 1);
  self->name = g_strdup(name);
  IV_FD_INIT(&self->fd);
  self->fd.fd = fd;
  self->fd.cookie = self;
  self->fd.handler_in = _pump;
  IV_TASK_INIT(&self->turn);
  self->turn.cookie = self;
  self->turn.handler = _pump;
  self->lines = line_splitter_new(max_line, READ_SIZE);
  self->targets = g_ptr_array_new();
  self->accepted = g_array_new(FALSE, TRUE, sizeof(gboolean));
  return self;
}

void
stdin_source_free(struct stdin_source *self)
{
  if (!self)
    return;
  stdin_source_stop(self);
  line_splitter_free(self->lines);
  g_ptr_array_free(self->targets, TRUE);
  g_array_free(self->accepted, TRUE);
  g_free(self->name);
  g_free(self);
}

const char *
stdin_source_name(const struct stdin_source *self)
{
  return self->name;
}

void
stdin_source_add_target(struct stdin_source *self, struct host_destination *target)
{
  for (guint i = 0; i < self->targets->len; i++)
    if (g_ptr_array_index(self->targets, i) == target)
      return;
  gboolean no = FALSE;
  g_ptr_array_add(self->targets, target);
  g_array_append_val(self->accepted, no);
}

void
stdin_source_start(struct stdin_source *self, host_destination_fn done, void *ctx)
{
  self->done = done;
  self->done_ctx = ctx;
  /* Pipes and terminals go on the loop; a regular file cannot (epoll refuses
   * it and iv_fd_register would abort), so it is read in task turns. */
  int flags = fcntl(self->fd.fd, F_GETFL);
  if (flags >= 0)
    fcntl(self->fd.fd, F_SETFL, flags | O_NONBLOCK);
  if (iv_fd_register_try(&self->fd) == 0)
    self->fd_registered = 1;
  iv_task_register(&self->turn);
}

void
stdin_source_stop(struct stdin_source *self)
{
  if (self->stopped)
    return;
  self->stopped = 1;
  /* Lines already read but not taken by every target: counted, so the
   * exit summary adds up (read = forwarded + unaccepted). */
  if (!self->finished)
    {
      const uint8_t *line;
      size_t len;
      int truncated;
      while (line_splitter_peek(self->lines, 1, &line, &len, &truncated))
        {
          self->counts.unaccepted++;
          line_splitter_consume(self->lines);
        }
    }
  if (self->fd_registered)
    {
      iv_fd_unregister(&self->fd);
      self->fd_registered = 0;
    }
  if (iv_task_registered(&self->turn))
    iv_task_unregister(&self->turn);
}

void
stdin_source_counts(const struct stdin_source *self, struct stdin_source_counts *out)
{
  *out = self->counts;
  out->truncated = line_splitter_truncated(self->lines);
}
