#include "reload.h"

#include "core/located-error.h"
#include "daemon.h"
#include "host-main.h"
#include "logger.h"

#include <glib.h>

/* The old runtime finished: on the loop, outside its call stack (it may
 * still be inside a destination's stop callback), report and free it. */
void
reload_swap(void *ctx)
{
  struct host_main *m = ctx;

  if (runtime_report(m->retiring) != 0)
    m->reload_dropped = 1;
  runtime_free(m->retiring);
  config_tree_free(m->retiring_tree);
  m->retiring = NULL;
  m->retiring_tree = NULL;
  if (m->quit_pending)
    host_main_finished(m); /* the new runtime finished first */
}

static void
_retired(void *ctx)
{
  struct host_main *m = ctx;
  iv_task_register(&m->swap);
}

void
reload_on_sighup(void *ctx)
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
  struct runtime *next = tree ? runtime_new(config_tree_root(tree), m->loader, m->persist, &err) : NULL;
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
  daemon_notify("RELOADING=1");
  m->retiring = m->runtime;
  m->retiring_tree = m->tree;
  m->runtime = next;
  m->tree = tree;
  /* What is unchanged moves over; the rest of the old runtime stops (its
   * listeners close at once, so the new one can bind the same ports). */
  runtime_hand_over(m->retiring, next, _retired, m);
  control_server_set_runtime(m->control, next);
  /* Where a file() source that changed continues: the last delivered line. */
  persist_file_flush(m->persist);
  located_error_init(&err);
  if (runtime_start(next, host_main_finished, m, &err) < 0)
    {
      /* E.g. a port the new configuration listens on is taken. */
      logger_log(LIFELINE_LOG_ERROR, "Reload failed to start the new configuration; stopping", "file", m->cfgfile,
                 "error", located_error_format(&err, buf, sizeof(buf)), NULL);
      m->reload_start_failed = 1;
      host_main_notify_stopping(m);
      runtime_request_stop(next, "start failed");
      return;
    }
  logger_log(LIFELINE_LOG_NOTICE, "Configuration reloaded", "file", m->cfgfile, NULL);
  daemon_notify("READY=1");
}
