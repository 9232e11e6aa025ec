#include "logger.h"

#include "core/log-escape.h"
#include "core/log-rate-limit.h"

#include <glib.h>
#include <inttypes.h>

#include <lifeline/plugin.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static int logger_max_level = LIFELINE_LOG_NOTICE;

/* Per kind (the sentence): 20 lines per 10 s pass, the rest are counted and
 * reported as suppressed=N on the next line of that kind.  Many destinations
 * failing at once must not flood the log.  Debug and info lines, and the exit
 * summary, are never held back. */
#define LOGGER_RATE_WINDOW_MS 10000
#define LOGGER_RATE_BURST 20
static struct log_rate_limit *logger_rate_limit;

static int
_rate_limited(int level, const char *message)
{
  return level <= LIFELINE_LOG_NOTICE && strcmp(message, "Source totals") != 0
         && strcmp(message, "Destination totals") != 0;
}

static const char *
_level_name(int level)
{
  switch (level)
    {
    case LIFELINE_LOG_ERROR:
      return "error";
    case LIFELINE_LOG_WARNING:
      return "warning";
    case LIFELINE_LOG_NOTICE:
      return "notice";
    case LIFELINE_LOG_INFO:
      return "info";
    default:
      return "debug";
    }
}

void
logger_set_level(int max_level)
{
  logger_max_level = max_level;
}

int
logger_enabled(int level)
{
  return level <= logger_max_level;
}

/* One line is built in a stack buffer: no allocation per line.  The body
 * (time, level, message, tags) stops LOGGER_TAIL_ROOM bytes short of the end,
 * so " suppressed=N line_truncated=yes" and the newline always fit. */
#define LOGGER_LINE_MAX 2048
#define LOGGER_TAIL_ROOM 64
#define LOGGER_BODY_MAX (LOGGER_LINE_MAX - LOGGER_TAIL_ROOM)

struct logger_line
{
  char buf[LOGGER_LINE_MAX];
  size_t len;
  size_t n_tags;
  int truncated;
};

typedef size_t (*logger_escape_fn)(char *out, size_t size, const char *text, int *truncated);

/* Appends TEXT as it is; 0 (and nothing appended) when it does not fit. */
static int
_line_raw(struct logger_line *l, const char *text)
{
  size_t n = strlen(text);

  if (l->len + n >= LOGGER_BODY_MAX)
    return 0;
  memcpy(l->buf + l->len, text, n);
  l->len += n;
  return 1;
}

/* Appends TEXT through ESCAPE; 0 when it was cut (what fitted is kept). */
static int
_line_escaped(struct logger_line *l, logger_escape_fn escape, const char *text)
{
  int cut = 0;

  l->len += escape(l->buf + l->len, LOGGER_BODY_MAX - l->len, text, &cut);
  return !cut;
}

static void
_line_start(struct logger_line *l, int level, const char *message)
{
  struct timeval tv;
  struct tm tm;
  char head[64];

  gettimeofday(&tv, NULL);
  gmtime_r(&tv.tv_sec, &tm);
  l->len = strftime(l->buf, sizeof(l->buf), "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(head, sizeof(head), ".%03ldZ %s: ", (long) tv.tv_usec / 1000, _level_name(level));
  _line_raw(l, head);
  if (!_line_escaped(l, log_escape_message, message))
    l->truncated = 1;
}

/* " key=value" ("; " before the first tag).  A tag that does not fit is cut
 * inside its value (still closed by its quote) or, when not even that fits,
 * left out; either way no later tag follows it. */
static void
_line_tag(struct logger_line *l, const char *key, const char *value)
{
  size_t start = l->len;

  if (l->truncated || !key || !value)
    return;
  if (!_line_raw(l, l->n_tags ? " " : "; ") || !_line_escaped(l, log_escape_key, key) || !_line_raw(l, "="))
    {
      l->len = start;
      l->truncated = 1;
      return;
    }
  size_t value_start = l->len;
  if (!_line_escaped(l, log_escape_value, value))
    {
      l->truncated = 1;
      if (l->len == value_start)
        {
          l->len = start;
          return;
        }
    }
  l->n_tags++;
}

/* The tail always fits: LOGGER_TAIL_ROOM covers it. */
static void
_line_finish(struct logger_line *l, uint64_t suppressed)
{
  if (suppressed)
    l->len += (size_t) snprintf(l->buf + l->len, sizeof(l->buf) - l->len, "%ssuppressed=%" PRIu64,
                                l->n_tags++ ? " " : "; ", suppressed);
  if (l->truncated)
    l->len += (size_t) snprintf(l->buf + l->len, sizeof(l->buf) - l->len, "%sline_truncated=yes",
                                l->n_tags++ ? " " : "; ");
  l->buf[l->len++] = '\n';
}

void
logger_log_tags(void *ctx, int level, const char *message,
                const char *const *keys, const char *const *values, size_t n_tags)
{
  struct logger_line line;
  uint64_t suppressed = 0;

  (void) ctx;
  if (!logger_enabled(level))
    return;
  if (!message)
    message = "";
  if (_rate_limited(level, message))
    {
      if (!logger_rate_limit)
        logger_rate_limit = log_rate_limit_new(LOGGER_RATE_WINDOW_MS, LOGGER_RATE_BURST);
      if (!log_rate_limit_allow(logger_rate_limit, message, g_get_monotonic_time() / 1000, &suppressed))
        return;
    }
  line.len = 0;
  line.n_tags = 0;
  line.truncated = 0;
  _line_start(&line, level, message);
  for (size_t i = 0; i < n_tags; i++)
    _line_tag(&line, keys[i], values[i]);
  _line_finish(&line, suppressed);
  fwrite(line.buf, 1, line.len, stderr);
}

void
logger_log(int level, const char *message, ...)
{
  const char *keys[16], *values[16];
  size_t n = 0;
  va_list ap;

  if (!logger_enabled(level))
    return;
  va_start(ap, message);
  for (const char *key = va_arg(ap, const char *); key; key = va_arg(ap, const char *))
    {
      const char *value = va_arg(ap, const char *);
      if (value && n < 16)
        {
          keys[n] = key;
          values[n] = value;
          n++;
        }
    }
  va_end(ap);
  logger_log_tags(NULL, level, message, keys, values, n);
}
