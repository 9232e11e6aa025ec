#include "file-source.h"

#include "core/line-splitter.h"
#include "core/located-error.h"
#include "core/option-reader.h"
#include "logger.h"
#include "loop-timer.h"
#include "persist-file.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <inttypes.h>
#include <iv.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* Why PATH cannot be read right now. */
enum file_problem
{
  FILE_PROBLEM_NONE,
  FILE_PROBLEM_OPEN, /* open() or stat() failed (missing, no permission) */
  FILE_PROBLEM_TYPE, /* neither a regular file nor a FIFO (a directory, a device) */
  FILE_PROBLEM_READ, /* read() failed on the open file */
};

/* Work one wake-up may do before it yields to the loop: opens, rotations and
 * truncations handled in a row, each followed by up to one turn of reads. */
#define FOLLOW_STEPS_PER_TURN 4

struct file_source
{
  struct line_source *ls;
  char *path;
  int64_t freq_ms;
  int fd;
  dev_t dev;
  ino_t ino;
  int switching; /* PATH names a new file: finishing the old one */
  int stopped;
  /* The problem logged for the current episode (none until something goes
   * wrong; cleared when a file opens or a read succeeds), so a condition
   * that persists is logged once, not once per retry. */
  enum file_problem logged;
  int logged_errnum;
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
  loop_timer_arm_in(&self->poll, self->freq_ms);
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

/* True for the kinds of file a file() source can follow.  A directory reads
 * nothing but errors, and a device (/dev/zero) never ends. */
static int
_followable(mode_t mode)
{
  return S_ISREG(mode) || S_ISFIFO(mode);
}

static const char *
_type_name(mode_t mode)
{
  if (S_ISDIR(mode))
    return "directory";
  if (S_ISCHR(mode))
    return "character device";
  if (S_ISBLK(mode))
    return "block device";
  if (S_ISSOCK(mode))
    return "socket";
  return "special file";
}

/* Logs PROBLEM once per episode: nothing while the same problem (and errno)
 * persists across retries. */
static void
_report_problem(struct file_source *self, enum file_problem problem, int errnum, mode_t mode)
{
  if (self->logged == problem && self->logged_errnum == errnum)
    return;
  self->logged = problem;
  self->logged_errnum = errnum;
  switch (problem)
    {
    case FILE_PROBLEM_OPEN:
      logger_log(errnum == ENOENT ? LIFELINE_LOG_WARNING : LIFELINE_LOG_ERROR,
                 "Cannot open file; retrying every follow-freq()", "source", _name(self), "file", self->path,
                 "error", g_strerror(errnum), NULL);
      break;
    case FILE_PROBLEM_TYPE:
      logger_log(LIFELINE_LOG_ERROR, "Path is not a regular file or FIFO; retrying every follow-freq()", "source",
                 _name(self), "file", self->path, "type", _type_name(mode), NULL);
      break;
    case FILE_PROBLEM_READ:
      logger_log(LIFELINE_LOG_ERROR, "Error reading file; retrying every follow-freq()", "source", _name(self),
                 "file", self->path, "error", g_strerror(errnum), NULL);
      break;
    case FILE_PROBLEM_NONE:
      break;
    }
}

/* 1 once the file is open. */
static int
_open(struct file_source *self)
{
  struct stat st;

  /* stat first: opening a device can have side effects of its own. */
  if (stat(self->path, &st) < 0)
    {
      _report_problem(self, FILE_PROBLEM_OPEN, errno, 0);
      return 0;
    }
  if (!_followable(st.st_mode))
    {
      _report_problem(self, FILE_PROBLEM_TYPE, 0, st.st_mode);
      return 0;
    }
  int fd = open(self->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    {
      _report_problem(self, FILE_PROBLEM_OPEN, errno, 0);
      return 0;
    }
  if (fstat(fd, &st) < 0)
    {
      int errnum = errno;
      close(fd);
      _report_problem(self, FILE_PROBLEM_OPEN, errnum, 0);
      return 0;
    }
  /* PATH may have been replaced between the stat and the open. */
  if (!_followable(st.st_mode))
    {
      close(fd);
      _report_problem(self, FILE_PROBLEM_TYPE, 0, st.st_mode);
      return 0;
    }
  self->fd = fd;
  self->dev = st.st_dev;
  self->ino = st.st_ino;
  if (self->logged == FILE_PROBLEM_OPEN || self->logged == FILE_PROBLEM_TYPE)
    logger_log(LIFELINE_LOG_NOTICE, "File appeared; reading it", "source", _name(self), "file", self->path, NULL);
  self->logged = FILE_PROBLEM_NONE;
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

/* A read of the open file failed: logged once per episode.  When PATH now
 * names another file, the old one is finished and the new one opened (1:
 * read again now); otherwise the same file is read again, at the same
 * position, on the poll timer (0). */
static int
_read_failed(struct file_source *self, int errnum)
{
  struct stat st;

  _report_problem(self, FILE_PROBLEM_READ, errnum, 0);
  if (!self->switching && stat(self->path, &st) == 0 && (st.st_ino != self->ino || st.st_dev != self->dev))
    self->switching = 1;
  if (self->switching)
    return _at_end(self);
  _arm_poll(self);
  return 0;
}

static void
_follow(void *cookie)
{
  struct file_source *self = cookie;
  int errnum = 0;

  for (int step = 0;; step++)
    {
      if (self->stopped || line_source_blocked(self->ls))
        return;
      if (step == FOLLOW_STEPS_PER_TURN)
        {
          /* Enough for one wake-up: let timers, signals and other fds run. */
          if (!iv_task_registered(&self->turn))
            iv_task_register(&self->turn);
          return;
        }
      if (self->fd < 0 && !_open(self))
        {
          _arm_poll(self);
          return;
        }
      enum line_read_result r = line_source_read(self->ls, &self->in, self->fd, &errnum);
      if (self->persist)
        persist_file_kick(self->persist);
      if (r != LINE_READ_ERROR && r != LINE_READ_PAUSED && self->logged == FILE_PROBLEM_READ)
        {
          logger_log(LIFELINE_LOG_NOTICE, "File is readable again", "source", _name(self), "file", self->path, NULL);
          self->logged = FILE_PROBLEM_NONE;
        }
      switch (r)
        {
        case LINE_READ_PAUSED:
          return; /* the resume comes back here */
        case LINE_READ_MORE:
          if (!iv_task_registered(&self->turn))
            iv_task_register(&self->turn);
          return;
        case LINE_READ_ERROR:
          if (_read_failed(self, errnum) <= 0)
            return;
          break;
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
  /* A path missing now may appear later; one that exists must be followable.
   * Checked again at every open, since PATH can change under a running
   * source. */
  struct stat st;
  if (stat(path, &st) == 0 && !_followable(st.st_mode))
    {
      located_error_at_value(err, driver, driver->values[0],
                             "'%s' is a %s; file() reads a regular file or a FIFO", path, _type_name(st.st_mode));
      return NULL;
    }
  struct line_splitter *lines = line_splitter_new(max_line, LINE_SOURCE_READ_SIZE);
  if (!lines)
    {
      located_error_at_option(err, line_source_size_option(driver),
                              "cannot allocate the %zu-byte line buffer of log-msg-size(%zu)",
                              max_line + LINE_SOURCE_READ_SIZE, max_line);
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
  self->in.lines = lines;
  self->ls = line_source_new(name, &file_source_ops, self);
  return self->ls;
}
