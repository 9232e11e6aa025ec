#include "runtime.h"

#include "core/located-error.h"
#include "core/option-reader.h"
#include "destination.h"
#include "file-source.h"
#include "line-source.h"
#include "log-path.h"
#include "logger.h"
#include "option-text.h"
#include "stdin-source.h"
#include "stream-source.h"

#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct runtime
{
  int64_t log_msg_size;
  int64_t stop_timeout_ms;
  struct persist_file *persist; /* borrowed; NULL: file() positions not kept */
  GPtrArray *sources; /* struct line_source * */
  const char *stdin_reader; /* the source reading stdin, if any */
  GPtrArray *destinations; /* struct host_destination * */
  GHashTable *dest_by_name; /* name -> GPtrArray of host_destination (one per driver) */
  GHashTable *source_by_name; /* name -> line_source */
  /* name -> option_text of the statement (sources: and their line size), to
   * tell at a reload what did not change */
  GHashTable *dest_text, *source_text;
  guint sources_running;
  guint destinations_running;
  int stopping;
  int retired; /* replaced by a reload (runtime_retire) */
  void (*finished)(void *ctx);
  void *finished_ctx;
};

static const char *const runtime_global_options[] = { "log-msg-size", "stop-timeout", NULL };

static int
_parse_options(struct runtime *self, const struct lifeline_option *stmt, struct lifeline_error *err)
{
  if (option_check_children(stmt, runtime_global_options, err) < 0)
    return -1;
  if (option_get_size(stmt, "log-msg-size", self->log_msg_size, 16, 64 * 1024 * 1024, &self->log_msg_size, err) < 0)
    return -1;
  return option_get_duration_ms(stmt, "stop-timeout", self->stop_timeout_ms, 0, 24 * 3600 * 1000,
                                &self->stop_timeout_ms, err);
}

static int
_statement_name(const struct lifeline_option *stmt, const char **name, struct lifeline_error *err)
{
  if (option_check_values(stmt, 1, 1, err) < 0)
    return -1;
  return option_value_string(stmt, 0, name, err);
}

static int
_check_unique(GHashTable *names, const char *kind, const char *name, const struct lifeline_option *stmt,
              struct lifeline_error *err)
{
  if (g_hash_table_contains(names, name))
    {
      located_error_at_option(err, stmt, "duplicate %s name '%s'", kind, name);
      return -1;
    }
  return 0;
}

static int
_add_source(struct runtime *self, const struct lifeline_option *stmt, struct lifeline_error *err)
{
  const char *name;
  if (_statement_name(stmt, &name, err) < 0 || _check_unique(self->source_by_name, "source", name, stmt, err) < 0)
    return -1;
  if (stmt->n_children != 1)
    {
      located_error_at_option(err, stmt, "source %s must contain exactly one driver, e.g. stdin();", name);
      return -1;
    }
  const struct lifeline_option *driver = stmt->children[0];
  if (!option_name_is(driver, "stdin") && !option_name_is(driver, "file") && !option_name_is(driver, "tcp")
      && !option_name_is(driver, "unix-stream"))
    {
      located_error_at_option(err, driver, "unknown source driver '%s'; available: stdin, file, tcp, unix-stream",
                              driver->name);
      return -1;
    }
  /* log-msg-size() per source, the global one by default. */
  int64_t max_line;
  if (option_get_size(driver, "log-msg-size", self->log_msg_size, 16, 64 * 1024 * 1024, &max_line, err) < 0)
    return -1;
  struct line_source *src;
  if (option_name_is(driver, "stdin"))
    {
      static const char *const stdin_options[] = { "log-msg-size", NULL };
      if (option_check_children(driver, stdin_options, err) < 0 || option_check_values(driver, 0, 0, err) < 0)
        return -1;
      if (self->stdin_reader)
        {
          located_error_at_option(err, driver, "standard input can be read by only one source; source %s already does",
                                  self->stdin_reader);
          return -1;
        }
      src = stdin_source_new_checked(name, STDIN_FILENO, (size_t) max_line, driver, err);
      if (!src)
        return -1;
      self->stdin_reader = line_source_name(src);
    }
  else if (option_name_is(driver, "file"))
    src = file_source_new(name, driver, (size_t) max_line, self->persist, err);
  else
    src = stream_source_new(name, driver, (size_t) max_line, err);
  if (!src)
    return -1;
  g_ptr_array_add(self->sources, src);
  g_hash_table_insert(self->source_by_name, g_strdup(name), src);
  gchar *text = option_text(driver);
  g_hash_table_insert(self->source_text, g_strdup(name), g_strdup_printf("%s max-line=%" PRId64, text, max_line));
  g_free(text);
  return 0;
}

static int
_add_destination(struct runtime *self, const struct lifeline_option *stmt, struct module_loader *loader,
                 struct lifeline_error *err)
{
  const char *name;
  char available[512];

  if (_statement_name(stmt, &name, err) < 0
      || _check_unique(self->dest_by_name, "destination", name, stmt, err) < 0)
    return -1;
  if (stmt->n_children == 0)
    {
      located_error_at_option(err, stmt, "destination %s has no driver, e.g. network(\"host\" port(514));", name);
      return -1;
    }
  GPtrArray *instances = g_ptr_array_new();
  g_hash_table_insert(self->dest_by_name, g_strdup(name), instances);
  g_hash_table_insert(self->dest_text, g_strdup(name), option_text(stmt));
  for (size_t i = 0; i < stmt->n_children; i++)
    {
      const struct lifeline_option *node = stmt->children[i];
      const struct lifeline_driver *driver = module_loader_find(loader, node->name, LIFELINE_DRIVER_DESTINATION);
      if (!driver)
        {
          located_error_at_option(err, node, "unknown destination driver '%s'; available: %s", node->name,
                                  module_loader_describe(loader, LIFELINE_DRIVER_DESTINATION, available,
                                                         sizeof(available)));
          return -1;
        }
      char *instance_name = stmt->n_children == 1 ? g_strdup(name) : g_strdup_printf("%s#%zu", name, i + 1);
      struct host_destination *d = host_destination_new(instance_name, driver, node, err);
      g_free(instance_name);
      if (!d)
        return -1;
      g_ptr_array_add(instances, d);
      g_ptr_array_add(self->destinations, d);
    }
  return 0;
}

/* Drops destination NAME (in no log path) before anything started it. */
static void
_drop_destination(struct runtime *self, const char *name)
{
  GPtrArray *instances = g_hash_table_lookup(self->dest_by_name, name);

  for (guint k = 0; k < instances->len; k++)
    {
      struct host_destination *d = g_ptr_array_index(instances, k);
      g_ptr_array_remove(self->destinations, d);
      host_destination_free(d);
    }
  g_hash_table_remove(self->dest_text, name);
  g_hash_table_remove(self->dest_by_name, name);
}

/* A source in no log path would be read with every line dropped, and a
 * file() source's kept position would move past lines never sent: that is
 * an error.  A destination in no log path only does nothing: a warning, and
 * it is dropped, so it never connects nor holds anything. */
static int
_check_unused(struct runtime *self, const struct lifeline_option *root, GHashTable *used_destinations,
              struct lifeline_error *err)
{
  for (size_t i = 0; i < root->n_children; i++)
    {
      const struct lifeline_option *stmt = root->children[i];
      int is_source = option_name_is(stmt, "source");

      if (!is_source && !option_name_is(stmt, "destination"))
        continue;
      /* Checked by _statement_name() when it was added. */
      const char *name = stmt->values[0]->text;
      if (is_source
          && line_source_n_targets(g_hash_table_lookup(self->source_by_name, name)) == 0)
        {
          located_error_at_option(err, stmt,
                                  "source '%s' is used in no log path; lifeline would read it and drop every line",
                                  name);
          return -1;
        }
      if (!is_source && !g_hash_table_contains(used_destinations, name))
        {
          char at[512];
          snprintf(at, sizeof(at), "%s:%u:%u", stmt->file, stmt->line, stmt->column);
          logger_log(LIFELINE_LOG_WARNING, "Destination is used in no log path; not starting it", "destination",
                     name, "at", at, NULL);
          _drop_destination(self, name);
        }
    }
  return 0;
}

struct runtime *
runtime_new(const struct lifeline_option *root, struct module_loader *loader, struct persist_file *persist,
            struct lifeline_error *err)
{
  struct runtime *self = g_new0(struct runtime, 1);
  GHashTable *used = NULL; /* names of the destinations log paths use, borrowed from ROOT */
  self->persist = persist;
  self->log_msg_size = RUNTIME_DEFAULT_LOG_MSG_SIZE;
  self->stop_timeout_ms = RUNTIME_DEFAULT_STOP_TIMEOUT_MS;
  self->sources = g_ptr_array_new();
  self->destinations = g_ptr_array_new();
  self->dest_by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  self->source_by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  self->dest_text = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  self->source_text = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

  /* options{} first wherever it is written: log-msg-size() sizes the sources. */
  for (size_t i = 0; i < root->n_children; i++)
    if (option_name_is(root->children[i], "options") && _parse_options(self, root->children[i], err) < 0)
      goto fail;
  for (size_t i = 0; i < root->n_children; i++)
    {
      const struct lifeline_option *stmt = root->children[i];
      if (option_name_is(stmt, "source") && _add_source(self, stmt, err) < 0)
        goto fail;
      if (option_name_is(stmt, "destination") && _add_destination(self, stmt, loader, err) < 0)
        goto fail;
    }
  int paths = 0;
  used = g_hash_table_new(g_str_hash, g_str_equal);
  for (size_t i = 0; i < root->n_children; i++)
    if (option_name_is(root->children[i], "log"))
      {
        if (log_path_add(root->children[i], self->source_by_name, self->dest_by_name, used, err) < 0)
          goto fail;
        paths++;
      }
  if (paths == 0)
    {
      located_error_set(err, root->file, 0, 0, NULL, "no log path: nothing would be forwarded; add log { source(...); destination(...); };");
      goto fail;
    }
  if (_check_unused(self, root, used, err) < 0)
    goto fail;
  g_hash_table_unref(used);
  return self;

fail:
  if (used)
    g_hash_table_unref(used);
  runtime_free(self);
  return NULL;
}

void
runtime_free(struct runtime *self)
{
  if (!self)
    return;
  for (guint i = 0; i < self->sources->len; i++)
    line_source_free(g_ptr_array_index(self->sources, i));
  for (guint i = 0; i < self->destinations->len; i++)
    host_destination_free(g_ptr_array_index(self->destinations, i));
  g_ptr_array_free(self->sources, TRUE);
  g_ptr_array_free(self->destinations, TRUE);
  g_hash_table_destroy(self->dest_by_name);
  g_hash_table_destroy(self->source_by_name);
  g_hash_table_destroy(self->dest_text);
  g_hash_table_destroy(self->source_text);
  g_free(self);
}

static void
_maybe_finished(struct runtime *self)
{
  if (self->sources_running == 0 && self->destinations_running == 0 && self->finished)
    {
      void (*fn)(void *) = self->finished;
      self->finished = NULL;
      fn(self->finished_ctx);
    }
}

static void
_destination_stopped(void *ctx)
{
  struct runtime *self = ctx;
  self->destinations_running--;
  _maybe_finished(self);
}

static void
_stop_destinations(struct runtime *self)
{
  for (guint i = 0; i < self->destinations->len; i++)
    host_destination_stop(g_ptr_array_index(self->destinations, i), (uint32_t) self->stop_timeout_ms,
                          _destination_stopped, self);
}

static void
_source_done(void *ctx)
{
  struct runtime *self = ctx;
  if (--self->sources_running > 0 || self->stopping)
    return;
  /* End of input: everything read was handed over; now wait for the fates. */
  self->stopping = 1;
  logger_log(LIFELINE_LOG_INFO, "End of input; delivering what is queued", NULL);
  _stop_destinations(self);
  _maybe_finished(self);
}

int
runtime_start(struct runtime *self, void (*finished)(void *ctx), void *ctx, struct lifeline_error *err)
{
  self->finished = finished;
  self->finished_ctx = ctx;
  self->destinations_running = self->destinations->len;
  for (guint i = 0; i < self->destinations->len; i++)
    {
      struct host_destination *d = g_ptr_array_index(self->destinations, i);
      /* One kept by a reload runs already. */
      if (!host_destination_is_started(d) && host_destination_start(d, err) < 0)
        return -1;
    }
  self->sources_running = self->sources->len;
  for (guint i = 0; i < self->sources->len; i++)
    {
      struct line_source *src = g_ptr_array_index(self->sources, i);
      if (line_source_is_started(src))
        line_source_adopt(src, _source_done, self);
      else if (line_source_start(src, _source_done, self, err) < 0)
        return -1;
    }
  if (self->sources->len == 0)
    logger_log(LIFELINE_LOG_WARNING, "No source defined; waiting for a signal", NULL);
  return 0;
}

void
runtime_request_stop(struct runtime *self, const char *why)
{
  if (self->stopping)
    return;
  self->stopping = 1;
  logger_log(LIFELINE_LOG_NOTICE, "Stopping; delivering what is queued within stop-timeout()", "reason", why, NULL);
  for (guint i = 0; i < self->sources->len; i++)
    line_source_stop(g_ptr_array_index(self->sources, i));
  self->sources_running = 0;
  _stop_destinations(self);
  _maybe_finished(self);
}

/* FRESH (NEXT's, not started) gives way to KEPT (SELF's, running). */
static void
_keep_destination(struct runtime *self, struct runtime *next, struct host_destination *kept,
                  struct host_destination *fresh)
{
  for (guint i = 0; i < next->destinations->len; i++)
    if (g_ptr_array_index(next->destinations, i) == fresh)
      g_ptr_array_index(next->destinations, i) = kept;
  for (guint i = 0; i < next->sources->len; i++)
    line_source_replace_target(g_ptr_array_index(next->sources, i), fresh, kept);
  g_ptr_array_remove(self->destinations, kept);
  host_destination_free(fresh);
  host_destination_reload_files(kept);
}

static void
_hand_over_destinations(struct runtime *self, struct runtime *next)
{
  GHashTableIter it;
  gpointer name, value;

  g_hash_table_iter_init(&it, next->dest_by_name);
  while (g_hash_table_iter_next(&it, &name, &value))
    {
      GPtrArray *fresh = value;
      GPtrArray *old = g_hash_table_lookup(self->dest_by_name, name);
      if (!old)
        continue;
      int same = g_strcmp0(g_hash_table_lookup(self->dest_text, name), g_hash_table_lookup(next->dest_text, name)) == 0;
      for (guint k = 0; k < fresh->len && k < old->len; k++)
        {
          struct host_destination *o = g_ptr_array_index(old, k);
          if (same)
            {
              _keep_destination(self, next, o, g_ptr_array_index(fresh, k));
              g_ptr_array_index(fresh, k) = o;
            }
          else
            host_destination_succeed(g_ptr_array_index(fresh, k), o);
        }
      logger_log(LIFELINE_LOG_NOTICE,
                 same ? "Destination unchanged; keeping its queue and connection"
                      : "Destination changed; what the old one does not deliver moves to the new one",
                 "destination", (const char *) name, NULL);
    }
}

/* KEPT (SELF's, running) takes the place of NEXT's source at INDEX. */
static void
_keep_source(struct runtime *self, struct runtime *next, struct line_source *kept, guint index)
{
  struct line_source *fresh = g_ptr_array_index(next->sources, index);
  size_t n = line_source_n_targets(fresh);
  struct host_destination **targets = g_new(struct host_destination *, n + 1);
  int *from = g_new(int, n + 1);

  for (size_t j = 0; j < n; j++)
    {
      struct host_destination *t = line_source_target(fresh, j);
      /* The same instance (kept), or the one it succeeds. */
      struct host_destination *was = host_destination_is_started(t) ? t : host_destination_predecessor(t);
      targets[j] = t;
      from[j] = -1;
      for (size_t i = 0; was && i < line_source_n_targets(kept); i++)
        if (line_source_target(kept, i) == was)
          from[j] = (int) i;
    }
  line_source_retarget(kept, targets, from, n);
  g_free(targets);
  g_free(from);
  g_ptr_array_index(next->sources, index) = kept;
  if (next->stdin_reader == line_source_name(fresh))
    next->stdin_reader = line_source_name(kept);
  g_ptr_array_remove(self->sources, kept);
  line_source_free(fresh);
}

static void
_hand_over_sources(struct runtime *self, struct runtime *next)
{
  GHashTableIter it;
  gpointer name, value;

  g_hash_table_iter_init(&it, next->source_by_name);
  while (g_hash_table_iter_next(&it, &name, &value))
    {
      struct line_source *kept = g_hash_table_lookup(self->source_by_name, name);
      if (!kept || g_strcmp0(g_hash_table_lookup(self->source_text, name), g_hash_table_lookup(next->source_text, name)))
        continue;
      guint index;
      if (!g_ptr_array_find(next->sources, value, &index) || !g_ptr_array_find(self->sources, kept, NULL))
        continue;
      _keep_source(self, next, kept, index);
      g_hash_table_iter_replace(&it, kept);
      logger_log(LIFELINE_LOG_NOTICE, "Source unchanged; keeping it running", "source", (const char *) name, NULL);
    }
}

void
runtime_hand_over(struct runtime *self, struct runtime *next, void (*finished)(void *ctx), void *ctx)
{
  self->stopping = 1;
  self->retired = 1;
  self->finished = finished;
  self->finished_ctx = ctx;
  /* Destinations first: a kept source's new targets are known then. */
  _hand_over_destinations(self, next);
  _hand_over_sources(self, next);
  if (self->sources->len || self->destinations->len)
    logger_log(LIFELINE_LOG_NOTICE, "Stopping; delivering what is queued within stop-timeout()", "reason", "reload",
               NULL);
  for (guint i = 0; i < self->sources->len; i++)
    line_source_stop(g_ptr_array_index(self->sources, i));
  self->sources_running = 0;
  self->destinations_running = self->destinations->len;
  _stop_destinations(self);
  _maybe_finished(self);
}

int
runtime_is_stopping(const struct runtime *self)
{
  return self->stopping;
}

void
runtime_set_stop_timeout(struct runtime *self, uint32_t timeout_ms)
{
  self->stop_timeout_ms = timeout_ms;
}

size_t
runtime_n_destinations(const struct runtime *self)
{
  return self->destinations->len;
}

struct host_destination *
runtime_destination(const struct runtime *self, size_t i)
{
  return g_ptr_array_index(self->destinations, i);
}

int
runtime_report(struct runtime *self)
{
  uint64_t not_delivered = 0;
  char a[32], b[32], c[32], d[32], e[32];

  for (guint i = 0; i < self->sources->len; i++)
    {
      struct line_source *src = g_ptr_array_index(self->sources, i);
      struct line_source_counts sc;
      line_source_counts(src, &sc);
      snprintf(a, sizeof(a), "%" PRIu64, sc.forwarded);
      snprintf(b, sizeof(b), "%" PRIu64, sc.truncated);
      snprintf(c, sizeof(c), "%" PRIu64, sc.unaccepted);
      snprintf(d, sizeof(d), "%" PRIu64, sc.read);
      snprintf(e, sizeof(e), "%" PRIu64, sc.dropped);
      /* forwarded/truncated/unaccepted first, as before read/dropped existed. */
      logger_log(LIFELINE_LOG_NOTICE, self->retired ? "Source totals before the reload" : "Source totals",
                 "source", line_source_name(src), "forwarded", a, "truncated", b, "unaccepted", c, "read", d,
                 "dropped", e, NULL);
      not_delivered += sc.unaccepted;
    }
  for (guint i = 0; i < self->destinations->len; i++)
    {
      struct host_destination *dst = g_ptr_array_index(self->destinations, i);
      struct host_destination_counts dc;
      host_destination_counts(dst, &dc);
      uint64_t outstanding = dc.accepted - dc.delivered - dc.dropped - dc.returned - dc.handed_over;
      snprintf(a, sizeof(a), "%" PRIu64, dc.accepted);
      snprintf(b, sizeof(b), "%" PRIu64, dc.delivered);
      snprintf(c, sizeof(c), "%" PRIu64, dc.dropped);
      snprintf(d, sizeof(d), "%" PRIu64, dc.returned + outstanding);
      snprintf(e, sizeof(e), "%" PRIu64, dc.rejected);
      if (self->retired)
        {
          char f[32];
          snprintf(f, sizeof(f), "%" PRIu64, dc.handed_over);
          logger_log(LIFELINE_LOG_NOTICE, "Destination totals before the reload", "destination",
                     host_destination_name(dst), "accepted", a, "delivered", b, "dropped", c, "dropped-by-reload", d,
                     "rejected", e, "handed-over", f, NULL);
        }
      else
        logger_log(LIFELINE_LOG_NOTICE, "Destination totals", "destination", host_destination_name(dst),
                   "accepted", a, "delivered", b, "dropped", c, "not_delivered", d, "rejected", e, NULL);
      not_delivered += dc.returned + outstanding + dc.rejected;
    }
  if (not_delivered && self->retired)
    {
      snprintf(a, sizeof(a), "%" PRIu64, not_delivered);
      logger_log(LIFELINE_LOG_ERROR, "Messages were dropped by reload (not delivered within stop-timeout(); no disk buffer yet)",
                 "count", a, NULL);
      return 1;
    }
  if (not_delivered)
    {
      snprintf(a, sizeof(a), "%" PRIu64, not_delivered);
      logger_log(LIFELINE_LOG_ERROR, "Messages were read but not delivered (stop-timeout() passed, or stopped by a signal)",
                 "count", a, NULL);
      return 1;
    }
  return 0;
}
