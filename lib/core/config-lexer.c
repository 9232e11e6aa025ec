#include "config-lexer.h"

#include "located-error.h"

#include <stdarg.h>
#include <string.h>

/* A value that refers to itself would otherwise expand forever. */
#define MAX_EXPANSION_DEPTH 16

/* One buffer being read: the file itself (inputs[0]) or the value of a
 * backtick reference pushed on top of it. */
struct lexer_input
{
  const char *text;
  size_t len;
  size_t pos;
  char *owned_text; /* a copy of the value: a later @define may replace the original */
  char *name;       /* the reference, for expansions */
};

struct config_lexer
{
  const char *file;
  GHashTable *defines;
  struct lexer_input inputs[MAX_EXPANSION_DEPTH + 1];
  int depth; /* index of the top input */
  uint32_t line; /* of the next byte of inputs[0] */
  uint32_t column;
  gboolean line_has_token; /* for "a pragma must start a line" */
  /* Every token of an expansion is located at the outermost reference. */
  uint32_t ref_line;
  uint32_t ref_column;
  size_t own_budget;
  size_t *budget; /* bytes that references may still produce */
};

struct config_lexer *
config_lexer_new(const char *text, size_t len, const char *file, GHashTable *defines)
{
  struct config_lexer *self = g_new0(struct config_lexer, 1);

  self->file = file;
  self->defines = defines;
  self->inputs[0].text = text;
  self->inputs[0].len = len;
  self->line = 1;
  self->column = 1;
  self->own_budget = CONFIG_LEXER_EXPANSION_BUDGET;
  self->budget = &self->own_budget;
  return self;
}

void
config_lexer_share_budget(struct config_lexer *self, size_t *remaining)
{
  self->budget = remaining;
}

static void
_pop_input(struct config_lexer *self)
{
  struct lexer_input *in = &self->inputs[self->depth];

  g_free(in->owned_text);
  g_free(in->name);
  memset(in, 0, sizeof(*in));
  self->depth--;
}

void
config_lexer_free(struct config_lexer *self)
{
  if (!self)
    return;
  while (self->depth > 0)
    _pop_input(self);
  g_free(self);
}

void
config_token_clear(struct config_token *token)
{
  g_free(token->text);
  memset(token, 0, sizeof(*token));
}

void
config_token_move(struct config_token *dst, struct config_token *src)
{
  config_token_clear(dst);
  *dst = *src;
  memset(src, 0, sizeof(*src));
}

static int
_peek(struct config_lexer *self, size_t offset)
{
  struct lexer_input *in = &self->inputs[self->depth];

  if (in->pos + offset >= in->len)
    return -1;
  return (unsigned char) in->text[in->pos + offset];
}

static void
_advance(struct config_lexer *self)
{
  struct lexer_input *in = &self->inputs[self->depth];

  if (in->pos >= in->len)
    return;
  if (self->depth == 0)
    {
      if (in->text[in->pos] == '\n')
        {
          self->line++;
          self->column = 1;
          self->line_has_token = FALSE;
        }
      else
        self->column++;
    }
  in->pos++;
}

static void
_location(struct config_lexer *self, uint32_t *line, uint32_t *column)
{
  *line = self->depth > 0 ? self->ref_line : self->line;
  *column = self->depth > 0 ? self->ref_column : self->column;
}

static int __attribute__((format(printf, 5, 6)))
_fail(struct config_lexer *self, struct lifeline_error *err, uint32_t line, uint32_t column,
      const char *fmt, ...)
{
  char message[400];
  char where[96] = "";
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(message, sizeof(message), fmt, ap);
  va_end(ap);
  /* The location is the reference, so say what was being expanded. */
  if (self->depth > 0)
    snprintf(where, sizeof(where), " (in the value of `%s`)", self->inputs[self->depth].name);
  located_error_set(err, self->file, line, column, NULL, "%s%s", message, where);
  return -1;
}

static gboolean
_is_word_start(int c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static gboolean
_is_digit(int c)
{
  return c >= '0' && c <= '9';
}

static gboolean
_is_word_char(int c)
{
  return _is_word_start(c) || _is_digit(c) || c == '.' || c == '-';
}

static gboolean
_is_hex_digit(int c)
{
  return _is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int
_hex_value(int c)
{
  if (_is_digit(c))
    return c - '0';
  return (c | 0x20) - 'a' + 10;
}

static gboolean
_is_valid_name(const char *name)
{
  if (!_is_word_start((unsigned char) name[0]))
    return FALSE;
  for (const char *p = name + 1; *p; p++)
    if (!_is_word_char((unsigned char) *p))
      return FALSE;
  return TRUE;
}

/* "'x'" for a printable byte, "'\xHH'" otherwise. */
static const char *
_describe_char(int c, char *buf, size_t size)
{
  if (c > 0x20 && c < 0x7f)
    snprintf(buf, size, "'%c'", c);
  else
    snprintf(buf, size, "'\\x%02X'", (unsigned) c);
  return buf;
}

static const char *
_lookup(struct config_lexer *self, const char *name)
{
  const char *value = self->defines ? g_hash_table_lookup(self->defines, name) : NULL;

  return value ? value : g_getenv(name);
}

/* Reads `name` at the cursor (on the opening backtick) and returns its
 * value, or NULL with ERR filled.  NAME_OUT receives the name (g_free). */
static const char *
_read_reference(struct config_lexer *self, char **name_out, struct lifeline_error *err)
{
  uint32_t line, column;
  GString *name = g_string_new(NULL);
  const char *value;
  int c;

  _location(self, &line, &column);
  _advance(self);
  while ((c = _peek(self, 0)) >= 0 && c != '`' && c != '\n')
    {
      g_string_append_c(name, (char) c);
      _advance(self);
    }
  if (c != '`')
    {
      g_string_free(name, TRUE);
      _fail(self, err, line, column, "unterminated backtick reference; expected a closing '`'");
      return NULL;
    }
  _advance(self);
  if (!_is_valid_name(name->str))
    {
      _fail(self, err, line, column, "invalid backtick reference `%.64s`; expected a name like `my_port`",
            name->str);
      g_string_free(name, TRUE);
      return NULL;
    }
  value = _lookup(self, name->str);
  if (!value)
    {
      _fail(self, err, line, column, "`%.64s` is not defined by @define nor in the environment", name->str);
      g_string_free(name, TRUE);
      return NULL;
    }
  if (strlen(value) > *self->budget)
    {
      _fail(self, err, line, column, "`%.64s`: backtick references expand to more than %u bytes in total",
            name->str, CONFIG_LEXER_EXPANSION_BUDGET);
      g_string_free(name, TRUE);
      return NULL;
    }
  *self->budget -= strlen(value);
  *name_out = g_string_free(name, FALSE);
  return value;
}

/* A reference between tokens: its value is read as more input. */
static int
_push_reference(struct config_lexer *self, struct lifeline_error *err)
{
  uint32_t line, column;
  char *name = NULL;
  const char *value;

  _location(self, &line, &column);
  value = _read_reference(self, &name, err);
  if (!value)
    return -1;
  if (self->depth == MAX_EXPANSION_DEPTH)
    {
      _fail(self, err, line, column, "`%s` expands into references nested deeper than %d levels",
            name, MAX_EXPANSION_DEPTH);
      g_free(name);
      return -1;
    }
  if (self->depth == 0)
    {
      self->ref_line = line;
      self->ref_column = column;
      self->line_has_token = TRUE;
    }
  self->depth++;
  self->inputs[self->depth].owned_text = g_strdup(value);
  self->inputs[self->depth].text = self->inputs[self->depth].owned_text;
  self->inputs[self->depth].len = strlen(value);
  self->inputs[self->depth].name = name;
  return 0;
}

static void
_skip_blanks_and_comments(struct config_lexer *self)
{
  int c;

  while ((c = _peek(self, 0)) >= 0)
    {
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
        _advance(self);
      else if (c == '#')
        {
          while ((c = _peek(self, 0)) >= 0 && c != '\n')
            _advance(self);
        }
      else
        break;
    }
}

static int
_read_escape(struct config_lexer *self, GString *out, struct lifeline_error *err)
{
  static const char escapes[] = "\\\\\"\"n\nt\tr\ra\ab\bf\fv\v";
  uint32_t line, column;
  char buf[40];
  int c;

  _location(self, &line, &column);
  _advance(self);
  c = _peek(self, 0);
  if (c == 'x')
    {
      int hi = _peek(self, 1), lo = _peek(self, 2);

      if (!_is_hex_digit(hi) || !_is_hex_digit(lo))
        return _fail(self, err, line, column, "invalid escape in string; \\x needs two hexadecimal digits");
      if (hi == '0' && lo == '0')
        return _fail(self, err, line, column, "invalid escape in string; \\x00 (NUL) is not allowed");
      g_string_append_c(out, (char) (_hex_value(hi) * 16 + _hex_value(lo)));
      _advance(self);
      _advance(self);
      _advance(self);
      return 0;
    }
  for (const char *e = escapes; c >= 0 && *e; e += 2)
    if (*e == c)
      {
        g_string_append_c(out, e[1]);
        _advance(self);
        return 0;
      }
  if (c > 0x20 && c < 0x7f)
    snprintf(buf, sizeof(buf), "'\\%c'", c);
  else
    snprintf(buf, sizeof(buf), "'\\' followed by byte 0x%02X", (unsigned) c);
  return _fail(self, err, line, column,
               "unknown escape %s in string; expected one of \\\\ \\\" \\n \\t \\r \\a \\b \\f \\v \\xHH", buf);
}

/* A reference inside a string pastes its value as text; `` is a backtick. */
static int
_paste_reference(struct config_lexer *self, GString *out, struct lifeline_error *err)
{
  char *name = NULL;
  const char *value;

  if (_peek(self, 1) == '`')
    {
      g_string_append_c(out, '`');
      _advance(self);
      _advance(self);
      return 0;
    }
  value = _read_reference(self, &name, err);
  if (!value)
    return -1;
  g_string_append(out, value);
  g_free(name);
  return 0;
}

/* Copies the bytes at the cursor up to the next one that needs a look (the
 * quote, an escape, a reference, a NUL or a newline) in one append: a long
 * string costs a scan, not a call per byte.  At least one byte. */
static void
_copy_plain_run(struct config_lexer *self, int quote, GString *out)
{
  struct lexer_input *in = &self->inputs[self->depth];
  size_t start = in->pos, end = start + 1;

  while (end < in->len && in->text[end] != quote && in->text[end] != '\\' && in->text[end] != '`'
         && in->text[end] != '\0' && in->text[end] != '\n')
    end++;
  g_string_append_len(out, in->text + start, (gssize) (end - start));
  in->pos = end;
  /* No newline in the run but perhaps its first byte: _advance() counts lines. */
  if (self->depth == 0 && in->text[start] == '\n')
    {
      self->line++;
      self->column = 1 + (uint32_t) (end - start - 1);
      self->line_has_token = FALSE;
    }
  else if (self->depth == 0)
    self->column += (uint32_t) (end - start);
}

static int
_lex_string(struct config_lexer *self, struct config_token *token, struct lifeline_error *err)
{
  int quote = _peek(self, 0);
  GString *text = g_string_new(NULL);
  int c;

  _advance(self);
  while ((c = _peek(self, 0)) != quote)
    {
      int rc = 0;

      if (c < 0 || (c == '\\' && quote == '"' && _peek(self, 1) < 0))
        rc = _fail(self, err, token->line, token->column, "unterminated string");
      else if (c == '\0')
        rc = _fail(self, err, token->line, token->column, "a NUL byte is not allowed in a string");
      else if (c == '\\' && quote == '"')
        rc = _read_escape(self, text, err);
      else if (c == '`')
        rc = _paste_reference(self, text, err);
      else
        _copy_plain_run(self, quote, text);
      if (rc < 0)
        {
          g_string_free(text, TRUE);
          return -1;
        }
    }
  _advance(self);
  token->kind = CONFIG_TOKEN_STRING;
  token->text = g_string_free(text, FALSE);
  return 0;
}

static int
_lex_number(struct config_lexer *self, struct config_token *token, struct lifeline_error *err)
{
  struct lexer_input *in = &self->inputs[self->depth];
  size_t start = in->pos;

  if (_peek(self, 0) == '-')
    _advance(self);
  if (_peek(self, 0) == '0' && (_peek(self, 1) == 'x' || _peek(self, 1) == 'X') && _is_hex_digit(_peek(self, 2)))
    {
      _advance(self);
      _advance(self);
      while (_is_hex_digit(_peek(self, 0)))
        _advance(self);
    }
  else
    {
      while (_is_digit(_peek(self, 0)))
        _advance(self);
      if (_peek(self, 0) == '.' && _is_digit(_peek(self, 1)))
        {
          _advance(self);
          while (_is_digit(_peek(self, 0)))
            _advance(self);
        }
      /* A unit suffix (64k, 1MiB) stays part of the number: readers judge it. */
      while (_is_word_start(_peek(self, 0)) && _peek(self, 0) != '_')
        _advance(self);
    }
  if (_is_word_char(_peek(self, 0)))
    {
      while (_is_word_char(_peek(self, 0)))
        _advance(self);
      return _fail(self, err, token->line, token->column,
                   "invalid number '%.*s'; quote addresses and other text that starts with a digit",
                   (int) MIN(in->pos - start, 64), in->text + start);
    }
  token->kind = CONFIG_TOKEN_NUMBER;
  token->text = g_strndup(in->text + start, in->pos - start);
  return 0;
}

static void
_lex_word(struct config_lexer *self, struct config_token *token)
{
  struct lexer_input *in = &self->inputs[self->depth];
  size_t start = in->pos;

  while (_is_word_char(_peek(self, 0)))
    _advance(self);
  token->kind = CONFIG_TOKEN_WORD;
  token->text = g_strndup(in->text + start, in->pos - start);
}

static int
_lex_pragma(struct config_lexer *self, struct config_token *token, gboolean starts_line,
            struct lifeline_error *err)
{
  if (self->depth > 0)
    return _fail(self, err, token->line, token->column, "a pragma cannot come from a backtick reference");
  if (!starts_line)
    return _fail(self, err, token->line, token->column, "a pragma must start a line");
  _advance(self);
  if (!_is_word_start(_peek(self, 0)))
    return _fail(self, err, token->line, token->column,
                 "expected a pragma name after '@', such as @version, @include or @define");
  _lex_word(self, token);
  token->kind = CONFIG_TOKEN_PRAGMA;
  return 0;
}

/* In enum order from CONFIG_TOKEN_LPAREN. */
static const char punctuation[] = "(){};,:";

static const char *const kind_names[] = {
  "end of file", "a string", "a number", "a word", "a pragma",
  "'('", "')'", "'{'", "'}'", "';'", "','", "':'",
};

int
config_lexer_next(struct config_lexer *self, struct config_token *token, struct lifeline_error *err)
{
  gboolean starts_line;
  char buf[16];
  int c;

  config_token_clear(token);
  for (;;)
    {
      _skip_blanks_and_comments(self);
      c = _peek(self, 0);
      if (c < 0 && self->depth > 0)
        _pop_input(self);
      else if (c == '`')
        {
          if (_push_reference(self, err) < 0)
            return -1;
        }
      else
        break;
    }
  _location(self, &token->line, &token->column);
  starts_line = !self->line_has_token;
  if (self->depth == 0)
    self->line_has_token = TRUE;
  if (c < 0)
    {
      token->kind = CONFIG_TOKEN_EOF;
      return 0;
    }
  if (c == '"' || c == '\'')
    return _lex_string(self, token, err);
  if (_is_digit(c) || (c == '-' && _is_digit(_peek(self, 1))))
    return _lex_number(self, token, err);
  if (_is_word_start(c))
    {
      _lex_word(self, token);
      return 0;
    }
  if (c == '@')
    return _lex_pragma(self, token, starts_line, err);
  if (c == 0 || !strchr(punctuation, c))
    return _fail(self, err, token->line, token->column, "unexpected character %s",
                 _describe_char(c, buf, sizeof(buf)));
  token->kind = CONFIG_TOKEN_LPAREN + (int) (strchr(punctuation, c) - punctuation);
  _advance(self);
  return 0;
}

const char *
config_token_kind_name(enum config_token_kind kind)
{
  if ((size_t) kind >= G_N_ELEMENTS(kind_names))
    return "?";
  return kind_names[kind];
}

const char *
config_token_describe(const struct config_token *token, char *buf, size_t size)
{
  switch (token->kind)
    {
    case CONFIG_TOKEN_STRING:
      if (strlen(token->text) > 40)
        snprintf(buf, size, "string \"%.37s...\"", token->text);
      else
        snprintf(buf, size, "string \"%s\"", token->text);
      break;
    case CONFIG_TOKEN_NUMBER:
    case CONFIG_TOKEN_WORD:
      snprintf(buf, size, "'%.64s'", token->text);
      break;
    case CONFIG_TOKEN_PRAGMA:
      snprintf(buf, size, "'@%.64s'", token->text);
      break;
    default:
      snprintf(buf, size, "%s", config_token_kind_name(token->kind));
      break;
    }
  return buf;
}
