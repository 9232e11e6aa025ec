#include "module-loader.h"

#include "core/located-error.h"
#include "logger.h"

#include <dirent.h>
#include <dlfcn.h>
#include <glib.h>
#include <string.h>

struct loaded_driver
{
  const struct lifeline_driver *driver;
  char *module_path;
};

struct module_loader
{
  const struct lifeline_host *host;
  GArray *drivers; /* struct loaded_driver */
  GString *failures; /* "; module X: reason" for error messages */
};

struct module_loader *
module_loader_new(const struct lifeline_host *host)
{
  struct module_loader *self = g_new0(struct module_loader, 1);
  self->host = host;
  self->drivers = g_array_new(FALSE, TRUE, sizeof(struct loaded_driver));
  self->failures = g_string_new(NULL);
  return self;
}

void
module_loader_free(struct module_loader *self)
{
  if (!self)
    return;
  for (guint i = 0; i < self->drivers->len; i++)
    g_free(g_array_index(self->drivers, struct loaded_driver, i).module_path);
  g_array_free(self->drivers, TRUE);
  g_string_free(self->failures, TRUE);
  g_free(self);
}

static int
_check_driver(const char *path, const struct lifeline_driver *d, struct lifeline_error *err)
{
  if (!d || d->abi_major != LIFELINE_ABI_MAJOR)
    {
      located_error_set(err, path, 0, 0, NULL, "module %s: a driver table speaks another plugin ABI major (%u); this host speaks %d.%d",
                        path, d ? (unsigned) d->abi_major : 0, LIFELINE_ABI_MAJOR, LIFELINE_ABI_MINOR);
      return -1;
    }
  if (!LIFELINE_ABI_HAS_FIELD(d, struct lifeline_driver, command) || !d->name || !d->create || !d->start
      || !d->push || !d->stop || !d->free)
    {
      located_error_set(err, path, 0, 0, NULL, "module %s: driver table is incomplete (struct_size %u)", path,
                        (unsigned) d->struct_size);
      return -1;
    }
  return 0;
}

int
module_loader_load_file(struct module_loader *self, const char *path, struct lifeline_error *err)
{
  /* RTLD_NODELETE: a module is never unmapped, even if a later dlclose slips in. */
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (!handle)
    {
      located_error_set(err, path, 0, 0, NULL, "cannot load module: %s", dlerror());
      return -1;
    }
  lifeline_plugin_entry_fn entry = (lifeline_plugin_entry_fn) dlsym(handle, LIFELINE_PLUGIN_ENTRY_SYMBOL);
  if (!entry)
    {
      located_error_set(err, path, 0, 0, NULL, "module %s has no %s symbol; is it a lifeline module?", path,
                        LIFELINE_PLUGIN_ENTRY_SYMBOL);
      return -1;
    }

  struct lifeline_error module_err;
  located_error_init(&module_err);
  const struct lifeline_plugin *plugin = entry(self->host, &module_err);
  if (!plugin)
    {
      located_error_set(err, path, 0, 0, NULL, "module %s refused to load: %s", path,
                        located_error_is_set(&module_err) ? module_err.message : "no reason given");
      return -1;
    }
  if (plugin->abi_major != LIFELINE_ABI_MAJOR)
    {
      located_error_set(err, path, 0, 0, NULL,
                        "module %s (%s) speaks plugin ABI %u.%u but this host speaks %d.%d; refusing to load it",
                        path, LIFELINE_ABI_HAS_FIELD(plugin, struct lifeline_plugin, name) && plugin->name ? plugin->name : "?",
                        (unsigned) plugin->abi_major, (unsigned) plugin->abi_minor, LIFELINE_ABI_MAJOR,
                        LIFELINE_ABI_MINOR);
      return -1;
    }
  if (!LIFELINE_ABI_HAS_FIELD(plugin, struct lifeline_plugin, drivers))
    {
      located_error_set(err, path, 0, 0, NULL, "module %s: plugin table too short (struct_size %u)", path,
                        (unsigned) plugin->struct_size);
      return -1;
    }
  for (size_t i = 0; i < plugin->n_drivers; i++)
    if (_check_driver(path, plugin->drivers[i], err) < 0)
      return -1;

  for (size_t i = 0; i < plugin->n_drivers; i++)
    {
      const struct lifeline_driver *d = plugin->drivers[i];
      if (module_loader_find(self, d->name, d->kind))
        {
          logger_log(LIFELINE_LOG_WARNING, "Driver already provided by an earlier module; ignoring this one",
                     "driver", d->name, "module", path, NULL);
          continue;
        }
      struct loaded_driver ld = { .driver = d, .module_path = g_strdup(path) };
      g_array_append_val(self->drivers, ld);
    }
  logger_log(LIFELINE_LOG_DEBUG, "Module loaded", "module", path, "name", plugin->name, "version",
             plugin->version, NULL);
  return 0;
}

static gint
_compare_names(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *) a, *(char *const *) b);
}

int
module_loader_load_path(struct module_loader *self, const char *dirs)
{
  int loaded = 0;
  char **parts = g_strsplit(dirs, ":", -1);

  for (char **dir = parts; *dir; dir++)
    {
      if (!**dir)
        continue;
      GDir *d = g_dir_open(*dir, 0, NULL);
      if (!d)
        continue;
      GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
      for (const char *name = g_dir_read_name(d); name; name = g_dir_read_name(d))
        if (g_str_has_suffix(name, ".so"))
          g_ptr_array_add(names, g_strdup(name));
      g_dir_close(d);
      /* Sorted, so which module wins a duplicate driver name never depends on readdir order. */
      g_ptr_array_sort(names, _compare_names);
      for (guint i = 0; i < names->len; i++)
        {
          char *path = g_build_filename(*dir, g_ptr_array_index(names, i), NULL);
          struct lifeline_error err;
          located_error_init(&err);
          if (module_loader_load_file(self, path, &err) == 0)
            loaded++;
          else
            {
              logger_log(LIFELINE_LOG_WARNING, "Module not loaded", "module", path, "reason", err.message, NULL);
              g_string_append_printf(self->failures, "; %s", err.message);
            }
          g_free(path);
        }
      g_ptr_array_free(names, TRUE);
    }
  g_strfreev(parts);
  return loaded;
}

const struct lifeline_driver *
module_loader_find(const struct module_loader *self, const char *name, uint32_t kind)
{
  for (guint i = 0; i < self->drivers->len; i++)
    {
      const struct lifeline_driver *d = g_array_index(self->drivers, struct loaded_driver, i).driver;
      if (d->kind == kind && strcmp(d->name, name) == 0)
        return d;
    }
  return NULL;
}

const char *
module_loader_describe(const struct module_loader *self, uint32_t kind, char *buf, size_t size)
{
  GString *s = g_string_new(NULL);
  for (guint i = 0; i < self->drivers->len; i++)
    {
      const struct lifeline_driver *d = g_array_index(self->drivers, struct loaded_driver, i).driver;
      if (d->kind == kind)
        g_string_append_printf(s, "%s%s", s->len ? ", " : "", d->name);
    }
  if (!s->len)
    g_string_append(s, "none (no module loaded; check --module-path or LIFELINE_MODULE_PATH)");
  g_string_append(s, self->failures->str);
  g_strlcpy(buf, s->str, size);
  g_string_free(s, TRUE);
  return buf;
}
