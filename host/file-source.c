#include "file-source.h"

#include "core/line-splitter.h"
#include "core/located-error.h"
#include "core/option-reader.h"
#include "logger.h"
#include "persist-file.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <inttypes.h>
#include <iv.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

struct file_source
{
  struct line_source *ls;
  char *path;
  int64_t freq_ms;
  int fd;
  dev_t dev;
  ino_t ino;
  int switching; /* PATH names a new file: finishing the old one */
  int missing_logged, stopped;
  struct persist_file *persist; /* borrowed; NULL: no positions kept */
  struct line_position resume; /* the stored position, until the first open */
  int resume_pending;
  struct line_position delivered; /* what the persist file is told */
  int have_delivered;
  struct line_input in;
  struct iv_timer poll;
  struct iv_task turn;
};

static const char *
_name(const struct file_source *self)
{
  return line_source_name(self->ls);
}

static void
_arm_poll(struct file_source *self)
{
  if (iv_timer_registered(&self->poll))
    iv_timer_unregister(&self->poll);
  iv_validate_now();
  self->poll.expires = iv_now;
  self->poll.expires.tv_sec += self->freq_ms / 1000;
  self->poll.expires.tv_nsec += (self->freq_ms % 1000) * 1000000L;
  if (self->poll.expires.tv_nsec >= 1000000000L)
    {
      self->poll.expires.tv_sec++;
      self->poll.expires.tv_nsec -= 1000000000L;
    }
  iv_timer_register(&self->poll);
}

static void
_close(struct file_source *self)
{
  if (self->fd >= 0)
    close(self->fd);
  self->fd = -1;
}

/* IN starts (again) at OFFSET of the open file. */
static void
_rewind(struct file_source *self, uint64_t offset)
{
  self->in.read.dev = (uint64_t) self->dev;
  self->in.read.ino = (uint64_t) self->ino;
  self->in.read.offset = offset;
  line_source_mark(self->ls, &self->in);
}

/* The first open after start: continue after the last line delivered before
 * the restart (or the reload) when the file is still that file.  Returns
 * where to read from. */
static uint64_t
_resume_offset(struct file_source *self, const struct stat *st)
{
  char stored[32], size[32];

  if (!self->resume_pending || !S_ISREG(st->st_mode))
    return 0;
  self->resume_pending = 0;
  snprintf(stored, sizeof(stored), "%" PRIu64, self->resume.offset);
  snprintf(size, sizeof(size), "%jd", (intmax_t) st->st_size);
  if (self->resume.dev != (uint64_t) st->st_dev || self->resume.ino != (uint64_t) st->st_ino)
    {
      logger_log(LIFELINE_LOG_NOTICE, "File was replaced since its position was stored; reading it from its start",
                 "source", _name(self), "file", self->path, "stored_offset", stored, NULL);
      return 0;
    }
  if ((uint64_t) st->st_size < self->resume.offset)
    {
      logger_log(LIFELINE_LOG_NOTICE, "File is shorter than its stored position; reading it from its start",
                 "source", _name(self), "file", self->path, "stored_offset", stored, "size", size, NULL);
      return 0;
    }
  if (self->resume.offset > 0 && lseek(self->fd, (off_t) self->resume.offset, SEEK_SET) < 0)
    {
      logger_log(LIFELINE_LOG_ERROR, "Cannot seek to the stored position; reading the file from its start",
                 "source", _name(self), "file", self->path, "error", g_strerror(errno), NULL);
      return 0;
    }
  logger_log(LIFELINE_LOG_NOTICE, "Resuming file after the last delivered line", "source", _name(self), "file",
             self->path, "offset", stored, "size", size, NULL);
  return self->resume.offset;
}

/* 1 once the file is open. */
static int
_open(struct file_source *self)
{
  int fd = open(self->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    {
      if (!self->missing_logged)
        logger_log(errno == ENOENT ? LIFELINE_LOG_WARNING : LIFELINE_LOG_ERROR,
                   "Cannot open file; retrying every follow-freq()", "source", _name(self), "file", self->path,
                   "error", g_strerror(errno), NULL);
      self->missing_logged = 1;
      return 0;
    }
  struct stat st;
  if (fstat(fd, &st) < 0)
    {
      close(fd);
      return 0;
    }
  self->fd = fd;
  self->dev = st.st_dev;
  self->ino = st.st_ino;
  if (self->missing_logged)
    logger_log(LIFELINE_LOG_NOTICE, "File appeared; reading it", "source", _name(self), "file", self->path, NULL);
  self->missing_logged = 0;
  _rewind(self, _resume_offset(self, &st));
  return 1;
}

/* At the end of the open file: rotation or truncation?  Returns 1 to read
 * again now, 0 to wait for the poll timer (armed), -1 when paused. */
static int
_at_end(struct file_source *self)
{
  struct stat st;

  if (self->switching)
    {
      /* The old file is finished: its last line without '\n' is a line. */
      self->in.at_eof = 1;
      if (!line_source_drain(self->ls, &self->in))
        return -1;
      self->in.at_eof = 0;
      self->switching = 0;
      _close(self);
      logger_log(LIFELINE_LOG_NOTICE, "File was rotated (renamed); reading the new file from its start", "source",
                 _name(self), "file", self->path, NULL);
      return _open(self) ? 1 : (_arm_poll(self), 0);
    }
  if (stat(self->path, &st) == 0 && (st.st_ino != self->ino || st.st_dev != self->dev))
    {
      /* Renamed away and recreated: read the old one to its end once more,
       * since the writer may have written to it after the rename. */
      self->switching = 1;
      return 1;
    }
  off_t pos = lseek(self->fd, 0, SEEK_CUR);
  if (fstat(self->fd, &st) == 0 && pos >= 0 && st.st_size < pos)
    {
      self->in.at_eof = 1;
      if (!line_source_drain(self->ls, &self->in))
        return -1; /* the resume comes back here; the size check repeats */
      self->in.at_eof = 0;
      logger_log(LIFELINE_LOG_NOTICE, "File was truncated; reading it again from its start", "source",
                 _name(self), "file", self->path, NULL);
      lseek(self->fd, 0, SEEK_SET);
      _rewind(self, 0);
      return 1;
    }
  _arm_poll(self);
  return 0;
}

static void
_follow(void *cookie)
{
  struct file_source *self = cookie;
  int errnum = 0;

  for (;;)
    {
      if (self->stopped || line_source_blocked(self->ls))
        return;
      if (self->fd < 0 && !_open(self))
        {
          _arm_poll(self);
          return;
        }
      enum line_read_result r = line_source_read(self->ls, &self->in, self->fd, &errnum);
      if (self->persist)
        persist_file_kick(self->persist);
      switch (r)
        {
        case LINE_READ_PAUSED:
          return; /* the resume comes back here */
        case LINE_READ_MORE:
          if (!iv_task_registered(&self->turn))
            iv_task_register(&self->turn);
          return;
        case LINE_READ_ERROR:
          logger_log(LIFELINE_LOG_ERROR, "Error reading file; reopening it", "source", _name(self), "file",
                     self->path, "error", g_strerror(errnum), NULL);
          /* Finish what was read, then reopen. */
          self->switching = 1;
          /* fall through */
        case LINE_READ_AGAIN: /* a FIFO: polled too */
        case LINE_READ_EOF:
          if (_at_end(self) <= 0)
            return;
          break;
        }
    }
}

/* The persist file asks: how far was everything delivered? */
static int
_report(void *ctx, struct persist_file *pf)
{
  struct file_source *self = ctx;
  struct line_position pos;

  if (line_source_delivered(self->ls, &pos))
    {
      self->delivered = pos;
      self->have_delivered = 1;
    }
  if (self->have_delivered)
    persist_file_put(pf, _name(self), self->path, &self->delivered);
  return line_source_pending(self->ls) > 0;
}

static int
_start(void *impl, struct lifeline_error *err)
{
  struct file_source *self = impl;
  (void) err;
  if (self->persist)
    {
      line_source_track(self->ls);
      self->resume_pending = persist_file_lookup(self->persist, _name(self), self->path, &self->resume);
      /* Until a line of this run is delivered, the stored position stands. */
      self->delivered = self->resume;
      self->have_delivered = self->resume_pending;
      persist_file_add_client(self->persist, _name(self), self->path, _report, self);
    }
  iv_task_register(&self->turn);
  return 0;
}

static void
_stop(void *impl)
{
  struct file_source *self = impl;
  self->stopped = 1;
  line_source_discard(self->ls, &self->in);
  if (iv_timer_registered(&self->poll))
    iv_timer_unregister(&self->poll);
  if (iv_task_registered(&self->turn))
    iv_task_unregister(&self->turn);
  _close(self);
}

static void
_resume(void *impl)
{
  struct file_source *self = impl;
  if (!iv_task_registered(&self->turn))
    iv_task_register(&self->turn);
}

static void
_free(void *impl)
{
  struct file_source *self = impl;
  if (self->persist)
    persist_file_remove_client(self->persist, self);
  _close(self);
  line_splitter_free(self->in.lines);
  g_free(self->path);
  g_free(self);
}

static const struct line_source_ops file_source_ops = {
  .start = _start,
  .stop = _stop,
  .resume = _resume,
  .free = _free,
};

static const char *const file_options[] = { "follow-freq", "log-msg-size", NULL };

struct line_source *
file_source_new(const char *name, const struct lifeline_option *driver, size_t max_line,
                struct persist_file *persist, struct lifeline_error *err)
{
  const char *path;
  int64_t freq_ms;

  if (option_check_values(driver, 1, 1, err) < 0 || option_value_string(driver, 0, &path, err) < 0
      || option_check_children(driver, file_options, err) < 0
      || option_get_duration_ms(driver, "follow-freq", FILE_SOURCE_DEFAULT_FOLLOW_FREQ_MS, 10, 3600 * 1000,
                                &freq_ms, err) < 0)
    return NULL;
  if (!*path)
    {
      located_error_at_value(err, driver, driver->values[0], "file() needs a path");
      return NULL;
    }
  struct file_source *self = g_new0(struct file_source, 1);
  self->path = g_strdup(path);
  self->freq_ms = freq_ms;
  self->persist = persist;
  self->fd = -1;
  IV_TIMER_INIT(&self->poll);
  self->poll.cookie = self;
  self->poll.handler = _follow;
  IV_TASK_INIT(&self->turn);
  self->turn.cookie = self;
  self->turn.handler = _follow;
  self->in.lines = line_splitter_new(max_line, LINE_SOURCE_READ_SIZE);
  self->ls = line_source_new(name, &file_source_ops, self);
  return self->ls;
}
