#include "core/config-parser.h"
#include "core/located-error.h"
#include "core/option-reader.h"

#include <criterion/criterion.h>
#include <glib.h>
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

static struct lifeline_error err;
static struct config_tree *tree;

static void
setup(void)
{
  located_error_init(&err);
}

static void
teardown(void)
{
  config_tree_free(tree);
}

TestSuite(option_reader, .init = setup, .fini = teardown);

/* network(ARGS) on line 2, ARGS starting at column 9. */
static const struct lifeline_option *
driver(const char *args)
{
  char *text = g_strdup_printf("destination d {\nnetwork(%s);\n};\n", args);
  char buf[1024];

  config_tree_free(tree);
  tree = config_parse_string(text, "main.conf", &err);
  g_free(text);
  cr_assert_not_null(tree, "%s", located_error_format(&err, buf, sizeof(buf)));
  return config_tree_root(tree)->children[0]->children[0];
}

static void
assert_error(uint32_t column, const char *option, const char *message)
{
  cr_assert_str_eq(err.message, message);
  cr_assert_str_eq(err.file, "main.conf");
  cr_assert_eq(err.line, 2, "line %u", err.line);
  cr_assert_eq(err.column, column, "column %u, expected %u", err.column, column);
  cr_assert_str_eq(err.option, option);
}

/* ---- names ---- */

Test(option_reader, dash_and_underscore_are_equivalent)
{
  const struct lifeline_option *net = driver("tcp-probe_interval(1)");

  cr_assert(option_name_is(net->children[0], "tcp_probe-interval"));
  cr_assert(option_name_is(net->children[0], "tcp-probe-interval"));
  cr_assert(!option_name_is(net->children[0], "tcp-probe"));
  cr_assert(!option_name_is(net->children[0], "tcp-probe-interval2"));
  cr_assert(!option_name_is(net->children[0], "TCP-probe-interval"));
}

Test(option_reader, find_returns_the_last_one)
{
  const struct lifeline_option *net = driver("port(1) keep_alive(no) port(2) keep-alive(yes)");

  cr_assert_str_eq(option_find(net, "port")->values[0]->text, "2");
  cr_assert_str_eq(option_find(net, "keep_alive")->values[0]->text, "yes");
  cr_assert_null(option_find(net, "transport"));
}

/* ---- structure checks ---- */

static const char *const network_options[] = { "port", "transport", "keep-alive", NULL };

Test(option_reader, known_children_pass)
{
  const struct lifeline_option *net = driver("\"h\" port(1) keep_alive(yes) transport(tcp)");

  cr_assert_eq(option_check_children(net, network_options, &err), 0);
  cr_assert(!located_error_is_set(&err));
}

Test(option_reader, unknown_child_lists_the_allowed_ones)
{
  const struct lifeline_option *net = driver("\"h\" port(1) foo(2)");

  cr_assert_eq(option_check_children(net, network_options, &err), -1);
  assert_error(21, "network", "unknown option 'foo' in network(); expected one of: port, transport, keep-alive");
}

Test(option_reader, option_that_takes_no_options)
{
  static const char *const none[] = { NULL };
  const struct lifeline_option *net = driver("port(1)");

  cr_assert_eq(option_check_children(net, none, &err), -1);
  assert_error(9, "network", "unknown option 'port' in network(); it takes no options");
}

Test(option_reader, long_allowed_list_is_truncated)
{
  static const char *allowed[100];
  const struct lifeline_option *net = driver("zzz()");

  for (int i = 0; i < 99; i++)
    allowed[i] = "a-rather-long-option-name";
  cr_assert_eq(option_check_children(net, allowed, &err), -1);
  cr_assert(g_str_has_suffix(err.message, "..."), "%s", err.message);
  cr_assert(g_str_has_prefix(err.message, "unknown option 'zzz' in network(); expected one of: a-rather"));
}

Test(option_reader, value_counts)
{
  const struct lifeline_option *net = driver("\"a\" \"b\"");

  cr_assert_eq(option_check_values(net, 1, 2, &err), 0);
  cr_assert_eq(option_check_values(net, 0, SIZE_MAX, &err), 0);
  cr_assert_eq(option_check_values(net, 1, 1, &err), -1);
  assert_error(13, "network", "network() takes at most 1 value, found 2");
  cr_assert_eq(option_check_values(net, 3, 5, &err), -1);
  assert_error(1, "network", "network() needs at least 3 values, found 2");
  cr_assert_eq(option_check_values(net, 3, 3, &err), -1);
  assert_error(1, "network", "network() needs exactly 3 values, found 2");
  cr_assert_eq(option_check_values(net, 0, 0, &err), -1);
  assert_error(9, "network", "network() takes no values, found 'a'");
}

/* ---- strings ---- */

Test(option_reader, string_values)
{
  const struct lifeline_option *net = driver("host(\"h.example\") word(tcp) empty()");
  const char *s = NULL;

  cr_assert_eq(option_get_string(net, "host", "def", &s, &err), 0);
  cr_assert_str_eq(s, "h.example");
  cr_assert_eq(option_get_string(net, "word", "def", &s, &err), 0);
  cr_assert_str_eq(s, "tcp");
  cr_assert_eq(option_get_string(net, "empty", "def", &s, &err), 0);
  cr_assert_str_eq(s, "def");
  cr_assert_eq(option_get_string(net, "absent", NULL, &s, &err), 0);
  cr_assert_null(s);
}

Test(option_reader, string_refuses_a_number)
{
  const struct lifeline_option *net = driver("host(5)");
  const char *s = NULL;

  cr_assert_eq(option_get_string(net, "host", NULL, &s, &err), -1);
  assert_error(14, "host", "expected a string, found '5'; quote it");
}

Test(option_reader, single_value_readers_refuse_two_values)
{
  const struct lifeline_option *net = driver("host(\"a\", \"b\")");
  const char *s = NULL;

  cr_assert_eq(option_get_string(net, "host", NULL, &s, &err), -1);
  assert_error(19, "host", "host() takes a single value, found 2");
}

Test(option_reader, single_value_readers_refuse_an_option_inside)
{
  const struct lifeline_option *net = driver("port(1 x(2))");
  int64_t n;

  cr_assert_eq(option_get_int64(net, "port", 514, 1, 65535, &n, &err), -1);
  assert_error(16, "port", "port() takes a single value, not an option such as x()");
}

Test(option_reader, value_string_of_the_node_itself)
{
  const struct lifeline_option *net = driver("\"primary\" backup 5");
  const char *s = NULL;

  cr_assert_eq(option_value_string(net, 0, &s, &err), 0);
  cr_assert_str_eq(s, "primary");
  cr_assert_eq(option_value_string(net, 1, &s, &err), 0);
  cr_assert_str_eq(s, "backup");
  cr_assert_eq(option_value_string(net, 2, &s, &err), -1);
  assert_error(26, "network", "expected a string, found '5'; quote it");
  cr_assert_eq(option_value_string(net, 3, &s, &err), -1);
  assert_error(1, "network", "network() needs a value at position 4, found 3 values");
}

/* ---- integers ---- */

Test(option_reader, integers)
{
  const struct lifeline_option *net = driver("a(514) b(0x1F) c(-5) d() e(-9223372036854775808) f(9223372036854775807)");
  int64_t n = 0;

  cr_assert_eq(option_get_int64(net, "a", 0, 1, 65535, &n, &err), 0);
  cr_assert_eq(n, 514);
  cr_assert_eq(option_get_int64(net, "b", 0, 0, 100, &n, &err), 0);
  cr_assert_eq(n, 31);
  cr_assert_eq(option_get_int64(net, "c", 0, -10, 10, &n, &err), 0);
  cr_assert_eq(n, -5);
  cr_assert_eq(option_get_int64(net, "d", 42, 0, 100, &n, &err), 0);
  cr_assert_eq(n, 42);
  cr_assert_eq(option_get_int64(net, "absent", 7, 0, 100, &n, &err), 0);
  cr_assert_eq(n, 7);
  cr_assert_eq(option_get_int64(net, "e", 0, INT64_MIN, INT64_MAX, &n, &err), 0);
  cr_assert_eq(n, INT64_MIN);
  cr_assert_eq(option_get_int64(net, "f", 0, INT64_MIN, INT64_MAX, &n, &err), 0);
  cr_assert_eq(n, INT64_MAX);
}

Test(option_reader, integer_range_error_states_the_range)
{
  const struct lifeline_option *net = driver("port(70000)");
  int64_t n = 0;

  cr_assert_eq(option_get_int64(net, "port", 514, 1, 65535, &n, &err), -1);
  assert_error(14, "port", "70000 is out of range; expected between 1 and 65535");
  cr_assert_eq(option_get_int64(net, "port", 514, 100000, INT64_MAX, &n, &err), -1);
  assert_error(14, "port", "70000 is out of range; expected at least 100000");
  cr_assert_eq(option_get_int64(net, "port", 514, INT64_MIN, 10, &n, &err), -1);
  assert_error(14, "port", "70000 is out of range; expected at most 10");
}

Test(option_reader, integer_beyond_64_bits)
{
  const struct lifeline_option *net = driver("a(9223372036854775808) b(-99999999999999999999) c(0x10000000000000000)");
  int64_t n = 0;

  cr_assert_eq(option_get_int64(net, "a", 0, INT64_MIN, INT64_MAX, &n, &err), -1);
  assert_error(11, "a", "9223372036854775808 is out of range; expected any 64-bit integer");
  cr_assert_eq(option_get_int64(net, "b", 0, INT64_MIN, INT64_MAX, &n, &err), -1);
  cr_assert_eq(option_get_int64(net, "c", 0, INT64_MIN, INT64_MAX, &n, &err), -1);
  cr_assert(g_str_has_suffix(err.message, "is out of range; expected any 64-bit integer"));
}

Test(option_reader, not_an_integer)
{
  const struct lifeline_option *net = driver("a(0.5) b(abc) c(\"514\") d(64k)");
  int64_t n = 0;

  cr_assert_eq(option_get_int64(net, "a", 0, 0, 10, &n, &err), -1);
  assert_error(11, "a", "expected an integer, found '0.5'");
  cr_assert_eq(option_get_int64(net, "b", 0, 0, 10, &n, &err), -1);
  assert_error(18, "b", "expected an integer, found 'abc'");
  cr_assert_eq(option_get_int64(net, "c", 0, 0, 10, &n, &err), -1);
  assert_error(25, "c", "expected an integer, found string \"514\"");
  cr_assert_eq(option_get_int64(net, "d", 0, 0, 10, &n, &err), -1);
  assert_error(34, "d", "expected an integer, found '64k'");
  net = driver("e(0x)");
  cr_assert_eq(option_get_int64(net, "e", 0, 0, 10, &n, &err), -1);
  assert_error(11, "e", "expected an integer, found '0x'");
}

Test(option_reader, null_err_is_allowed)
{
  const struct lifeline_option *net = driver("port(x)");
  int64_t n = 0;

  cr_assert_eq(option_get_int64(net, "port", 0, 0, 10, &n, NULL), -1);
}

/* ---- booleans and enums ---- */

Test(option_reader, booleans)
{
  static const char *const truths[] = { "yes", "on", "true", "1", "YES", "True" };
  static const char *const falsehoods[] = { "no", "off", "false", "0", "No", "OFF" };
  int b = -1;

  for (size_t i = 0; i < G_N_ELEMENTS(truths); i++)
    {
      char *args = g_strdup_printf("keep-alive(%s) tls(%s)", truths[i], falsehoods[i]);
      const struct lifeline_option *net = driver(args);

      cr_assert_eq(option_get_bool(net, "keep_alive", 0, &b, &err), 0, "%s", truths[i]);
      cr_assert_eq(b, 1);
      cr_assert_eq(option_get_bool(net, "tls", 1, &b, &err), 0, "%s", falsehoods[i]);
      cr_assert_eq(b, 0);
      g_free(args);
    }
}

Test(option_reader, boolean_defaults_and_errors)
{
  const struct lifeline_option *net = driver("a() b(maybe)");
  int b = -1;

  cr_assert_eq(option_get_bool(net, "a", 1, &b, &err), 0);
  cr_assert_eq(b, 1);
  cr_assert_eq(option_get_bool(net, "absent", 0, &b, &err), 0);
  cr_assert_eq(b, 0);
  cr_assert_eq(option_get_bool(net, "b", 0, &b, &err), -1);
  assert_error(15, "b", "expected yes or no (also on/off, true/false, 1/0), found 'maybe'");
}

static const char *const overflow_choices[] = { "block", "drop-when-full", "drop-oldest", NULL };

Test(option_reader, enums)
{
  const struct lifeline_option *net = driver("a(drop_when_full) b(\"block\") c()");
  int i = -1;

  cr_assert_eq(option_get_enum(net, "a", overflow_choices, 0, &i, &err), 0);
  cr_assert_eq(i, 1);
  cr_assert_eq(option_get_enum(net, "b", overflow_choices, 2, &i, &err), 0);
  cr_assert_eq(i, 0);
  cr_assert_eq(option_get_enum(net, "c", overflow_choices, 2, &i, &err), 0);
  cr_assert_eq(i, 2);
  cr_assert_eq(option_get_enum(net, "absent", overflow_choices, -1, &i, &err), 0);
  cr_assert_eq(i, -1);
}

Test(option_reader, unknown_enum_value_lists_the_choices)
{
  const struct lifeline_option *net = driver("overflow(drop)");
  int i = -1;

  cr_assert_eq(option_get_enum(net, "overflow", overflow_choices, 0, &i, &err), -1);
  assert_error(18, "overflow",
               "unknown value 'drop' for overflow(); expected one of: block, drop-when-full, drop-oldest");
}

/* ---- durations ---- */

Test(option_reader, durations_in_seconds_become_milliseconds)
{
  const struct lifeline_option *net = driver("a(1) b(0.5) c(0.001) d(0.0010) e(1.25) f(60) g() h(-2.5)");
  int64_t ms = 0;

  cr_assert_eq(option_get_duration_ms(net, "a", 0, 0, INT64_MAX, &ms, &err), 0);
  cr_assert_eq(ms, 1000);
  cr_assert_eq(option_get_duration_ms(net, "b", 0, 0, INT64_MAX, &ms, &err), 0);
  cr_assert_eq(ms, 500);
  cr_assert_eq(option_get_duration_ms(net, "c", 0, 0, INT64_MAX, &ms, &err), 0);
  cr_assert_eq(ms, 1);
  cr_assert_eq(option_get_duration_ms(net, "d", 0, 0, INT64_MAX, &ms, &err), 0);
  cr_assert_eq(ms, 1);
  cr_assert_eq(option_get_duration_ms(net, "e", 0, 0, INT64_MAX, &ms, &err), 0);
  cr_assert_eq(ms, 1250);
  cr_assert_eq(option_get_duration_ms(net, "f", 0, 0, INT64_MAX, &ms, &err), 0);
  cr_assert_eq(ms, 60000);
  cr_assert_eq(option_get_duration_ms(net, "g", 3000, 0, INT64_MAX, &ms, &err), 0);
  cr_assert_eq(ms, 3000);
  cr_assert_eq(option_get_duration_ms(net, "absent", 4000, 0, INT64_MAX, &ms, &err), 0);
  cr_assert_eq(ms, 4000);
  cr_assert_eq(option_get_duration_ms(net, "h", 0, INT64_MIN, INT64_MAX, &ms, &err), 0);
  cr_assert_eq(ms, -2500);
}

Test(option_reader, duration_finer_than_a_millisecond)
{
  const struct lifeline_option *net = driver("t(0.0001)");
  int64_t ms = 0;

  cr_assert_eq(option_get_duration_ms(net, "t", 0, 0, INT64_MAX, &ms, &err), -1);
  assert_error(11, "t", "0.0001 is finer than a millisecond");
}

Test(option_reader, duration_range_is_stated_in_seconds)
{
  const struct lifeline_option *net = driver("t(0.05) u(-1) v(99999999999999999)");
  int64_t ms = 0;

  cr_assert_eq(option_get_duration_ms(net, "t", 1000, 100, 60000, &ms, &err), -1);
  assert_error(11, "t", "0.05 is out of range; expected between 0.1 and 60 seconds");
  cr_assert_eq(option_get_duration_ms(net, "u", 1000, 0, 1500, &ms, &err), -1);
  assert_error(19, "u", "-1 is out of range; expected between 0 and 1.5 seconds");
  cr_assert_eq(option_get_duration_ms(net, "v", 1000, 0, INT64_MAX, &ms, &err), -1);
  assert_error(25, "v", "99999999999999999 is out of range; expected between 0 and 9223372036854775.807 seconds");
  net = driver("w(123456789012345678901234567890.5)");
  cr_assert_eq(option_get_duration_ms(net, "w", 1000, 0, INT64_MAX, &ms, &err), -1);
  assert_error(11, "w", "123456789012345678901234567890.5 is out of range; "
               "expected between 0 and 9223372036854775.807 seconds");
}

Test(option_reader, not_a_duration)
{
  const struct lifeline_option *net = driver("a(5s) b(0x10) c(soon) d(\"5\")");
  int64_t ms = 0;

  cr_assert_eq(option_get_duration_ms(net, "a", 0, 0, INT64_MAX, &ms, &err), -1);
  assert_error(11, "a", "expected a number of seconds such as 5 or 0.5, found '5s'");
  cr_assert_eq(option_get_duration_ms(net, "b", 0, 0, INT64_MAX, &ms, &err), -1);
  assert_error(17, "b", "expected a number of seconds such as 5 or 0.5, found '0x10'");
  cr_assert_eq(option_get_duration_ms(net, "c", 0, 0, INT64_MAX, &ms, &err), -1);
  assert_error(25, "c", "expected a number of seconds such as 5 or 0.5, found 'soon'");
  cr_assert_eq(option_get_duration_ms(net, "d", 0, 0, INT64_MAX, &ms, &err), -1);
  assert_error(33, "d", "expected a number of seconds such as 5 or 0.5, found string \"5\"");
}

/* ---- sizes ---- */

Test(option_reader, sizes_with_suffixes)
{
  static const struct
  {
    const char *text;
    int64_t bytes;
  } cases[] = {
    { "10", 10 }, { "0", 0 }, { "64k", 65536 }, { "64K", 65536 }, { "64KiB", 65536 },
    { "1M", 1048576 }, { "1MiB", 1048576 }, { "2G", 2147483648 }, { "2GiB", 2147483648 },
    { "8589934591G", INT64_C(9223372035781033984) },
  };

  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
    {
      char *args = g_strdup_printf("size(%s)", cases[i].text);
      const struct lifeline_option *net = driver(args);
      int64_t n = -1;

      cr_assert_eq(option_get_size(net, "size", 0, 0, INT64_MAX, &n, &err), 0, "%s: %s", cases[i].text,
                   err.message);
      cr_assert_eq(n, cases[i].bytes, "%s: %" PRId64, cases[i].text, n);
      g_free(args);
    }
}

Test(option_reader, size_defaults)
{
  const struct lifeline_option *net = driver("a()");
  int64_t n = 0;

  cr_assert_eq(option_get_size(net, "a", 4096, 0, INT64_MAX, &n, &err), 0);
  cr_assert_eq(n, 4096);
  cr_assert_eq(option_get_size(net, "absent", 8192, 0, INT64_MAX, &n, &err), 0);
  cr_assert_eq(n, 8192);
}

Test(option_reader, not_a_size)
{
  static const char *const bad[] = { "64KB", "1.5M", "0x10", "k", "64kib", "\"64k\"" };

  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
    {
      char *args = g_strdup_printf("size(%s)", bad[i]);
      char *expected = g_strdup_printf(
        "expected a size in bytes, optionally followed by k, K, KiB, M, MiB, G or GiB, found %s%s%s",
        bad[i][0] == '"' ? "string " : "'", bad[i], bad[i][0] == '"' ? "" : "'");
      const struct lifeline_option *net = driver(args);
      int64_t n = 0;

      cr_assert_eq(option_get_size(net, "size", 0, 0, INT64_MAX, &n, &err), -1, "%s", bad[i]);
      assert_error(14, "size", expected);
      g_free(expected);
      g_free(args);
    }
}

Test(option_reader, size_range)
{
  const struct lifeline_option *net = driver("a(1k) b(8589934592G) c(-1)");
  int64_t n = 0;

  cr_assert_eq(option_get_size(net, "a", 0, 4096, 1048576, &n, &err), -1);
  assert_error(11, "a", "1k is out of range; expected between 4096 and 1048576 bytes");
  cr_assert_eq(option_get_size(net, "b", 0, 0, INT64_MAX, &n, &err), -1);
  assert_error(17, "b", "8589934592G is out of range; expected at least 0 bytes");
  cr_assert_eq(option_get_size(net, "c", 0, -1, INT64_MAX, &n, &err), 0);
  cr_assert_eq(n, -1);
}
