#include "config-include.h"

#include "located-error.h"
#include "regular-file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glob.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* An error located at the @include's file name. */
static int __attribute__((format(printf, 2, 3)))
_error(const struct config_include_site *site, const char *fmt, ...)
{
  va_list ap;
  char message[512];

  va_start(ap, fmt);
  vsnprintf(message, sizeof(message), fmt, ap);
  va_end(ap);
  located_error_set(site->err, site->file, site->line, site->column, site->context, "%s", message);
  return -1;
}

/* The checks are made on the opened fd, so the file cannot change between
 * them and the read; opened without blocking, so a FIFO named here (or a
 * device) cannot stall a reload on the event loop. */
int
config_include_read_file(struct config_include_load *load, const char *path, const char *shown, char **text,
                         size_t *len, char *why, size_t why_size)
{
  mode_t mode = 0;

  if (load->files_read >= CONFIG_MAX_FILES)
    {
      snprintf(why, why_size, "\"%.200s\" would be file number %u; one configuration load reads at most %u files",
               shown, load->files_read + 1, CONFIG_MAX_FILES);
      return -1;
    }
  int rc = regular_file_read(path, 0, CONFIG_MAX_TOTAL_BYTES - load->bytes_read, text, len, &mode);
  if (rc == REGULAR_FILE_NOT_REGULAR)
    snprintf(why, why_size, "cannot read \"%.200s\": it is %s, not a regular file", shown,
             regular_file_describe_type(mode));
  else if (rc == EFBIG)
    snprintf(why, why_size,
             "cannot read \"%.200s\": it would bring the configuration past %u bytes, the most one load reads",
             shown, CONFIG_MAX_TOTAL_BYTES);
  else if (rc == ENOENT || rc == EACCES || rc == ELOOP || rc == ENOTDIR)
    snprintf(why, why_size, "cannot open \"%.200s\": %s", shown, g_strerror(rc));
  else if (rc != 0)
    snprintf(why, why_size, "cannot read \"%.200s\": %s", shown, g_strerror(rc));
  if (rc != 0)
    return -1;
  load->files_read++;
  load->bytes_read += *len;
  return 0;
}

static int
_include_file(struct config_include_load *load, const struct config_include_site *site, const char *path,
              const char *shown)
{
  char *text = NULL;
  size_t len = 0;
  char why[400];
  int rc;

  if (site->depth + 1 > CONFIG_MAX_INCLUDE_DEPTH)
    return _error(site, "@include: \"%.200s\" would be nested deeper than %d levels; does it include itself?", shown,
                  CONFIG_MAX_INCLUDE_DEPTH);
  if (config_include_read_file(load, path, shown, &text, &len, why, sizeof(why)) < 0)
    return _error(site, "@include: %s", why);
  rc = load->parse(load->cookie, text, len, path, site->depth + 1);
  g_free(text);
  return rc;
}

static gboolean
_is_skipped_in_directory(const char *name)
{
  size_t len = strlen(name);

  return name[0] == '.' || (len > 0 && name[len - 1] == '~');
}

static int
_compare_strings(gconstpointer a, gconstpointer b)
{
  return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Sorted, and only regular files: a subdirectory or a socket is skipped. */
static int
_include_paths(struct config_include_load *load, const struct config_include_site *site, GPtrArray *paths)
{
  struct stat st;

  g_ptr_array_sort(paths, _compare_strings);
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index(paths, i);

      if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && _include_file(load, site, path, path) < 0)
        return -1;
    }
  return 0;
}

/* Every regular file in the directory, in name order. */
static int
_include_directory(struct config_include_load *load, const struct config_include_site *site, const char *path,
                   const char *shown)
{
  GPtrArray *paths;
  struct dirent *entry;
  DIR *dir = opendir(path);
  int rc;

  if (!dir)
    return _error(site, "@include: cannot open \"%.200s\": %s", shown, g_strerror(errno));
  paths = g_ptr_array_new_with_free_func(g_free);
  /* Not one entry more than a load could read: a huge directory is refused
   * before it fills memory. */
  while ((entry = readdir(dir)) && paths->len <= CONFIG_MAX_FILES)
    if (!_is_skipped_in_directory(entry->d_name))
      g_ptr_array_add(paths, g_build_filename(path, entry->d_name, NULL));
  closedir(dir);
  if (paths->len > CONFIG_MAX_FILES)
    rc = _error(site, "@include: \"%.200s\" holds more than %u entries; one configuration load reads at most %u files",
                shown, CONFIG_MAX_FILES, CONFIG_MAX_FILES);
  else
    rc = _include_paths(load, site, paths);
  g_ptr_array_unref(paths);
  return rc;
}

static int
_include_glob(struct config_include_load *load, const struct config_include_site *site, const char *pattern)
{
  GPtrArray *paths;
  glob_t g;
  int rc = glob(pattern, 0, NULL, &g);

  if (rc == GLOB_NOMATCH)
    return 0;
  if (rc != 0)
    return _error(site, "@include: cannot expand \"%.200s\": %s", pattern,
                  rc == GLOB_NOSPACE ? "out of memory" : "read error");
  if (g.gl_pathc > CONFIG_MAX_FILES)
    {
      globfree(&g);
      return _error(site,
                    "@include: \"%.200s\" matches more than %u paths; one configuration load reads at most %u files",
                    pattern, CONFIG_MAX_FILES, CONFIG_MAX_FILES);
    }
  paths = g_ptr_array_new_with_free_func(g_free);
  for (size_t i = 0; i < g.gl_pathc; i++)
    g_ptr_array_add(paths, g_strdup(g.gl_pathv[i]));
  globfree(&g);
  rc = _include_paths(load, site, paths);
  g_ptr_array_unref(paths);
  return rc;
}

int
config_include_resolve(struct config_include_load *load, const struct config_include_site *site,
                       const char *written)
{
  char *path;
  struct stat st;
  int rc;

  path = (g_path_is_absolute(written) || !site->dir) ? g_strdup(written)
                                                      : g_build_filename(site->dir, written, NULL);
  if (strpbrk(written, "*?["))
    rc = _include_glob(load, site, path);
  else if (stat(path, &st) < 0)
    rc = _error(site, "@include: cannot open \"%.200s\": %s", written, g_strerror(errno));
  else if (S_ISDIR(st.st_mode))
    rc = _include_directory(load, site, path, written);
  else if (!S_ISREG(st.st_mode))
    rc = _error(site, "@include: \"%.200s\" is neither a regular file nor a directory", written);
  else
    rc = _include_file(load, site, path, written);
  g_free(path);
  return rc;
}
