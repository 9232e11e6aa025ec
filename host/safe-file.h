/*
 * Every file lifeline creates goes through here, so that a file planted at
 * one of its paths (a symlink, a hard link, another user's file) is never
 * followed, truncated or written: lifeline often runs as root and writes
 * into directories other users may write to (a pid file in /tmp, a persist
 * file in a shared state directory).
 *
 * The rule: never open an existing path for writing.  A new file is created
 * with O_CREAT|O_EXCL|O_NOFOLLOW after removing whatever stood at its path
 * (unlink removes a symlink itself, never its target); a file that must stay
 * in place (the pid file: its lock lives on its inode) is opened with
 * O_NOFOLLOW and used only if it is a regular file with one link, owned by
 * lifeline's own uid.
 */
#ifndef LIFELINE_HOST_SAFE_FILE_H
#define LIFELINE_HOST_SAFE_FILE_H

#include <stddef.h>
#include <sys/types.h>

/* Creates PATH anew with MODE (and the umask), open for writing: what stood
 * at PATH is unlinked first (a stale temporary file, or a planted symlink),
 * then the file is created exclusively.  Returns the fd (the caller closes
 * it), or -1 with errno set and a sentence naming PATH in ERR. */
int safe_file_create(const char *path, mode_t mode, char *err, size_t err_size);

/* Replaces PATH with DATA (LEN bytes, MODE) so that a reader or a crash sees
 * the old file or the new one, whole: PATH.tmp is created as above, written,
 * fsynced and renamed over PATH (rename replaces a symlink at PATH itself),
 * then the directory is fsynced.  0, or -1 with errno set, PATH.tmp removed
 * and a sentence in ERR. */
int safe_file_replace(const char *path, const void *data, size_t len, mode_t mode, char *err, size_t err_size);

/* Opens PATH for reading and writing, creating it with MODE if missing, for
 * a file that must keep its inode (a lock file).  An existing PATH is
 * refused unless it is a regular file with one link owned by the effective
 * uid.  Returns the fd (the caller closes it), or -1 with errno set and a
 * sentence in ERR. */
int safe_file_open_in_place(const char *path, mode_t mode, char *err, size_t err_size);

#endif
