/*
 * The stdin() source: newline-framed lines from standard input, whether it is
 * a pipe, a terminal, or a regular file redirected with '<'.  ivykis aborts on
 * iv_fd_register() of a regular file (../shared/FACTS.md), so files are read
 * with an iv_task instead.
 *
 * Flow control: a line goes to every target destination; when one says FULL
 * the source stops reading (the writer's pipe fills up) until that
 * destination's wakeup.  A line is consumed only once every target took it.
 */
#ifndef LIFELINE_STDIN_SOURCE_H
#define LIFELINE_STDIN_SOURCE_H

#include "destination.h"

#include <stddef.h>
#include <stdint.h>

struct stdin_source;

struct stdin_source_counts
{
  uint64_t lines, truncated;
  uint64_t unaccepted; /* lines read but not taken by every target when the source stopped */
};

/* NAME is copied.  Reads FD (not closed by the source). */
struct stdin_source *stdin_source_new(const char *name, int fd, size_t max_line);
void stdin_source_free(struct stdin_source *self);
const char *stdin_source_name(const struct stdin_source *self);

/* Targets are borrowed and must outlive the source. */
void stdin_source_add_target(struct stdin_source *self, struct host_destination *target);

/* Starts reading; DONE(CTX) runs once end of input was reached and every line
 * was accepted by every target. */
void stdin_source_start(struct stdin_source *self, host_destination_fn done, void *ctx);
/* Stops reading now (a signal); nothing more is pushed. */
void stdin_source_stop(struct stdin_source *self);

void stdin_source_counts(const struct stdin_source *self, struct stdin_source_counts *out);

#endif
