#include "logger.h"

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

static int
_needs_quotes(const char *v)
{
  return *v == '\0' || strpbrk(v, " \t\"=") != NULL;
}

void
logger_log_tags(void *ctx, int level, const char *message,
                const char *const *keys, const char *const *values, size_t n_tags)
{
  char line[2048];
  size_t len;
  struct timeval tv;
  struct tm tm;

  uint64_t suppressed = 0;
  char suppressed_text[32];

  if (!logger_enabled(level))
    return;
  if (_rate_limited(level, message))
    {
      if (!logger_rate_limit)
        logger_rate_limit = log_rate_limit_new(LOGGER_RATE_WINDOW_MS, LOGGER_RATE_BURST);
      if (!log_rate_limit_allow(logger_rate_limit, message, g_get_monotonic_time() / 1000, &suppressed))
        return;
    }
  gettimeofday(&tv, NULL);
  gmtime_r(&tv.tv_sec, &tm);
  len = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
  len += (size_t) snprintf(line + len, sizeof(line) - len, ".%03ldZ %s: %s", (long) tv.tv_usec / 1000,
                           _level_name(level), message);
  for (size_t i = 0; i < n_tags && len < sizeof(line); i++)
    {
      const char *q = _needs_quotes(values[i]) ? "\"" : "";
      len += (size_t) snprintf(line + len, sizeof(line) - len, "%s%s=%s%s%s", i == 0 ? "; " : " ", keys[i], q,
                               values[i], q);
    }
  if (suppressed && len < sizeof(line))
    {
      snprintf(suppressed_text, sizeof(suppressed_text), "%" PRIu64, suppressed);
      len += (size_t) snprintf(line + len, sizeof(line) - len, "%ssuppressed=%s", n_tags ? " " : "; ",
                               suppressed_text);
    }
  if (len >= sizeof(line))
    len = sizeof(line) - 1;
  line[len] = '\n';
  fwrite(line, 1, len + 1, stderr);
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
