/* A line buffer that cannot be allocated (a log-msg-size() far beyond any
 * memory) is an error, never a NULL used later: file_source_new and
 * stdin_source_new_checked fail with an error located at the driver's
 * log-msg-size(); stdin_source_new (unchecked) makes the source and its start
 * fails with an error naming the source. */
#include <criterion/criterion.h>

#include "core/config-parser.h"
#include "core/config-tree.h"
#include "core/located-error.h"
#include "file-source.h"
#include "stdin-source.h"

#include <iv.h>
#include <string.h>
#include <unistd.h>

/* Far more than any address space: malloc fails at once, without touching memory. */
#define HUGE_LINE ((size_t) 1 << 62)

/* Under AddressSanitizer an impossible malloc() aborts unless told to return
 * NULL, as the C library does; options given in ASAN_OPTIONS still apply. */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
  return "allocator_may_return_null=1";
}

/* These sources run without a persist file (NULL): the persist file's own
 * code (and what it links) stays out of this test. */
int
persist_file_lookup(struct persist_file *self, const char *source, const char *path, struct line_position *out)
{
  cr_assert_fail("no persist file here");
  return 0;
}

void
persist_file_put(struct persist_file *self, const char *source, const char *path, const struct line_position *pos)
{
  cr_assert_fail("no persist file here");
}

void
persist_file_add_client(struct persist_file *self, const char *source, const char *path, persist_file_report_fn fn,
                        void *ctx)
{
  cr_assert_fail("no persist file here");
}

void
persist_file_remove_client(struct persist_file *self, void *ctx)
{
  cr_assert_fail("no persist file here");
}

void
persist_file_kick(struct persist_file *self)
{
  cr_assert_fail("no persist file here");
}

static struct config_tree *tree;

static void
_setup(void)
{
  iv_init();
}

static void
_teardown(void)
{
  config_tree_free(tree);
  tree = NULL;
  iv_deinit();
}

/* The driver of the first source of TEXT. */
static const struct lifeline_option *
_driver(const char *text)
{
  struct lifeline_error err;
  located_error_init(&err);
  tree = config_parse_string(text, "alloc.conf", &err);
  cr_assert_not_null(tree, "%s", err.message);
  const struct lifeline_option *root = config_tree_root(tree);
  cr_assert_geq(root->n_children, 1);
  const struct lifeline_option *source = root->children[0];
  cr_assert_eq(source->n_children, 1);
  return source->children[0];
}

TestSuite(source_alloc, .init = _setup, .fini = _teardown);

Test(source_alloc, file_source_located_at_log_msg_size)
{
  const struct lifeline_option *driver
    = _driver("source s {\n  file(\"/nonexistent/x.log\" log-msg-size(64M));\n};\n");
  struct lifeline_error err;
  located_error_init(&err);
  cr_assert_null(file_source_new("s", driver, HUGE_LINE, NULL, &err));
  cr_assert_str_eq(err.option, "log-msg-size");
  cr_assert_eq(err.line, 2);
  cr_assert_str_eq(err.file, "alloc.conf");
  cr_assert(strstr(err.message, "cannot allocate"), "%s", err.message);
}

Test(source_alloc, file_source_located_at_driver_without_its_own_size)
{
  const struct lifeline_option *driver = _driver("source s { file(\"/nonexistent/x.log\"); };\n");
  struct lifeline_error err;
  located_error_init(&err);
  cr_assert_null(file_source_new("s", driver, HUGE_LINE, NULL, &err));
  cr_assert_str_eq(err.option, "file");
  cr_assert_eq(err.line, 1);
}

Test(source_alloc, stdin_checked_located)
{
  const struct lifeline_option *driver = _driver("source s {\n\n  stdin(log-msg-size(64M));\n};\n");
  struct lifeline_error err;
  located_error_init(&err);
  cr_assert_null(stdin_source_new_checked("s", STDIN_FILENO, HUGE_LINE, driver, &err));
  cr_assert_str_eq(err.option, "log-msg-size");
  cr_assert_eq(err.line, 3);
  cr_assert(strstr(err.message, "cannot allocate"), "%s", err.message);
}

Test(source_alloc, stdin_unchecked_fails_at_start)
{
  struct line_source *src = stdin_source_new("s_in", STDIN_FILENO, HUGE_LINE);
  cr_assert_not_null(src);
  struct lifeline_error err;
  located_error_init(&err);
  cr_assert_eq(line_source_start(src, NULL, NULL, &err), -1);
  cr_assert(strstr(err.message, "s_in") && strstr(err.message, "cannot allocate"), "%s", err.message);
  cr_assert_not(line_source_is_started(src));
  line_source_free(src);
}

Test(source_alloc, normal_sizes_still_work)
{
  const struct lifeline_option *driver = _driver("source s { stdin(); };\n");
  struct lifeline_error err;
  located_error_init(&err);
  struct line_source *src = stdin_source_new_checked("s", STDIN_FILENO, 64 * 1024, driver, &err);
  cr_assert_not_null(src, "%s", err.message);
  line_source_free(src);
}
