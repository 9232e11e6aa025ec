/*
 * Finding, loading and checking destination modules.  Modules are loaded
 * with RTLD_NOW|RTLD_LOCAL|RTLD_NODELETE and never unloaded: a module's
 * tables and callbacks must stay valid for the life of the process.
 */
#ifndef LIFELINE_MODULE_LOADER_H
#define LIFELINE_MODULE_LOADER_H

#include <lifeline/plugin.h>

struct module_loader;

/* HOST is handed to every module and must outlive the loader. */
struct module_loader *module_loader_new(const struct lifeline_host *host);
void module_loader_free(struct module_loader *self);

/* Loads one module file.  0, or -1 with err naming the module and the reason
 * (dlopen error, missing entry symbol, another ABI major, short tables). */
int module_loader_load_file(struct module_loader *self, const char *path, struct lifeline_error *err);

/* Loads every *.so in each directory of a ':'-separated list, in order; a
 * module that fails is logged and skipped (its drivers then show up as
 * unknown, with the reason recorded for that error).  Returns how many loaded. */
int module_loader_load_path(struct module_loader *self, const char *dirs);

/* The driver of that name and kind, or NULL. */
const struct lifeline_driver *module_loader_find(const struct module_loader *self, const char *name,
                                                 uint32_t kind);

/* "network, syslog" into buf: the drivers of that kind, for error messages;
 * followed by the load failures, if any. */
const char *module_loader_describe(const struct module_loader *self, uint32_t kind, char *buf, size_t size);

#endif
