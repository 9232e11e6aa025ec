/*
 * The stdin() source: newline-framed lines from standard input, whether it is
 * a pipe, a terminal, or a regular file redirected with '<'.  ivykis aborts on
 * iv_fd_register() of a regular file (../shared/FACTS.md), so files are read
 * with an iv_task instead.  End of input ends the source (and starts the stop
 * sequence).  Offering lines and flow control: line-source.h.
 */
#ifndef LIFELINE_STDIN_SOURCE_H
#define LIFELINE_STDIN_SOURCE_H

#include "line-source.h"

#include <stddef.h>

/* NAME is copied.  Reads FD (not closed by the source). */
struct line_source *stdin_source_new(const char *name, int fd, size_t max_line);

#endif
