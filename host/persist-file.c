#include "persist-file.h"

#include "core/regular-file.h"
#include "logger.h"
#include "loop-timer.h"
#include "safe-file.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <iv.h>
#include <lifeline/plugin.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* A position per file() source: kilobytes in practice.  The cap keeps a
 * planted huge file from being read whole at start. */
#define PERSIST_FILE_MAX_BYTES (16u * 1024 * 1024)

struct persist_record
{
  char *source, *path;
  struct line_position pos;
  int live; /* claimed by a source of this run: written */
};

struct persist_client
{
  char *source, *path;
  persist_file_report_fn fn;
  void *ctx;
};

struct persist_file
{
  char *path, *tmp_path;
  GPtrArray *records; /* struct persist_record * */
  GArray *clients; /* struct persist_client */
  int dirty; /* a live record changed since the last write */
  struct iv_timer timer;
};

static void
_record_free(gpointer p)
{
  struct persist_record *r = p;
  g_free(r->source);
  g_free(r->path);
  g_free(r);
}

static struct persist_record *
_find(struct persist_file *self, const char *source, const char *path)
{
  for (guint i = 0; i < self->records->len; i++)
    {
      struct persist_record *r = g_ptr_array_index(self->records, i);
      if (strcmp(r->source, source) == 0 && strcmp(r->path, path) == 0)
        return r;
    }
  return NULL;
}

static struct persist_record *
_add(struct persist_file *self, const char *source, const char *path, const struct line_position *pos)
{
  struct persist_record *r = g_new0(struct persist_record, 1);
  r->source = g_strdup(source);
  r->path = g_strdup(path);
  r->pos = *pos;
  g_ptr_array_add(self->records, r);
  return r;
}

static void
_client_clear(gpointer p)
{
  struct persist_client *c = p;
  g_free(c->source);
  g_free(c->path);
}

static void _tick(void *cookie);

struct persist_file *
persist_file_new(const char *path)
{
  struct persist_file *self = g_new0(struct persist_file, 1);
  self->path = g_strdup(path);
  self->tmp_path = path ? g_strconcat(path, ".tmp", NULL) : NULL;
  self->records = g_ptr_array_new_with_free_func(_record_free);
  self->clients = g_array_new(FALSE, FALSE, sizeof(struct persist_client));
  g_array_set_clear_func(self->clients, _client_clear);
  IV_TIMER_INIT(&self->timer);
  self->timer.cookie = self;
  self->timer.handler = _tick;
  return self;
}

void
persist_file_free(struct persist_file *self)
{
  if (!self)
    return;
  if (iv_timer_registered(&self->timer))
    iv_timer_unregister(&self->timer);
  g_ptr_array_free(self->records, TRUE);
  g_array_free(self->clients, TRUE);
  g_free(self->tmp_path);
  g_free(self->path);
  g_free(self);
}

const char *
persist_file_path(const struct persist_file *self)
{
  return self->path;
}

/* [file-N] groups of source=, path=, device=, inode=, offset=. */
static int
_parse(struct persist_file *self, GKeyFile *kf, char *err, size_t err_size)
{
  gsize n;
  gchar **groups = g_key_file_get_groups(kf, &n);
  int rc = 0;

  for (gsize i = 0; i < n && rc == 0; i++)
    {
      GError *gerr = NULL;
      struct line_position pos;
      gchar *source = g_key_file_get_string(kf, groups[i], "source", &gerr);
      gchar *path = gerr ? NULL : g_key_file_get_string(kf, groups[i], "path", &gerr);
      pos.dev = gerr ? 0 : g_key_file_get_uint64(kf, groups[i], "device", &gerr);
      pos.ino = gerr ? 0 : g_key_file_get_uint64(kf, groups[i], "inode", &gerr);
      pos.offset = gerr ? 0 : g_key_file_get_uint64(kf, groups[i], "offset", &gerr);
      if (gerr)
        {
          snprintf(err, err_size, "%s: [%s]: %s", self->path, groups[i], gerr->message);
          g_error_free(gerr);
          rc = -1;
        }
      else if (!_find(self, source, path))
        _add(self, source, path, &pos);
      g_free(source);
      g_free(path);
    }
  g_strfreev(groups);
  return rc;
}

int
persist_file_load(struct persist_file *self, char *err, size_t err_size)
{
  GError *gerr = NULL;

  if (!self->path)
    return 0;
  char *text = NULL;
  size_t len = 0;
  mode_t mode = 0;
  /* Not followed if it is a symlink, and never a FIFO or a device: whoever
   * can write the state directory must not be able to make lifeline read
   * another file or block at start. */
  int rc = regular_file_read(self->path, O_NOFOLLOW, PERSIST_FILE_MAX_BYTES, &text, &len, &mode);
  if (rc == ENOENT)
    return 0;
  if (rc != 0)
    {
      snprintf(err, err_size, "cannot read the persist file %s: %s", self->path,
               rc == REGULAR_FILE_NOT_REGULAR ? regular_file_describe_type(mode)
               : rc == ELOOP              ? "it is a symbolic link"
                                          : g_strerror(rc));
      return -1;
    }
  GKeyFile *kf = g_key_file_new();
  if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &gerr))
    {
      snprintf(err, err_size, "cannot read the persist file %s: %s", self->path, gerr->message);
      g_error_free(gerr);
      rc = -1;
    }
  else
    rc = _parse(self, kf, err, err_size);
  g_key_file_free(kf);
  g_free(text);
  return rc;
}

int
persist_file_check(struct persist_file *self, char *err, size_t err_size)
{
  if (!self->path)
    return 0;
  char why[512];
  int fd = safe_file_create(self->tmp_path, 0600, why, sizeof(why));
  if (fd < 0)
    {
      snprintf(err, err_size, "cannot write next to the persist file: %s", why);
      return -1;
    }
  close(fd);
  unlink(self->tmp_path);
  return 0;
}

int
persist_file_lookup(struct persist_file *self, const char *source, const char *path, struct line_position *out)
{
  struct persist_record *r = _find(self, source, path);
  if (!r)
    return 0;
  if (!r->live)
    self->dirty = 1; /* claimed: its record stays in the file */
  r->live = 1;
  *out = r->pos;
  return 1;
}

void
persist_file_put(struct persist_file *self, const char *source, const char *path, const struct line_position *pos)
{
  struct persist_record *r = _find(self, source, path);
  if (!r)
    r = _add(self, source, path, pos);
  else if (r->live && memcmp(&r->pos, pos, sizeof(*pos)) == 0)
    return;
  r->pos = *pos;
  r->live = 1;
  self->dirty = 1;
}

void
persist_file_add_client(struct persist_file *self, const char *source, const char *path, persist_file_report_fn fn,
                        void *ctx)
{
  /* A reload that changed the source: the new one reports from now on. */
  for (guint i = self->clients->len; i-- > 0;)
    {
      struct persist_client *c = &g_array_index(self->clients, struct persist_client, i);
      if (strcmp(c->source, source) == 0 && strcmp(c->path, path) == 0)
        g_array_remove_index(self->clients, i);
    }
  struct persist_client c = { g_strdup(source), g_strdup(path), fn, ctx };
  g_array_append_val(self->clients, c);
}

void
persist_file_remove_client(struct persist_file *self, void *ctx)
{
  for (guint i = 0; i < self->clients->len; i++)
    if (g_array_index(self->clients, struct persist_client, i).ctx == ctx)
      {
        g_array_remove_index(self->clients, i);
        return;
      }
}

static void
_write(struct persist_file *self)
{
  GKeyFile *kf = g_key_file_new();
  guint n = 0;

  for (guint i = 0; i < self->records->len; i++)
    {
      struct persist_record *r = g_ptr_array_index(self->records, i);
      if (!r->live)
        continue;
      char group[32];
      snprintf(group, sizeof(group), "file-%u", ++n);
      g_key_file_set_string(kf, group, "source", r->source);
      g_key_file_set_string(kf, group, "path", r->path);
      g_key_file_set_uint64(kf, group, "device", r->pos.dev);
      g_key_file_set_uint64(kf, group, "inode", r->pos.ino);
      g_key_file_set_uint64(kf, group, "offset", r->pos.offset);
    }
  gsize len;
  gchar *text = g_key_file_to_data(kf, &len, NULL);
  g_key_file_free(kf);
  /* Temporary file, fsync, rename: after a crash the file is the old one
   * or the new one, whole; a symlink planted at PATH.tmp is never followed. */
  char why[512];
  if (safe_file_replace(self->path, text, len, 0600, why, sizeof(why)) < 0)
    logger_log(LIFELINE_LOG_ERROR, "Cannot write the persist file; retrying", "file", self->path, "error", why,
               NULL);
  else
    self->dirty = 0;
  g_free(text);
}

/* Asks every client; 1 while one still waits for fates. */
static int
_collect(struct persist_file *self)
{
  int waiting = 0;
  for (guint i = 0; i < self->clients->len; i++)
    {
      struct persist_client *c = &g_array_index(self->clients, struct persist_client, i);
      waiting |= c->fn(c->ctx, self);
    }
  return waiting;
}

static void
_arm(struct persist_file *self)
{
  loop_timer_arm_in(&self->timer, PERSIST_FILE_INTERVAL_MS);
}

static void
_tick(void *cookie)
{
  struct persist_file *self = cookie;
  int waiting = _collect(self);
  if (self->dirty && self->path)
    _write(self);
  /* A failed write is retried at the next interval too. */
  if (waiting || (self->dirty && self->path))
    _arm(self);
}

void
persist_file_kick(struct persist_file *self)
{
  if (!iv_timer_registered(&self->timer))
    _arm(self);
}

void
persist_file_flush(struct persist_file *self)
{
  if (iv_timer_registered(&self->timer))
    iv_timer_unregister(&self->timer);
  _collect(self);
  if (self->dirty && self->path)
    _write(self);
}
