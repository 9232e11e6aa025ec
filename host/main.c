/*
 * lifeline: the log-forwarding host.  Reads sources, hands each line to the
 * destination modules on its log paths, and exits only once every message has
 * a fate (or the stop timeout says which have none).
 */
#include "control-server.h"
#include "core/config-parser.h"
#include "core/located-error.h"
#include "logger.h"
#include "module-loader.h"
#include "runtime.h"

#include <glib.h>
#include <iv.h>
#include <iv_signal.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifeline-build.h"

struct host_main
{
  struct runtime *runtime;
  struct control_server *control; /* NULL without --control */
  struct iv_signal sigterm, sigint, sighup;
};

static void
_finished(void *ctx)
{
  struct host_main *m = ctx;
  /* Unregister everything of ours so iv_main returns with nothing left behind. */
  iv_signal_unregister(&m->sigterm);
  iv_signal_unregister(&m->sigint);
  iv_signal_unregister(&m->sighup);
  /* Served until every destination stopped, so status works while draining. */
  control_server_stop(m->control);
  iv_quit();
}

static void
_on_sigterm(void *ctx)
{
  struct host_main *m = ctx;
  runtime_request_stop(m->runtime, "SIGTERM");
}

static void
_on_sigint(void *ctx)
{
  struct host_main *m = ctx;
  runtime_request_stop(m->runtime, "SIGINT");
}

static void
_on_sighup(void *ctx)
{
  logger_log(LIFELINE_LOG_WARNING, "SIGHUP received; reloading is not supported by this version, ignoring it", NULL);
}

static void
_signal_init(struct iv_signal *s, int signum, void (*handler)(void *), void *ctx)
{
  IV_SIGNAL_INIT(s);
  s->signum = signum;
  s->flags = 0;
  s->cookie = ctx;
  s->handler = handler;
  iv_signal_register(s);
}

static void
_print_error(const struct lifeline_error *err)
{
  char buf[1024];
  fprintf(stderr, "lifeline: %s\n", located_error_format(err, buf, sizeof(buf)));
}

static void
_ivykis_fatal(const char *msg)
{
  fprintf(stderr, "lifeline: fatal event-loop error: %s\n", msg);
}

int
main(int argc, char **argv)
{
  char *cfgfile = NULL, *module_path = NULL, *control_path = NULL;
  gboolean syntax_only = FALSE, verbose = FALSE, debug = FALSE, version = FALSE;
  double stop_timeout = -1;
  GOptionEntry entries[] = {
    { "cfgfile", 'f', 0, G_OPTION_ARG_FILENAME, &cfgfile, "Configuration file", "FILE" },
    { "module-path", 0, 0, G_OPTION_ARG_STRING, &module_path, "Where modules are (':'-separated); before LIFELINE_MODULE_PATH and " LIFELINE_MODULE_DIR, "DIRS" },
    { "syntax-only", 's', 0, G_OPTION_ARG_NONE, &syntax_only, "Check the configuration (loading modules to validate their options) and exit", NULL },
    { "control", 'c', 0, G_OPTION_ARG_FILENAME, &control_path, "Serve lifelinectl on this unix socket (mode 0600; default: none)", "PATH" },
    { "stop-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &stop_timeout, "Seconds to deliver what is queued at stop (overrides options { stop-timeout() })", "SECONDS" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Log info messages too", NULL },
    { "debug", 'd', 0, G_OPTION_ARG_NONE, &debug, "Log debug messages too", NULL },
    { "version", 'V', 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { NULL },
  };
  GError *gerr = NULL;
  GOptionContext *ctx = g_option_context_new("- resilient TCP log forwarding");
  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, &gerr))
    {
      fprintf(stderr, "lifeline: %s (see --help)\n", gerr->message);
      return 2;
    }
  g_option_context_free(ctx);
  if (version)
    {
      printf("lifeline %s (plugin ABI %d.%d)\n", LIFELINE_VERSION, LIFELINE_ABI_MAJOR, LIFELINE_ABI_MINOR);
      return 0;
    }
  if (!cfgfile)
    {
      fprintf(stderr, "lifeline: no configuration file; use -f FILE (see --help)\n");
      return 2;
    }
  logger_set_level(debug ? LIFELINE_LOG_DEBUG : verbose ? LIFELINE_LOG_INFO : LIFELINE_LOG_NOTICE);

  /* The host ignores SIGPIPE (the ABI contract); modules also send with MSG_NOSIGNAL. */
  signal(SIGPIPE, SIG_IGN);
  iv_set_fatal_msg_handler(_ivykis_fatal);
  iv_init();

  struct lifeline_host host;
  memset(&host, 0, sizeof(host));
  LIFELINE_ABI_INIT(&host);
  host.name = "lifeline";
  host.version = LIFELINE_VERSION;
  host.ivykis_identity = (const void *) &iv_fd_register;
  host.log = logger_log_tags;

  struct module_loader *loader = module_loader_new(&host);
  const char *env_path = getenv("LIFELINE_MODULE_PATH");
  char *search = g_strjoin(":", module_path ? module_path : "", env_path ? env_path : "", LIFELINE_MODULE_DIR, NULL);
  module_loader_load_path(loader, search);
  g_free(search);

  struct lifeline_error err;
  located_error_init(&err);
  struct config_tree *tree = config_parse_file(cfgfile, &err);
  int rc = 1;
  struct host_main m;
  memset(&m, 0, sizeof(m));
  if (!tree)
    {
      _print_error(&err);
      goto out;
    }
  if (!config_tree_version(tree))
    logger_log(LIFELINE_LOG_WARNING, "Configuration has no @version; assuming the current syntax", "file", cfgfile, NULL);

  m.runtime = runtime_new(config_tree_root(tree), loader, &err);
  if (!m.runtime)
    {
      _print_error(&err);
      goto out;
    }
  if (stop_timeout != -1)
    {
      /* The same bounds as options { stop-timeout() }. */
      if (!(stop_timeout >= 0 && stop_timeout <= 24 * 3600))
        {
          fprintf(stderr, "lifeline: --stop-timeout must be between 0 and 86400 seconds, got %g\n", stop_timeout);
          rc = 2;
          goto out;
        }
      runtime_set_stop_timeout(m.runtime, (uint32_t) (stop_timeout * 1000));
    }
  if (syntax_only)
    {
      printf("lifeline: %s: configuration OK\n", cfgfile);
      rc = 0;
      goto out;
    }

  if (control_path)
    {
      /* Before anything starts: a second lifeline on the same socket stops
       * here, before it connects anywhere or reads any input. */
      char cerr[512];
      m.control = control_server_new(control_path, m.runtime);
      if (control_server_start(m.control, cerr, sizeof(cerr)) < 0)
        {
          fprintf(stderr, "lifeline: %s\n", cerr);
          goto out;
        }
    }
  _signal_init(&m.sigterm, SIGTERM, _on_sigterm, &m);
  _signal_init(&m.sigint, SIGINT, _on_sigint, &m);
  _signal_init(&m.sighup, SIGHUP, _on_sighup, &m);
  int start_failed = runtime_start(m.runtime, _finished, &m, &err) < 0;
  if (start_failed)
    {
      _print_error(&err);
      runtime_request_stop(m.runtime, "start failed");
    }
  iv_main();
  rc = runtime_report(m.runtime);
  if (start_failed)
    rc = 1;

out:
  control_server_free(m.control);
  runtime_free(m.runtime);
  config_tree_free(tree);
  module_loader_free(loader);
  g_free(cfgfile);
  g_free(module_path);
  g_free(control_path);
  iv_deinit();
  return rc;
}
