/*
 * libFuzzer target over lib/core/syslog-format.c: the syslog() driver's
 * framing of arbitrary lines with arbitrary options (facility, severity,
 * hostname, app-name) at arbitrary times.
 *
 * Checked for every input:
 *   - the frame is "LEN SP MSG" and LEN is exactly MSG's length;
 *   - the prefix fits SYSLOG_FRAME_OVERHEAD_MAX;
 *   - a line passed through is one syslog_is_rfc5424() accepts, and the
 *     prefix is only the count; a wrapped line's MSG (header + line) is
 *     itself accepted by syslog_is_rfc5424(), whatever the options were;
 *   - the prefix lies in the caller's prefix buffer, never in the line (which
 *     goes out unchanged after it);
 *   - names of facilities and severities round-trip, and a sanitized field
 *     holds only printable US-ASCII without space.
 *
 * Input layout: byte 0 facility and byte 1 severity (signed, to test the
 * clamping), bytes 2..9 the seconds and 10..13 the nanoseconds of the time,
 * then a length byte and that many bytes for the hostname, the same for the
 * app-name, and the rest is the line.
 */
#include "core/syslog-format.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                          \
  do                                                                                                         \
    {                                                                                                        \
      if (!(cond))                                                                                           \
        {                                                                                                    \
          fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond);                       \
          abort();                                                                                           \
        }                                                                                                    \
    }                                                                                                        \
  while (0)

/* Takes a length byte and that many bytes as a NUL-terminated string (cut at
 * an embedded NUL, as a C string from the configuration would be). */
static char *
_take_string(const uint8_t **data, size_t *size)
{
  size_t len = 0;
  if (*size > 0)
    {
      len = **data;
      (*data)++;
      (*size)--;
    }
  if (len > *size)
    len = *size;
  char *s = malloc(len + 1);
  memcpy(s, *data, len);
  s[len] = '\0';
  *data += len;
  *size -= len;
  return s;
}

static void
_check_field(const char *in, size_t max)
{
  char out[SYSLOG_HOSTNAME_MAX + 1];
  size_t n = syslog_sanitize_field(out, max, in);
  CHECK(n >= 1 && n <= max && strlen(out) == n);
  for (size_t i = 0; i < n; i++)
    CHECK(out[i] >= 33 && out[i] <= 126);
}

/* A name that parses must name a code whose canonical name parses back to it. */
static void
_check_names(const char *name)
{
  int f = syslog_facility_from_name(name), s = syslog_severity_from_name(name);
  CHECK(f >= -1 && f <= SYSLOG_FACILITY_MAX && s >= -1 && s <= SYSLOG_SEVERITY_MAX);
  if (f >= 0)
    CHECK(syslog_facility_from_name(syslog_facility_name(f)) == f);
  if (s >= 0)
    CHECK(syslog_severity_from_name(syslog_severity_name(s)) == s);
}

/* FRAME (prefix + line, LEN bytes) is "LEN SP MSG" with the right LEN; returns MSG's offset. */
static size_t
_check_count(const uint8_t *frame, size_t len)
{
  size_t digits = 0, count = 0;
  while (digits < len && frame[digits] >= '0' && frame[digits] <= '9')
    {
      CHECK(digits < 20);
      count = count * 10 + (size_t) (frame[digits] - '0');
      digits++;
    }
  CHECK(digits >= 1 && (frame[0] != '0' || digits == 1));
  CHECK(digits < len && frame[digits] == ' ');
  CHECK(count == len - digits - 1);
  return digits + 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 14)
    return 0;
  int facility = (int8_t) data[0], severity = (int8_t) data[1];
  int64_t secs;
  uint32_t nsec;
  memcpy(&secs, data + 2, sizeof(secs));
  memcpy(&nsec, data + 10, sizeof(nsec));
  data += 14;
  size -= 14;
  char *hostname = _take_string(&data, &size);
  char *app_name = _take_string(&data, &size);
  const uint8_t *line = data;
  size_t len = size;

  _check_field(hostname, SYSLOG_HOSTNAME_MAX);
  _check_field(app_name, SYSLOG_APP_NAME_MAX);
  _check_names(hostname);
  _check_names(app_name);

  struct syslog_template tmpl;
  syslog_template_init(&tmpl, facility, severity, hostname, app_name);
  /* What clock_gettime() gives: nanoseconds below one second. */
  struct timespec now = { .tv_sec = (time_t) secs, .tv_nsec = (long) (nsec % 1000000000u) };
  struct syslog_prefix prefix;
  const char *p;
  size_t plen;
  int passed = syslog_frame_prefix(&prefix, &tmpl, &now, line, len, &p, &plen);
  CHECK(plen <= SYSLOG_FRAME_OVERHEAD_MAX);
  CHECK(p >= prefix.buf && p + plen <= prefix.buf + sizeof(prefix.buf));

  uint8_t *frame = malloc(plen + len + 1);
  memcpy(frame, p, plen);
  memcpy(frame + plen, line, len);
  size_t msg = _check_count(frame, plen + len);
  CHECK(msg <= plen); /* the line itself is not part of the count */
  if (passed)
    {
      CHECK(msg == plen);
      CHECK(syslog_is_rfc5424(line, len));
    }
  else
    CHECK(syslog_is_rfc5424(frame + msg, plen + len - msg));

  free(frame);
  free(hostname);
  free(app_name);
  return 0;
}
