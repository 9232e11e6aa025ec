#include "safe-file.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
safe_file_create(const char *path, mode_t mode, char *err, size_t err_size)
{
  /* Whatever stands there goes: a symlink is removed itself, so its target
   * is never touched.  If one is planted again before the open, O_EXCL
   * fails with EEXIST: refused, never followed. */
  if (unlink(path) < 0 && errno != ENOENT)
    {
      int e = errno;
      snprintf(err, err_size, "cannot remove the old %s: %s", path, g_strerror(e));
      errno = e;
      return -1;
    }
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0)
    {
      int e = errno;
      snprintf(err, err_size, "cannot create %s: %s", path, g_strerror(e));
      errno = e;
    }
  return fd;
}

static int
_write_all(int fd, const char *data, size_t len)
{
  while (len > 0)
    {
      ssize_t n = write(fd, data, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      data += n;
      len -= (size_t) n;
    }
  return 0;
}

static void
_fsync_dir(const char *path)
{
  gchar *dir = g_path_get_dirname(path);
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  g_free(dir);
  if (dfd >= 0)
    {
      fsync(dfd);
      close(dfd);
    }
}

int
safe_file_replace(const char *path, const void *data, size_t len, mode_t mode, char *err, size_t err_size)
{
  gchar *tmp = g_strconcat(path, ".tmp", NULL);
  int fd = safe_file_create(tmp, mode, err, err_size);
  if (fd < 0)
    {
      g_free(tmp);
      return -1;
    }
  const char *step = "write";
  int ok = _write_all(fd, data, len) == 0 && (step = "fsync", fsync(fd) == 0);
  int e = errno;
  if (close(fd) < 0 && ok)
    {
      ok = 0;
      step = "close";
      e = errno;
    }
  if (ok && rename(tmp, path) < 0)
    {
      ok = 0;
      step = "rename";
      e = errno;
    }
  if (!ok)
    {
      snprintf(err, err_size, "cannot %s %s: %s", step, strcmp(step, "rename") == 0 ? path : tmp, g_strerror(e));
      unlink(tmp);
      g_free(tmp);
      errno = e;
      return -1;
    }
  g_free(tmp);
  _fsync_dir(path);
  return 0;
}

int
safe_file_open_in_place(const char *path, mode_t mode, char *err, size_t err_size)
{
  int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0)
    {
      int e = errno;
      if (e == ELOOP)
        snprintf(err, err_size, "%s is a symbolic link; not following it", path);
      else
        snprintf(err, err_size, "cannot open %s: %s", path, g_strerror(e));
      errno = e;
      return -1;
    }
  struct stat st;
  const char *why = NULL;
  if (fstat(fd, &st) < 0)
    why = g_strerror(errno);
  else if (!S_ISREG(st.st_mode))
    why = "not a regular file";
  else if (st.st_nlink != 1)
    why = "it has other hard links";
  else if (st.st_uid != geteuid())
    why = "owned by another user";
  if (why)
    {
      snprintf(err, err_size, "%s: %s; not using it", path, why);
      close(fd);
      errno = EPERM;
      return -1;
    }
  return fd;
}
