/*
 * What one configuration load may read: the main file and every include
 * must be regular files (checked on the opened descriptor, opened without
 * blocking), and a load reads at most CONFIG_MAX_FILES files,
 * CONFIG_MAX_TOTAL_BYTES bytes and CONFIG_MAX_ITEMS options and values.  The
 * @include (or the token) that crosses a limit is the located error.
 */
#include "core/config-parser.h"
#include "core/located-error.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct lifeline_error err;
static struct config_tree *tree;
static char *tmpdir;

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
setup(void)
{
  located_error_init(&err);
  tmpdir = g_dir_make_tmp("lifeline-limits-XXXXXX", NULL);
  cr_assert_not_null(tmpdir);
}

static void
teardown(void)
{
  config_tree_free(tree);
  tree = NULL;
  _remove_tree(tmpdir);
  g_free(tmpdir);
}

/* A blocking open or read of a FIFO would hang: the timeout turns it into a failure. */
TestSuite(config_limits, .init = setup, .fini = teardown, .timeout = 60);

/* PATH under the tmpdir (g_free). */
static char *
_path(const char *relative)
{
  return g_build_filename(tmpdir, relative, NULL);
}

static char *
_write(const char *relative, const char *content)
{
  char *path = _path(relative);
  char *dir = g_path_get_dirname(path);

  cr_assert_eq(g_mkdir_with_parents(dir, 0700), 0);
  cr_assert(g_file_set_contents(path, content, -1, NULL));
  g_free(dir);
  return path;
}

/* A sparse file of SIZE bytes: no disk, no time. */
static char *
_write_sparse(const char *relative, off_t size)
{
  char *path = _path(relative);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

  cr_assert(fd >= 0);
  cr_assert_eq(ftruncate(fd, size), 0);
  close(fd);
  return path;
}

/* MESSAGE NULL: the caller checks the message itself. */
static void
_assert_refused(const char *path, const char *file, unsigned line, unsigned column, const char *message)
{
  tree = config_parse_file(path, &err);
  cr_assert_null(tree);
  if (message)
    cr_assert_str_eq(err.message, message);
  cr_assert_str_eq(err.file, file);
  cr_assert_eq(err.line, line, "line %u, expected %u", err.line, line);
  cr_assert_eq(err.column, column, "column %u, expected %u", err.column, column);
}

/* ---- the main file: what -f names, at start and at every reload ---- */

Test(config_limits, main_file_that_is_a_character_device_is_refused)
{
  _assert_refused("/dev/zero", "/dev/zero", 0, 0,
                  "cannot read \"/dev/zero\": it is a character device, not a regular file");
}

Test(config_limits, main_file_that_is_a_fifo_is_refused_without_blocking)
{
  char *fifo = _path("main.conf");

  cr_assert_eq(mkfifo(fifo, 0600), 0);
  _assert_refused(fifo, fifo, 0, 0, NULL);
  cr_assert(g_str_has_suffix(err.message, "\": it is a FIFO, not a regular file"), "%s", err.message);
  g_free(fifo);
}

Test(config_limits, main_file_that_is_a_directory_is_refused)
{
  _assert_refused(tmpdir, tmpdir, 0, 0, NULL);
  cr_assert(g_str_has_suffix(err.message, "\": it is a directory, not a regular file"), "%s", err.message);
}

Test(config_limits, main_file_larger_than_the_byte_limit_is_refused_unread)
{
  char *big = _write_sparse("big.conf", (off_t) CONFIG_MAX_TOTAL_BYTES + 1);
  char *want = g_strdup_printf("cannot read \"%s\": it would bring the configuration past %u bytes, "
                               "the most one load reads", big, CONFIG_MAX_TOTAL_BYTES);

  _assert_refused(big, big, 0, 0, want);
  g_free(want);
  g_free(big);
}

/* ---- @include: the fan-out of one load ---- */

Test(config_limits, include_past_the_byte_limit_is_refused_at_the_include)
{
  char *main_conf = _write("main.conf", "# small\n@include \"big.conf\"\n");
  char *big = _write_sparse("big.conf", (off_t) CONFIG_MAX_TOTAL_BYTES - 4);
  char *want = g_strdup_printf("@include: cannot read \"big.conf\": it would bring the configuration past %u bytes, "
                               "the most one load reads", CONFIG_MAX_TOTAL_BYTES);

  _assert_refused(main_conf, main_conf, 2, 10, want);
  g_free(want);
  g_free(big);
  g_free(main_conf);
}

/* The bytes of every file count, not only of the largest one. */
Test(config_limits, bytes_add_up_across_includes)
{
  size_t half = CONFIG_MAX_TOTAL_BYTES / 2;
  char *blank = g_malloc(half + 1);
  char *main_conf = _write("main.conf", "@include \"half.conf\"\n@include \"half.conf\"\n");
  char *half_conf;

  memset(blank, '\n', half);
  blank[half] = '\0';
  half_conf = _write("half.conf", blank);
  g_free(blank);
  _assert_refused(main_conf, main_conf, 2, 10, NULL);
  cr_assert(strstr(err.message, "would bring the configuration past"), "%s", err.message);
  g_free(half_conf);
  g_free(main_conf);
}

Test(config_limits, the_file_past_the_file_limit_is_refused_at_its_include)
{
  GString *text = g_string_new(NULL);
  char *want = g_strdup_printf("@include: \"leaf.conf\" would be file number %u; "
                               "one configuration load reads at most %u files", CONFIG_MAX_FILES + 1, CONFIG_MAX_FILES);
  char *leaf = _write("leaf.conf", "# nothing\n");
  char *main_conf;

  /* The main file is file number 1. */
  for (unsigned i = 0; i < CONFIG_MAX_FILES; i++)
    g_string_append(text, "@include \"leaf.conf\"\n");
  main_conf = _write("main.conf", text->str);
  _assert_refused(main_conf, main_conf, CONFIG_MAX_FILES, 10, want);
  g_string_free(text, TRUE);
  g_free(want);
  g_free(leaf);
  g_free(main_conf);
}

/* 13 levels of 4 includes each: 4^13 reads without a total limit. */
Test(config_limits, include_fan_out_stops_at_the_file_limit)
{
  char *main_conf = _write("main.conf", "@include \"fan-1-*.conf\"\n");
  gint64 start = g_get_monotonic_time();

  for (int level = 1; level <= 13; level++)
    for (int i = 1; i <= 4; i++)
      {
        char name[32];
        char *text = level < 13 ? g_strdup_printf("@include \"fan-%d-*.conf\"\n", level + 1) : g_strdup("# leaf\n");

        snprintf(name, sizeof(name), "fan-%d-%d.conf", level, i);
        g_free(_write(name, text));
        g_free(text);
      }
  tree = config_parse_file(main_conf, &err);
  cr_assert_null(tree);
  cr_assert_eq(err.line, 1);
  cr_assert_eq(err.column, 10);
  cr_assert(strstr(err.message, "one configuration load reads at most 1000 files"), "%s", err.message);
  cr_assert_lt(g_get_monotonic_time() - start, 10 * G_USEC_PER_SEC);
  g_free(main_conf);
}

static void
_fill_directory(const char *relative, unsigned n)
{
  for (unsigned i = 0; i < n; i++)
    {
      char name[64];

      snprintf(name, sizeof(name), "%s/f%04u.conf", relative, i);
      g_free(_write(name, "# nothing\n"));
    }
}

Test(config_limits, directory_with_more_entries_than_the_file_limit_is_refused)
{
  char *main_conf = _write("main.conf", "\n@include \"many\"\n");
  char *want = g_strdup_printf("@include: \"many\" holds more than %u entries; "
                               "one configuration load reads at most %u files", CONFIG_MAX_FILES, CONFIG_MAX_FILES);

  _fill_directory("many", CONFIG_MAX_FILES + 1);
  _assert_refused(main_conf, main_conf, 2, 10, want);
  g_free(want);
  g_free(main_conf);
}

Test(config_limits, glob_with_more_matches_than_the_file_limit_is_refused)
{
  char *main_conf = _write("main.conf", "@include \"many/*.conf\"\n");

  _fill_directory("many", CONFIG_MAX_FILES + 1);
  _assert_refused(main_conf, main_conf, 1, 10, NULL);
  cr_assert(strstr(err.message, "matches more than 1000 paths; one configuration load reads at most 1000 files"), "%s",
            err.message);
  g_free(main_conf);
}

/* Checked on the opened descriptor too: a FIFO among a directory's files
 * is skipped (it is no regular file), never opened for a blocking read. */
Test(config_limits, fifo_in_an_included_directory_is_skipped)
{
  char *main_conf = _write("main.conf", "@include \"dir\"\n");
  char *fifo = _path("dir/b.conf");

  g_free(_write("dir/a.conf", "log { a(1); };\n"));
  cr_assert_eq(mkfifo(fifo, 0600), 0);
  tree = config_parse_file(main_conf, &err);
  cr_assert_not_null(tree, "%s", err.message);
  cr_assert_eq(config_tree_root(tree)->n_children, 1);
  g_free(fifo);
  g_free(main_conf);
}

/* ---- the size of the tree ---- */

Test(config_limits, more_options_and_values_than_the_item_limit_are_refused)
{
  GString *text = g_string_new("options { a(");

  /* options and a() count two; the value that makes CONFIG_MAX_ITEMS + 1 is the error. */
  for (unsigned i = 0; i < CONFIG_MAX_ITEMS; i++)
    g_string_append(text, "1 ");
  g_string_append(text, "); };\n");
  tree = config_parse_string(text->str, "main.conf", &err);
  cr_assert_null(tree);
  cr_assert_eq(err.line, 1);
  cr_assert_eq(err.column, (unsigned) strlen("options { a(") + 2 * (CONFIG_MAX_ITEMS - 2) + 1);
  cr_assert_str_eq(err.option, "a");
  cr_assert(strstr(err.message, "more than 500000 options and values in one configuration"), "%s", err.message);
  g_string_free(text, TRUE);
}

/* A few lines of @define that multiply tokens: each level holds ten
 * references to the one below (pasted when the @define is read), so six
 * levels make a million values from 400 bytes; the item limit stops them at
 * the reference. */
Test(config_limits, defines_that_multiply_tokens_are_bounded_by_the_item_limit)
{
  static const char text[] =
    "@define l0 \"1 1 1 1 1 1 1 1 1 1\"\n"
    "@define l1 \"`l0` `l0` `l0` `l0` `l0` `l0` `l0` `l0` `l0` `l0`\"\n"
    "@define l2 \"`l1` `l1` `l1` `l1` `l1` `l1` `l1` `l1` `l1` `l1`\"\n"
    "@define l3 \"`l2` `l2` `l2` `l2` `l2` `l2` `l2` `l2` `l2` `l2`\"\n"
    "@define l4 \"`l3` `l3` `l3` `l3` `l3` `l3` `l3` `l3` `l3` `l3`\"\n"
    "@define l5 \"`l4` `l4` `l4` `l4` `l4` `l4` `l4` `l4` `l4` `l4`\"\n"
    "options { a(`l5`); };\n";
  gint64 start = g_get_monotonic_time();

  tree = config_parse_string(text, "main.conf", &err);
  cr_assert_null(tree);
  cr_assert_eq(err.line, 7);
  cr_assert_eq(err.column, 13);
  cr_assert(strstr(err.message, "options and values in one configuration"), "%s", err.message);
  cr_assert_lt(g_get_monotonic_time() - start, 10 * G_USEC_PER_SEC);
}
