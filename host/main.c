/*
 * lifeline: the log-forwarding host.  Reads sources, hands each line to the
 * destination modules on its log paths, and exits only once every message has
 * a fate (or the stop timeout says which have none).
 */
#include "core/located-error.h"
#include "daemon.h"
#include "host-main.h"
#include "logger.h"
#include "reload.h"

#include <errno.h>
#include <glib.h>
#include <iv.h>
#include <iv_signal.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lifeline-build.h"

void
host_main_notify_stopping(struct host_main *m)
{
  if (m->stopping_notified)
    return;
  m->stopping_notified = 1;
  daemon_notify("STOPPING=1");
}

void
host_main_finished(void *ctx)
{
  struct host_main *m = ctx;
  if (m->retiring)
    {
      /* The old runtime still delivers: wait for it (reload_swap). */
      m->quit_pending = 1;
      return;
    }
  host_main_notify_stopping(m);
  /* Unregister everything of ours so iv_main returns with nothing left behind. */
  iv_signal_unregister(&m->sigterm);
  iv_signal_unregister(&m->sigint);
  iv_signal_unregister(&m->sighup);
  if (iv_task_registered(&m->swap))
    iv_task_unregister(&m->swap);
  /* Served until every destination stopped, so status works while draining. */
  control_server_stop(m->control);
  /* Every fate is in: the positions delivered up to the very end. */
  persist_file_flush(m->persist);
  iv_quit();
}

static void
_on_stop_signal(struct host_main *m, const char *why)
{
  host_main_notify_stopping(m);
  m->stop_requested = 1;
  /* During a reload the old runtime is stopping already; it finishes what
   * it holds, and lifeline exits once both finished. */
  runtime_request_stop(m->runtime, why);
}

static void
_on_sigterm(void *ctx)
{
  _on_stop_signal(ctx, "SIGTERM");
}

static void
_on_sigint(void *ctx)
{
  _on_stop_signal(ctx, "SIGINT");
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

/* TEXT comes from configuration files and paths: a control byte in it is
 * written as \xHH, so it cannot rewrite the operator's terminal.  Nothing
 * else changes: these sentences are for people, and the parser's own
 * messages already spell bad characters as '\xHH'. */
static void
_print_text(const char *text)
{
  fputs("lifeline: ", stderr);
  for (const unsigned char *p = (const unsigned char *) text; *p; p++)
    {
      if (*p < 0x20 || *p == 0x7f)
        fprintf(stderr, "\\x%02X", *p);
      else
        fputc(*p, stderr);
    }
  fputc('\n', stderr);
}

static void
_print_error(const struct lifeline_error *err)
{
  char buf[1024];
  _print_text(located_error_format(err, buf, sizeof(buf)));
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
  char *pidfile = NULL, *ready_file = NULL, *user = NULL, *group = NULL, *persist_path = NULL;
  gboolean syntax_only = FALSE, verbose = FALSE, debug = FALSE, version = FALSE;
  double stop_timeout = -1;
  GOptionEntry entries[] = {
    { "cfgfile", 'f', 0, G_OPTION_ARG_FILENAME, &cfgfile, "Configuration file", "FILE" },
    { "module-path", 0, 0, G_OPTION_ARG_STRING, &module_path, "Where modules are (':'-separated); before LIFELINE_MODULE_PATH and " LIFELINE_MODULE_DIR, "DIRS" },
    { "syntax-only", 's', 0, G_OPTION_ARG_NONE, &syntax_only, "Check the configuration (loading modules to validate their options) and exit", NULL },
    { "control", 'c', 0, G_OPTION_ARG_FILENAME, &control_path, "Serve lifelinectl on this unix socket (mode 0600; default: none)", "PATH" },
    { "stop-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &stop_timeout, "Seconds to deliver what is queued at stop (overrides options { stop-timeout() })", "SECONDS" },
    { "pidfile", 'p', 0, G_OPTION_ARG_FILENAME, &pidfile, "Write the process id to FILE before starting and hold a lock on it (refused while another process holds it); removed at exit", "FILE" },
    { "ready-file", 0, 0, G_OPTION_ARG_FILENAME, &ready_file, "Write the process id to FILE once every source listens and every destination started; removed at exit", "FILE" },
    { "persist-file", 0, 0, G_OPTION_ARG_FILENAME, &persist_path, "Where file() sources keep the position of the last delivered line across restarts (default: $STATE_DIRECTORY/lifeline.persist under systemd, else none; 'none': none)", "PATH" },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user, "Run as USER (and its groups) once sources and the control socket are bound; needs root", "USER" },
    { "group", 'g', 0, G_OPTION_ARG_STRING, &group, "Run as GROUP (default with --user: the user's primary group); needs root", "GROUP" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Log info messages too", NULL },
    { "debug", 'd', 0, G_OPTION_ARG_NONE, &debug, "Log debug messages too", NULL },
    { "version", 'V', 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { NULL },
  };
  /* Before anything was set up: free the option strings and leave. */
#define EARLY_EXIT(code)                                                              \
  do                                                                                  \
    {                                                                                 \
      g_free(cfgfile), g_free(module_path), g_free(control_path), g_free(pidfile);    \
      g_free(ready_file), g_free(user), g_free(group), g_free(persist_path);          \
      return (code);                                                                  \
    }                                                                                 \
  while (0)
  GError *gerr = NULL;
  GOptionContext *ctx = g_option_context_new("- resilient TCP log forwarding");
  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, &gerr))
    {
      fprintf(stderr, "lifeline: %s (see --help)\n", gerr->message);
      g_error_free(gerr);
      g_option_context_free(ctx);
      EARLY_EXIT(2);
    }
  g_option_context_free(ctx);
  if (version)
    {
      printf("lifeline %s (plugin ABI %d.%d)\n", LIFELINE_VERSION, LIFELINE_ABI_MAJOR, LIFELINE_ABI_MINOR);
      EARLY_EXIT(0);
    }
  if (!cfgfile)
    {
      fprintf(stderr, "lifeline: no configuration file; use -f FILE (see --help)\n");
      EARLY_EXIT(2);
    }
  logger_set_level(debug ? LIFELINE_LOG_DEBUG : verbose ? LIFELINE_LOG_INFO : LIFELINE_LOG_NOTICE);
  struct daemon_identity identity;
  if (daemon_resolve_identity(user, group, &identity) < 0)
    EARLY_EXIT(2);

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
  int pid_fd = -1; /* holds the pid file's lock */
  struct host_main m;
  memset(&m, 0, sizeof(m));
  m.cfgfile = cfgfile;
  m.loader = loader;
  m.stop_timeout_ms = -1;
  IV_TASK_INIT(&m.swap);
  m.swap.cookie = &m;
  m.swap.handler = reload_swap;
  if (persist_path && strcmp(persist_path, "none") == 0)
    m.persist = persist_file_new(NULL);
  else if (persist_path)
    m.persist = persist_file_new(persist_path);
  else
    {
      char *state = daemon_state_file("lifeline.persist");
      m.persist = persist_file_new(state);
      g_free(state);
    }
  if (!tree)
    {
      _print_error(&err);
      goto out;
    }
  if (!config_tree_version(tree))
    logger_log(LIFELINE_LOG_WARNING, "Configuration has no @version; assuming the current syntax", "file", cfgfile, NULL);

  m.runtime = runtime_new(config_tree_root(tree), loader, m.persist, &err);
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
      m.stop_timeout_ms = (int64_t) (stop_timeout * 1000);
      runtime_set_stop_timeout(m.runtime, (uint32_t) m.stop_timeout_ms);
    }
  if (syntax_only)
    {
      printf("lifeline: %s: configuration OK\n", cfgfile);
      rc = 0;
      goto out;
    }

  char perr[512];
  if (ready_file && unlink(ready_file) < 0 && errno != ENOENT)
    {
      /* A stale ready file would announce this run before it is ready. */
      fprintf(stderr, "lifeline: cannot remove the old ready file %s: %s\n", ready_file, g_strerror(errno));
      goto out;
    }
  if (pidfile)
    {
      /* Before anything starts, like the control socket below.  Held (the
       * fd's lock) until exit. */
      long holder;
      pid_fd = daemon_lock_pid_file(pidfile, &holder, perr, sizeof(perr));
      if (pid_fd < 0)
        {
          if (holder)
            fprintf(stderr, "lifeline: %s; not starting a second lifeline\n", perr);
          else
            _print_text(perr);
          goto out;
        }
      m.pidfile = pidfile;
    }
  if (persist_file_load(m.persist, perr, sizeof(perr)) < 0)
    {
      _print_text(perr);
      goto out;
    }
  if (control_path)
    {
      /* Before anything starts: a second lifeline on the same socket stops
       * here, before it connects anywhere or reads any input. */
      char cerr[512];
      m.control = control_server_new(control_path, m.runtime);
      /* Mode 0600 means lifeline's user and root: after --user that user. */
      if (identity.user)
        control_server_set_owner(m.control, identity.uid);
      if (control_server_start(m.control, cerr, sizeof(cerr)) < 0)
        {
          _print_text(cerr);
          goto out;
        }
    }
  _signal_init(&m.sigterm, SIGTERM, _on_sigterm, &m);
  _signal_init(&m.sigint, SIGINT, _on_sigint, &m);
  _signal_init(&m.sighup, SIGHUP, reload_on_sighup, &m);
  int start_failed = runtime_start(m.runtime, host_main_finished, &m, &err) < 0;
  if (start_failed)
    _print_error(&err);
  /* Every source is bound and the control socket too: privileges go now,
   * before any input is read (that happens once iv_main runs). */
  if (!start_failed && daemon_drop_privileges(&identity, perr, sizeof(perr)) < 0)
    {
      _print_text(perr);
      start_failed = 1;
    }
  if (!start_failed && persist_file_check(m.persist, perr, sizeof(perr)) < 0)
    {
      _print_text(perr);
      start_failed = 1;
    }
  if (!start_failed && ready_file)
    {
      if (daemon_write_ready_file(ready_file, perr, sizeof(perr)) < 0)
        {
          fprintf(stderr, "lifeline: cannot write the ready file: %s\n", perr);
          start_failed = 1;
        }
      else
        m.ready_file = ready_file;
    }
  if (start_failed)
    runtime_request_stop(m.runtime, "start failed");
  else
    daemon_notify("READY=1");
  m.tree = tree;
  iv_main();
  tree = m.tree; /* a reload replaced it */
  rc = runtime_report(m.runtime);
  if (start_failed || m.reload_start_failed)
    rc = 1;
  if (m.reload_dropped)
    {
      logger_log(LIFELINE_LOG_ERROR, "Messages were dropped by a reload (see the totals logged at the reload)", NULL);
      rc = 1;
    }

out:
  daemon_remove_ready_file(m.ready_file);
  daemon_release_pid_file(m.pidfile, pid_fd);
  control_server_free(m.control);
  runtime_free(m.runtime);
  runtime_free(m.retiring); /* NULL: iv_main returns only outside a reload */
  config_tree_free(m.retiring_tree);
  persist_file_free(m.persist); /* after the sources: they were its clients */
  config_tree_free(tree);
  module_loader_free(loader);
  g_free(cfgfile);
  g_free(module_path);
  g_free(control_path);
  g_free(pidfile);
  g_free(ready_file);
  g_free(user);
  g_free(group);
  g_free(persist_path);
  iv_deinit();
  return rc;
}
