#include "core/config-parser.h"
#include "core/located-error.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct lifeline_error err;
static struct config_tree *tree;
static char *tmpdir;
static GPtrArray *paths; /* of the files a test wrote, freed by teardown */

static void
setup(void)
{
  located_error_init(&err);
  setenv("LIFELINE_TEST_DEST_PORT", "6514", 1);
  unsetenv("LIFELINE_TEST_UNDEFINED");
  unsetenv("late");
  paths = g_ptr_array_new_with_free_func(g_free);
}

static void
_remove_tree(const char *path)
{
  GDir *dir = g_dir_open(path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name(dir)))
    {
      char *child = g_build_filename(path, name, NULL);

      _remove_tree(child);
      g_free(child);
    }
  if (dir)
    g_dir_close(dir);
  g_remove(path);
}

static void
teardown(void)
{
  config_tree_free(tree);
  if (tmpdir)
    _remove_tree(tmpdir);
  g_free(tmpdir);
  g_ptr_array_unref(paths);
}

TestSuite(config_parser, .init = setup, .fini = teardown);

static const struct lifeline_option *
parse_ok(const char *text)
{
  char buf[1024];

  config_tree_free(tree);
  tree = config_parse_string(text, "main.conf", &err);
  cr_assert_not_null(tree, "unexpected error: %s", located_error_format(&err, buf, sizeof(buf)));
  cr_assert(!located_error_is_set(&err));
  return config_tree_root(tree);
}

static void
assert_error(const char *file, uint32_t line, uint32_t column, const char *option, const char *message)
{
  cr_assert_str_eq(err.message, message);
  cr_assert_str_eq(err.file, file);
  cr_assert_eq(err.line, line, "line %u, expected %u", err.line, line);
  cr_assert_eq(err.column, column, "column %u, expected %u", err.column, column);
  cr_assert_str_eq(err.option, option);
}

/* One line per node: "name line:column kind:text@line:column ...", children
 * indented below it.  Also checks every ABI header on the way. */
static void
_dump_node(GString *out, const struct lifeline_option *opt, int depth)
{
  static const char *const kinds[] = { "?", "string", "number", "word" };

  cr_assert_eq(opt->abi_major, LIFELINE_ABI_MAJOR);
  cr_assert_eq(opt->struct_size, sizeof(*opt));
  g_string_append_printf(out, "%*s%s %u:%u", depth * 2, "", opt->name, opt->line, opt->column);
  for (size_t i = 0; i < opt->n_values; i++)
    {
      const struct lifeline_value *v = opt->values[i];

      cr_assert_eq(v->abi_major, LIFELINE_ABI_MAJOR);
      cr_assert_eq(v->struct_size, sizeof(*v));
      g_string_append_printf(out, " %s:%s@%u:%u", kinds[v->kind <= 3 ? v->kind : 0], v->text, v->line, v->column);
    }
  g_string_append_c(out, '\n');
  for (size_t i = 0; i < opt->n_children; i++)
    _dump_node(out, opt->children[i], depth + 1);
}

/* The statements under the root, dumped. */
static void
assert_tree(const char *expected)
{
  const struct lifeline_option *root = config_tree_root(tree);
  GString *out = g_string_new(NULL);

  cr_assert_str_eq(root->name, "");
  cr_assert_eq(root->n_values, 0);
  for (size_t i = 0; i < root->n_children; i++)
    _dump_node(out, root->children[i], 0);
  cr_assert_str_eq(out->str, expected);
  g_string_free(out, TRUE);
}

static const char example_1[] =
  "destination d_network {\n"
  "     network(\n"
  "          \"primary-server.com\"\n"
  "          port(601)\n"
  "          failover( servers(\"failover-server1\", \"failover-server2\") )\n"
  "     );\n"
  "};\n";

static const char example_2[] =
  "destination d_network_2 {\n"
  "     network(\n"
  "          \"primary-server.com\"\n"
  "          port(601)\n"
  "          failover(\n"
  "               servers(\"failover-server1\", \"failover-server2\")\n"
  "               failback(\n"
  "                    successful-probes-required()\n"
  "                    tcp-probe-interval()\n"
  "               )\n"
  "          )\n"
  ");\n"
  "};\n";

Test(config_parser, documentation_example_1)
{
  parse_ok(example_1);
  assert_tree("destination 1:1 word:d_network@1:13\n"
              "  network 2:6 string:primary-server.com@3:11\n"
              "    port 4:11 number:601@4:16\n"
              "    failover 5:11\n"
              "      servers 5:21 string:failover-server1@5:29 string:failover-server2@5:49\n");
  cr_assert_str_eq(config_tree_root(tree)->file, "main.conf");
  cr_assert_str_eq(config_tree_root(tree)->children[0]->children[0]->file, "main.conf");
  cr_assert_eq(config_tree_root(tree)->line, 0);
  cr_assert_null(config_tree_version(tree));
}

Test(config_parser, documentation_example_2)
{
  parse_ok(example_2);
  assert_tree("destination 1:1 word:d_network_2@1:13\n"
              "  network 2:6 string:primary-server.com@3:11\n"
              "    port 4:11 number:601@4:16\n"
              "    failover 5:11\n"
              "      servers 6:16 string:failover-server1@6:24 string:failover-server2@6:44\n"
              "      failback 7:16\n"
              "        successful-probes-required 8:21\n"
              "        tcp-probe-interval 9:21\n");
}

Test(config_parser, both_examples_in_one_file)
{
  char *text = g_strconcat(example_1, example_2, NULL);
  const struct lifeline_option *root = parse_ok(text);

  cr_assert_eq(root->n_children, 2);
  cr_assert_eq(root->children[1]->line, 8);
  g_free(text);
}

/* ---- trees: each row is a config and its dumped tree ---- */

struct tree_case
{
  char name[64];
  char text[256];
  char tree[512];
};

ParameterizedTestParameters(config_parser, trees)
{
  static struct tree_case cases[] = {
    { "every_statement_kind",
      "options { keep-alive(yes); time_reopen(10); };\n"
      "source s_in { stdin(); };\n"
      "destination \"d out\" { network(\"h\"); };\n"
      "log { source(s_in); destination(\"d out\"); flags(final, flow-control); };\n"
      "options { };\n",
      "options 1:1\n"
      "  keep-alive 1:11 word:yes@1:22\n"
      "  time_reopen 1:28 number:10@1:40\n"
      "source 2:1 word:s_in@2:8\n"
      "  stdin 2:15\n"
      "destination 3:1 string:d out@3:13\n"
      "  network 3:23 string:h@3:31\n"
      "log 4:1\n"
      "  source 4:7 word:s_in@4:14\n"
      "  destination 4:21 string:d out@4:33\n"
      "  flags 4:43 word:final@4:49 word:flow-control@4:56\n"
      "options 5:1\n" },
    { "values_and_children_keep_their_order",
      "destination d { x(1 a(2) 'two' b() -0.5, c(\"3\"), w 0x1f,); };",
      "destination 1:1 word:d@1:13\n"
      "  x 1:17 number:1@1:19 string:two@1:26 number:-0.5@1:36 word:w@1:50 number:0x1f@1:52\n"
      "    a 1:21 number:2@1:23\n"
      "    b 1:32\n"
      "    c 1:42 string:3@1:44\n" },
    { "empty_config", "", "" },
    { "comments_only", "# nothing here\n\n   # really\n", "" },
    { "define_substitutes_tokens_and_strings",
      "@define port 601\n"
      "@define host \"primary-server.com\"\n"
      "destination d { network(\"`host`\" port(`port`)); };\n",
      "destination 3:1 word:d@3:13\n"
      "  network 3:17 string:primary-server.com@3:25\n"
      "    port 3:34 number:601@3:39\n" },
    { "define_value_can_hold_options",
      "@define common \"port(6514) transport(tls)\"\n"
      "destination d { network(\"h\" `common` keep-alive(yes)); };\n",
      "destination 2:1 word:d@2:13\n"
      "  network 2:17 string:h@2:25\n"
      "    port 2:29 number:6514@2:29\n"
      "    transport 2:29 word:tls@2:29\n"
      "    keep-alive 2:38 word:yes@2:49\n" },
    { "later_define_wins_for_later_uses",
      "@define a 1\nlog { x(`a`); };\n@define a \"2\"\nlog { y(`a`); };\n",
      "log 2:1\n  x 2:7 number:1@2:9\nlog 4:1\n  y 4:7 number:2@4:9\n" },
    { "define_may_refer_to_earlier_defines",
      "@define dir \"/etc/lifeline\"\n@define ca \"`dir`/ca.pem\"\nlog { ca-file(\"`ca`\"); };\n",
      "log 3:1\n  ca-file 3:7 string:/etc/lifeline/ca.pem@3:15\n" },
    { "environment_variable", "log { port(`LIFELINE_TEST_DEST_PORT`); };",
      "log 1:1\n  port 1:7 number:6514@1:12\n" },
    /* The second @define reads both of its tokens from the value it replaces. */
    { "redefining_a_name_while_its_value_is_read", "@define a \"a c\"\n@define `a`\nlog { x(`a`); };\n",
      "log 3:1\n  x 3:7 word:c@3:9\n" },
  };

  return cr_make_param_array(struct tree_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct tree_case *c, config_parser, trees)
{
  cr_log_info("%s", c->name);
  parse_ok(c->text);
  assert_tree(c->tree);
}

Test(config_parser, null_name_and_null_err)
{
  tree = config_parse_string("log { };", NULL, NULL);
  cr_assert_not_null(tree);
  cr_assert_str_eq(config_tree_root(tree)->file, "<string>");
  cr_assert_null(config_parse_string("log {", NULL, NULL));
}

Test(config_parser, error_is_cleared_on_success)
{
  located_error_set(&err, "old", 1, 1, "x", "stale");
  parse_ok("log { };");
  cr_assert_eq(err.abi_major, LIFELINE_ABI_MAJOR);
}

Test(config_parser, versions_3_and_4_are_accepted_and_the_first_wins)
{
  parse_ok("@version: 4.0\nlog { };");
  cr_assert_str_eq(config_tree_version(tree), "4.0");
  parse_ok("# comment first\n  @version: 3.38\n");
  cr_assert_str_eq(config_tree_version(tree), "3.38");
  parse_ok("@version: 4.2\n@version: 3.0\n");
  cr_assert_str_eq(config_tree_version(tree), "4.2");
}

/* ---- errors: each row is a config that fails, and exactly where and why ---- */

struct syntax_error
{
  char name[64];
  char text[160];
  uint32_t line;
  uint32_t column;
  char option[32];
  char message[160];
};

ParameterizedTestParameters(config_parser, errors)
{
  static struct syntax_error cases[] = {
    { "unclosed_option", "destination d {\n  network(\"h\" port(514;\n};",
      2, 23, "port", "expected ')' to close port(, found ';'" },
    { "unterminated_string_names_the_enclosing_option", "destination d {\n  network(\"h);\n};\n",
      2, 11, "network", "unterminated string" },
    { "unknown_statement", "\n  destinaton d { };",
      2, 3, "", "unknown statement 'destinaton'; expected options, source, destination or log" },
    { "statement_must_start_with_a_word", ";",
      1, 1, "", "expected a statement (options, source, destination or log), found ';'" },
    { "missing_semicolon_after_block", "destination d_net {\n  network(\"h\");\n}\nlog { };",
      4, 1, "destination", "missing ';' after '}' of destination d_net, found 'log'" },
    { "missing_semicolon_at_end_of_file", "options { }",
      1, 12, "options", "missing ';' after '}' of options, found end of file" },
    { "missing_name", "destination { };",
      1, 13, "destination", "expected a name after destination, found '{'" },
    { "missing_brace", "source s stdin(); };",
      1, 10, "source", "expected '{' after source s, found 'stdin'" },
    { "item_without_parentheses", "source s { internal; };",
      1, 20, "source", "expected '(' after internal, found ';'" },
    { "missing_semicolon_after_item", "destination d { network(\"h\") port(1); };",
      1, 30, "destination", "expected ';' after network(...), found 'port'" },
    { "missing_semicolon_before_closing_brace", "options { keep-alive(yes) };",
      1, 27, "options", "expected ';' after keep-alive(...), found '}'" },
    { "value_where_an_item_belongs", "destination d { \"x\"; };",
      1, 17, "destination", "expected an option or '}' in destination d, found string \"x\"" },
    { "end_of_file_inside_a_block", "destination d {\n  network(\"h\");\n",
      3, 1, "destination", "expected an option or '}' in destination d, found end of file" },
    { "end_of_file_inside_an_option", "log { source(s",
      1, 15, "source", "expected ')' to close source(, found end of file" },
    { "leading_comma", "destination d { network(, \"h\"); };",
      1, 25, "network", "unexpected ',' in network(; expected a value, an option or ')'" },
    { "double_comma", "destination d { network(\"h\" port(1,, 2)); };",
      1, 36, "port", "unexpected ',' in port(; expected a value, an option or ')'" },
    { "brace_inside_an_option", "destination d { network(\"h\" { ); };",
      1, 29, "network", "expected ')' to close network(, found '{'" },
    { "pragma_inside_a_block", "destination d {\n@define x 1\n};",
      2, 1, "destination", "expected an option or '}' in destination d, found '@define'" },
    { "lexer_error_at_top_level_has_no_option", "log { }; $",
      1, 10, "", "unexpected character '$'" },
    { "first_error_wins", "log { x(; };\ndestinaton d { };",
      1, 9, "x", "expected ')' to close x(, found ';'" },
    { "version_5_is_refused", "@version: 5.0\n",
      1, 11, "", "unsupported @version: 5.0; expected 3.x or 4.x" },
    { "version_without_minor_is_refused", "@version: 4\n",
      1, 11, "", "unsupported @version: 4; expected 3.x or 4.x" },
    { "version_with_a_suffix_is_refused", "@version: 4.0a\n",
      1, 11, "", "unsupported @version: 4.0a; expected 3.x or 4.x" },
    { "version_needs_a_colon", "@version 4.0\n",
      1, 10, "", "expected ':' after @version, found '4.0'" },
    { "version_needs_a_number", "@version: \"4.0\"\n",
      1, 11, "", "expected a version such as 4.0 after @version:, found string \"4.0\"" },
    { "pragma_ends_its_line", "@version: 4.0 options { };\n",
      1, 15, "", "unexpected 'options' after @version; a pragma ends its line" },
    { "unknown_pragma", "@module foo\n",
      1, 1, "", "unknown pragma @module; expected @version, @include or @define" },
    { "pragma_after_a_statement_on_one_line", "log { }; @version: 4.0\n",
      1, 10, "", "a pragma must start a line" },
    { "define_needs_a_name", "@define 1 2\n",
      1, 9, "", "expected a name after @define, found '1'" },
    { "define_needs_a_value", "@define x\nlog { };",
      1, 1, "", "expected a value in quotes after @define x, found end of line" },
    { "define_value_of_the_wrong_kind", "@define x {\n",
      1, 11, "", "expected a value in quotes after @define x, found '{'" },
    { "include_without_a_file", "log { };\n  @include\n",
      2, 3, "", "expected a file name in quotes after @include, found end of line" },
    { "version_without_a_number", "@version:",
      1, 1, "", "expected a version such as 4.0 after @version:, found end of line" },
    { "lexer_error_in_a_define", "@define x \"open\n",
      1, 11, "", "unterminated string" },
    { "include_needs_a_string", "@include x.conf\n",
      1, 10, "", "expected a file name in quotes after @include, found 'x.conf'" },
    { "include_of_a_device_is_refused", "@include \"/dev/null\"\n",
      1, 10, "", "@include: \"/dev/null\" is neither a regular file nor a directory" },
    { "undefined_variable", "destination d {\n  network(\"h\" port(`LIFELINE_TEST_UNDEFINED`));\n};",
      2, 20, "port", "`LIFELINE_TEST_UNDEFINED` is not defined by @define nor in the environment" },
    { "use_before_define", "log { x(`late`); };\n@define late 1\n",
      1, 9, "x", "`late` is not defined by @define nor in the environment" },
  };

  return cr_make_param_array(struct syntax_error, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct syntax_error *c, config_parser, errors)
{
  tree = config_parse_string(c->text, "main.conf", &err);
  cr_assert_null(tree, "%s: expected an error", c->name);
  cr_assert_str_eq(err.message, c->message, "%s: message \"%s\"", c->name, err.message);
  cr_assert_str_eq(err.file, "main.conf", "%s", c->name);
  cr_assert_eq(err.line, c->line, "%s: line %u, expected %u", c->name, err.line, c->line);
  cr_assert_eq(err.column, c->column, "%s: column %u, expected %u", c->name, err.column, c->column);
  cr_assert_str_eq(err.option, c->option, "%s: option \"%s\"", c->name, err.option);
}

Test(config_parser, nesting_is_bounded)
{
  GString *text = g_string_new("destination d { ");

  for (int i = 0; i < 70; i++)
    g_string_append(text, "a(");
  cr_assert_null(config_parse_string(text->str, "main.conf", &err));
  assert_error("main.conf", 1, 17 + 2 * 64, "a", "options nested deeper than 64 levels");
  g_string_free(text, TRUE);
}

/* ---- @include ---- */

static void
make_tmpdir(void)
{
  tmpdir = g_dir_make_tmp("lifeline-config-XXXXXX", NULL);
  cr_assert_not_null(tmpdir);
}

/* Returns the file's path, freed by teardown. */
static const char *
write_file(const char *relative, const char *content)
{
  char *path = g_build_filename(tmpdir, relative, NULL);
  char *dir = g_path_get_dirname(path);

  cr_assert_eq(g_mkdir_with_parents(dir, 0700), 0);
  cr_assert(g_file_set_contents(path, content, -1, NULL));
  g_free(dir);
  g_ptr_array_add(paths, path);
  return path;
}

static const char *
tmp_path(const char *relative)
{
  char *path = g_build_filename(tmpdir, relative, NULL);

  g_ptr_array_add(paths, path);
  return path;
}

static const struct lifeline_option *
parse_file_ok(const char *path)
{
  char buf[1024];

  tree = config_parse_file(path, &err);
  cr_assert_not_null(tree, "unexpected error: %s", located_error_format(&err, buf, sizeof(buf)));
  return config_tree_root(tree);
}

Test(config_parser, include_splices_statements_in_place)
{
  make_tmpdir();
  const char *main_path = write_file("main.conf",
                                     "options { a(1); };\n@include \"a.conf\"\nlog { b(`inc_port`); };\n");
  const char *a_path = write_file("a.conf",
                                  "@define inc_port 99\n\ndestination d { network(\"h\" port(`inc_port`)); };\n");
  const struct lifeline_option *root;

  cr_assert_eq(chdir("/"), 0);
  root = parse_file_ok(main_path);
  assert_tree("options 1:1\n"
              "  a 1:11 number:1@1:13\n"
              "destination 3:1 word:d@3:13\n"
              "  network 3:17 string:h@3:25\n"
              "    port 3:29 number:99@3:34\n"
              "log 3:1\n"
              "  b 3:7 number:99@3:9\n");
  cr_assert_str_eq(root->file, main_path);
  cr_assert_str_eq(root->children[0]->file, main_path);
  cr_assert_str_eq(root->children[1]->file, a_path);
  cr_assert_str_eq(root->children[1]->children[0]->children[0]->file, a_path);
  cr_assert_str_eq(root->children[2]->file, main_path);
}

Test(config_parser, error_in_an_included_file_names_that_file)
{
  make_tmpdir();
  const char *main_path = write_file("main.conf", "@include \"bad.conf\"\n");
  const char *bad_path = write_file("bad.conf", "destination d {\n  network(\"h\"\n};\n");

  cr_assert_null(config_parse_file(main_path, &err));
  assert_error(bad_path, 3, 1, "network", "expected ')' to close network(, found '}'");
}

Test(config_parser, missing_include)
{
  make_tmpdir();
  const char *main_path = write_file("main.conf", "log { };\n@include \"x.conf\"\n");

  cr_assert_null(config_parse_file(main_path, &err));
  assert_error(main_path, 2, 10, "", "@include: cannot open \"x.conf\": No such file or directory");
}

Test(config_parser, missing_main_file)
{
  cr_assert_null(config_parse_file("/nonexistent/lifeline.conf", &err));
  assert_error("/nonexistent/lifeline.conf", 0, 0, "",
               "cannot open \"/nonexistent/lifeline.conf\": No such file or directory");
}

Test(config_parser, glob_include_is_sorted_and_may_match_nothing)
{
  make_tmpdir();
  write_file("conf.d/20-b.conf", "log { b(); };\n");
  write_file("conf.d/10-a.conf", "log { a(); };\n");
  write_file("conf.d/README", "not a config\n");
  parse_file_ok(write_file("main.conf", "@include \"conf.d/*.conf\"\n@include \"nothing/*.conf\"\n"));
  assert_tree("log 1:1\n  a 1:7\nlog 1:1\n  b 1:7\n");
}

Test(config_parser, directory_include_skips_hidden_backup_and_subdirectories)
{
  make_tmpdir();
  write_file("dir/2.conf", "log { two(); };\n");
  write_file("dir/1.conf", "log { one(); };\n");
  write_file("dir/.hidden.conf", "this is not parsed\n");
  write_file("dir/1.conf~", "this is not parsed\n");
  write_file("dir/sub/3.conf", "this is not parsed\n");
  parse_file_ok(write_file("main.conf", "@include \"dir\"\n"));
  assert_tree("log 1:1\n  one 1:7\nlog 1:1\n  two 1:7\n");
}

Test(config_parser, include_of_an_absolute_path_and_a_define_in_the_path)
{
  make_tmpdir();
  const char *a_path = write_file("a.conf", "log { a(); };\n");
  char *text = g_strdup_printf("@define dir \"%s\"\n@include \"`dir`/a.conf\"\n", tmpdir);

  cr_assert_str_eq(parse_ok(text)->children[0]->file, a_path);
  g_free(text);
}

Test(config_parser, string_includes_resolve_against_the_cwd)
{
  make_tmpdir();
  write_file("a.conf", "log { a(); };\n");
  cr_assert_eq(chdir(tmpdir), 0);
  tree = config_parse_string("@include \"a.conf\"\n", "elsewhere/main.conf", &err);
  cr_assert_not_null(tree, "%s", err.message);
  cr_assert_str_eq(config_tree_root(tree)->children[0]->file, "a.conf");
}

Test(config_parser, nested_includes_resolve_against_the_including_file)
{
  make_tmpdir();
  write_file("sub/a.conf", "@include \"b.conf\"\n");
  const char *b_path = write_file("sub/b.conf", "log { b(); };\n");

  cr_assert_str_eq(parse_file_ok(write_file("main.conf", "@include \"sub/a.conf\"\n"))->children[0]->file, b_path);
}

Test(config_parser, include_cycle_is_caught_by_the_depth_limit)
{
  make_tmpdir();
  const char *self_path = write_file("self.conf", "log { };\n@include \"self.conf\"\n");

  cr_assert_null(config_parse_file(self_path, &err));
  assert_error(self_path, 2, 10, "",
               "@include: \"self.conf\" would be nested deeper than 15 levels; does it include itself?");
}

/* main.conf includes c1.conf, which includes c2.conf, ... up to cN.conf. */
static const char *
write_chain(int n)
{
  for (int i = 1; i <= n; i++)
    {
      char name[32], content[64];

      snprintf(name, sizeof(name), "c%d.conf", i);
      if (i < n)
        snprintf(content, sizeof(content), "@include \"c%d.conf\"\n", i + 1);
      else
        snprintf(content, sizeof(content), "log { deepest(); };\n");
      write_file(name, content);
    }
  return write_file("main.conf", "@include \"c1.conf\"\n");
}

Test(config_parser, fifteen_nested_includes_are_fine)
{
  make_tmpdir();
  parse_file_ok(write_chain(15));
  assert_tree("log 1:1\n  deepest 1:7\n");
}

Test(config_parser, sixteen_nested_includes_are_refused)
{
  make_tmpdir();
  cr_assert_null(config_parse_file(write_chain(16), &err));
  assert_error(tmp_path("c15.conf"), 1, 10, "",
               "@include: \"c16.conf\" would be nested deeper than 15 levels; does it include itself?");
}

Test(config_parser, a_file_including_its_own_directory_is_caught_by_the_depth_limit)
{
  make_tmpdir();
  write_file("loop/a.conf", "@include \".\"\n");
  write_file("loop/b.conf", "@include \".\"\n");
  cr_assert_null(config_parse_file(write_file("main.conf", "@include \"loop\"\n"), &err));
  cr_assert(g_str_has_prefix(err.file, tmp_path("loop")), "%s", err.file);
  cr_assert(g_str_has_suffix(err.message, "would be nested deeper than 15 levels; does it include itself?"), "%s",
            err.message);
}
