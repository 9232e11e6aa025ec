#include "log-escape.h"

#include <string.h>

/* The longest escaped unit: a C1 control, "\xC2\x9F". */
#define LOG_ESCAPE_UNIT_MAX 8

enum log_escape_mode
{
  LOG_ESCAPE_VALUE,
  LOG_ESCAPE_MESSAGE,
};

struct log_escape_out
{
  char *buf;
  size_t size;
  size_t len;
  size_t reserve; /* bytes kept free for the closing quote */
  int full;
};

/* Length of the valid UTF-8 sequence of two to four bytes at S, 0 when S does
 * not start one (overlong forms, surrogates and code points above U+10FFFF
 * are not valid).  The NUL that ends S is never a continuation byte, so this
 * never reads past it. */
static size_t
_utf8_length(const unsigned char *s)
{
  unsigned char lo = 0x80, hi = 0xBF;
  size_t n;

  if (s[0] >= 0xC2 && s[0] <= 0xDF)
    n = 2;
  else if (s[0] >= 0xE0 && s[0] <= 0xEF)
    n = 3;
  else if (s[0] >= 0xF0 && s[0] <= 0xF4)
    n = 4;
  else
    return 0;
  if (s[0] == 0xE0)
    lo = 0xA0;
  else if (s[0] == 0xED)
    hi = 0x9F;
  else if (s[0] == 0xF0)
    lo = 0x90;
  else if (s[0] == 0xF4)
    hi = 0x8F;
  if (s[1] < lo || s[1] > hi)
    return 0;
  for (size_t i = 2; i < n; i++)
    if (s[i] < 0x80 || s[i] > 0xBF)
      return 0;
  return n;
}

static size_t
_hex(char *piece, unsigned char c)
{
  static const char digits[] = "0123456789ABCDEF";
  piece[0] = '\\';
  piece[1] = 'x';
  piece[2] = digits[c >> 4];
  piece[3] = digits[c & 0x0F];
  return 4;
}

static size_t
_backslash(char *piece, char c)
{
  piece[0] = '\\';
  piece[1] = c;
  return 2;
}

/* The escaped form of the unit (one byte, or one UTF-8 sequence) at S, in
 * PIECE; returns its length and sets *consumed to the bytes of S it covers. */
static size_t
_unit(const unsigned char *s, enum log_escape_mode mode, char *piece, size_t *consumed)
{
  size_t n;

  *consumed = 1;
  switch (s[0])
    {
    case '\\':
      return _backslash(piece, '\\');
    case '\n':
      return _backslash(piece, 'n');
    case '\r':
      return _backslash(piece, 'r');
    case '\t':
      return _backslash(piece, 't');
    case '"':
      if (mode == LOG_ESCAPE_VALUE)
        return _backslash(piece, '"');
      break;
    case '=':
      if (mode == LOG_ESCAPE_MESSAGE)
        return _hex(piece, s[0]);
      break;
    default:
      break;
    }
  if (s[0] < 0x20 || s[0] == 0x7F)
    return _hex(piece, s[0]);
  if (s[0] < 0x80)
    {
      piece[0] = (char) s[0];
      return 1;
    }
  n = _utf8_length(s);
  if (n == 0)
    return _hex(piece, s[0]);
  *consumed = n;
  if (s[0] == 0xC2 && s[1] <= 0x9F)
    return _hex(piece, s[0]) + _hex(piece + 4, s[1]);
  memcpy(piece, s, n);
  return n;
}

/* Appends PIECE unless it would leave no room for the reserve and the NUL;
 * once something did not fit, nothing more is appended. */
static int
_put(struct log_escape_out *o, const char *piece, size_t n)
{
  if (o->full || o->size == 0 || n + o->reserve > o->size - 1 - o->len)
    {
      o->full = 1;
      return 0;
    }
  memcpy(o->buf + o->len, piece, n);
  o->len += n;
  return 1;
}

static size_t
_finish(struct log_escape_out *o, int *truncated)
{
  if (o->size > 0)
    o->buf[o->len] = '\0';
  if (o->full && truncated)
    *truncated = 1;
  return o->len;
}

static void
_escape_units(struct log_escape_out *o, const char *text, enum log_escape_mode mode)
{
  const unsigned char *s = (const unsigned char *) text;
  char piece[LOG_ESCAPE_UNIT_MAX];
  size_t consumed;

  while (*s)
    {
      size_t n = _unit(s, mode, piece, &consumed);
      if (!_put(o, piece, n))
        return;
      s += consumed;
    }
}

int
log_escape_needs_quotes(const char *value)
{
  const unsigned char *s = (const unsigned char *) value;

  if (*s == '\0')
    return 1;
  while (*s)
    {
      if (*s < 0x80)
        {
          if (*s <= 0x20 || *s == 0x7F || *s == '"' || *s == '=' || *s == '\\')
            return 1;
          s++;
          continue;
        }
      size_t n = _utf8_length(s);
      if (n == 0 || (s[0] == 0xC2 && s[1] <= 0x9F))
        return 1;
      s += n;
    }
  return 0;
}

size_t
log_escape_value(char *out, size_t size, const char *value, int *truncated)
{
  struct log_escape_out o = { out, size, 0, 0, 0 };

  if (!log_escape_needs_quotes(value))
    {
      /* Plain values are printable ASCII or valid UTF-8 with no escapes:
       * the units are copied as they are. */
      _escape_units(&o, value, LOG_ESCAPE_VALUE);
      return _finish(&o, truncated);
    }
  o.reserve = 1;
  if (_put(&o, "\"", 1))
    {
      _escape_units(&o, value, LOG_ESCAPE_VALUE);
      o.reserve = 0;
      o.buf[o.len++] = '"';
    }
  return _finish(&o, truncated);
}

size_t
log_escape_message(char *out, size_t size, const char *text, int *truncated)
{
  struct log_escape_out o = { out, size, 0, 0, 0 };

  _escape_units(&o, text, LOG_ESCAPE_MESSAGE);
  return _finish(&o, truncated);
}

size_t
log_escape_key(char *out, size_t size, const char *key, int *truncated)
{
  struct log_escape_out o = { out, size, 0, 0, 0 };

  if (*key == '\0')
    _put(&o, "_", 1);
  for (const char *k = key; *k; k++)
    {
      char c = *k;
      int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'
                 || c == '-';
      if (!_put(&o, keep ? k : "_", 1))
        break;
    }
  return _finish(&o, truncated);
}
