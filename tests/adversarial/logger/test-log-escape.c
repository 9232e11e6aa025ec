/* The escaping rule of lib/core/log-escape.h, one case per clause. */
#include "core/log-escape.h"

#include <criterion/criterion.h>
#include <string.h>

static const char *
_value(const char *in)
{
  static char out[256];
  int cut = 0;
  size_t n = log_escape_value(out, sizeof(out), in, &cut);
  cr_assert_eq(n, strlen(out));
  cr_assert_eq(cut, 0);
  return out;
}

static const char *
_message(const char *in)
{
  static char out[256];
  int cut = 0;
  size_t n = log_escape_message(out, sizeof(out), in, &cut);
  cr_assert_eq(n, strlen(out));
  cr_assert_eq(cut, 0);
  return out;
}

Test(log_escape, ordinary_values_are_unchanged)
{
  static const char *const plain[] = { "connection-refused", "127.0.0.1:1234", "[::1]:601", "d_net",
                                       "/var/log/app.log", "12", "caf\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80" };
  for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
    {
      cr_assert_not(log_escape_needs_quotes(plain[i]), "%s", plain[i]);
      cr_assert_str_eq(_value(plain[i]), plain[i]);
    }
}

Test(log_escape, spaces_quotes_equals_and_backslashes_are_quoted)
{
  cr_assert_str_eq(_value(""), "\"\"");
  cr_assert_str_eq(_value("No such file or directory"), "\"No such file or directory\"");
  cr_assert_str_eq(_value("a=b"), "\"a=b\"");
  cr_assert_str_eq(_value("say \"hi\""), "\"say \\\"hi\\\"\"");
  cr_assert_str_eq(_value("C:\\dir"), "\"C:\\\\dir\"");
  cr_assert_str_eq(_value("\""), "\"\\\"\"");
  cr_assert_str_eq(_value("\\"), "\"\\\\\"");
}

Test(log_escape, control_bytes_are_escaped_and_quoted)
{
  cr_assert_str_eq(_value("a\nb"), "\"a\\nb\"");
  cr_assert_str_eq(_value("a\rb"), "\"a\\rb\"");
  cr_assert_str_eq(_value("a\tb"), "\"a\\tb\"");
  cr_assert_str_eq(_value("\x1b[31mred"), "\"\\x1B[31mred\"");
  cr_assert_str_eq(_value("\x01\x1f\x7f"), "\"\\x01\\x1F\\x7F\"");
  cr_assert_str_eq(_value("host\n2026-01-01T00:00:00.000Z error: forged; x=\"y\""),
                   "\"host\\n2026-01-01T00:00:00.000Z error: forged; x=\\\"y\\\"\"");
}

Test(log_escape, c1_controls_are_escaped_as_their_utf8_bytes)
{
  cr_assert_str_eq(_value("a\xC2\x85" "b"), "\"a\\xC2\\x85b\"");
  cr_assert_str_eq(_value("\xC2\x9B" "31m"), "\"\\xC2\\x9B31m\"");
  cr_assert_str_eq(_value("\xC2\xA0"), "\xC2\xA0", "U+00A0 is the first code point that is kept");
}

Test(log_escape, invalid_utf8_bytes_are_escaped_one_by_one)
{
  cr_assert_str_eq(_value("\xFF"), "\"\\xFF\"");
  cr_assert_str_eq(_value("a\xC3"), "\"a\\xC3\"", "a sequence cut by the end");
  cr_assert_str_eq(_value("\xC3(x"), "\"\\xC3(x\"", "a lead byte without its continuation");
  cr_assert_str_eq(_value("\x80"), "\"\\x80\"", "a lone continuation byte");
  cr_assert_str_eq(_value("\xC0\xAF"), "\"\\xC0\\xAF\"", "an overlong '/'");
  cr_assert_str_eq(_value("\xE0\x80\xAF"), "\"\\xE0\\x80\\xAF\"", "an overlong three-byte form");
  cr_assert_str_eq(_value("\xED\xA0\x80"), "\"\\xED\\xA0\\x80\"", "a UTF-16 surrogate");
  cr_assert_str_eq(_value("\xF4\x90\x80\x80"), "\"\\xF4\\x90\\x80\\x80\"", "above U+10FFFF");
  cr_assert_str_eq(_value("\xF5\x80\x80\x80"), "\"\\xF5\\x80\\x80\\x80\"");
  cr_assert_str_eq(_value("ok \xE2\x82\xAC"), "\"ok \xE2\x82\xAC\"", "valid UTF-8 stays inside quotes");
}

Test(log_escape, messages_escape_controls_but_are_not_quoted)
{
  cr_assert_str_eq(_message("Connection failed"), "Connection failed");
  cr_assert_str_eq(_message("Stopping; delivering what is queued"), "Stopping; delivering what is queued");
  cr_assert_str_eq(_message("say \"hi\""), "say \"hi\"");
  cr_assert_str_eq(_message("a\nb\x1b\\c"), "a\\nb\\x1B\\\\c");
  cr_assert_str_eq(_message("x=1"), "x\\x3D1", "'=' in a message would look like the first tag");
  cr_assert_str_eq(_message("\xFF"), "\\xFF");
  cr_assert_str_eq(_message(""), "");
}

Test(log_escape, keys_keep_a_safe_alphabet)
{
  char out[64];
  int cut = 0;
  log_escape_key(out, sizeof(out), "server", &cut);
  cr_assert_str_eq(out, "server");
  log_escape_key(out, sizeof(out), "a b=c\n\"d\".e-f_9", &cut);
  cr_assert_str_eq(out, "a_b_c__d_.e-f_9");
  log_escape_key(out, sizeof(out), "", &cut);
  cr_assert_str_eq(out, "_");
  cr_assert_eq(cut, 0);
}

Test(log_escape, a_cut_value_ends_between_escapes_and_keeps_its_closing_quote)
{
  char out[32];
  for (size_t size = 0; size <= 12; size++)
    {
      int cut = 0;
      memset(out, '#', sizeof(out));
      size_t n = log_escape_value(out, size, "ab\x1b\xC2\x85\xE2\x82\xAC", &cut);
      /* Full form: "ab\x1B\xC2\x85€" = 1+2+4+8+3+1 = 19 bytes. */
      cr_assert_eq(cut, 1, "size %zu", size);
      cr_assert(n < size || (size == 0 && n == 0), "size %zu: n %zu", size, n);
      if (size == 0)
        continue;
      cr_assert_eq(out[n], '\0');
      static const char *const want[] = { "", "", "", "\"\"", "\"a\"", "\"ab\"", "\"ab\"", "\"ab\"",
                                          "\"ab\"", "\"ab\\x1B\"", "\"ab\\x1B\"", "\"ab\\x1B\"", "\"ab\\x1B\"" };
      cr_assert_str_eq(out, want[size], "size %zu", size);
    }
  int cut = 0;
  cr_assert_eq(log_escape_value(out, 20, "ab\x1b\xC2\x85\xE2\x82\xAC", &cut), 19);
  cr_assert_eq(cut, 0);
  cr_assert_str_eq(out, "\"ab\\x1B\\xC2\\x85\xE2\x82\xAC\"");
}

Test(log_escape, a_cut_plain_value_never_splits_a_utf8_sequence)
{
  char out[8];
  int cut = 0;
  cr_assert_eq(log_escape_value(out, 5, "\xE2\x82\xAC\xE2\x82\xAC", &cut), 3);
  cr_assert_str_eq(out, "\xE2\x82\xAC");
  cr_assert_eq(cut, 1);
  cut = 0;
  cr_assert_eq(log_escape_message(out, 4, "a\nb", &cut), 3);
  cr_assert_str_eq(out, "a\\n");
  cr_assert_eq(cut, 1);
}

Test(log_escape, no_output_byte_is_a_control_or_invalid_utf8)
{
  /* Every single byte and every pair: the escaped value holds no control byte,
   * and each backslash starts one of the five escapes. */
  char in[3] = { 0 }, out[64];
  for (unsigned a = 1; a < 256; a++)
    for (unsigned b = 0; b < 256; b++)
      {
        in[0] = (char) a;
        in[1] = (char) b;
        int cut = 0;
        size_t n = log_escape_value(out, sizeof(out), in, &cut);
        cr_assert_eq(cut, 0);
        for (size_t i = 0; i < n; i++)
          {
            unsigned char c = (unsigned char) out[i];
            cr_assert(c >= 0x20 && c != 0x7F, "byte 0x%02X in the escape of %02X %02X", c, a, b);
            if (c == '\\')
              {
                cr_assert(strchr("\"\\nrtx", out[i + 1]) != NULL, "%02X %02X -> %s", a, b, out);
                i += out[i + 1] == 'x' ? 3 : 1;
              }
          }
        cr_assert_eq(log_escape_needs_quotes(in), out[0] == '"' && n >= 2);
      }
}
