/* The syslog() wire format: which lines pass through as RFC 5424, the header
 * of every other line, field sanitizing, octet counts, byte-exact frames, and
 * the syslog() options (network() must refuse them). */
#include "core/config-parser.h"
#include "core/located-error.h"
#include "core/msg-queue.h"
#include "core/network-options.h"
#include "core/syslog-format.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int
_is_5424(const char *s)
{
  return syslog_is_rfc5424((const uint8_t *) s, strlen(s));
}

static char *
_repeat(char c, size_t n)
{
  static char buf[8][512];
  static int next;
  char *b = buf[next++ % 8];
  cr_assert_lt(n, sizeof(buf[0]));
  memset(b, c, n);
  b[n] = '\0';
  return b;
}

/* ---- detection ---------------------------------------------------------- */

Test(syslog_detect, accepts_rfc5424_messages)
{
  static const char *const ok[] = {
    /* RFC 5424 6.5, examples 1 to 4 (BOM written as text). */
    "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - BOM'su root' failed for lonvick on /dev/pts/8",
    "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
    "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" "
    "eventSource=\"Application\" eventID=\"1011\"] BOMAn application event log entry...",
    "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" "
    "eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"]",
    /* Every field NILVALUE, with and without MSG. */
    "<0>1 - - - - - -",
    "<191>1 - - - - - - msg",
    "<13>1 - - - - - - ",
    "<9>1 - - - - - -  leading space in MSG",
    /* Timestamps. */
    "<13>1 2024-02-29T23:59:59Z h a p m -",
    "<13>1 2000-02-29T00:00:00.1+14:00 h a p m -",
    "<13>1 1985-04-12T23:20:50.52Z h a p m - x",
    "<13>1 1996-12-19T16:39:57-08:00 h a p m - x",
    "<13>1 0000-01-01T00:00:00.000000Z h a p m - x",
    /* SD escapes: \" \\ \] and a lone backslash before anything else. */
    "<13>1 - h a p m [id k=\"x\\\"y\\]z\\\\\"] x",
    "<13>1 - h a p m [id k=\"c:\\dir\"]",
    "<13>1 - h a p m [id k=\"\"] x",
    "<13>1 - h a p m [id] x",
    "<13>1 - h a p m [id a=\"1\" b=\"2\"][id2@123 c=\"[3\"] x",
    NULL,
  };
  for (size_t i = 0; ok[i]; i++)
    cr_expect(_is_5424(ok[i]), "rejected: %s", ok[i]);

  char line[1024];
  snprintf(line, sizeof(line), "<13>1 - %s %s %s %s [%s %s=\"v\"] x", _repeat('h', 255), _repeat('a', 48),
           _repeat('p', 128), _repeat('m', 32), _repeat('i', 32), _repeat('n', 32));
  cr_expect(_is_5424(line), "rejected the field maxima");
}

Test(syslog_detect, rejects_everything_else)
{
  static const char *const bad[] = {
    "", "hello world", "<", "<34>", "<34>1", "<34>1 ", "<34>1 -", "<34>1 - h a p m",
    "<34>1 - h a p m ", /* SD missing */
    "<34>1 - - - - -", /* one NILVALUE short */
    /* PRI and VERSION */
    "<192>1 - - - - - -", "<034>1 - - - - - -", "<00>1 - - - - - -", "<1000>1 - - - - - -",
    "<>1 - - - - - -", "<-1>1 - - - - - -", "<34>2 - - - - - -", "<34>11 - - - - - -",
    "<34>1- - - - - -", "34>1 - - - - - -", " <34>1 - - - - - -",
    /* RFC 3164 and other formats */
    "<34>Oct 11 22:14:15 mymachine su: 'su root' failed",
    "<13>Jan  1 00:00:00 host app[1]: msg",
    "2003-10-11T22:14:15.003Z host app: msg",
    /* Timestamps */
    "<13>1 2003-10-11t22:14:15Z h a p m -", "<13>1 2003-10-11T22:14:15z h a p m -",
    "<13>1 2003-10-11 22:14:15Z h a p m -", "<13>1 2003-02-29T00:00:00Z h a p m -",
    "<13>1 1900-02-29T00:00:00Z h a p m -", "<13>1 2003-04-31T00:00:00Z h a p m -",
    "<13>1 2003-13-01T00:00:00Z h a p m -", "<13>1 2003-00-01T00:00:00Z h a p m -",
    "<13>1 2003-01-00T00:00:00Z h a p m -", "<13>1 2003-01-01T24:00:00Z h a p m -",
    "<13>1 2003-01-01T00:60:00Z h a p m -", "<13>1 2003-01-01T00:00:60Z h a p m -",
    "<13>1 2003-01-01T00:00:00.1234567Z h a p m -", "<13>1 2003-01-01T00:00:00.Z h a p m -",
    "<13>1 2003-01-01T00:00:00 h a p m -", "<13>1 2003-01-01T00:00:00+0100 h a p m -",
    "<13>1 2003-01-01T00:00:00+24:00 h a p m -", "<13>1 03-01-01T00:00:00Z h a p m -",
    "<13>1 2003-1-01T00:00:00Z h a p m -",
    /* Fields */
    "<13>1 -  h a p m -", "<13>1 - h\ta p m -", "<13>1 - h a p m\x7f -", "<13>1 - h\xc3\xa9 a p m -",
    /* STRUCTURED-DATA */
    "<13>1 - h a p m -x", "<13>1 - h a p m [", "<13>1 - h a p m []", "<13>1 - h a p m [id",
    "<13>1 - h a p m [id ]", "<13>1 - h a p m [id k=v]", "<13>1 - h a p m [id k=\"v]",
    "<13>1 - h a p m [id k=\"v\"", "<13>1 - h a p m [id k=\"a]b\"]", "<13>1 - h a p m [id k=\"v\"]x",
    "<13>1 - h a p m [id  k=\"v\"]", "<13>1 - h a p m [i=d]",
    "<13>1 - h a p m [id =\"v\"]", "<13>1 - h a p m [id k=\"v\\\"]", "<13>1 - h a p m message",
    NULL,
  };
  for (size_t i = 0; bad[i]; i++)
    cr_expect(!_is_5424(bad[i]), "accepted: %s", bad[i]);

  char line[1024];
  snprintf(line, sizeof(line), "<13>1 - %s a p m - x", _repeat('h', 256));
  cr_expect(!_is_5424(line), "hostname of 256");
  snprintf(line, sizeof(line), "<13>1 - h %s p m - x", _repeat('a', 49));
  cr_expect(!_is_5424(line), "app-name of 49");
  snprintf(line, sizeof(line), "<13>1 - h a %s m - x", _repeat('p', 129));
  cr_expect(!_is_5424(line), "procid of 129");
  snprintf(line, sizeof(line), "<13>1 - h a p %s - x", _repeat('m', 33));
  cr_expect(!_is_5424(line), "msgid of 33");
  snprintf(line, sizeof(line), "<13>1 - h a p m [%s] x", _repeat('i', 33));
  cr_expect(!_is_5424(line), "sd-id of 33");
}

Test(syslog_detect, looks_only_at_len_bytes)
{
  const char *s = "<13>1 - - - - - -";
  cr_expect(!syslog_is_rfc5424((const uint8_t *) s, strlen(s) - 1));
  cr_expect(syslog_is_rfc5424((const uint8_t *) "<13>1 - - - - - -XYZ", strlen(s)));
}

/* ---- names -------------------------------------------------------------- */

static const struct
{
  const char *name;
  int code;
} facilities[] = {
  { "kern", 0 }, { "user", 1 }, { "mail", 2 }, { "daemon", 3 }, { "auth", 4 }, { "syslog", 5 },
  { "lpr", 6 }, { "news", 7 }, { "uucp", 8 }, { "cron", 9 }, { "authpriv", 10 }, { "megasafe", 10 },
  { "ftp", 11 }, { "ntp", 12 }, { "security", 13 }, { "console", 14 }, { "solaris-cron", 15 },
  { "local0", 16 }, { "local1", 17 }, { "local2", 18 }, { "local3", 19 }, { "local4", 20 },
  { "local5", 21 }, { "local6", 22 }, { "local7", 23 },
}, severities[] = {
  { "emerg", 0 }, { "emergency", 0 }, { "panic", 0 }, { "alert", 1 }, { "crit", 2 }, { "critical", 2 },
  { "err", 3 }, { "error", 3 }, { "warning", 4 }, { "warn", 4 }, { "notice", 5 }, { "info", 6 },
  { "informational", 6 }, { "debug", 7 },
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

Test(syslog_names, every_name_and_number)
{
  char num[8], upper[32];
  for (size_t i = 0; i < N_OF(facilities); i++)
    {
      cr_expect_eq(syslog_facility_from_name(facilities[i].name), facilities[i].code, "%s", facilities[i].name);
      snprintf(upper, sizeof(upper), "%s", facilities[i].name);
      for (char *p = upper; *p; p++)
        *p = (char) (*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
      cr_expect_eq(syslog_facility_from_name(upper), facilities[i].code, "%s", upper);
      cr_expect_eq(syslog_severity_from_name(facilities[i].name), -1, "%s as a severity", facilities[i].name);
    }
  for (size_t i = 0; i < N_OF(severities); i++)
    cr_expect_eq(syslog_severity_from_name(severities[i].name), severities[i].code, "%s", severities[i].name);
  for (int f = 0; f <= 23; f++)
    {
      snprintf(num, sizeof(num), "%d", f);
      cr_expect_eq(syslog_facility_from_name(num), f);
      cr_expect_not_null(syslog_facility_name(f));
      cr_expect_eq(syslog_facility_from_name(syslog_facility_name(f)), f);
    }
  for (int s = 0; s <= 7; s++)
    {
      snprintf(num, sizeof(num), "%d", s);
      cr_expect_eq(syslog_severity_from_name(num), s);
      cr_expect_eq(syslog_severity_from_name(syslog_severity_name(s)), s);
    }
  cr_expect_str_eq(syslog_facility_name(10), "authpriv");
  cr_expect_str_eq(syslog_severity_name(3), "err");
  cr_expect_null(syslog_facility_name(24));
  cr_expect_null(syslog_severity_name(8));
  static const char *const bad_fac[] = { "", "local8", "24", "100", "-1", "0x1", " user", "user ", NULL };
  for (size_t i = 0; bad_fac[i]; i++)
    cr_expect_eq(syslog_facility_from_name(bad_fac[i]), -1, "'%s'", bad_fac[i]);
  static const char *const bad_sev[] = { "", "8", "10", "warnings", "user", NULL };
  for (size_t i = 0; bad_sev[i]; i++)
    cr_expect_eq(syslog_severity_from_name(bad_sev[i]), -1, "'%s'", bad_sev[i]);
}

/* ---- header ------------------------------------------------------------- */

static const struct timespec t_rfc = { 1065910455, 3000000 }; /* 2003-10-11T22:14:15.003Z */

Test(syslog_header, every_facility_and_severity)
{
  struct syslog_template t;
  char buf[SYSLOG_HEADER_MAX], want[SYSLOG_HEADER_MAX + 1];
  for (size_t i = 0; i < N_OF(facilities); i++)
    for (size_t j = 0; j < N_OF(severities); j++)
      {
        int f = syslog_facility_from_name(facilities[i].name);
        int s = syslog_severity_from_name(severities[j].name);
        syslog_template_init(&t, f, s, "host", "app");
        size_t n = syslog_format_header(&t, &t_rfc, buf);
        int wn = snprintf(want, sizeof(want), "<%d>1 2003-10-11T22:14:15.003000Z host app - - - ",
                          facilities[i].code * 8 + severities[j].code);
        cr_assert_eq(n, (size_t) wn, "%s.%s", facilities[i].name, severities[j].name);
        cr_assert_eq(memcmp(buf, want, n), 0, "%s.%s: %.*s", facilities[i].name, severities[j].name, (int) n, buf);
      }
  /* The extremes. */
  syslog_template_init(&t, 0, 0, "h", "a");
  syslog_format_header(&t, &t_rfc, buf);
  cr_expect_eq(memcmp(buf, "<0>1 ", 5), 0);
  syslog_template_init(&t, 23, 7, "h", "a");
  syslog_format_header(&t, &t_rfc, buf);
  cr_expect_eq(memcmp(buf, "<191>1 ", 7), 0);
}

Test(syslog_header, a_header_and_any_line_is_rfc5424)
{
  struct syslog_template t;
  char buf[SYSLOG_HEADER_MAX + 64];
  static const char *const lines[] = { "", "plain", "[not sd] x", "- - -", "\xc3\xa9t\xc3\xa9", NULL };
  syslog_template_init(&t, 1, 5, "host.example", "lifeline");
  for (size_t i = 0; lines[i]; i++)
    {
      size_t n = syslog_format_header(&t, &t_rfc, buf);
      memcpy(buf + n, lines[i], strlen(lines[i]));
      cr_expect(syslog_is_rfc5424((const uint8_t *) buf, n + strlen(lines[i])), "header + '%s'", lines[i]);
    }
}

Test(syslog_header, timestamps)
{
  static const struct
  {
    int64_t sec;
    long nsec;
    const char *want;
  } cases[] = {
    { 0, 0, "1970-01-01T00:00:00.000000Z" },
    { 1065910455, 3000000, "2003-10-11T22:14:15.003000Z" },
    { 951782400, 999, "2000-02-29T00:00:00.000000Z" }, /* below a microsecond: truncated */
    { 1709251199, 999999999, "2024-02-29T23:59:59.999999Z" },
    { 4107542400, 1000, "2100-03-01T00:00:00.000001Z" },
    { INT64_C(253402300799), 999999000, "9999-12-31T23:59:59.999999Z" },
    { -1, 0, "-" },
    { INT64_C(253402300800), 0, "-" },
  };
  char buf[SYSLOG_TIMESTAMP_LEN];
  for (size_t i = 0; i < N_OF(cases); i++)
    {
      struct timespec ts = { (time_t) cases[i].sec, cases[i].nsec };
      size_t n = syslog_format_timestamp(buf, &ts);
      cr_expect_eq(n, strlen(cases[i].want), "%lld", (long long) cases[i].sec);
      cr_expect_eq(memcmp(buf, cases[i].want, n), 0, "%lld: %.*s, want %s", (long long) cases[i].sec, (int) n, buf,
                   cases[i].want);
    }
  /* Against the C library over four centuries, one step per ~11 days. */
  for (int64_t s = 0; s < INT64_C(253402300800); s += 987654 + (s % 86400))
    {
      struct timespec ts = { (time_t) s, 123456789 };
      struct tm tm;
      char want[64];
      time_t tt = (time_t) s;
      gmtime_r(&tt, &tm);
      strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S.123456Z", &tm);
      size_t n = syslog_format_timestamp(buf, &ts);
      cr_assert_eq(n, SYSLOG_TIMESTAMP_LEN);
      cr_assert_eq(memcmp(buf, want, n), 0, "%lld: %.*s, want %s", (long long) s, (int) n, buf, want);
    }
}

Test(syslog_header, fields_are_sanitized_and_truncated)
{
  char out[SYSLOG_HOSTNAME_MAX + 1];
  cr_expect_eq(syslog_sanitize_field(out, SYSLOG_APP_NAME_MAX, "my app"), 6);
  cr_expect_str_eq(out, "my_app");
  cr_expect_eq(syslog_sanitize_field(out, SYSLOG_APP_NAME_MAX, ""), 1);
  cr_expect_str_eq(out, "-");
  syslog_sanitize_field(out, SYSLOG_APP_NAME_MAX, "\xc3\xa9t\xc3\xa9\t\x7f\x01~!");
  cr_expect_str_eq(out, "__t_____~!");
  cr_expect_eq(syslog_sanitize_field(out, SYSLOG_HOSTNAME_MAX, _repeat('h', 300)), 255);
  cr_expect_str_eq(out, _repeat('h', 255));
  cr_expect_eq(syslog_sanitize_field(out, SYSLOG_APP_NAME_MAX, _repeat('a', 49)), 48);
  cr_expect_str_eq(out, _repeat('a', 48));

  struct syslog_template t;
  char buf[SYSLOG_HEADER_MAX], want[1024];
  syslog_template_init(&t, 1, 5, _repeat('h', 400), _repeat('a', 100));
  size_t n = syslog_format_header(&t, &t_rfc, buf);
  snprintf(want, sizeof(want), "<13>1 2003-10-11T22:14:15.003000Z %s %s - - - ", _repeat('h', 255), _repeat('a', 48));
  cr_assert_eq(n, strlen(want));
  cr_assert_eq(n, SYSLOG_HEADER_MAX - 1); /* only <191> is longer than <13> */
  cr_expect_eq(memcmp(buf, want, n), 0);
  syslog_template_init(&t, 1, 5, "", "a b");
  n = syslog_format_header(&t, &t_rfc, buf);
  cr_expect_eq(memcmp(buf, "<13>1 2003-10-11T22:14:15.003000Z - a_b - - - ", n), 0, "%.*s", (int) n, buf);
  syslog_template_init(&t, 23, 7, _repeat('h', 400), _repeat('a', 100));
  cr_expect_eq(syslog_format_header(&t, &t_rfc, buf), SYSLOG_HEADER_MAX);
}

/* ---- frames ------------------------------------------------------------- */

Test(syslog_frame, octet_counts)
{
  char buf[SYSLOG_COUNT_MAX];
  static const struct
  {
    size_t len;
    const char *want;
  } cases[] = { { 1, "1 " }, { 9, "9 " }, { 10, "10 " }, { 65536, "65536 " }, { (size_t) -1, "18446744073709551615 " } };
  for (size_t i = 0; i < N_OF(cases); i++)
    {
      size_t n = syslog_format_octet_count(cases[i].len, buf);
      cr_expect_eq(n, strlen(cases[i].want));
      cr_expect_eq(memcmp(buf, cases[i].want, n), 0, "%zu: %.*s", cases[i].len, (int) n, buf);
    }
}

/* prefix + line as one NUL-terminated string. */
static const char *
_frame(const struct syslog_template *t, const char *line, int *passed)
{
  static struct syslog_prefix prefix;
  static char out[SYSLOG_FRAME_OVERHEAD_MAX + 1024];
  const char *p;
  size_t plen, len = strlen(line);
  *passed = syslog_frame_prefix(&prefix, t, &t_rfc, (const uint8_t *) line, len, &p, &plen);
  cr_assert(p >= prefix.buf && p + plen <= prefix.buf + sizeof(prefix.buf));
  cr_assert_lt(plen + len, sizeof(out));
  memcpy(out, p, plen);
  memcpy(out + plen, line, len);
  out[plen + len] = '\0';
  return out;
}

/* "LEN SP MSG": LEN is MSG's exact length. */
static void
_check_count(const char *frame)
{
  char *sp;
  unsigned long long n = strtoull(frame, &sp, 10);
  cr_assert(frame[0] >= '1' && frame[0] <= '9' && *sp == ' ', "%s", frame);
  cr_assert_eq(n, strlen(sp + 1), "%s", frame);
}

Test(syslog_frame, byte_exact)
{
  struct syslog_template t;
  int passed;
  syslog_template_init(&t, SYSLOG_DEFAULT_FACILITY, SYSLOG_DEFAULT_SEVERITY, "host", SYSLOG_DEFAULT_APP_NAME);

  static const struct
  {
    const char *line;
    const char *frame;
    int passed;
  } cases[] = {
    { "hello", "59 <13>1 2003-10-11T22:14:15.003000Z host lifeline - - - hello", 0 },
    { "", "54 <13>1 2003-10-11T22:14:15.003000Z host lifeline - - - ", 0 },
    { "<13>1 - - - - - -", "17 <13>1 - - - - - -", 1 },
    { "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - 'su root' failed",
      "81 <34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - 'su root' failed", 1 },
    { "<34>Oct 11 22:14:15 mymachine su: x",
      "89 <13>1 2003-10-11T22:14:15.003000Z host lifeline - - - <34>Oct 11 22:14:15 mymachine su: x", 0 },
    { "<13>1 - - - - - -x", "72 <13>1 2003-10-11T22:14:15.003000Z host lifeline - - - <13>1 - - - - - -x", 0 },
  };
  for (size_t i = 0; i < N_OF(cases); i++)
    {
      const char *f = _frame(&t, cases[i].line, &passed);
      cr_expect_str_eq(f, cases[i].frame);
      cr_expect_eq(passed, cases[i].passed, "%s", cases[i].line);
      _check_count(f);
    }

  /* A count that gains a digit: 9 -> 10 bytes and 99 -> 100. */
  syslog_template_init(&t, 1, 5, "h", "a");
  char line[200];
  for (size_t len = 0; len < sizeof(line) - 1; len++)
    {
      memset(line, 'x', len);
      line[len] = '\0';
      _check_count(_frame(&t, line, &passed));
    }
  cr_expect_str_eq(_frame(&t, "<1>1 - - - - - - abc", &passed), "20 <1>1 - - - - - - abc");
}

Test(syslog_frame, queued_frames_return_the_original_line)
{
  struct syslog_template t;
  struct syslog_prefix prefix;
  const char *p, *lines[] = { "plain line", "<13>1 - - - - - - ready-made" };
  size_t plen;
  struct msg_queue *q = msg_queue_new(8, 4096, 1024);
  cr_assert_not_null(q);
  syslog_template_init(&t, 16, 6, "h", "a");
  for (size_t i = 0; i < 2; i++)
    {
      syslog_frame_prefix(&prefix, &t, &t_rfc, (const uint8_t *) lines[i], strlen(lines[i]), &p, &plen);
      cr_assert_eq(msg_queue_push(q, i + 1, p, plen, lines[i], strlen(lines[i]), NULL, 0), 0);
    }
  struct iovec iov[2];
  cr_assert_eq(msg_queue_unwritten(q, iov), 1);
  const char *want = "55 <134>1 2003-10-11T22:14:15.003000Z h a - - - plain line28 <13>1 - - - - - - ready-made";
  cr_expect_eq(iov[0].iov_len, strlen(want));
  cr_expect_eq(memcmp(iov[0].iov_base, want, strlen(want)), 0, "%.*s", (int) iov[0].iov_len,
               (const char *) iov[0].iov_base);
  for (size_t i = 0; i < 2; i++)
    {
      uint64_t seq;
      const uint8_t *data;
      size_t len;
      cr_assert_eq(msg_queue_front(q, &seq, &data, &len), 0);
      cr_expect_eq(seq, i + 1);
      cr_expect_eq(len, strlen(lines[i]));
      cr_expect_eq(memcmp(data, lines[i], len), 0);
      msg_queue_pop(q);
    }
  msg_queue_free(q);
}

/* ---- options ------------------------------------------------------------ */

static struct config_tree *tree;
static struct network_options opts;
static struct lifeline_error err;

static int
_parse(const char *driver_text)
{
  char text[4096];
  snprintf(text, sizeof(text), "destination d {\n%s;\n};\n", driver_text);
  config_tree_free(tree);
  located_error_init(&err);
  tree = config_parse_string(text, "t.conf", &err);
  cr_assert_not_null(tree, "config text: %s", err.message);
  const struct lifeline_option *driver = config_tree_root(tree)->children[0]->children[0];
  if (strcmp(driver->name, "syslog") == 0)
    return network_options_parse_syslog(driver, &opts, &err);
  return network_options_parse(driver, &opts, &err);
}

static void
_expect_error(const char *driver_text, unsigned column, const char *message_part)
{
  cr_assert_eq(_parse(driver_text), -1, "accepted: %s", driver_text);
  cr_expect_eq(err.line, 2, "%s: line %u (%s)", driver_text, err.line, err.message);
  cr_expect_eq(err.column, column, "%s: column %u, want %u (%s)", driver_text, err.column, column, err.message);
  cr_expect_not_null(strstr(err.message, message_part), "'%s' lacks '%s'", err.message, message_part);
}

static void
_teardown(void)
{
  config_tree_free(tree);
  tree = NULL;
}

TestSuite(syslog_options, .fini = _teardown);

Test(syslog_options, defaults)
{
  cr_assert_eq(_parse("syslog(\"collector\")"), 0, "%s", err.message);
  cr_expect_eq(opts.framing, NETWORK_FRAMING_SYSLOG);
  cr_expect_eq(opts.server.port, 601);
  cr_expect_eq(opts.syslog.facility, 1);
  cr_expect_eq(opts.syslog.severity, 5);
  cr_expect_str_eq(opts.syslog.hostname, ""); /* the shell reads the machine's name */
  cr_expect_str_eq(opts.syslog.app_name, "lifeline");
  cr_expect_eq(network_options_max_frame(&opts), 65536 + SYSLOG_FRAME_OVERHEAD_MAX);

  cr_assert_eq(_parse("network(\"collector\")"), 0, "%s", err.message);
  cr_expect_eq(opts.framing, NETWORK_FRAMING_NEWLINE);
  cr_expect_eq(opts.server.port, 514);
  cr_expect_eq(network_options_max_frame(&opts), 65536 + 1);
}

Test(syslog_options, values)
{
  cr_assert_eq(_parse("syslog(\"c:6514\" facility(local0) severity(err) hostname(\"web 1\") app-name(\"\") "
                      "failover(servers(\"b\")))"),
               0, "%s", err.message);
  cr_expect_eq(opts.server.port, 6514);
  cr_expect_eq(opts.failover.n_servers, 2);
  cr_expect_eq(opts.failover.servers[1].port, 6514);
  cr_expect_eq(opts.syslog.facility, 16);
  cr_expect_eq(opts.syslog.severity, 3);
  cr_expect_str_eq(opts.syslog.hostname, "web_1");
  cr_expect_str_eq(opts.syslog.app_name, "-");

  cr_assert_eq(_parse("syslog(\"c\" facility(23) severity(0) facility(\"LOCAL7\") app_name(x) hostname())"), 0,
               "%s", err.message);
  cr_expect_eq(opts.syslog.facility, 23);
  cr_expect_eq(opts.syslog.severity, 0);
  cr_expect_str_eq(opts.syslog.hostname, "");
  cr_expect_str_eq(opts.syslog.app_name, "x");
  cr_assert_eq(_parse("syslog(\"c\" failover(servers(\"b\")))"), 0, "%s", err.message);
  cr_expect_eq(opts.failover.servers[1].port, 601);

  char text[512];
  snprintf(text, sizeof(text), "syslog(\"c\" app-name(\"%s\"))", _repeat('a', 60));
  cr_assert_eq(_parse(text), 0, "%s", err.message);
  cr_expect_str_eq(opts.syslog.app_name, _repeat('a', 48));
}

Test(syslog_options, errors)
{
  _expect_error("syslog(\"c\" facility(local8))", 21, "unknown facility 'local8'; expected kern, user");
  _expect_error("syslog(\"c\" facility(24))", 21, "unknown facility '24'");
  _expect_error("syslog(\"c\" severity(8))", 21, "unknown severity '8'; expected emerg");
  _expect_error("syslog(\"c\" severity(user))", 21, "unknown severity 'user'");
  _expect_error("syslog(\"c\" hostname(1))", 21, "expected a string");
  _expect_error("syslog(\"c\" facility(user daemon))", 26, "takes a single value");
  _expect_error("syslog(\"c\" transport(\"udp\"))", 12, "transport(\"udp\") is not supported");
  _expect_error("syslog(\"c\" template(\"$MSG\"))", 12, "unknown option 'template' in syslog()");
  _expect_error("syslog(\"c\" log-msg-size(1M) queue-max-bytes(1M))", 29, "queue-max-bytes");
  /* network() has none of the four. */
  _expect_error("network(\"c\" facility(user))", 13, "unknown option 'facility' in network()");
  _expect_error("network(\"c\" severity(err))", 13, "unknown option 'severity'");
  _expect_error("network(\"c\" hostname(\"h\"))", 13, "unknown option 'hostname'");
  _expect_error("network(\"c\" app-name(\"a\"))", 13, "unknown option 'app-name'");
}
