/*
 * Newline framing for sources: bytes in, lines out, with a hard maximum line
 * length.  A line longer than the maximum is cut at the maximum, reported as
 * truncated, and the rest of it up to the next newline is skipped, so one
 * overlong line can never grow memory or block the lines after it.
 *
 * Peek/consume rather than "next": a source whose destination is full keeps
 * the current line in place and retries it after the wake-up.
 *
 * Pure, and allocation-free after line_splitter_new().
 */
#ifndef LIFELINE_LINE_SPLITTER_H
#define LIFELINE_LINE_SPLITTER_H

#include <stddef.h>
#include <stdint.h>

struct line_splitter;

/* max_line: the longest line passed on (log-msg-size); read_size: the most a
 * single read needs room for.  The buffer (max_line + read_size bytes) is
 * allocated here and nowhere else: NULL when memory is short or the sum
 * overflows, so the caller decides what a failure means (an error at start,
 * closing one input at run time).  Freed with line_splitter_free(). */
struct line_splitter *line_splitter_new(size_t max_line, size_t read_size);
void line_splitter_free(struct line_splitter *self);

/* Where the next read goes, and how much fits (always >= read_size once every
 * complete line was consumed). */
uint8_t *line_splitter_space(struct line_splitter *self, size_t *avail);
void line_splitter_commit(struct line_splitter *self, size_t n);

/* The current complete line without its '\n'; *line stays valid until the
 * next consume/commit/space call.  1 when there is one, 0 otherwise.  With
 * at_eof set, a final line without a newline is returned too, and the
 * skipped tail of a truncated line ends: bytes committed after an at_eof
 * peek start a new line (a file source starting over after a rotation). */
int line_splitter_peek(struct line_splitter *self, int at_eof, const uint8_t **line, size_t *len, int *truncated);
void line_splitter_consume(struct line_splitter *self);

uint64_t line_splitter_truncated(const struct line_splitter *self);

#endif
