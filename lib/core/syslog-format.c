#include "syslog-format.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* RFC 5424 field maxima lifeline only checks. */
#define PROCID_MAX 128
#define MSGID_MAX 32
#define SD_NAME_MAX 32

struct syslog_name
{
  const char *name;
  int code;
};

/* syslog-ng's names (lib/syslog-names.c), in code order; the first name of a
 * code is its canonical one. */
static const struct syslog_name facility_names[] = {
  { "kern", 0 }, { "user", 1 }, { "mail", 2 }, { "daemon", 3 }, { "auth", 4 }, { "syslog", 5 },
  { "lpr", 6 }, { "news", 7 }, { "uucp", 8 }, { "cron", 9 }, { "authpriv", 10 }, { "megasafe", 10 },
  { "ftp", 11 }, { "ntp", 12 }, { "security", 13 }, { "console", 14 }, { "solaris-cron", 15 },
  { "local0", 16 }, { "local1", 17 }, { "local2", 18 }, { "local3", 19 }, { "local4", 20 },
  { "local5", 21 }, { "local6", 22 }, { "local7", 23 }, { NULL, -1 },
};

static const struct syslog_name severity_names[] = {
  { "emerg", 0 }, { "emergency", 0 }, { "panic", 0 }, { "alert", 1 }, { "crit", 2 }, { "critical", 2 },
  { "err", 3 }, { "error", 3 }, { "warning", 4 }, { "warn", 4 }, { "notice", 5 }, { "info", 6 },
  { "informational", 6 }, { "debug", 7 }, { NULL, -1 },
};

static int
_code_from_name(const struct syslog_name *names, const char *name, int max)
{
  size_t n = strlen(name);
  if (n >= 1 && n <= 2 && strspn(name, "0123456789") == n)
    {
      int v = name[0] - '0';
      if (n == 2)
        v = v * 10 + (name[1] - '0');
      return v <= max ? v : -1;
    }
  for (size_t i = 0; names[i].name; i++)
    if (strcasecmp(name, names[i].name) == 0)
      return names[i].code;
  return -1;
}

static const char *
_name_from_code(const struct syslog_name *names, int code)
{
  for (size_t i = 0; names[i].name; i++)
    if (names[i].code == code)
      return names[i].name;
  return NULL;
}

int
syslog_facility_from_name(const char *name)
{
  return _code_from_name(facility_names, name, SYSLOG_FACILITY_MAX);
}

int
syslog_severity_from_name(const char *name)
{
  return _code_from_name(severity_names, name, SYSLOG_SEVERITY_MAX);
}

const char *
syslog_facility_name(int facility)
{
  return _name_from_code(facility_names, facility);
}

const char *
syslog_severity_name(int severity)
{
  return _name_from_code(severity_names, severity);
}

static int
_is_print_ascii(uint8_t c)
{
  return c >= 33 && c <= 126;
}

size_t
syslog_sanitize_field(char *out, size_t max, const char *in)
{
  size_t n = 0;
  for (; in[n] && n < max; n++)
    out[n] = _is_print_ascii((uint8_t) in[n]) ? in[n] : '_';
  if (n == 0)
    out[n++] = '-';
  out[n] = '\0';
  return n;
}

/* ---- detection ---------------------------------------------------------- */

struct cursor
{
  const uint8_t *p, *end;
};

static int
_at_end(const struct cursor *c)
{
  return c->p == c->end;
}

static int
_take(struct cursor *c, uint8_t ch)
{
  if (_at_end(c) || *c->p != ch)
    return 0;
  c->p++;
  return 1;
}

/* Exactly N digits, their value in MIN..MAX. */
static int
_number(struct cursor *c, int n, int min, int max, int *out)
{
  int v = 0;
  if (c->end - c->p < n)
    return 0;
  for (int i = 0; i < n; i++)
    {
      if (c->p[i] < '0' || c->p[i] > '9')
        return 0;
      v = v * 10 + (c->p[i] - '0');
    }
  if (v < min || v > max)
    return 0;
  c->p += n;
  if (out)
    *out = v;
  return 1;
}

static int
_is_leap(int y)
{
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
_days_in_month(int y, int m)
{
  static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  return m == 2 && _is_leap(y) ? 29 : days[m - 1];
}

/* "<PRI>1 ": PRIVAL 0..191 without leading zeros, VERSION 1. */
static int
_pri_version(struct cursor *c)
{
  int v = 0, n = 0;
  if (!_take(c, '<'))
    return 0;
  while (!_at_end(c) && *c->p >= '0' && *c->p <= '9' && n < 3)
    {
      if (n == 1 && v == 0)
        return 0; /* leading zero */
      v = v * 10 + (*c->p++ - '0');
      n++;
    }
  return n > 0 && v <= 191 && _take(c, '>') && _take(c, '1') && _take(c, ' ');
}

/* TIMESTAMP: "-" or FULL-DATE "T" FULL-TIME (RFC 5424 6.2.3: uppercase T
 * and Z, no leap second, at most 6 fraction digits). */
static int
_timestamp(struct cursor *c)
{
  int y, m, d;
  if (_take(c, '-'))
    return 1;
  if (!_number(c, 4, 0, 9999, &y) || !_take(c, '-') || !_number(c, 2, 1, 12, &m) || !_take(c, '-')
      || !_number(c, 2, 1, 31, &d) || d > _days_in_month(y, m) || !_take(c, 'T'))
    return 0;
  if (!_number(c, 2, 0, 23, NULL) || !_take(c, ':') || !_number(c, 2, 0, 59, NULL) || !_take(c, ':')
      || !_number(c, 2, 0, 59, NULL))
    return 0;
  if (_take(c, '.'))
    {
      int n = 0;
      while (!_at_end(c) && *c->p >= '0' && *c->p <= '9')
        {
          c->p++;
          n++;
        }
      if (n < 1 || n > 6)
        return 0;
    }
  if (_take(c, 'Z'))
    return 1;
  if (!_take(c, '+') && !_take(c, '-'))
    return 0;
  return _number(c, 2, 0, 23, NULL) && _take(c, ':') && _number(c, 2, 0, 59, NULL);
}

/* 1..MAX of PRINTUSASCII ("-" is NILVALUE and fits). */
static int
_field(struct cursor *c, size_t max)
{
  size_t n = 0;
  while (!_at_end(c) && _is_print_ascii(*c->p))
    {
      c->p++;
      n++;
    }
  return n >= 1 && n <= max;
}

/* SD-NAME: 1..32 PRINTUSASCII except '=', SP, ']' and '"'. */
static int
_sd_name(struct cursor *c)
{
  size_t n = 0;
  while (!_at_end(c) && _is_print_ascii(*c->p) && *c->p != '=' && *c->p != ']' && *c->p != '"')
    {
      c->p++;
      n++;
    }
  return n >= 1 && n <= SD_NAME_MAX;
}

/* PARAM-VALUE up to its closing '"': '"', '\' and ']' must be escaped with
 * '\'; a '\' before anything else is a literal backslash (RFC 5424 6.3.3). */
static int
_param_value(struct cursor *c)
{
  while (!_at_end(c))
    {
      uint8_t ch = *c->p++;
      if (ch == '"')
        return 1;
      if (ch == ']')
        return 0;
      if (ch == '\\' && !_at_end(c) && (*c->p == '"' || *c->p == '\\' || *c->p == ']'))
        c->p++;
    }
  return 0;
}

/* SD-ELEMENT = "[" SD-ID *(SP SD-PARAM) "]" */
static int
_sd_element(struct cursor *c)
{
  if (!_take(c, '[') || !_sd_name(c))
    return 0;
  while (_take(c, ' '))
    if (!_sd_name(c) || !_take(c, '=') || !_take(c, '"') || !_param_value(c))
      return 0;
  return _take(c, ']');
}

static int
_structured_data(struct cursor *c)
{
  if (_take(c, '-'))
    return 1;
  if (_at_end(c) || *c->p != '[')
    return 0;
  while (!_at_end(c) && *c->p == '[')
    if (!_sd_element(c))
      return 0;
  return 1;
}

int
syslog_is_rfc5424(const uint8_t *data, size_t len)
{
  struct cursor c = { data, data + len };

  return _pri_version(&c) && _timestamp(&c) && _take(&c, ' ')
         && _field(&c, SYSLOG_HOSTNAME_MAX) && _take(&c, ' ')
         && _field(&c, SYSLOG_APP_NAME_MAX) && _take(&c, ' ')
         && _field(&c, PROCID_MAX) && _take(&c, ' ')
         && _field(&c, MSGID_MAX) && _take(&c, ' ')
         && _structured_data(&c) && (_at_end(&c) || _take(&c, ' '));
}

/* ---- building ----------------------------------------------------------- */

static int
_clamp(int v, int max)
{
  return v < 0 ? 0 : v > max ? max : v;
}

void
syslog_template_init(struct syslog_template *self, int facility, int severity, const char *hostname,
                     const char *app_name)
{
  char host[SYSLOG_HOSTNAME_MAX + 1], app[SYSLOG_APP_NAME_MAX + 1];
  int pri = _clamp(facility, SYSLOG_FACILITY_MAX) * 8 + _clamp(severity, SYSLOG_SEVERITY_MAX);

  memset(self, 0, sizeof(*self));
  self->pri_version_len = (size_t) snprintf(self->pri_version, sizeof(self->pri_version), "<%d>1 ", pri);
  syslog_sanitize_field(host, SYSLOG_HOSTNAME_MAX, hostname ? hostname : "");
  syslog_sanitize_field(app, SYSLOG_APP_NAME_MAX, app_name ? app_name : "");
  self->tail_len = (size_t) snprintf(self->tail, sizeof(self->tail), " %s %s - - - ", host, app);
}

static char *
_put2(char *p, int v)
{
  p[0] = (char) ('0' + v / 10);
  p[1] = (char) ('0' + v % 10);
  return p + 2;
}

/* 10000-01-01T00:00:00Z: RFC 3339 has four-digit years. */
#define EPOCH_SECONDS_YEAR_10000 INT64_C(253402300800)

size_t
syslog_format_timestamp(char *buf, const struct timespec *now)
{
  int64_t secs = (int64_t) now->tv_sec;
  long nsec = now->tv_nsec < 0 ? 0 : now->tv_nsec > 999999999L ? 999999999L : now->tv_nsec;

  if (secs < 0 || secs >= EPOCH_SECONDS_YEAR_10000)
    {
      buf[0] = '-';
      return 1;
    }
  /* Days to the civil date (H. Hinnant's days_from_civil, inverted). */
  int64_t days = secs / 86400, sod = secs % 86400;
  int64_t z = days + 719468;
  int64_t era = z / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int d = (int) (doy - (153 * mp + 2) / 5 + 1);
  int m = (int) (mp < 10 ? mp + 3 : mp - 9);
  int y = (int) (yoe + era * 400 + (m <= 2));
  long usec = nsec / 1000;

  char *p = buf;
  p = _put2(p, y / 100);
  p = _put2(p, y % 100);
  *p++ = '-';
  p = _put2(p, m);
  *p++ = '-';
  p = _put2(p, d);
  *p++ = 'T';
  p = _put2(p, (int) (sod / 3600));
  *p++ = ':';
  p = _put2(p, (int) (sod / 60 % 60));
  *p++ = ':';
  p = _put2(p, (int) (sod % 60));
  *p++ = '.';
  for (int i = 5; i >= 0; i--)
    {
      p[i] = (char) ('0' + usec % 10);
      usec /= 10;
    }
  p += 6;
  *p++ = 'Z';
  return (size_t) (p - buf);
}

size_t
syslog_format_header(const struct syslog_template *tmpl, const struct timespec *now, char *buf)
{
  size_t n = tmpl->pri_version_len;
  memcpy(buf, tmpl->pri_version, n);
  n += syslog_format_timestamp(buf + n, now);
  memcpy(buf + n, tmpl->tail, tmpl->tail_len);
  return n + tmpl->tail_len;
}

/* Writes "LEN SP" so that it ends right before END; returns where it starts. */
static char *
_put_count_before(char *end, size_t msg_len)
{
  char *p = end;
  *--p = ' ';
  do
    {
      *--p = (char) ('0' + msg_len % 10);
      msg_len /= 10;
    }
  while (msg_len > 0);
  return p;
}

size_t
syslog_format_octet_count(size_t msg_len, char *buf)
{
  char tmp[SYSLOG_COUNT_MAX];
  char *start = _put_count_before(tmp + sizeof(tmp), msg_len);
  size_t n = (size_t) (tmp + sizeof(tmp) - start);
  memcpy(buf, start, n);
  return n;
}

int
syslog_frame_prefix(struct syslog_prefix *prefix, const struct syslog_template *tmpl,
                    const struct timespec *now, const uint8_t *line, size_t len,
                    const char **prefix_out, size_t *prefix_len_out)
{
  char *header = prefix->buf + SYSLOG_COUNT_MAX;
  int pass = syslog_is_rfc5424(line, len);
  size_t header_len = pass ? 0 : syslog_format_header(tmpl, now, header);
  char *start = _put_count_before(header, header_len + len);

  *prefix_out = start;
  *prefix_len_out = (size_t) (header + header_len - start);
  return pass;
}
