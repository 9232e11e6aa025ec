#include "regular-file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <glib.h>
#include <sys/stat.h>
#include <unistd.h>

const char *
regular_file_describe_type(mode_t mode)
{
  if (S_ISDIR(mode))
    return "a directory";
  if (S_ISCHR(mode))
    return "a character device";
  if (S_ISBLK(mode))
    return "a block device";
  if (S_ISFIFO(mode))
    return "a FIFO";
  if (S_ISSOCK(mode))
    return "a socket";
  return "not a regular file";
}

/* Reads at most MAX bytes from FD into TEXT (g_free); 0, or an errno value,
 * or EFBIG when there is more. */
static int
_read_fd(int fd, size_t size_hint, size_t max, char **text, size_t *len)
{
  size_t cap = MIN(size_hint, max) + 1, used = 0;
  char *buf = g_malloc(cap + 1);
  ssize_t n;

  /* One byte past MAX is asked for: a file that grew since fstat() shows. */
  while ((n = read(fd, buf + used, cap - used)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 || used + (size_t) n > max)
        {
          int saved = n < 0 ? errno : EFBIG;
          g_free(buf);
          return saved;
        }
      used += (size_t) n;
      if (used == cap)
        {
          cap = MIN(cap * 2, max + 1);
          buf = g_realloc(buf, cap + 1);
        }
    }
  buf[used] = '\0';
  *text = buf;
  *len = used;
  return 0;
}

int
regular_file_read(const char *path, int extra_flags, size_t max, char **text, size_t *len, mode_t *mode)
{
  struct stat st;
  int rc;
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | extra_flags);

  if (fd < 0)
    return errno;
  if (fstat(fd, &st) < 0)
    rc = errno;
  else if (!S_ISREG(st.st_mode))
    {
      *mode = st.st_mode;
      rc = REGULAR_FILE_NOT_REGULAR;
    }
  else if ((uint64_t) st.st_size > max)
    rc = EFBIG;
  else
    rc = _read_fd(fd, (size_t) st.st_size, max, text, len);
  close(fd);
  return rc;
}
