#include "config-parser.h"

#include "config-lexer.h"
#include "located-error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glob.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Deeper nesting is surely a mistake, and recursion must stay bounded. */
#define MAX_OPTION_DEPTH 64

/* State shared by the main file and everything it includes. */
struct config_parser
{
  struct config_tree *tree;
  GHashTable *defines; /* @define name -> value, both owned */
  size_t expansion_budget;
  struct lifeline_error *err;
};

/* One file being read. */
struct parse_file
{
  struct config_parser *parser;
  struct config_lexer *lexer;
  const char *file; /* interned in the tree */
  char *dir;        /* base of relative @include paths; NULL: the cwd */
  int depth;        /* 0 for the main file */
  const char *context; /* innermost enclosing option or statement, for errors */
  struct config_token pragma; /* the location of the pragma being read */
  struct config_token tok;
  struct config_token next;
  gboolean has_next;
};

static int _parse_config(struct parse_file *pf);

static int __attribute__((format(printf, 3, 4)))
_error_at(struct parse_file *pf, const struct config_token *at, const char *fmt, ...)
{
  va_list ap;
  char message[512];

  va_start(ap, fmt);
  vsnprintf(message, sizeof(message), fmt, ap);
  va_end(ap);
  located_error_set(pf->parser->err, pf->file, at->line, at->column, pf->context, "%s", message);
  return -1;
}

static int
_lex(struct parse_file *pf, struct config_token *token)
{
  if (config_lexer_next(pf->lexer, token, pf->parser->err) == 0)
    return 0;
  /* The lexer does not know the enclosing option. */
  snprintf(pf->parser->err->option, sizeof(pf->parser->err->option), "%s", pf->context);
  return -1;
}

static int
_advance(struct parse_file *pf)
{
  if (pf->has_next)
    {
      pf->has_next = FALSE;
      config_token_move(&pf->tok, &pf->next);
      return 0;
    }
  return _lex(pf, &pf->tok);
}

static const struct config_token *
_peek(struct parse_file *pf)
{
  if (!pf->has_next)
    {
      if (_lex(pf, &pf->next) < 0)
        return NULL;
      pf->has_next = TRUE;
    }
  return &pf->next;
}

static gboolean
_is_value(enum config_token_kind kind)
{
  return kind == CONFIG_TOKEN_STRING || kind == CONFIG_TOKEN_NUMBER || kind == CONFIG_TOKEN_WORD;
}

static void
_add_value(struct parse_file *pf, struct lifeline_option *opt)
{
  enum lifeline_value_kind kind = pf->tok.kind == CONFIG_TOKEN_STRING ? LIFELINE_VALUE_STRING
                                  : pf->tok.kind == CONFIG_TOKEN_NUMBER ? LIFELINE_VALUE_NUMBER
                                  : LIFELINE_VALUE_WORD;

  config_tree_add_value(pf->parser->tree, opt, kind, pf->tok.text, pf->tok.line, pf->tok.column);
}

/* option := WORD '(' { arg [','] } ')', with the cursor on WORD and '(' next.
 * Leaves the cursor after the ')'. */
static int
_parse_option(struct parse_file *pf, struct lifeline_option *parent, int depth)
{
  struct lifeline_option *opt;
  const char *saved_context = pf->context;
  const struct config_token *next = NULL;
  char buf[96];

  if (depth > MAX_OPTION_DEPTH)
    return _error_at(pf, &pf->tok, "options nested deeper than %d levels", MAX_OPTION_DEPTH);
  opt = config_tree_add_option(pf->parser->tree, parent, pf->tok.text, pf->file, pf->tok.line, pf->tok.column);
  pf->context = opt->name;
  if (_advance(pf) < 0 || _advance(pf) < 0)
    return -1;
  while (pf->tok.kind != CONFIG_TOKEN_RPAREN)
    {
      int rc;

      if (pf->tok.kind == CONFIG_TOKEN_WORD && !(next = _peek(pf)))
        return -1;
      if (pf->tok.kind == CONFIG_TOKEN_WORD && next->kind == CONFIG_TOKEN_LPAREN)
        rc = _parse_option(pf, opt, depth + 1);
      else if (_is_value(pf->tok.kind))
        {
          _add_value(pf, opt);
          rc = _advance(pf);
        }
      else if (pf->tok.kind == CONFIG_TOKEN_COMMA)
        return _error_at(pf, &pf->tok, "unexpected ',' in %s(; expected a value, an option or ')'", opt->name);
      else
        return _error_at(pf, &pf->tok, "expected ')' to close %s(, found %s", opt->name,
                         config_token_describe(&pf->tok, buf, sizeof(buf)));
      /* Commas between arguments are optional, as in syslog-ng. */
      if (rc < 0 || (pf->tok.kind == CONFIG_TOKEN_COMMA && _advance(pf) < 0))
        return -1;
    }
  pf->context = saved_context;
  return _advance(pf);
}

static gboolean
_is_statement(const char *word)
{
  static const char *const statements[] = { "options", "source", "destination", "log", NULL };

  for (const char *const *s = statements; *s; s++)
    if (strcmp(word, *s) == 0)
      return TRUE;
  return FALSE;
}

/* The items of a block, with the cursor after '{'; leaves it on '}'. */
static int
_parse_block_items(struct parse_file *pf, struct lifeline_option *stmt, const char *label)
{
  const struct config_token *next;
  char buf[96];
  char name[80];

  while (pf->tok.kind != CONFIG_TOKEN_RBRACE)
    {
      if (pf->tok.kind != CONFIG_TOKEN_WORD)
        return _error_at(pf, &pf->tok, "expected an option or '}' in %s, found %s", label,
                         config_token_describe(&pf->tok, buf, sizeof(buf)));
      if (!(next = _peek(pf)))
        return -1;
      if (next->kind != CONFIG_TOKEN_LPAREN)
        return _error_at(pf, next, "expected '(' after %.64s, found %s", pf->tok.text,
                         config_token_describe(next, buf, sizeof(buf)));
      snprintf(name, sizeof(name), "%.64s", pf->tok.text);
      if (_parse_option(pf, stmt, 1) < 0)
        return -1;
      if (pf->tok.kind != CONFIG_TOKEN_SEMICOLON)
        return _error_at(pf, &pf->tok, "expected ';' after %s(...), found %s", name,
                         config_token_describe(&pf->tok, buf, sizeof(buf)));
      if (_advance(pf) < 0)
        return -1;
    }
  return 0;
}

/* statement := KEYWORD [NAME] '{' { option ';' } '}' ';' */
static int
_parse_statement(struct parse_file *pf)
{
  struct lifeline_option *stmt;
  char buf[96];
  char label[96];

  if (pf->tok.kind != CONFIG_TOKEN_WORD)
    return _error_at(pf, &pf->tok, "expected a statement (options, source, destination or log), found %s",
                     config_token_describe(&pf->tok, buf, sizeof(buf)));
  if (!_is_statement(pf->tok.text))
    return _error_at(pf, &pf->tok, "unknown statement '%.64s'; expected options, source, destination or log",
                     pf->tok.text);
  stmt = config_tree_add_option(pf->parser->tree, config_tree_root_mutable(pf->parser->tree), pf->tok.text,
                                pf->file, pf->tok.line, pf->tok.column);
  pf->context = stmt->name;
  snprintf(label, sizeof(label), "%s", stmt->name);
  if (_advance(pf) < 0)
    return -1;
  if (strcmp(stmt->name, "source") == 0 || strcmp(stmt->name, "destination") == 0)
    {
      if (pf->tok.kind != CONFIG_TOKEN_WORD && pf->tok.kind != CONFIG_TOKEN_STRING)
        return _error_at(pf, &pf->tok, "expected a name after %s, found %s", stmt->name,
                         config_token_describe(&pf->tok, buf, sizeof(buf)));
      _add_value(pf, stmt);
      snprintf(label, sizeof(label), "%s %.64s", stmt->name, pf->tok.text);
      if (_advance(pf) < 0)
        return -1;
    }
  if (pf->tok.kind != CONFIG_TOKEN_LBRACE)
    return _error_at(pf, &pf->tok, "expected '{' after %s, found %s", label,
                     config_token_describe(&pf->tok, buf, sizeof(buf)));
  if (_advance(pf) < 0 || _parse_block_items(pf, stmt, label) < 0 || _advance(pf) < 0)
    return -1;
  if (pf->tok.kind != CONFIG_TOKEN_SEMICOLON)
    return _error_at(pf, &pf->tok, "missing ';' after '}' of %s, found %s", label,
                     config_token_describe(&pf->tok, buf, sizeof(buf)));
  pf->context = "";
  return _advance(pf);
}

/* A pragma's arguments share its line: a token on a later line means the
 * argument is missing, reported at the pragma. */
static gboolean
_on_pragma_line(struct parse_file *pf)
{
  return pf->tok.kind != CONFIG_TOKEN_EOF && pf->tok.line == pf->pragma.line;
}

static int
_pragma_expected(struct parse_file *pf, const char *expected)
{
  char buf[96];

  if (!_on_pragma_line(pf))
    return _error_at(pf, &pf->pragma, "expected %s, found end of line", expected);
  return _error_at(pf, &pf->tok, "expected %s, found %s", expected,
                   config_token_describe(&pf->tok, buf, sizeof(buf)));
}

/* Advances past the pragma's last token, which must end its line. */
static int
_end_pragma(struct parse_file *pf, const char *pragma)
{
  uint32_t line = pf->tok.line;
  char buf[96];

  if (_advance(pf) < 0)
    return -1;
  if (pf->tok.kind != CONFIG_TOKEN_EOF && pf->tok.line == line)
    return _error_at(pf, &pf->tok, "unexpected %s after @%s; a pragma ends its line",
                     config_token_describe(&pf->tok, buf, sizeof(buf)), pragma);
  return 0;
}

static gboolean
_is_supported_version(const char *v)
{
  if ((v[0] != '3' && v[0] != '4') || v[1] != '.' || !v[2])
    return FALSE;
  for (const char *p = v + 2; *p; p++)
    if (!g_ascii_isdigit(*p))
      return FALSE;
  return TRUE;
}

static int
_parse_version(struct parse_file *pf)
{
  if (_advance(pf) < 0)
    return -1;
  if (pf->tok.kind != CONFIG_TOKEN_COLON || !_on_pragma_line(pf))
    return _pragma_expected(pf, "':' after @version");
  if (_advance(pf) < 0)
    return -1;
  if (pf->tok.kind != CONFIG_TOKEN_NUMBER || !_on_pragma_line(pf))
    return _pragma_expected(pf, "a version such as 4.0 after @version:");
  if (!_is_supported_version(pf->tok.text))
    return _error_at(pf, &pf->tok, "unsupported @version: %.64s; expected 3.x or 4.x", pf->tok.text);
  config_tree_set_version(pf->parser->tree, pf->tok.text);
  return _end_pragma(pf, "version");
}

static int
_parse_define(struct parse_file *pf)
{
  char buf[128];
  char *name;

  if (_advance(pf) < 0)
    return -1;
  if (pf->tok.kind != CONFIG_TOKEN_WORD || !_on_pragma_line(pf))
    return _pragma_expected(pf, "a name after @define");
  name = g_strdup(pf->tok.text);
  if (_advance(pf) < 0)
    {
      g_free(name);
      return -1;
    }
  if (!_is_value(pf->tok.kind) || !_on_pragma_line(pf))
    {
      snprintf(buf, sizeof(buf), "a value in quotes after @define %.64s", name);
      g_free(name);
      return _pragma_expected(pf, buf);
    }
  /* Registered before the next token is read, which may refer to it. */
  g_hash_table_replace(pf->parser->defines, name, g_strdup(pf->tok.text));
  return _end_pragma(pf, "define");
}

/* Reads a whole file; 0 or an errno value. */
static int
_read_file(const char *path, char **text, size_t *len)
{
  GString *buf;
  char chunk[65536];
  ssize_t n;
  int fd = open(path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return errno;
  buf = g_string_new(NULL);
  while ((n = read(fd, chunk, sizeof(chunk))) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          close(fd);
          g_string_free(buf, TRUE);
          return saved;
        }
      g_string_append_len(buf, chunk, n);
    }
  close(fd);
  *len = buf->len;
  *text = g_string_free(buf, FALSE);
  return 0;
}

static int _parse_text(struct config_parser *parser, const char *text, size_t len, const char *file,
                       int depth, gboolean relative_to_file);

static int
_include_file(struct parse_file *pf, const char *path, const char *shown, const struct config_token *at)
{
  char *text = NULL;
  size_t len = 0;
  int rc;

  if (pf->depth + 1 > CONFIG_MAX_INCLUDE_DEPTH)
    return _error_at(pf, at, "@include: \"%.200s\" would be nested deeper than %d levels; does it include itself?",
                     shown, CONFIG_MAX_INCLUDE_DEPTH);
  if ((rc = _read_file(path, &text, &len)) != 0)
    return _error_at(pf, at, "@include: cannot open \"%.200s\": %s", shown, g_strerror(rc));
  rc = _parse_text(pf->parser, text, len, path, pf->depth + 1, TRUE);
  g_free(text);
  return rc;
}

static gboolean
_is_skipped_in_directory(const char *name)
{
  size_t len = strlen(name);

  return name[0] == '.' || (len > 0 && name[len - 1] == '~');
}

static int
_compare_strings(gconstpointer a, gconstpointer b)
{
  return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static int
_include_paths(struct parse_file *pf, GPtrArray *paths, const struct config_token *at);

/* Every regular file in the directory, in name order. */
static int
_include_directory(struct parse_file *pf, const char *path, const char *shown, const struct config_token *at)
{
  GPtrArray *paths;
  struct dirent *entry;
  DIR *dir = opendir(path);
  int rc;

  if (!dir)
    return _error_at(pf, at, "@include: cannot open \"%.200s\": %s", shown, g_strerror(errno));
  paths = g_ptr_array_new_with_free_func(g_free);
  while ((entry = readdir(dir)))
    if (!_is_skipped_in_directory(entry->d_name))
      g_ptr_array_add(paths, g_build_filename(path, entry->d_name, NULL));
  closedir(dir);
  rc = _include_paths(pf, paths, at);
  g_ptr_array_unref(paths);
  return rc;
}

/* Sorted, and only regular files: a subdirectory or a socket is skipped. */
static int
_include_paths(struct parse_file *pf, GPtrArray *paths, const struct config_token *at)
{
  struct stat st;

  g_ptr_array_sort(paths, _compare_strings);
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index(paths, i);

      if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && _include_file(pf, path, path, at) < 0)
        return -1;
    }
  return 0;
}

static int
_include_glob(struct parse_file *pf, const char *pattern, const struct config_token *at)
{
  GPtrArray *paths;
  glob_t g;
  int rc = glob(pattern, 0, NULL, &g);

  if (rc == GLOB_NOMATCH)
    return 0;
  if (rc != 0)
    return _error_at(pf, at, "@include: cannot expand \"%.200s\": %s", pattern,
                     rc == GLOB_NOSPACE ? "out of memory" : "read error");
  paths = g_ptr_array_new_with_free_func(g_free);
  for (size_t i = 0; i < g.gl_pathc; i++)
    g_ptr_array_add(paths, g_strdup(g.gl_pathv[i]));
  globfree(&g);
  rc = _include_paths(pf, paths, at);
  g_ptr_array_unref(paths);
  return rc;
}

/* @include "file, directory or glob", with the cursor on the string. */
static int
_include(struct parse_file *pf, const struct config_token *at)
{
  const char *written = at->text;
  char *path;
  struct stat st;
  int rc;

  path = (g_path_is_absolute(written) || !pf->dir) ? g_strdup(written) : g_build_filename(pf->dir, written, NULL);
  if (strpbrk(written, "*?["))
    rc = _include_glob(pf, path, at);
  else if (stat(path, &st) < 0)
    rc = _error_at(pf, at, "@include: cannot open \"%.200s\": %s", written, g_strerror(errno));
  else if (S_ISDIR(st.st_mode))
    rc = _include_directory(pf, path, written, at);
  else if (!S_ISREG(st.st_mode))
    rc = _error_at(pf, at, "@include: \"%.200s\" is neither a regular file nor a directory", written);
  else
    rc = _include_file(pf, path, written, at);
  g_free(path);
  return rc;
}

static int
_parse_include(struct parse_file *pf)
{
  if (_advance(pf) < 0)
    return -1;
  if (pf->tok.kind != CONFIG_TOKEN_STRING || !_on_pragma_line(pf))
    return _pragma_expected(pf, "a file name in quotes after @include");
  /* Before reading on: the next token may use what the file @defines. */
  if (_include(pf, &pf->tok) < 0)
    return -1;
  return _end_pragma(pf, "include");
}

static int
_parse_pragma(struct parse_file *pf)
{
  pf->pragma.line = pf->tok.line;
  pf->pragma.column = pf->tok.column;
  if (strcmp(pf->tok.text, "version") == 0)
    return _parse_version(pf);
  if (strcmp(pf->tok.text, "include") == 0)
    return _parse_include(pf);
  if (strcmp(pf->tok.text, "define") == 0)
    return _parse_define(pf);
  return _error_at(pf, &pf->tok, "unknown pragma @%.64s; expected @version, @include or @define", pf->tok.text);
}

/* config := { pragma | statement } */
static int
_parse_config(struct parse_file *pf)
{
  if (_advance(pf) < 0)
    return -1;
  while (pf->tok.kind != CONFIG_TOKEN_EOF)
    {
      int rc = pf->tok.kind == CONFIG_TOKEN_PRAGMA ? _parse_pragma(pf) : _parse_statement(pf);

      if (rc < 0)
        return -1;
    }
  return 0;
}

/* FILE is used in locations as given; DEPTH is 0 for the main file.
 * RELATIVE_TO_FILE: its relative @include paths resolve against its
 * directory, rather than the cwd (for a string). */
static int
_parse_text(struct config_parser *parser, const char *text, size_t len, const char *file, int depth,
            gboolean relative_to_file)
{
  struct parse_file pf = { 0 };
  int rc;

  pf.parser = parser;
  pf.file = config_tree_intern(parser->tree, file);
  pf.dir = relative_to_file ? g_path_get_dirname(file) : NULL;
  pf.depth = depth;
  pf.context = "";
  pf.lexer = config_lexer_new(text, len, pf.file, parser->defines);
  config_lexer_share_budget(pf.lexer, &parser->expansion_budget);
  rc = _parse_config(&pf);
  config_token_clear(&pf.tok);
  config_token_clear(&pf.next);
  config_lexer_free(pf.lexer);
  g_free(pf.dir);
  return rc;
}

static struct config_tree *
_parse(const char *text, size_t len, const char *file, gboolean relative_to_file, struct lifeline_error *err)
{
  struct lifeline_error local;
  struct config_parser parser = { 0 };
  int rc;

  parser.err = err ? err : &local;
  located_error_init(parser.err);
  parser.tree = config_tree_new(file);
  parser.defines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  parser.expansion_budget = CONFIG_LEXER_EXPANSION_BUDGET;
  rc = _parse_text(&parser, text, len, file, 0, relative_to_file);
  g_hash_table_unref(parser.defines);
  if (rc < 0)
    {
      config_tree_free(parser.tree);
      return NULL;
    }
  return parser.tree;
}

struct config_tree *
config_parse_file(const char *path, struct lifeline_error *err)
{
  struct config_tree *tree;
  char *text = NULL;
  size_t len = 0;
  int rc;

  if ((rc = _read_file(path, &text, &len)) != 0)
    {
      located_error_set(err, path, 0, 0, NULL, "cannot open \"%s\": %s", path, g_strerror(rc));
      return NULL;
    }
  tree = _parse(text, len, path, TRUE, err);
  g_free(text);
  return tree;
}

struct config_tree *
config_parse_string(const char *text, const char *name, struct lifeline_error *err)
{
  return _parse(text, strlen(text), name ? name : "<string>", FALSE, err);
}
