#include "option-reader.h"

#include "located-error.h"

#include <glib.h>
#include <inttypes.h>
#include <string.h>

static const char *
_plural(size_t n)
{
  return n == 1 ? "" : "s";
}

static gboolean
_names_equal(const char *a, const char *b)
{
  for (; *a && *b; a++, b++)
    {
      char ca = *a == '_' ? '-' : *a;
      char cb = *b == '_' ? '-' : *b;

      if (ca != cb)
        return FALSE;
    }
  return *a == *b;
}

int
option_name_is(const struct lifeline_option *opt, const char *name)
{
  return _names_equal(opt->name, name);
}

const struct lifeline_option *
option_find(const struct lifeline_option *parent, const char *name)
{
  for (size_t i = parent->n_children; i > 0; i--)
    if (option_name_is(parent->children[i - 1], name))
      return parent->children[i - 1];
  return NULL;
}

/* "a, b, c" into BUF, truncated with "..." when it does not fit. */
static const char *
_join(const char *const *names, char *buf, size_t size)
{
  buf[0] = '\0';
  for (size_t i = 0; names[i]; i++)
    {
      if ((i > 0 && g_strlcat(buf, ", ", size) >= size) || g_strlcat(buf, names[i], size) >= size)
        {
          snprintf(buf + size - 4, 4, "...");
          break;
        }
    }
  return buf;
}

int
option_check_children(const struct lifeline_option *parent, const char *const *allowed, struct lifeline_error *err)
{
  char list[400];

  for (size_t i = 0; i < parent->n_children; i++)
    {
      const struct lifeline_option *child = parent->children[i];
      gboolean known = FALSE;

      for (size_t k = 0; allowed[k] && !known; k++)
        known = option_name_is(child, allowed[k]);
      if (known)
        continue;
      if (!allowed[0])
        located_error_set(err, child->file, child->line, child->column, parent->name,
                          "unknown option '%s' in %s(); it takes no options", child->name, parent->name);
      else
        located_error_set(err, child->file, child->line, child->column, parent->name,
                          "unknown option '%s' in %s(); expected one of: %s", child->name, parent->name,
                          _join(allowed, list, sizeof(list)));
      return -1;
    }
  return 0;
}

int
option_check_values(const struct lifeline_option *parent, size_t min, size_t max, struct lifeline_error *err)
{
  size_t n = parent->n_values;

  if (n < min && min == max)
    located_error_at_option(err, parent, "%s() needs exactly %zu value%s, found %zu", parent->name, min,
                            _plural(min), n);
  else if (n < min)
    located_error_at_option(err, parent, "%s() needs at least %zu value%s, found %zu", parent->name, min,
                            _plural(min), n);
  else if (n > max && max == 0)
    located_error_at_value(err, parent, parent->values[0], "%s() takes no values, found '%s'", parent->name,
                           parent->values[0]->text);
  else if (n > max)
    located_error_at_value(err, parent, parent->values[max], "%s() takes at most %zu value%s, found %zu",
                           parent->name, max, _plural(max), n);
  else
    return 0;
  return -1;
}

/* The single value of child NAME, or NULL (absent, or empty parentheses). */
static int
_single_value(const struct lifeline_option *parent, const char *name, const struct lifeline_option **child_out,
              const struct lifeline_value **out, struct lifeline_error *err)
{
  const struct lifeline_option *child = option_find(parent, name);

  *child_out = child;
  *out = NULL;
  if (!child)
    return 0;
  if (child->n_children > 0)
    {
      const struct lifeline_option *inner = child->children[0];

      located_error_set(err, inner->file, inner->line, inner->column, child->name,
                        "%s() takes a single value, not an option such as %s()", child->name, inner->name);
      return -1;
    }
  if (child->n_values > 1)
    {
      located_error_at_value(err, child, child->values[1], "%s() takes a single value, found %zu", child->name,
                             child->n_values);
      return -1;
    }
  if (child->n_values == 1)
    *out = child->values[0];
  return 0;
}

static const char *
_describe_value(const struct lifeline_value *value, char *buf, size_t size)
{
  if (value->kind == LIFELINE_VALUE_STRING)
    snprintf(buf, size, "string \"%.64s\"", value->text);
  else
    snprintf(buf, size, "'%.64s'", value->text);
  return buf;
}

static gboolean
_is_string_kind(const struct lifeline_value *value)
{
  return value->kind == LIFELINE_VALUE_STRING || value->kind == LIFELINE_VALUE_WORD;
}

int
option_get_string(const struct lifeline_option *parent, const char *name, const char *def, const char **out,
                  struct lifeline_error *err)
{
  const struct lifeline_option *child;
  const struct lifeline_value *value;
  char buf[96];

  if (_single_value(parent, name, &child, &value, err) < 0)
    return -1;
  if (value && !_is_string_kind(value))
    {
      located_error_at_value(err, child, value, "expected a string, found %s; quote it",
                             _describe_value(value, buf, sizeof(buf)));
      return -1;
    }
  *out = value ? value->text : def;
  return 0;
}

/* Decimal or 0x hexadecimal, optionally negative, nothing else.  1: parsed;
 * 0: not an integer; -1: an integer beyond 64 bits. */
static int
_parse_int64(const char *text, int64_t *out)
{
  gboolean negative = text[0] == '-';
  const char *digits = text + (negative ? 1 : 0);
  unsigned base = 10;
  guint64 magnitude = 0;

  if (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X'))
    {
      base = 16;
      digits += 2;
    }
  if (!digits[0])
    return 0;
  for (const char *p = digits; *p; p++)
    {
      unsigned d = (unsigned) g_ascii_xdigit_value(*p);

      if (!g_ascii_isxdigit(*p) || d >= base)
        return 0;
      if (magnitude > (G_MAXUINT64 - d) / base)
        return -1;
      magnitude = magnitude * base + d;
    }
  if (magnitude > (guint64) INT64_MAX + (negative ? 1 : 0))
    return -1;
  *out = negative ? (int64_t) (0 - magnitude) : (int64_t) magnitude;
  return 1;
}

static const char *
_describe_range(int64_t min, int64_t max, const char *unit, char *buf, size_t size)
{
  if (min == INT64_MIN && max == INT64_MAX)
    snprintf(buf, size, "any 64-bit integer%s", unit);
  else if (max == INT64_MAX)
    snprintf(buf, size, "at least %" PRId64 "%s", min, unit);
  else if (min == INT64_MIN)
    snprintf(buf, size, "at most %" PRId64 "%s", max, unit);
  else
    snprintf(buf, size, "between %" PRId64 " and %" PRId64 "%s", min, max, unit);
  return buf;
}

static int
_check_range(const struct lifeline_option *child, const struct lifeline_value *value, int64_t n, gboolean ok,
             int64_t min, int64_t max, const char *what, struct lifeline_error *err)
{
  char range[128];

  if (ok && n >= min && n <= max)
    return 0;
  located_error_at_value(err, child, value, "%s is out of range; expected %s", value->text,
                         _describe_range(min, max, what, range, sizeof(range)));
  return -1;
}

int
option_get_int64(const struct lifeline_option *parent, const char *name, int64_t def, int64_t min, int64_t max,
                 int64_t *out, struct lifeline_error *err)
{
  const struct lifeline_option *child;
  const struct lifeline_value *value;
  char buf[96];
  int64_t n = 0;
  int rc;

  if (_single_value(parent, name, &child, &value, err) < 0)
    return -1;
  if (!value)
    {
      *out = def;
      return 0;
    }
  rc = value->kind == LIFELINE_VALUE_NUMBER ? _parse_int64(value->text, &n) : 0;
  if (rc == 0)
    {
      located_error_at_value(err, child, value, "expected an integer, found %s",
                             _describe_value(value, buf, sizeof(buf)));
      return -1;
    }
  if (_check_range(child, value, n, rc > 0, min, max, "", err) < 0)
    return -1;
  *out = n;
  return 0;
}

int
option_get_bool(const struct lifeline_option *parent, const char *name, int def, int *out,
                struct lifeline_error *err)
{
  static const char *const truths[] = { "yes", "on", "true", "1" };
  static const char *const falsehoods[] = { "no", "off", "false", "0" };
  const struct lifeline_option *child;
  const struct lifeline_value *value;
  char buf[96];

  if (_single_value(parent, name, &child, &value, err) < 0)
    return -1;
  if (!value)
    {
      *out = def;
      return 0;
    }
  for (size_t i = 0; i < G_N_ELEMENTS(truths); i++)
    {
      if (g_ascii_strcasecmp(value->text, truths[i]) == 0)
        {
          *out = 1;
          return 0;
        }
      if (g_ascii_strcasecmp(value->text, falsehoods[i]) == 0)
        {
          *out = 0;
          return 0;
        }
    }
  located_error_at_value(err, child, value, "expected yes or no (also on/off, true/false, 1/0), found %s",
                         _describe_value(value, buf, sizeof(buf)));
  return -1;
}

int
option_get_enum(const struct lifeline_option *parent, const char *name, const char *const *choices, int def,
                int *out, struct lifeline_error *err)
{
  const struct lifeline_option *child;
  const struct lifeline_value *value;
  char buf[96], list[400];

  if (_single_value(parent, name, &child, &value, err) < 0)
    return -1;
  if (!value)
    {
      *out = def;
      return 0;
    }
  for (int i = 0; choices[i]; i++)
    if (_names_equal(value->text, choices[i]))
      {
        *out = i;
        return 0;
      }
  located_error_at_value(err, child, value, "unknown value %s for %s(); expected one of: %s",
                         _describe_value(value, buf, sizeof(buf)), child->name, _join(choices, list, sizeof(list)));
  return -1;
}

/* "1", "0.5", "-2.25" seconds into milliseconds.  1: parsed; 0: not a
 * number of seconds; -1: beyond 64 bits; -2: finer than a millisecond. */
static int
_parse_seconds(const char *text, int64_t *out_ms)
{
  gboolean negative = text[0] == '-';
  gboolean dot = FALSE, finer = FALSE;
  guint64 seconds = 0, ms = 0, total;
  int n_decimals = 0;
  const char *p = text + (negative ? 1 : 0);

  if (!g_ascii_isdigit(*p))
    return 0;
  for (; *p; p++)
    {
      unsigned d = (unsigned) (*p - '0');

      if (*p == '.' && !dot)
        dot = TRUE;
      else if (!g_ascii_isdigit(*p))
        return 0;
      else if (!dot && seconds > (G_MAXUINT64 - d) / 10)
        return -1;
      else if (!dot)
        seconds = seconds * 10 + d;
      else if (n_decimals++ < 3)
        ms = ms * 10 + d;
      else
        finer = finer || d != 0;
    }
  if (p[-1] == '.')
    return 0;
  if (finer)
    return -2;
  for (; n_decimals < 3; n_decimals++)
    ms *= 10;
  if (seconds > (guint64) INT64_MAX / 1000)
    return -1;
  total = seconds * 1000 + ms;
  if (total > (guint64) INT64_MAX + (negative ? 1 : 0))
    return -1;
  *out_ms = negative ? (int64_t) (0 - total) : (int64_t) total;
  return 1;
}

/* MS as seconds, the way a config would write it: 1.5, 0.001, 60. */
static const char *
_format_seconds(int64_t ms, char *buf, size_t size)
{
  guint64 magnitude = ms < 0 ? 0 - (guint64) ms : (guint64) ms;
  char decimals[8];
  size_t len;

  snprintf(decimals, sizeof(decimals), "%03u", (unsigned) (magnitude % 1000));
  for (len = strlen(decimals); len > 0 && decimals[len - 1] == '0'; len--)
    decimals[len - 1] = '\0';
  snprintf(buf, size, "%s%" G_GUINT64_FORMAT "%s%s", ms < 0 ? "-" : "", magnitude / 1000, len ? "." : "", decimals);
  return buf;
}

int
option_get_duration_ms(const struct lifeline_option *parent, const char *name, int64_t def_ms, int64_t min_ms,
                       int64_t max_ms, int64_t *out_ms, struct lifeline_error *err)
{
  const struct lifeline_option *child;
  const struct lifeline_value *value;
  char buf[96], lo[32], hi[32];
  int64_t ms = 0;
  int rc;

  if (_single_value(parent, name, &child, &value, err) < 0)
    return -1;
  if (!value)
    {
      *out_ms = def_ms;
      return 0;
    }
  rc = value->kind == LIFELINE_VALUE_NUMBER ? _parse_seconds(value->text, &ms) : 0;
  if (rc == 0)
    located_error_at_value(err, child, value, "expected a number of seconds such as 5 or 0.5, found %s",
                           _describe_value(value, buf, sizeof(buf)));
  else if (rc == -2)
    located_error_at_value(err, child, value, "%s is finer than a millisecond", value->text);
  else if (rc < 0 || ms < min_ms || ms > max_ms)
    located_error_at_value(err, child, value, "%s is out of range; expected between %s and %s seconds", value->text,
                           _format_seconds(min_ms, lo, sizeof(lo)), _format_seconds(max_ms, hi, sizeof(hi)));
  else
    {
      *out_ms = ms;
      return 0;
    }
  return -1;
}

static const struct
{
  const char *suffix;
  int64_t factor;
} size_suffixes[] = {
  { "", 1 },
  { "k", 1024 }, { "K", 1024 }, { "KiB", 1024 },
  { "M", 1024 * 1024 }, { "MiB", 1024 * 1024 },
  { "G", 1024 * 1024 * 1024 }, { "GiB", 1024 * 1024 * 1024 },
};

/* 1: parsed; 0: not a size; -1: beyond 64 bits. */
static int
_parse_size(const char *text, int64_t *out)
{
  const char *p = text + (text[0] == '-' ? 1 : 0);
  char digits[32];
  int64_t n;
  int rc = 0;

  while (g_ascii_isdigit(*p))
    p++;
  if ((size_t) (p - text) >= sizeof(digits))
    return -1;
  memcpy(digits, text, p - text);
  digits[p - text] = '\0';
  for (size_t i = 0; i < G_N_ELEMENTS(size_suffixes); i++)
    {
      if (strcmp(p, size_suffixes[i].suffix) != 0)
        continue;
      /* _parse_int64 would also take 0x, which a size does not. */
      if (!g_ascii_isdigit(digits[digits[0] == '-' ? 1 : 0]) || (rc = _parse_int64(digits, &n)) <= 0)
        return rc == -1 ? -1 : 0;
      if (n > INT64_MAX / size_suffixes[i].factor || n < INT64_MIN / size_suffixes[i].factor)
        return -1;
      *out = n * size_suffixes[i].factor;
      return 1;
    }
  return 0;
}

int
option_get_size(const struct lifeline_option *parent, const char *name, int64_t def, int64_t min, int64_t max,
                int64_t *out, struct lifeline_error *err)
{
  const struct lifeline_option *child;
  const struct lifeline_value *value;
  char buf[96];
  int64_t n = 0;
  int rc;

  if (_single_value(parent, name, &child, &value, err) < 0)
    return -1;
  if (!value)
    {
      *out = def;
      return 0;
    }
  rc = value->kind == LIFELINE_VALUE_NUMBER ? _parse_size(value->text, &n) : 0;
  if (rc == 0)
    {
      located_error_at_value(err, child, value,
                             "expected a size in bytes, optionally followed by k, K, KiB, M, MiB, G or GiB, found %s",
                             _describe_value(value, buf, sizeof(buf)));
      return -1;
    }
  if (_check_range(child, value, n, rc > 0, min, max, " bytes", err) < 0)
    return -1;
  *out = n;
  return 0;
}

int
option_value_string(const struct lifeline_option *opt, size_t index, const char **out, struct lifeline_error *err)
{
  const struct lifeline_value *value;
  char buf[96];

  if (index >= opt->n_values)
    {
      located_error_at_option(err, opt, "%s() needs a value at position %zu, found %zu value%s", opt->name,
                              index + 1, opt->n_values, _plural(opt->n_values));
      return -1;
    }
  value = opt->values[index];
  if (!_is_string_kind(value))
    {
      located_error_at_value(err, opt, value, "expected a string, found %s; quote it",
                             _describe_value(value, buf, sizeof(buf)));
      return -1;
    }
  *out = value->text;
  return 0;
}
