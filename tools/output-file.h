/*
 * The collector's --output copy: every message followed by '\n', in a 1 MiB
 * buffer so the fast path makes no system call per message.  A write error
 * disables the copy with one warning and leaves output_file_failed() true;
 * the collector then exits 1.
 *
 * The caller embeds the struct; output_file_close() flushes, closes and
 * frees the buffer.  A struct opened with PATH NULL is a copy that drops
 * everything.
 */
#ifndef LIFELINE_TOOLS_OUTPUT_FILE_H
#define LIFELINE_TOOLS_OUTPUT_FILE_H

#include <stdbool.h>
#include <stddef.h>

struct output_file
{
  const char *path;           /* not owned */
  int fd;                     /* -1: disabled, or failed */
  char *buf;                  /* owned */
  size_t len;                 /* bytes buffered, not yet written */
  bool failed;
};

/* Creates or truncates PATH (NULL: no copy).  Does not return when it cannot. */
void output_file_open(struct output_file *self, const char *path);

/* Copies MSG (LEN bytes, valid during the call only) and a '\n'. */
void output_file_append(struct output_file *self, const char *msg, size_t len);

void output_file_flush(struct output_file *self);

/* Flushes and closes; false (also reported) when anything was lost. */
bool output_file_close(struct output_file *self);

#endif
