/*
 * Reading a whole file that someone else may have put in lifeline's way: a
 * FIFO (reading would block the event loop), a device (/dev/zero never
 * ends), a directory, a file that grows while it is read.  The file is
 * opened without blocking, checked with fstat() on the opened fd (so it
 * cannot be swapped between the check and the read), and read through that
 * fd up to a cap.
 *
 * Ownership: the text returned is the caller's, to g_free(); PATH is
 * borrowed.
 */
#ifndef LIFELINE_REGULAR_FILE_H
#define LIFELINE_REGULAR_FILE_H

#include <stddef.h>
#include <sys/types.h>

/* Returned when PATH is not a regular file (its type in *MODE). */
#define REGULAR_FILE_NOT_REGULAR (-1)

/* Reads PATH (opened with O_RDONLY|O_NONBLOCK|O_NOCTTY|O_CLOEXEC plus
 * EXTRA_FLAGS, e.g. O_NOFOLLOW) when it is a regular file of at most MAX
 * bytes.  0 with *TEXT (NUL-terminated) and *LEN; REGULAR_FILE_NOT_REGULAR
 * with *MODE; EFBIG when it holds more than MAX bytes; or the errno of
 * open() or read(). */
int regular_file_read(const char *path, int extra_flags, size_t max, char **text, size_t *len, mode_t *mode);

/* "a directory", "a FIFO", "a character device", ... for an error sentence. */
const char *regular_file_describe_type(mode_t mode);

#endif
