/*
 * The configuration tokenizer: turns one file's text into tokens, resolving
 * string escapes and backtick references (`name`) on the way, so the parser
 * only sees strings, numbers, words, pragmas and punctuation.
 *
 * A backtick reference between tokens is replaced by the tokens of its value
 * (a @define, else an environment variable), all located at the reference.
 * Inside a quoted string the value is pasted as text, and `` is a literal
 * backtick.  A token never spans a reference: `a`b is two tokens.
 */
#ifndef LIFELINE_CONFIG_LEXER_H
#define LIFELINE_CONFIG_LEXER_H

#include <glib.h>
#include <lifeline/plugin.h>
#include <stddef.h>
#include <stdint.h>

enum config_token_kind
{
  CONFIG_TOKEN_EOF = 0,
  CONFIG_TOKEN_STRING,    /* "..." or '...', unescaped */
  CONFIG_TOKEN_NUMBER,    /* 514, -1, 0.5, 0x1f, 64k: text as written */
  CONFIG_TOKEN_WORD,      /* [A-Za-z_][A-Za-z0-9_.-]* */
  CONFIG_TOKEN_PRAGMA,    /* @version: text is the word after '@' */
  CONFIG_TOKEN_LPAREN,
  CONFIG_TOKEN_RPAREN,
  CONFIG_TOKEN_LBRACE,
  CONFIG_TOKEN_RBRACE,
  CONFIG_TOKEN_SEMICOLON,
  CONFIG_TOKEN_COMMA,
  CONFIG_TOKEN_COLON,
};

struct config_token
{
  enum config_token_kind kind;
  char *text;       /* owned by the token; NULL for punctuation and EOF */
  uint32_t line;    /* 1-based, of the first byte (or of the backtick reference) */
  uint32_t column;  /* 1-based, in bytes */
};

struct config_lexer;

/* TEXT (LEN bytes, borrowed, must outlive the lexer) is the content of FILE
 * (borrowed, used in error locations).  DEFINES maps names to values for
 * backtick references; borrowed, may be NULL, and may grow while lexing
 * (a @define applies from the next token on). */
struct config_lexer *config_lexer_new(const char *text, size_t len, const char *file, GHashTable *defines);
void config_lexer_free(struct config_lexer *self);

/* Backtick references may produce at most this many bytes in one parse: a
 * few lines of @define that each double the previous one would otherwise
 * exhaust memory. */
#define CONFIG_LEXER_EXPANSION_BUDGET (16u * 1024 * 1024)

/* Makes the lexer draw on REMAINING (borrowed), a budget shared by every
 * lexer of one parse (the main file and its includes).  Without it each
 * lexer has its own CONFIG_LEXER_EXPANSION_BUDGET. */
void config_lexer_share_budget(struct config_lexer *self, size_t *remaining);

/* Reads the next token into TOKEN (which the caller clears with
 * config_token_clear).  Returns 0, or -1 with ERR filled (its option is ""):
 * the caller stops there (the lexer's position is then unspecified). */
int config_lexer_next(struct config_lexer *self, struct config_token *token, struct lifeline_error *err);

/* Releases the token's text; a cleared token is EOF. */
void config_token_clear(struct config_token *token);

/* Moves SRC into DST (clearing DST first); SRC becomes a cleared token. */
void config_token_move(struct config_token *dst, struct config_token *src);

/* Describes TOKEN for an error message: "';'", "'port'", "string \"abc\"",
 * "end of file".  Writes into BUF and returns it. */
const char *config_token_describe(const struct config_token *token, char *buf, size_t size);

/* "'('" for a kind, as used in "expected '(' ..." messages. */
const char *config_token_kind_name(enum config_token_kind kind);

#endif
