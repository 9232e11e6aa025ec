/*
 * The stdin() source: newline-framed lines from standard input, whether it is
 * a pipe, a terminal, or a regular file redirected with '<'.  ivykis aborts on
 * iv_fd_register() of a regular file (epoll refuses it), so files are read
 * with an iv_task instead; every wake-up reads at most one turn, then yields.  End of input ends the source (and starts the stop
 * sequence).  Offering lines and flow control: line-source.h.
 */
#ifndef LIFELINE_STDIN_SOURCE_H
#define LIFELINE_STDIN_SOURCE_H

#include "line-source.h"

#include <stddef.h>

/* NAME is copied.  Reads FD (not closed by the source).  When the line
 * buffer cannot be allocated, the source is still made and its start fails
 * with an error. */
struct line_source *stdin_source_new(const char *name, int fd, size_t max_line);
/* The same, but a line buffer that cannot be allocated is reported now:
 * NULL with ERR located at DRIVER's log-msg-size() (or DRIVER). */
struct line_source *stdin_source_new_checked(const char *name, int fd, size_t max_line,
                                             const struct lifeline_option *driver, struct lifeline_error *err);

#endif
