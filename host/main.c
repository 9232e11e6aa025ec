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

#include <errno.h>
#include <glib.h>
#include <grp.h>
#include <iv.h>
#include <iv_signal.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lifeline-build.h"

#if LIFELINE_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

/* Who to become after binding (--user, --group). */
struct identity
{
  const char *user; /* NULL: keep the uid */
  uid_t uid;
  gid_t gid;
  int set_gid; /* --user or --group given */
};

struct host_main
{
  struct runtime *runtime; /* the current one: started, seen by the control server */
  struct config_tree *tree; /* RUNTIME's configuration */
  const char *cfgfile;
  struct module_loader *loader;
  int64_t stop_timeout_ms; /* --stop-timeout, or -1 */
  /* A reload in progress: RETIRING (the old runtime, stopping) finishes,
   * then a task starts PENDING (built from PENDING_TREE) in its place. */
  struct runtime *retiring, *pending;
  struct config_tree *pending_tree;
  struct iv_task swap;
  int stop_requested; /* SIGTERM or SIGINT */
  int reload_dropped; /* a retired runtime did not deliver everything */
  int reload_start_failed; /* the new runtime could not start: exit 1 */
  struct control_server *control; /* NULL without --control */
  struct iv_signal sigterm, sigint, sighup;
  const char *pidfile; /* written by us: remove at exit */
  const char *ready_file; /* likewise */
  int stopping_notified;
};

/* systemd's readiness protocol; nothing without libsystemd or NOTIFY_SOCKET. */
static void
_notify(const char *state)
{
#if LIFELINE_HAVE_SYSTEMD
  sd_notify(0, state);
#else
  (void) state;
#endif
}

static void
_notify_stopping(struct host_main *m)
{
  if (m->stopping_notified)
    return;
  m->stopping_notified = 1;
  _notify("STOPPING=1");
}

/* A file holding "PID\n", replaced atomically (a reader never sees it half
 * written).  0, or -1 with errno-based text in ERR. */
static int
_write_pid_file(const char *path, char *err, size_t err_size)
{
  char text[32];
  GError *gerr = NULL;
  snprintf(text, sizeof(text), "%ld\n", (long) getpid());
  if (!g_file_set_contents(path, text, -1, &gerr))
    {
      snprintf(err, err_size, "%s", gerr->message);
      g_error_free(gerr);
      return -1;
    }
  return 0;
}

/* The pid a pid file names, or 0 (missing, empty, not a number). */
static long
_read_pid_file(const char *path)
{
  gchar *text = NULL;
  long pid = 0;
  if (g_file_get_contents(path, &text, NULL, NULL))
    {
      char *end;
      pid = strtol(text, &end, 10);
      if (end == text || (*end != '\n' && *end != '\0') || pid <= 0)
        pid = 0;
    }
  g_free(text);
  return pid;
}

static int
_pid_is_alive(long pid)
{
  return pid > 0 && pid != (long) getpid() && (kill((pid_t) pid, 0) == 0 || errno == EPERM);
}

/* Removes PATH if it still names us (never a later lifeline's file). */
static void
_remove_pid_file(const char *path, const char *what)
{
  if (!path || _read_pid_file(path) != (long) getpid())
    return;
  if (unlink(path) < 0 && errno != ENOENT)
    logger_log(LIFELINE_LOG_WARNING, "Cannot remove a file written at start", "file", what, "path", path,
               "reason", g_strerror(errno), NULL);
}

/* --user/--group: names or numbers, resolved before anything starts. */
static int
_resolve_identity(const char *user, const char *group, struct identity *id)
{
  memset(id, 0, sizeof(*id));
  if (!user && !group)
    return 0;
  if (geteuid() != 0)
    {
      fprintf(stderr, "lifeline: --user and --group need root (running as uid %ld)\n", (long) geteuid());
      return -1;
    }
  if (user)
    {
      struct passwd *pw = getpwnam(user);
      char *end;
      long n = strtol(user, &end, 10);
      if (!pw && *user && !*end && n >= 0)
        pw = getpwuid((uid_t) n);
      if (!pw)
        {
          fprintf(stderr, "lifeline: --user: no such user '%s'\n", user);
          return -1;
        }
      id->uid = pw->pw_uid;
      id->gid = pw->pw_gid;
      id->set_gid = 1;
      /* initgroups() needs the name, also when given as a number. */
      id->user = g_intern_string(pw->pw_name);
    }
  if (group)
    {
      struct group *gr = getgrnam(group);
      char *end;
      long n = strtol(group, &end, 10);
      if (!gr && *group && !*end && n >= 0)
        gr = getgrgid((gid_t) n);
      if (!gr)
        {
          fprintf(stderr, "lifeline: --group: no such group '%s'\n", group);
          return -1;
        }
      id->gid = gr->gr_gid;
      id->set_gid = 1;
    }
  return 0;
}

/* Supplementary groups, then the gid, then the uid (the order that leaves no
 * way back), and a check that root cannot be regained. */
static int
_drop_privileges(const struct identity *id, char *err, size_t err_size)
{
  if (!id->set_gid)
    return 0;
  if (id->user ? initgroups(id->user, id->gid) < 0 : setgroups(1, &id->gid) < 0)
    {
      snprintf(err, err_size, "cannot set the supplementary groups: %s", g_strerror(errno));
      return -1;
    }
  if (setgid(id->gid) < 0)
    {
      snprintf(err, err_size, "cannot change to gid %ld: %s", (long) id->gid, g_strerror(errno));
      return -1;
    }
  if (id->user && setuid(id->uid) < 0)
    {
      snprintf(err, err_size, "cannot change to uid %ld: %s", (long) id->uid, g_strerror(errno));
      return -1;
    }
  if (id->user && id->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
    {
      snprintf(err, err_size, "still able to regain root after changing to uid %ld", (long) id->uid);
      return -1;
    }
  return 0;
}

static void
_finished(void *ctx)
{
  struct host_main *m = ctx;
  _notify_stopping(m);
  /* Unregister everything of ours so iv_main returns with nothing left behind. */
  iv_signal_unregister(&m->sigterm);
  iv_signal_unregister(&m->sigint);
  iv_signal_unregister(&m->sighup);
  if (iv_task_registered(&m->swap))
    iv_task_unregister(&m->swap);
  /* Served until every destination stopped, so status works while draining. */
  control_server_stop(m->control);
  iv_quit();
}

static void
_on_stop_signal(struct host_main *m, const char *why)
{
  _notify_stopping(m);
  m->stop_requested = 1;
  /* During a reload the old runtime is already stopping (this is a no-op for
   * it) and the swap, seeing stop_requested, starts nothing new. */
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

/* The old runtime finished: on the loop, outside its call stack (it may
 * still be inside a destination's stop callback), put the new one in. */
static void
_swap(void *ctx)
{
  struct host_main *m = ctx;
  struct runtime *old = m->retiring;
  struct config_tree *old_tree = m->tree;
  struct lifeline_error err;
  char buf[1024];

  if (m->stop_requested)
    {
      /* SIGTERM during the reload: the old runtime stopped; start nothing.
       * The exit summary reports the old runtime (still m->runtime). */
      logger_log(LIFELINE_LOG_NOTICE, "Reload abandoned; stopping", NULL);
      runtime_free(m->pending);
      config_tree_free(m->pending_tree);
      m->pending = NULL;
      m->pending_tree = NULL;
      m->retiring = NULL;
      _finished(m);
      return;
    }
  /* The old runtime's totals now; the exit summary reports the new one. */
  if (runtime_report(old) != 0)
    m->reload_dropped = 1;
  m->runtime = m->pending;
  m->tree = m->pending_tree;
  m->pending = NULL;
  m->pending_tree = NULL;
  m->retiring = NULL;
  control_server_set_runtime(m->control, m->runtime);
  located_error_init(&err);
  if (runtime_start(m->runtime, _finished, m, &err) < 0)
    {
      /* E.g. a port the new configuration listens on is taken. */
      logger_log(LIFELINE_LOG_ERROR, "Reload failed to start the new configuration; stopping", "file", m->cfgfile,
                 "error", located_error_format(&err, buf, sizeof(buf)), NULL);
      m->reload_start_failed = 1;
      _notify_stopping(m);
      runtime_request_stop(m->runtime, "start failed");
    }
  else
    {
      logger_log(LIFELINE_LOG_NOTICE, "Configuration reloaded", "file", m->cfgfile, NULL);
      _notify("READY=1");
    }
  runtime_free(old);
  config_tree_free(old_tree);
}

static void
_retired(void *ctx)
{
  struct host_main *m = ctx;
  iv_task_register(&m->swap);
}

static void
_on_sighup(void *ctx)
{
  struct host_main *m = ctx;
  struct lifeline_error err;
  char buf[1024];

  if (m->retiring)
    {
      logger_log(LIFELINE_LOG_WARNING, "SIGHUP received during a reload; ignoring it", "file", m->cfgfile, NULL);
      return;
    }
  if (m->stop_requested || runtime_is_stopping(m->runtime))
    {
      logger_log(LIFELINE_LOG_WARNING, "SIGHUP received while stopping; ignoring it", "file", m->cfgfile, NULL);
      return;
    }
  logger_log(LIFELINE_LOG_NOTICE, "Reloading configuration", "file", m->cfgfile, NULL);
  /* Parsed and validated completely (no I/O, no module loading) before the
   * running configuration is touched. */
  located_error_init(&err);
  struct config_tree *tree = config_parse_file(m->cfgfile, &err);
  struct runtime *next = tree ? runtime_new(config_tree_root(tree), m->loader, &err) : NULL;
  if (!next)
    {
      logger_log(LIFELINE_LOG_ERROR, "Reload failed; the running configuration stays", "file", m->cfgfile,
                 "error", located_error_format(&err, buf, sizeof(buf)), NULL);
      config_tree_free(tree);
      return;
    }
  if (!config_tree_version(tree))
    logger_log(LIFELINE_LOG_WARNING, "Configuration has no @version; assuming the current syntax", "file",
               m->cfgfile, NULL);
  if (m->stop_timeout_ms >= 0)
    runtime_set_stop_timeout(next, (uint32_t) m->stop_timeout_ms);
  m->pending = next;
  m->pending_tree = tree;
  m->retiring = m->runtime;
  _notify("RELOADING=1");
  if (runtime_retire(m->retiring, _retired, m) < 0)
    {
      /* Not reached: checked above. */
      m->retiring = NULL;
      m->pending = NULL;
      m->pending_tree = NULL;
      runtime_free(next);
      config_tree_free(tree);
    }
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
  char *pidfile = NULL, *ready_file = NULL, *user = NULL, *group = NULL;
  gboolean syntax_only = FALSE, verbose = FALSE, debug = FALSE, version = FALSE;
  double stop_timeout = -1;
  GOptionEntry entries[] = {
    { "cfgfile", 'f', 0, G_OPTION_ARG_FILENAME, &cfgfile, "Configuration file", "FILE" },
    { "module-path", 0, 0, G_OPTION_ARG_STRING, &module_path, "Where modules are (':'-separated); before LIFELINE_MODULE_PATH and " LIFELINE_MODULE_DIR, "DIRS" },
    { "syntax-only", 's', 0, G_OPTION_ARG_NONE, &syntax_only, "Check the configuration (loading modules to validate their options) and exit", NULL },
    { "control", 'c', 0, G_OPTION_ARG_FILENAME, &control_path, "Serve lifelinectl on this unix socket (mode 0600; default: none)", "PATH" },
    { "stop-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &stop_timeout, "Seconds to deliver what is queued at stop (overrides options { stop-timeout() })", "SECONDS" },
    { "pidfile", 'p', 0, G_OPTION_ARG_FILENAME, &pidfile, "Write the process id to FILE before starting (refused if it names a running process); removed at exit", "FILE" },
    { "ready-file", 0, 0, G_OPTION_ARG_FILENAME, &ready_file, "Write the process id to FILE once every source listens and every destination started; removed at exit", "FILE" },
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
      g_free(ready_file), g_free(user), g_free(group);                                \
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
  struct identity identity;
  if (_resolve_identity(user, group, &identity) < 0)
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
  struct host_main m;
  memset(&m, 0, sizeof(m));
  m.cfgfile = cfgfile;
  m.loader = loader;
  m.stop_timeout_ms = -1;
  IV_TASK_INIT(&m.swap);
  m.swap.cookie = &m;
  m.swap.handler = _swap;
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
      /* Before anything starts, like the control socket below. */
      long other = _read_pid_file(pidfile);
      if (_pid_is_alive(other))
        {
          fprintf(stderr, "lifeline: pid file %s names a running process (pid %ld); not starting a second lifeline\n",
                  pidfile, other);
          goto out;
        }
      if (_write_pid_file(pidfile, perr, sizeof(perr)) < 0)
        {
          fprintf(stderr, "lifeline: cannot write the pid file: %s\n", perr);
          goto out;
        }
      m.pidfile = pidfile;
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
      /* Mode 0600 means lifeline's user and root: after --user that user. */
      if (identity.user && chown(control_path, identity.uid, (gid_t) -1) < 0)
        {
          fprintf(stderr, "lifeline: cannot hand the control socket %s to user %s: %s\n", control_path,
                  identity.user, g_strerror(errno));
          goto out;
        }
    }
  _signal_init(&m.sigterm, SIGTERM, _on_sigterm, &m);
  _signal_init(&m.sigint, SIGINT, _on_sigint, &m);
  _signal_init(&m.sighup, SIGHUP, _on_sighup, &m);
  int start_failed = runtime_start(m.runtime, _finished, &m, &err) < 0;
  if (start_failed)
    _print_error(&err);
  /* Every source is bound and the control socket too: privileges go now,
   * before any input is read (that happens once iv_main runs). */
  if (!start_failed && _drop_privileges(&identity, perr, sizeof(perr)) < 0)
    {
      fprintf(stderr, "lifeline: %s\n", perr);
      start_failed = 1;
    }
  if (!start_failed && ready_file)
    {
      if (_write_pid_file(ready_file, perr, sizeof(perr)) < 0)
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
    _notify("READY=1");
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
  _remove_pid_file(m.ready_file, "ready-file");
  _remove_pid_file(m.pidfile, "pidfile");
  control_server_free(m.control);
  runtime_free(m.runtime);
  runtime_free(m.pending); /* NULL: iv_main returns only outside a reload */
  config_tree_free(m.pending_tree);
  config_tree_free(tree);
  module_loader_free(loader);
  g_free(cfgfile);
  g_free(module_path);
  g_free(control_path);
  g_free(pidfile);
  g_free(ready_file);
  g_free(user);
  g_free(group);
  iv_deinit();
  return rc;
}
