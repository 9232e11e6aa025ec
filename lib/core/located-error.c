#include "located-error.h"

#include <stdarg.h>
#include <string.h>

void
located_error_init(struct lifeline_error *err)
{
  memset(err, 0, sizeof(*err));
  LIFELINE_ABI_INIT(err);
}

static void __attribute__((format(printf, 6, 0)))
_vset(struct lifeline_error *err, const char *file, unsigned line, unsigned column,
      const char *option, const char *fmt, va_list ap)
{
  if (!err)
    return;
  located_error_init(err);
  err->line = line;
  err->column = column;
  snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
  snprintf(err->option, sizeof(err->option), "%s", option ? option : "");
  vsnprintf(err->message, sizeof(err->message), fmt, ap);
}

void
located_error_set(struct lifeline_error *err, const char *file, unsigned line, unsigned column,
                  const char *option, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  _vset(err, file, line, column, option, fmt, ap);
  va_end(ap);
}

void
located_error_at_option(struct lifeline_error *err, const struct lifeline_option *opt,
                        const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  _vset(err, opt->file, opt->line, opt->column, opt->name, fmt, ap);
  va_end(ap);
}

void
located_error_at_value(struct lifeline_error *err, const struct lifeline_option *opt,
                       const struct lifeline_value *value, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  _vset(err, opt->file, value->line, value->column, opt->name, fmt, ap);
  va_end(ap);
}

const char *
located_error_format(const struct lifeline_error *err, char *buf, size_t size)
{
  char where[320] = "";

  if (err->file[0] && err->line)
    snprintf(where, sizeof(where), "%s:%u:%u: ", err->file, err->line, err->column);
  else if (err->file[0])
    snprintf(where, sizeof(where), "%s: ", err->file);
  if (err->option[0])
    snprintf(buf, size, "%s%s(): %s", where, err->option, err->message);
  else
    snprintf(buf, size, "%s%s", where, err->message);
  return buf;
}

int
located_error_is_set(const struct lifeline_error *err)
{
  return err->message[0] != '\0';
}
