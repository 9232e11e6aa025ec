/*
 * libFuzzer target over config_parse_string(), then every option-reader
 * function over every node of the tree it returns.
 *
 * @include reads files, so an input may only include relative paths into a
 * sandbox directory this target fills at start-up and makes its cwd; any
 * other @include makes the input uninteresting.  Because of that chdir,
 * relative corpus paths on the command line are made absolute and crash
 * artifacts go to the starting directory (unless -artifact_prefix is given);
 * give other path flags (-dict=, -exact_artifact_path=) as absolute paths.
 */
#include "core/config-parser.h"
#include "core/located-error.h"
#include "core/network-options.h"
#include "core/option-reader.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *sandbox;
static GSList *sandbox_files;

static void
_write(const char *relative, const char *content)
{
  char *path = g_build_filename(sandbox, relative, NULL);
  char *dir = g_path_get_dirname(path);

  g_mkdir_with_parents(dir, 0700);
  g_file_set_contents(path, content, -1, NULL);
  sandbox_files = g_slist_prepend(sandbox_files, path);
  g_free(dir);
}

/* A crash skips this and leaves the sandbox behind for inspection. */
static void
_remove_sandbox(void)
{
  char *dir = g_build_filename(sandbox, "dir", NULL);

  for (GSList *l = sandbox_files; l; l = l->next)
    g_remove(l->data);
  g_rmdir(dir);
  g_rmdir(sandbox);
  g_free(dir);
}

/* Rewrites the command line for running with the sandbox as cwd. */
static void
_anchor_paths(int *argc, char ***argv, const char *cwd)
{
  GPtrArray *args = g_ptr_array_new(); /* lives as long as the process */
  gboolean has_prefix = FALSE;

  for (int i = 0; i < *argc; i++)
    {
      const char *arg = (*argv)[i];

      has_prefix = has_prefix || g_str_has_prefix(arg, "-artifact_prefix=");
      if (i > 0 && arg[0] != '-' && !g_path_is_absolute(arg))
        g_ptr_array_add(args, g_build_filename(cwd, arg, NULL));
      else
        g_ptr_array_add(args, (char *) arg);
    }
  if (!has_prefix)
    g_ptr_array_add(args, g_strdup_printf("-artifact_prefix=%s/", cwd));
  *argc = (int) args->len;
  g_ptr_array_add(args, NULL);
  *argv = (char **) args->pdata;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
  char *cwd = g_get_current_dir();

  _anchor_paths(argc, argv, cwd);
  g_free(cwd);
  sandbox = g_dir_make_tmp("lifeline-fuzz-XXXXXX", NULL);
  if (!sandbox)
    abort();
  _write("a.conf", "@define fuzz_port 601\ndestination d_a { network(\"a\" port(`fuzz_port`)); };\n");
  _write("b.conf", "log { source(s); destination(d_a); flags(final); };\n");
  _write("bad.conf", "destination d {\n  network(\"h\"\n};\n");
  _write("self.conf", "@include \"self.conf\"\n");
  _write("dir/1.conf", "options { keep-alive(yes); };\n");
  _write("dir/2.conf", "@version: 4.0\n");
  _write("dir/.hidden", "not parsed\n");
  _write("dir/backup~", "not parsed\n");
  setenv("LIFELINE_FUZZ_ENV", "port(514)", 1);
  atexit(_remove_sandbox);
  if (chdir(sandbox) != 0)
    abort();
  return 0;
}

/* Only a plain relative path without "..", escapes or references stays in
 * the sandbox.  A reference anywhere on the line could supply the path. */
static gboolean
_includes_stay_in_sandbox(const char *text)
{
  const char *p = text;

  while ((p = strstr(p, "@include")))
    {
      const char *eol = strchr(p, '\n');
      const char *open, *close;

      if (!eol)
        eol = p + strlen(p);
      if (memchr(p, '`', eol - p))
        return FALSE;
      open = strpbrk(p, "\"'");
      if (!open || open > eol)
        {
          p = eol;
          continue;
        }
      close = strchr(open + 1, *open);
      if (!close)
        return TRUE;
      for (const char *c = open + 1; c < close; c++)
        if (*c == '/' || *c == '\\' || *c == '`' || *c == '\n' || (c[0] == '.' && c[1] == '.'))
          return FALSE;
      p = close + 1;
    }
  return TRUE;
}

static void _read_destination(const struct lifeline_option *opt);

static void
_read_options(const struct lifeline_option *opt)
{
  static const char *const choices[] = { "block", "drop-when-full", NULL };
  static const char *const allowed[] = { "port", "transport", "failover", "servers", NULL };
  struct lifeline_error err;
  const char *s;
  int64_t n;
  int i;

  if (!opt->name || !opt->file || (opt->n_values && !opt->values) || (opt->n_children && !opt->children))
    abort();
  for (size_t k = 0; k < opt->n_values; k++)
    {
      if (!opt->values[k]->text || opt->values[k]->line == 0 || opt->values[k]->column == 0)
        abort();
      option_value_string(opt, k, &s, &err);
    }
  option_check_values(opt, 1, 2, &err);
  option_check_children(opt, allowed, &err);
  for (size_t k = 0; k < opt->n_children; k++)
    {
      const struct lifeline_option *child = opt->children[k];

      if (child->line == 0 || child->column == 0 || option_find(opt, child->name) == NULL)
        abort();
      option_get_string(opt, child->name, NULL, &s, &err);
      option_get_int64(opt, child->name, 0, -100, 100000, &n, &err);
      option_get_bool(opt, child->name, 0, &i, &err);
      option_get_enum(opt, child->name, choices, 0, &i, &err);
      option_get_duration_ms(opt, child->name, 0, 0, INT64_MAX, &n, &err);
      option_get_size(opt, child->name, 0, INT64_MIN, INT64_MAX, &n, &err);
      _read_options(child);
    }
  _read_destination(opt);
}

/* A network() or syslog() node also goes through the destination's own
 * option readers (failover(), tls(), pins, versions): an error must be
 * located, and what a parse allocated must be freed either way. */
static void
_read_destination(const struct lifeline_option *opt)
{
  struct network_options opts;
  struct lifeline_error err;
  int rc;

  if (option_name_is(opt, "network"))
    rc = network_options_parse(opt, &opts, &err);
  else if (option_name_is(opt, "syslog"))
    rc = network_options_parse_syslog(opt, &opts, &err);
  else
    return;
  if (rc < 0 && (!located_error_is_set(&err) || !err.message[0]))
    abort();
  for (size_t i = 1; rc == 0 && i < opts.failover.n_servers; i++)
    (void) network_options_tls_option(opt, i, "ca-file");
  network_options_clear(&opts);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct lifeline_error err;
  struct config_tree *tree;
  char *text = g_strndup((const char *) data, size);
  char buf[1024];

  if (!_includes_stay_in_sandbox(text))
    {
      g_free(text);
      return -1;
    }
  tree = config_parse_string(text, "fuzz.conf", &err);
  if (tree)
    _read_options(config_tree_root(tree));
  else if (!located_error_is_set(&err) || !err.file[0])
    abort();
  else
    located_error_format(&err, buf, sizeof(buf));
  config_tree_free(tree);
  g_free(text);
  return 0;
}
