/*
 * Escaping for lifeline's own log lines, so that one event is always one
 * line and a parser can split it without guessing:
 *
 *   2026-11-22T02:55:01.123Z error: Cannot open file; source=s file="/tmp/a\nb" error="No such file"
 *
 * The rule (written out for operators in docs/operations.md, "Log format"):
 *  - A value is written as is when it is not empty and holds only printable
 *    ASCII other than space, '"', '=' and '\', or valid UTF-8 above U+009F.
 *  - Any other value is written between double quotes, with '"' as \", '\'
 *    as \\, LF as \n, CR as \r, TAB as \t, and every other control byte
 *    (0x00-0x1F, 0x7F), C1 control (U+0080-U+009F, written as its two UTF-8
 *    bytes) and byte that is not part of valid UTF-8 as \xHH (two upper-case
 *    hex digits).  Spaces and '=' stay as they are inside the quotes.
 *  - The message gets the same escapes except for quoting: '"' stays as is,
 *    and '=' is written as \x3D, so the first '=' of a line is always in the
 *    first tag and the tags start after the last "; " before it.
 *  - A key keeps [A-Za-z0-9_.-]; any other byte becomes '_'.
 * So an escaped line never holds a control byte or invalid UTF-8, and a
 * backslash in it always starts an escape.
 *
 * Pure functions: no allocation, no I/O.  Each writes into OUT (SIZE bytes,
 * always NUL-terminated when SIZE > 0) and returns the number of bytes
 * written before the NUL.  When the whole escaped text does not fit, it
 * writes the longest prefix that ends between two escapes (never half of
 * "\xHH" or of a UTF-8 sequence), closes the quotes of a quoted value, and
 * sets *truncated to 1 (otherwise *truncated is left alone).  A quoted value
 * that cannot fit even its two quotes writes nothing.
 */
#ifndef LIFELINE_LOG_ESCAPE_H
#define LIFELINE_LOG_ESCAPE_H

#include <stddef.h>

/* 1 when VALUE must be quoted (and escaped) by the rule above. */
int log_escape_needs_quotes(const char *value);

/* VALUE (NUL-terminated, borrowed) as a tag value. */
size_t log_escape_value(char *out, size_t size, const char *value, int *truncated);

/* TEXT (NUL-terminated, borrowed) as the message of a line. */
size_t log_escape_message(char *out, size_t size, const char *text, int *truncated);

/* KEY (NUL-terminated, borrowed) as a tag key; an empty key becomes "_". */
size_t log_escape_key(char *out, size_t size, const char *key, int *truncated);

#endif
