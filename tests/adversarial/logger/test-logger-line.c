/* host/logger.c builds lines with lib/core/log-escape: whatever the message,
 * keys and values hold, one call is one line, ordinary values keep their old
 * shape, and a line that is too long is cut cleanly and says so. */
#include "logger.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <lifeline/plugin.h>
#include <stdio.h>
#include <string.h>

static char captured[8192];

static void
_redirect(void)
{
  cr_redirect_stderr();
  logger_set_level(LIFELINE_LOG_DEBUG);
}

/* Everything logged so far, NUL-terminated, in CAPTURED. */
static const char *
_capture(void)
{
  fflush(stderr);
  FILE *f = cr_get_redirected_stderr();
  size_t n = fread(captured, 1, sizeof(captured) - 1, f);
  captured[n] = '\0';
  return captured;
}

static size_t
_count(const char *s, char c)
{
  size_t n = 0;
  for (; *s; s++)
    n += *s == c;
  return n;
}

Test(logger_line, ordinary_tags_keep_their_shape, .init = _redirect)
{
  logger_log(LIFELINE_LOG_ERROR, "Connection failed", "destination", "d", "server", "127.0.0.1:1234", "reason",
             "connection-refused", "error", "No such file", NULL);
  const char *out = _capture();
  cr_assert(strstr(out, " error: Connection failed; destination=d server=127.0.0.1:1234 reason=connection-refused "
                        "error=\"No such file\"\n"),
            "%s", out);
  cr_assert_eq(_count(out, '\n'), 1);
}

Test(logger_line, hostile_values_stay_on_one_escaped_line, .init = _redirect)
{
  logger_log(LIFELINE_LOG_WARNING, "Cannot open\nfile", "source", "s", "file",
             "/tmp/a\n2026-01-01T00:00:00.000Z error: forged; x=\"y\"\x1b[2J", "key with space", "v", NULL);
  const char *out = _capture();
  cr_assert_eq(_count(out, '\n'), 1, "%s", out);
  cr_assert(strstr(out, " warning: Cannot open\\nfile; source=s "
                        "file=\"/tmp/a\\n2026-01-01T00:00:00.000Z error: forged; x=\\\"y\\\"\\x1B[2J\" "
                        "key_with_space=v\n"),
            "%s", out);
  cr_assert_null(strchr(out, '\x1b'));
}

Test(logger_line, abi_entry_skips_null_keys_and_values, .init = _redirect)
{
  const char *keys[] = { "a", NULL, "c", "d" };
  const char *values[] = { "1", "2", NULL, "" };
  logger_log_tags(NULL, LIFELINE_LOG_ERROR, "Module says", keys, values, 4);
  const char *out = _capture();
  cr_assert(strstr(out, " error: Module says; a=1 d=\"\"\n"), "%s", out);
}

Test(logger_line, a_long_value_is_cut_closed_and_marked, .init = _redirect)
{
  static char big[4000];
  memset(big, '\n', sizeof(big) - 1);
  logger_log(LIFELINE_LOG_ERROR, "Long value", "first", "x", "big", big, "after", "y", NULL);
  const char *out = _capture();
  size_t len = strlen(out);
  cr_assert_eq(_count(out, '\n'), 1);
  cr_assert_leq(len, 2048);
  cr_assert(strstr(out, "; first=x big=\"\\n\\n"), "%s", out);
  cr_assert(strstr(out, "\\n\\n\" line_truncated=yes\n") != NULL, "%.80s", out + len - 80);
  cr_assert_null(strstr(out, "after="));
}

Test(logger_line, a_long_message_is_cut_and_marked, .init = _redirect)
{
  static char big[4000];
  memset(big, 'm', sizeof(big) - 1);
  logger_log(LIFELINE_LOG_ERROR, big, "k", "v", NULL);
  const char *out = _capture();
  cr_assert_eq(_count(out, '\n'), 1);
  cr_assert_leq(strlen(out), 2048);
  cr_assert(strstr(out, "mmm; line_truncated=yes\n"), "%s", out);
}
