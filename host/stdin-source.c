#include "stdin-source.h"

#include "core/line-splitter.h"
#include "core/located-error.h"
#include "logger.h"

#include <fcntl.h>
#include <glib.h>
#include <iv.h>

struct stdin_source
{
  struct line_source *ls;
  struct iv_fd fd;
  struct iv_task turn; /* regular files, and continuing after a full turn */
  int fd_registered, finished;
  size_t max_line;
  struct line_input in; /* IN.lines is NULL when its allocation failed */
};

static void
_unregister(struct stdin_source *self)
{
  if (self->fd_registered)
    {
      iv_fd_unregister(&self->fd);
      self->fd_registered = 0;
    }
  if (iv_task_registered(&self->turn))
    iv_task_unregister(&self->turn);
}

static void
_pump(void *cookie)
{
  struct stdin_source *self = cookie;
  int errnum = 0;

  if (self->finished || line_source_blocked(self->ls))
    return;
  switch (line_source_read(self->ls, &self->in, self->fd.fd, &errnum))
    {
    case LINE_READ_AGAIN: /* handler_in fires when there is more */
    case LINE_READ_PAUSED: /* the resume comes back here */
      return;
    case LINE_READ_MORE:
      /* A full turn: let timers and other fds run, then carry on. */
      if (!iv_task_registered(&self->turn))
        iv_task_register(&self->turn);
      return;
    case LINE_READ_ERROR:
      logger_log(LIFELINE_LOG_ERROR, "Error reading standard input; treating it as end of input", "source",
                 line_source_name(self->ls), "error", g_strerror(errnum), NULL);
      /* fall through */
    case LINE_READ_EOF:
      self->in.at_eof = 1;
      break;
    }
  if (!line_source_drain(self->ls, &self->in))
    return;
  self->finished = 1;
  _unregister(self);
  line_source_done(self->ls);
}

static int
_start(void *impl, struct lifeline_error *err)
{
  struct stdin_source *self = impl;
  if (!self->in.lines)
    {
      located_error_set(err, NULL, 0, 0, "stdin",
                        "source %s: cannot allocate the %zu-byte line buffer of log-msg-size(%zu)",
                        line_source_name(self->ls), self->max_line + LINE_SOURCE_READ_SIZE, self->max_line);
      return -1;
    }
  /* Pipes and terminals go on the loop; a regular file cannot (epoll refuses
   * it and iv_fd_register would abort), so it is read in task turns. */
  int flags = fcntl(self->fd.fd, F_GETFL);
  if (flags >= 0)
    fcntl(self->fd.fd, F_SETFL, flags | O_NONBLOCK);
  if (iv_fd_register_try(&self->fd) == 0)
    self->fd_registered = 1;
  iv_task_register(&self->turn);
  return 0;
}

static void
_stop(void *impl)
{
  struct stdin_source *self = impl;
  if (!self->finished)
    line_source_discard(self->ls, &self->in);
  _unregister(self);
}

static void
_resume(void *impl)
{
  _pump(impl);
}

static void
_free(void *impl)
{
  struct stdin_source *self = impl;
  line_splitter_free(self->in.lines);
  g_free(self);
}

static const struct line_source_ops stdin_source_ops = {
  .start = _start,
  .stop = _stop,
  .resume = _resume,
  .free = _free,
};

static struct stdin_source *
_new(const char *name, int fd, size_t max_line)
{
  struct stdin_source *self = g_new0(struct stdin_source, 1);
  IV_FD_INIT(&self->fd);
  self->fd.fd = fd;
  self->fd.cookie = self;
  self->fd.handler_in = _pump;
  IV_TASK_INIT(&self->turn);
  self->turn.cookie = self;
  self->turn.handler = _pump;
  self->max_line = max_line;
  /* NULL when memory is short: _start reports it. */
  self->in.lines = line_splitter_new(max_line, LINE_SOURCE_READ_SIZE);
  self->ls = line_source_new(name, &stdin_source_ops, self);
  return self;
}

struct line_source *
stdin_source_new(const char *name, int fd, size_t max_line)
{
  return _new(name, fd, max_line)->ls;
}

struct line_source *
stdin_source_new_checked(const char *name, int fd, size_t max_line, const struct lifeline_option *driver,
                         struct lifeline_error *err)
{
  struct stdin_source *self = _new(name, fd, max_line);

  if (!self->in.lines)
    {
      located_error_at_option(err, line_source_size_option(driver),
                              "cannot allocate the %zu-byte line buffer of log-msg-size(%zu)",
                              max_line + LINE_SOURCE_READ_SIZE, max_line);
      line_source_free(self->ls);
      return NULL;
    }
  return self->ls;
}
