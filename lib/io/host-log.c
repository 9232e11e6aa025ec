#include "host-log.h"

#include <stdarg.h>
#include <stddef.h>

void
host_log(const struct lifeline_host *host, int level, const char *message, ...)
{
  const char *keys[HOST_LOG_MAX_TAGS];
  const char *values[HOST_LOG_MAX_TAGS];
  size_t n = 0;
  va_list ap;

  if (!host || !host->log)
    return;
  va_start(ap, message);
  for (const char *key = va_arg(ap, const char *); key; key = va_arg(ap, const char *))
    {
      const char *value = va_arg(ap, const char *);
      if (value && n < HOST_LOG_MAX_TAGS)
        {
          keys[n] = key;
          values[n] = value;
          n++;
        }
    }
  va_end(ap);
  host->log(host->ctx, level, message, keys, values, n);
}
