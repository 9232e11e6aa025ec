/*
 * The destination module: an adapter between the plugin ABI and liblifeline,
 * with two drivers over one destination: network() (newline framing) and
 * syslog() (RFC 5424 messages, RFC 6587 octet counting).
 * It exports exactly one symbol, lifeline_plugin_entry; everything else is
 * hidden (see plugin/meson.build and plugin/module.map).
 */
#include "core/located-error.h"
#include "core/network-options.h"
#include "io/network-destination.h"

#include <iv.h>
#include <lifeline/plugin.h>
#include <stdio.h>
#include <string.h>

#include "lifeline-build.h"

/* The host's table lives as long as the process (the ABI says so). */
static const struct lifeline_host *module_host;

static void *
_network_create(const struct lifeline_option *driver, const struct lifeline_dest_host *dh,
                struct lifeline_error *err)
{
  struct network_options opts;

  void *instance = NULL;

  if (network_options_parse(driver, &opts, err) == 0)
    instance = network_destination_new(&opts, driver, module_host, dh, err);
  network_options_clear(&opts);
  return instance;
}

/* syslog(): network() with RFC 5424 messages in RFC 6587 octet-counted frames. */
static void *
_syslog_create(const struct lifeline_option *driver, const struct lifeline_dest_host *dh,
               struct lifeline_error *err)
{
  struct network_options opts;

  void *instance = NULL;

  if (network_options_parse_syslog(driver, &opts, err) == 0)
    instance = network_destination_new(&opts, driver, module_host, dh, err);
  network_options_clear(&opts);
  return instance;
}

static int
_start(void *instance, struct lifeline_error *err)
{
  return network_destination_start(instance, err);
}

static int
_push(void *instance, const struct lifeline_msg *msg)
{
  return network_destination_push(instance, msg);
}

static void
_stop(void *instance, uint32_t timeout_ms)
{
  network_destination_stop(instance, timeout_ms);
}

static void
_free(void *instance)
{
  network_destination_free(instance);
}

static int
_query(void *instance, lifeline_emit_fn emit, void *ctx)
{
  return network_destination_query(instance, emit, ctx);
}

static int
_reload(void *instance, struct lifeline_error *err)
{
  return network_destination_reload(instance, err);
}

static int
_command(void *instance, const char *verb, const char *argument, char *reply, size_t reply_size)
{
  return network_destination_command(instance, verb, argument, reply, reply_size);
}

/* The two drivers differ only in their name and how they read options. */
#define MODULE_DRIVER(driver_name, create_fn)                                        \
  {                                                                                  \
    .abi_major = LIFELINE_ABI_MAJOR, .abi_minor = LIFELINE_ABI_MINOR,                \
    .struct_size = sizeof(struct lifeline_driver), .name = driver_name,              \
    .kind = LIFELINE_DRIVER_DESTINATION, .create = create_fn, .start = _start,       \
    .push = _push, .stop = _stop, .free = _free, .query = _query, .command = _command, \
    .reload = _reload,                                                               \
  }

static const struct lifeline_driver network_driver = MODULE_DRIVER("network", _network_create);
static const struct lifeline_driver syslog_driver = MODULE_DRIVER("syslog", _syslog_create);

static const struct lifeline_driver *const module_drivers[] = { &network_driver, &syslog_driver };

static const struct lifeline_plugin module_plugin = {
  .abi_major = LIFELINE_ABI_MAJOR,
  .abi_minor = LIFELINE_ABI_MINOR,
  .struct_size = sizeof(struct lifeline_plugin),
  .name = "lifeline-network",
  .version = LIFELINE_VERSION,
  .n_drivers = sizeof(module_drivers) / sizeof(module_drivers[0]),
  .drivers = module_drivers,
};

__attribute__((visibility("default"))) const struct lifeline_plugin *
lifeline_plugin_entry(const struct lifeline_host *host, struct lifeline_error *err)
{
  if (host->abi_major != LIFELINE_ABI_MAJOR)
    {
      located_error_set(err, NULL, 0, 0, NULL,
                        "module lifeline-network speaks plugin ABI %d.%d but the host speaks %u.%u",
                        LIFELINE_ABI_MAJOR, LIFELINE_ABI_MINOR, (unsigned) host->abi_major,
                        (unsigned) host->abi_minor);
      return NULL;
    }
  if (!LIFELINE_ABI_HAS_FIELD(host, struct lifeline_host, log))
    {
      located_error_set(err, NULL, 0, 0, NULL, "module lifeline-network: the host's table is too short");
      return NULL;
    }
  /* Two copies of libivykis would mean two loops: our fds would never fire. */
  if (host->ivykis_identity != (const void *) &iv_fd_register)
    {
      located_error_set(err, NULL, 0, 0, NULL,
                        "module lifeline-network resolved a different libivykis than the host; both must "
                        "link the same shared libivykis.so");
      return NULL;
    }
  module_host = host;
  return &module_plugin;
}
