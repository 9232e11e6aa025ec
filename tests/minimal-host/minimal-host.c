/* A minimal lifeline host: loads a destination module, forwards its
 * arguments as messages to network("127.0.0.1" port(PORT)), waits until
 * every message has a fate, exits 0 when all were DELIVERED.  See docs/abi.md.
 *   gcc -std=c11 -D_GNU_SOURCE -Wall -Werror $(pkg-config --cflags lifeline ivykis) \
 *       minimal-host.c $(pkg-config --libs ivykis) -ldl -o minimal-host
 *   ./minimal-host build/plugin/lifeline-network.so 5140 "line one" "line two" */
#include <dlfcn.h>
#include <iv.h>
#include <lifeline/plugin.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#define HDR(T) .abi_major = LIFELINE_ABI_MAJOR, .abi_minor = LIFELINE_ABI_MINOR, .struct_size = sizeof(struct T)
static uint64_t delivered, other;

static void on_log(void *ctx, int level, const char *msg, const char *const *k, const char *const *v, size_t n)
{
  fprintf(stderr, "<%d> %s", level, msg);
  for (size_t i = 0; i < n; i++)
    fprintf(stderr, "%s%s=%s", i ? " " : "; ", k[i], v[i]);
  fputc('\n', stderr);
}
static void on_fate(void *cookie, const struct lifeline_fate *f)
{
  *(f->kind == LIFELINE_FATE_DELIVERED ? &delivered : &other) += f->last_seq - f->first_seq + 1;
}
static void on_wakeup(void *cookie) {} /* only after a push returned FULL */
static void on_stopped(void *cookie) { iv_quit(); }

int main(int argc, char **argv)
{
  if (argc < 4)
    return fprintf(stderr, "usage: %s MODULE.so PORT MESSAGE...\n", argv[0]), 2;
  signal(SIGPIPE, SIG_IGN); /* the ABI's contract; the module also uses MSG_NOSIGNAL */
  iv_init();
  struct lifeline_host host = { HDR(lifeline_host), .name = "minimal-host", .version = "1",
                                .ivykis_identity = (const void *) &iv_fd_register, .log = on_log };
  struct lifeline_error err = { HDR(lifeline_error) };
  void *so = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE); /* never dlclose()d */
  lifeline_plugin_entry_fn entry = so ? (lifeline_plugin_entry_fn) dlsym(so, LIFELINE_PLUGIN_ENTRY_SYMBOL) : NULL;
  const struct lifeline_plugin *plugin = entry ? entry(&host, &err) : NULL;
  if (!plugin)
    return fprintf(stderr, "cannot use %s: %s\n", argv[1], entry ? err.message : dlerror()), 1;
  if (plugin->abi_major != LIFELINE_ABI_MAJOR || !LIFELINE_ABI_HAS_FIELD(plugin, struct lifeline_plugin, drivers))
    return fprintf(stderr, "%s speaks plugin ABI %u.%u; this host %d.%d\n", argv[1], plugin->abi_major,
                   plugin->abi_minor, LIFELINE_ABI_MAJOR, LIFELINE_ABI_MINOR), 1;
  const struct lifeline_driver *drv = NULL;
  for (size_t i = 0; i < plugin->n_drivers; i++)
    if (plugin->drivers[i]->abi_major == LIFELINE_ABI_MAJOR && strcmp(plugin->drivers[i]->name, "network") == 0
        && LIFELINE_ABI_HAS_FIELD(plugin->drivers[i], struct lifeline_driver, command))
      drv = plugin->drivers[i];
  if (!drv)
    return fprintf(stderr, "%s has no network() driver\n", argv[1]), 1;

  /* network("127.0.0.1" port(PORT)), as a parser would build it. */
  struct lifeline_value addr = { HDR(lifeline_value), .kind = LIFELINE_VALUE_STRING, .line = 1, .column = 9, .text = "127.0.0.1" };
  struct lifeline_value port = { HDR(lifeline_value), .kind = LIFELINE_VALUE_NUMBER, .line = 1, .column = 26, .text = argv[2] };
  const struct lifeline_value *addr_v[] = { &addr }, *port_v[] = { &port };
  struct lifeline_option port_opt = { HDR(lifeline_option), .name = "port", .file = "(example)", .line = 1, .column = 21,
                                      .n_values = 1, .values = port_v };
  const struct lifeline_option *children[] = { &port_opt };
  struct lifeline_option net = { HDR(lifeline_option), .name = "network", .file = "(example)", .line = 1, .column = 1,
                                 .n_values = 1, .values = addr_v, .n_children = 1, .children = children };
  struct lifeline_dest_host dh = { HDR(lifeline_dest_host), .dest_name = "d_example",
                                   .fate = on_fate, .wakeup = on_wakeup, .stopped = on_stopped };

  void *dest = drv->create(&net, &dh, &err); /* validates only: no I/O */
  if (!dest || drv->start(dest, &err) < 0)
    return fprintf(stderr, "%s:%u:%u: %s(): %s\n", err.file, err.line, err.column, err.option, err.message), 1;
  for (int i = 3; i < argc; i++)
    {
      struct lifeline_msg m = { HDR(lifeline_msg), .seq = (uint64_t) i - 2, .data = (const uint8_t *) argv[i], .len = strlen(argv[i]) };
      if (drv->push(dest, &m) != LIFELINE_PUSH_QUEUED) /* FULL: wait for wakeup(); ERROR: give up */
        return fprintf(stderr, "push refused\n"), 1;
    }
  drv->stop(dest, 5000); /* deliver within 5 s, return the rest; stopped() follows */
  iv_main();
  drv->free(dest);
  iv_deinit();
  printf("delivered=%llu not_delivered=%llu\n", (unsigned long long) delivered, (unsigned long long) other);
  return other || delivered != (uint64_t) argc - 3;
}
