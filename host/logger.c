#include "logger.h"

#include <lifeline/plugin.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static int logger_max_level = LIFELINE_LOG_NOTICE;

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

  if (!logger_enabled(level))
    return;
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
