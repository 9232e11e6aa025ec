#include "core/located-error.h"
#include "module-loader.h"

#include <criterion/criterion.h>
#include <iv.h>
#include <stdio.h>
#include <string.h>

static struct lifeline_host host;
static struct module_loader *loader;
static struct lifeline_error err;

static void
_log(void *ctx, int level, const char *message, const char *const *k, const char *const *v, size_t n)
{
}

static void
_setup(void)
{
  memset(&host, 0, sizeof(host));
  LIFELINE_ABI_INIT(&host);
  host.name = "test";
  host.version = "0";
  host.ivykis_identity = (const void *) &iv_fd_register;
  host.log = _log;
  loader = module_loader_new(&host);
  located_error_init(&err);
}

static void
_teardown(void)
{
  module_loader_free(loader);
}

TestSuite(module_loader, .init = _setup, .fini = _teardown);

Test(module_loader, loads_the_network_module)
{
  cr_assert_eq(module_loader_load_file(loader, NETWORK_MODULE, &err), 0, "%s", err.message);
  const struct lifeline_driver *d = module_loader_find(loader, "network", LIFELINE_DRIVER_DESTINATION);
  cr_assert_not_null(d);
  cr_assert_str_eq(d->name, "network");
}

Test(module_loader, refuses_another_abi_major_naming_module_and_both_versions)
{
  cr_assert_eq(module_loader_load_file(loader, FAKE_V2_MODULE, &err), -1);
  cr_assert_not_null(strstr(err.message, FAKE_V2_MODULE), "%s", err.message);
  cr_assert_not_null(strstr(err.message, "(fake)"), "%s", err.message);
  cr_assert_not_null(strstr(err.message, "2.7"), "module's version: %s", err.message);
  char speaks[64];
  snprintf(speaks, sizeof(speaks), "this host speaks %d.%d", LIFELINE_ABI_MAJOR, LIFELINE_ABI_MINOR);
  cr_assert_not_null(strstr(err.message, speaks), "%s", err.message);
  cr_assert_null(module_loader_find(loader, "fake", LIFELINE_DRIVER_DESTINATION));
}

Test(module_loader, refuses_a_library_without_the_entry_symbol)
{
  cr_assert_eq(module_loader_load_file(loader, NOT_A_MODULE, &err), -1);
  cr_assert_not_null(strstr(err.message, "lifeline_plugin_entry"), "%s", err.message);
}

Test(module_loader, module_refuses_a_host_with_another_major)
{
  host.abi_major = 2;
  cr_assert_eq(module_loader_load_file(loader, NETWORK_MODULE, &err), -1);
  char speaks[64];
  snprintf(speaks, sizeof(speaks), "host speaks 2.%d", LIFELINE_ABI_MINOR);
  cr_assert_not_null(strstr(err.message, speaks), "%s", err.message);
}

Test(module_loader, module_refuses_a_second_copy_of_libivykis)
{
  static int not_ivykis;
  host.ivykis_identity = &not_ivykis;
  cr_assert_eq(module_loader_load_file(loader, NETWORK_MODULE, &err), -1);
  cr_assert_not_null(strstr(err.message, "libivykis"), "%s", err.message);
}

Test(module_loader, missing_file_names_it)
{
  cr_assert_eq(module_loader_load_file(loader, "/nonexistent/x.so", &err), -1);
  cr_assert_not_null(strstr(err.message, "/nonexistent/x.so"), "%s", err.message);
}

Test(module_loader, describe_lists_drivers)
{
  char buf[256];
  module_loader_load_file(loader, NETWORK_MODULE, &err);
  cr_assert_str_eq(module_loader_describe(loader, LIFELINE_DRIVER_DESTINATION, buf, sizeof(buf)), "network, syslog");
}
