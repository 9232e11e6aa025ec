/*
 * The file("PATH" follow-freq(1)) source: reads PATH from its start to its
 * end, then follows what is appended, polling every follow-freq() seconds
 * with an iv_timer.  Regular files are never registered with iv_fd (epoll
 * refuses them and ivykis aborts): every read happens in a timer or task, and
 * one wake-up does a bounded amount of work before it yields to the loop.
 *
 * Rotation, checked each time the end of the file is reached:
 *  - rename: PATH names another inode.  The old file is read to its end once
 *    more (the writer may have written after the rename), its last line
 *    without '\n' is forwarded, then the new file is opened from its start.
 *    While PATH is missing, the old file keeps being followed.
 *  - truncation: the file is smaller than the read position.  A last line
 *    without '\n' is forwarded, and reading restarts at offset 0.
 * A file missing at start (or after a rename) is retried every
 * follow-freq(); "missing" is logged once.
 *
 * PATH must be a regular file or a FIFO: when it exists at configuration
 * time as anything else (a directory, a device), file_source_new fails with a
 * located error.  When it becomes one later, or a read of the open file
 * fails, the problem is logged once per episode and the open (or the read,
 * at the same position) is retried every follow-freq(); reading resumes,
 * with a notice, once it works again.
 *
 * With a persist file, the source reports the position just past the last
 * line every target delivered, and its first open continues at the stored
 * position when PATH still names that file (same device and inode, at least
 * that long).
 */
#ifndef LIFELINE_FILE_SOURCE_H
#define LIFELINE_FILE_SOURCE_H

#include "line-source.h"
#include "persist-file.h"

#include <stddef.h>

#define FILE_SOURCE_DEFAULT_FOLLOW_FREQ_MS 1000

/* Validates DRIVER (file("PATH" follow-freq() log-msg-size())) and
 * allocates the line buffer; NULL with ERR located (an invalid option, a
 * PATH that exists but is not a regular file or FIFO, or no memory for
 * log-msg-size()).  log-msg-size() is read by the runtime (MAX_LINE).  PERSIST
 * (NULL: none) is borrowed and must outlive the source. */
struct line_source *file_source_new(const char *name, const struct lifeline_option *driver, size_t max_line,
                                    struct persist_file *persist, struct lifeline_error *err);

#endif
