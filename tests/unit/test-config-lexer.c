#include "core/config-lexer.h"
#include "core/located-error.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static GHashTable *defines;
static struct config_lexer *lexer;
static struct config_token tok;
static struct lifeline_error err;

static void
setup(void)
{
  defines = g_hash_table_new(g_str_hash, g_str_equal);
  located_error_init(&err);
}

static void
teardown(void)
{
  config_token_clear(&tok);
  config_lexer_free(lexer);
  g_hash_table_unref(defines);
}

TestSuite(config_lexer, .init = setup, .fini = teardown);

/* TEXT must outlive the lexer: the tests pass literals. */
static void
start(const char *text)
{
  lexer = config_lexer_new(text, strlen(text), "test.conf", defines);
}

static void
expect(enum config_token_kind kind, const char *text, uint32_t line, uint32_t column)
{
  cr_assert_eq(config_lexer_next(lexer, &tok, &err), 0, "unexpected error: %s", err.message);
  cr_assert_eq(tok.kind, kind, "kind %d, expected %d (text %s)", tok.kind, kind, tok.text ? tok.text : "NULL");
  if (text)
    cr_assert_str_eq(tok.text, text);
  else
    cr_assert_null(tok.text);
  cr_assert_eq(tok.line, line, "line %u, expected %u", tok.line, line);
  cr_assert_eq(tok.column, column, "column %u, expected %u", tok.column, column);
}

static void
expect_error(uint32_t line, uint32_t column, const char *message)
{
  cr_assert_eq(config_lexer_next(lexer, &tok, &err), -1, "expected an error: %s", message);
  cr_assert_str_eq(err.message, message);
  cr_assert_eq(err.line, line, "line %u, expected %u", err.line, line);
  cr_assert_eq(err.column, column, "column %u, expected %u", err.column, column);
  cr_assert_str_eq(err.file, "test.conf");
  cr_assert_str_eq(err.option, "");
}

Test(config_lexer, punctuation)
{
  start("( ) {}\n;,:");
  expect(CONFIG_TOKEN_LPAREN, NULL, 1, 1);
  expect(CONFIG_TOKEN_RPAREN, NULL, 1, 3);
  expect(CONFIG_TOKEN_LBRACE, NULL, 1, 5);
  expect(CONFIG_TOKEN_RBRACE, NULL, 1, 6);
  expect(CONFIG_TOKEN_SEMICOLON, NULL, 2, 1);
  expect(CONFIG_TOKEN_COMMA, NULL, 2, 2);
  expect(CONFIG_TOKEN_COLON, NULL, 2, 3);
  expect(CONFIG_TOKEN_EOF, NULL, 2, 4);
  expect(CONFIG_TOKEN_EOF, NULL, 2, 4);
}

Test(config_lexer, words_may_contain_dashes_dots_and_digits)
{
  start("drop-when-full tcp_probe.interval _x A1 yes");
  expect(CONFIG_TOKEN_WORD, "drop-when-full", 1, 1);
  expect(CONFIG_TOKEN_WORD, "tcp_probe.interval", 1, 16);
  expect(CONFIG_TOKEN_WORD, "_x", 1, 35);
  expect(CONFIG_TOKEN_WORD, "A1", 1, 38);
  expect(CONFIG_TOKEN_WORD, "yes", 1, 41);
  expect(CONFIG_TOKEN_EOF, NULL, 1, 44);
}

Test(config_lexer, a_word_stops_at_punctuation)
{
  start("port(514)");
  expect(CONFIG_TOKEN_WORD, "port", 1, 1);
  expect(CONFIG_TOKEN_LPAREN, NULL, 1, 5);
  expect(CONFIG_TOKEN_NUMBER, "514", 1, 6);
  expect(CONFIG_TOKEN_RPAREN, NULL, 1, 9);
}

Test(config_lexer, numbers_keep_their_text)
{
  start("514 -1 0.5 0x1F -0x10 64k 1MiB 007");
  expect(CONFIG_TOKEN_NUMBER, "514", 1, 1);
  expect(CONFIG_TOKEN_NUMBER, "-1", 1, 5);
  expect(CONFIG_TOKEN_NUMBER, "0.5", 1, 8);
  expect(CONFIG_TOKEN_NUMBER, "0x1F", 1, 12);
  expect(CONFIG_TOKEN_NUMBER, "-0x10", 1, 17);
  expect(CONFIG_TOKEN_NUMBER, "64k", 1, 23);
  expect(CONFIG_TOKEN_NUMBER, "1MiB", 1, 27);
  expect(CONFIG_TOKEN_NUMBER, "007", 1, 32);
}

Test(config_lexer, dotted_quad_is_not_a_number)
{
  start("x(10.0.0.1)");
  expect(CONFIG_TOKEN_WORD, "x", 1, 1);
  expect(CONFIG_TOKEN_LPAREN, NULL, 1, 2);
  expect_error(1, 3, "invalid number '10.0.0.1'; quote addresses and other text that starts with a digit");
}

Test(config_lexer, number_ending_in_a_dot_is_refused)
{
  start("  1.");
  expect_error(1, 3, "invalid number '1.'; quote addresses and other text that starts with a digit");
}

Test(config_lexer, hex_followed_by_letters_is_refused)
{
  start("0x1fg");
  expect_error(1, 1, "invalid number '0x1fg'; quote addresses and other text that starts with a digit");
}

Test(config_lexer, double_quoted_escapes)
{
  start("\"a\\\\b\\\"c\\n\\t\\r\\a\\b\\f\\v\\x41\\x7e\"");
  expect(CONFIG_TOKEN_STRING, "a\\b\"c\n\t\r\a\b\f\vA~", 1, 1);
}

Test(config_lexer, single_quoted_strings_have_no_escapes)
{
  start("'a\\nb' 'say \"hi\"'");
  expect(CONFIG_TOKEN_STRING, "a\\nb", 1, 1);
  expect(CONFIG_TOKEN_STRING, "say \"hi\"", 1, 8);
}

Test(config_lexer, empty_strings)
{
  start("\"\" ''");
  expect(CONFIG_TOKEN_STRING, "", 1, 1);
  expect(CONFIG_TOKEN_STRING, "", 1, 4);
}

Test(config_lexer, strings_may_span_lines)
{
  start("\"one\ntwo\" next");
  expect(CONFIG_TOKEN_STRING, "one\ntwo", 1, 1);
  expect(CONFIG_TOKEN_WORD, "next", 2, 6);
}

/* Plain runs are copied in one piece: locations after them stay exact. */
Test(config_lexer, locations_after_strings_with_newlines_escapes_and_references)
{
  g_hash_table_insert(defines, "v", "V\nV");
  start("'a\\b\n\ncd' \"x\\ty`v`z\n\n\" w\n\"\nlong line\" end");
  expect(CONFIG_TOKEN_STRING, "a\\b\n\ncd", 1, 1);
  expect(CONFIG_TOKEN_STRING, "x\tyV\nVz\n\n", 3, 5);
  expect(CONFIG_TOKEN_WORD, "w", 5, 3);
  expect(CONFIG_TOKEN_STRING, "\nlong line", 6, 1);
  expect(CONFIG_TOKEN_WORD, "end", 7, 12);
}

Test(config_lexer, comments_and_whitespace_are_skipped)
{
  start("# a comment ( \"\n\t word # trailing ) \n\r\n  # last");
  expect(CONFIG_TOKEN_WORD, "word", 2, 3);
  expect(CONFIG_TOKEN_EOF, NULL, 4, 9);
}

Test(config_lexer, hash_inside_a_string_is_not_a_comment)
{
  start("\"a # b\"");
  expect(CONFIG_TOKEN_STRING, "a # b", 1, 1);
}

Test(config_lexer, pragma_at_start_of_line)
{
  start("@version: 4.0\n  @include \"x\"");
  expect(CONFIG_TOKEN_PRAGMA, "version", 1, 1);
  expect(CONFIG_TOKEN_COLON, NULL, 1, 9);
  expect(CONFIG_TOKEN_NUMBER, "4.0", 1, 11);
  expect(CONFIG_TOKEN_PRAGMA, "include", 2, 3);
  expect(CONFIG_TOKEN_STRING, "x", 2, 12);
}

Test(config_lexer, pragma_after_a_token_on_the_same_line_is_refused)
{
  start("a @define x 1");
  expect(CONFIG_TOKEN_WORD, "a", 1, 1);
  expect_error(1, 3, "a pragma must start a line");
}

Test(config_lexer, at_sign_without_name)
{
  start("@ version");
  expect_error(1, 1, "expected a pragma name after '@', such as @version, @include or @define");
}

Test(config_lexer, unterminated_double_quoted_string)
{
  start("x(\n  \"abc)");
  expect(CONFIG_TOKEN_WORD, "x", 1, 1);
  expect(CONFIG_TOKEN_LPAREN, NULL, 1, 2);
  expect_error(2, 3, "unterminated string");
}

Test(config_lexer, unterminated_single_quoted_string)
{
  start(" 'abc");
  expect_error(1, 2, "unterminated string");
}

Test(config_lexer, backslash_at_end_of_input)
{
  start("\"abc\\");
  expect_error(1, 1, "unterminated string");
}

Test(config_lexer, unknown_escape_is_located_at_the_backslash)
{
  start("\"ab\\qc\"");
  expect_error(1, 4, "unknown escape '\\q' in string; expected one of \\\\ \\\" \\n \\t \\r \\a \\b \\f \\v \\xHH");
}

Test(config_lexer, short_hex_escape)
{
  start("\"\\x4\"");
  expect_error(1, 2, "invalid escape in string; \\x needs two hexadecimal digits");
}

Test(config_lexer, nul_hex_escape)
{
  start("\"\\x00\"");
  expect_error(1, 2, "invalid escape in string; \\x00 (NUL) is not allowed");
}

Test(config_lexer, unexpected_characters)
{
  start("ok $");
  expect(CONFIG_TOKEN_WORD, "ok", 1, 1);
  expect_error(1, 4, "unexpected character '$'");
}

Test(config_lexer, lone_minus)
{
  start("- 1");
  expect_error(1, 1, "unexpected character '-'");
}

Test(config_lexer, nul_byte_in_input)
{
  static const char text[] = { 'a', ' ', '\0', 'b' };

  lexer = config_lexer_new(text, sizeof(text), "test.conf", defines);
  expect(CONFIG_TOKEN_WORD, "a", 1, 1);
  expect_error(1, 3, "unexpected character '\\x00'");
}

Test(config_lexer, nul_byte_in_a_string)
{
  static const char text[] = { ' ', '"', 'a', '\0', 'b', '"' };

  lexer = config_lexer_new(text, sizeof(text), "test.conf", defines);
  expect_error(1, 2, "a NUL byte is not allowed in a string");
}

Test(config_lexer, escape_of_a_control_byte)
{
  start("\"\\\x01\"");
  expect_error(1, 2, "unknown escape '\\' followed by byte 0x01 in string; "
               "expected one of \\\\ \\\" \\n \\t \\r \\a \\b \\f \\v \\xHH");
}

Test(config_lexer, high_byte_is_shown_in_hex)
{
  start("\xc3\xa9");
  expect_error(1, 1, "unexpected character '\\xC3'");
}

Test(config_lexer, backtick_reference_is_lexed_as_tokens)
{
  g_hash_table_insert(defines, "port", "514");
  g_hash_table_insert(defines, "opts", "port(601) transport(\"tls\")");
  start("x `port` y\n  `opts` z");
  expect(CONFIG_TOKEN_WORD, "x", 1, 1);
  expect(CONFIG_TOKEN_NUMBER, "514", 1, 3);
  expect(CONFIG_TOKEN_WORD, "y", 1, 10);
  expect(CONFIG_TOKEN_WORD, "port", 2, 3);
  expect(CONFIG_TOKEN_LPAREN, NULL, 2, 3);
  expect(CONFIG_TOKEN_NUMBER, "601", 2, 3);
  expect(CONFIG_TOKEN_RPAREN, NULL, 2, 3);
  expect(CONFIG_TOKEN_WORD, "transport", 2, 3);
  expect(CONFIG_TOKEN_LPAREN, NULL, 2, 3);
  expect(CONFIG_TOKEN_STRING, "tls", 2, 3);
  expect(CONFIG_TOKEN_RPAREN, NULL, 2, 3);
  expect(CONFIG_TOKEN_WORD, "z", 2, 10);
  expect(CONFIG_TOKEN_EOF, NULL, 2, 11);
}

Test(config_lexer, references_nest)
{
  g_hash_table_insert(defines, "outer", "a `inner` c");
  g_hash_table_insert(defines, "inner", "b");
  start("`outer`");
  expect(CONFIG_TOKEN_WORD, "a", 1, 1);
  expect(CONFIG_TOKEN_WORD, "b", 1, 1);
  expect(CONFIG_TOKEN_WORD, "c", 1, 1);
  expect(CONFIG_TOKEN_EOF, NULL, 1, 8);
}

Test(config_lexer, empty_value_yields_no_token)
{
  g_hash_table_insert(defines, "nothing", "");
  start("a `nothing` b");
  expect(CONFIG_TOKEN_WORD, "a", 1, 1);
  expect(CONFIG_TOKEN_WORD, "b", 1, 13);
}

Test(config_lexer, reference_falls_back_to_the_environment)
{
  setenv("LIFELINE_TEST_HOST", "collector.example", 1);
  start("`LIFELINE_TEST_HOST`");
  expect(CONFIG_TOKEN_WORD, "collector.example", 1, 1);
}

Test(config_lexer, define_wins_over_the_environment)
{
  setenv("LIFELINE_TEST_PORT", "1", 1);
  g_hash_table_insert(defines, "LIFELINE_TEST_PORT", "2");
  start("`LIFELINE_TEST_PORT`");
  expect(CONFIG_TOKEN_NUMBER, "2", 1, 1);
}

Test(config_lexer, undefined_reference)
{
  unsetenv("LIFELINE_TEST_UNSET");
  start("port(\n   `LIFELINE_TEST_UNSET`)");
  expect(CONFIG_TOKEN_WORD, "port", 1, 1);
  expect(CONFIG_TOKEN_LPAREN, NULL, 1, 5);
  expect_error(2, 4, "`LIFELINE_TEST_UNSET` is not defined by @define nor in the environment");
}

Test(config_lexer, unterminated_reference)
{
  start("a `name\n`");
  expect(CONFIG_TOKEN_WORD, "a", 1, 1);
  expect_error(1, 3, "unterminated backtick reference; expected a closing '`'");
}

Test(config_lexer, invalid_reference_name)
{
  start("`no way`");
  expect_error(1, 1, "invalid backtick reference `no way`; expected a name like `my_port`");
}

Test(config_lexer, self_reference_is_bounded)
{
  g_hash_table_insert(defines, "loop", "x `loop`");
  start("\n `loop`");
  for (int i = 0; i < 16; i++)
    expect(CONFIG_TOKEN_WORD, "x", 2, 2);
  expect_error(2, 2, "`loop` expands into references nested deeper than 16 levels (in the value of `loop`)");
}

Test(config_lexer, error_inside_a_value_names_the_reference)
{
  g_hash_table_insert(defines, "bad", "ok \"open");
  start("  `bad`");
  expect(CONFIG_TOKEN_WORD, "ok", 1, 3);
  expect_error(1, 3, "unterminated string (in the value of `bad`)");
}

Test(config_lexer, a_value_cannot_hold_a_pragma)
{
  g_hash_table_insert(defines, "p", "@define x 1");
  start("`p`");
  expect_error(1, 1, "a pragma cannot come from a backtick reference (in the value of `p`)");
}

Test(config_lexer, reference_inside_strings_is_pasted)
{
  g_hash_table_insert(defines, "name", "value");
  start("\"`name`-suffix\" 'pre-`name`' \"a``b\" \"\\x41`name`\"");
  expect(CONFIG_TOKEN_STRING, "value-suffix", 1, 1);
  expect(CONFIG_TOKEN_STRING, "pre-value", 1, 17);
  expect(CONFIG_TOKEN_STRING, "a`b", 1, 30);
  expect(CONFIG_TOKEN_STRING, "Avalue", 1, 37);
}

Test(config_lexer, pasted_value_is_not_relexed)
{
  g_hash_table_insert(defines, "q", "say \"hi\" \\n");
  start("\"<`q`>\"");
  expect(CONFIG_TOKEN_STRING, "<say \"hi\" \\n>", 1, 1);
}

Test(config_lexer, undefined_reference_inside_a_string_is_located_at_the_backtick)
{
  unsetenv("LIFELINE_TEST_UNSET");
  start("\"abc`LIFELINE_TEST_UNSET`\"");
  expect_error(1, 5, "`LIFELINE_TEST_UNSET` is not defined by @define nor in the environment");
}

Test(config_lexer, expansion_budget_is_shared_and_enforced)
{
  size_t budget = 10;

  g_hash_table_insert(defines, "five", "12345");
  start("`five` \"`five`\" `five`");
  config_lexer_share_budget(lexer, &budget);
  expect(CONFIG_TOKEN_NUMBER, "12345", 1, 1);
  expect(CONFIG_TOKEN_STRING, "12345", 1, 8);
  cr_assert_eq(budget, 0);
  expect_error(1, 17, "`five`: backtick references expand to more than 16777216 bytes in total");
}

Test(config_lexer, token_descriptions)
{
  char buf[96];
  struct config_token t = { 0 };

  cr_assert_str_eq(config_token_describe(&t, buf, sizeof(buf)), "end of file");
  t.kind = CONFIG_TOKEN_SEMICOLON;
  cr_assert_str_eq(config_token_describe(&t, buf, sizeof(buf)), "';'");
  t.kind = CONFIG_TOKEN_WORD;
  t.text = "port";
  cr_assert_str_eq(config_token_describe(&t, buf, sizeof(buf)), "'port'");
  t.kind = CONFIG_TOKEN_PRAGMA;
  cr_assert_str_eq(config_token_describe(&t, buf, sizeof(buf)), "'@port'");
  t.kind = CONFIG_TOKEN_STRING;
  t.text = "0123456789012345678901234567890123456789xyz";
  cr_assert_str_eq(config_token_describe(&t, buf, sizeof(buf)), "string \"0123456789012345678901234567890123456...\"");
  cr_assert_str_eq(config_token_kind_name(CONFIG_TOKEN_LBRACE), "'{'");
  cr_assert_str_eq(config_token_kind_name(CONFIG_TOKEN_COLON), "':'");
}

Test(config_lexer, token_move_transfers_ownership)
{
  struct config_token a = { 0 }, b = { 0 };

  start("first second");
  cr_assert_eq(config_lexer_next(lexer, &a, &err), 0);
  cr_assert_eq(config_lexer_next(lexer, &b, &err), 0);
  config_token_move(&a, &b);
  cr_assert_str_eq(a.text, "second");
  cr_assert_null(b.text);
  cr_assert_eq(b.kind, CONFIG_TOKEN_EOF);
  config_token_clear(&a);
}
