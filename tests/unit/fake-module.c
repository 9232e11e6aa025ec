/* A module for the loader's refusal tests: FAKE_ABI_MAJOR picks the major it claims. */
#include <lifeline/plugin.h>
#include <stddef.h>

static const struct lifeline_plugin fake = {
  .abi_major = FAKE_ABI_MAJOR,
  .abi_minor = 7,
  .struct_size = sizeof(struct lifeline_plugin),
  .name = "fake",
  .version = "0",
  .n_drivers = 0,
  .drivers = NULL,
};

__attribute__((visibility("default"))) const struct lifeline_plugin *
lifeline_plugin_entry(const struct lifeline_host *host, struct lifeline_error *err)
{
  (void) host;
  (void) err;
  return &fake;
}
