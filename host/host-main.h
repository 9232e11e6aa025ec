/*
 * The lifeline process's state, shared by main.c (start, signals, exit) and
 * reload.c (SIGHUP).
 */
#ifndef LIFELINE_HOST_MAIN_H
#define LIFELINE_HOST_MAIN_H

#include "control-server.h"
#include "core/config-parser.h"
#include "module-loader.h"
#include "persist-file.h"
#include "runtime.h"

#include <iv.h>
#include <iv_signal.h>
#include <stdint.h>

struct host_main
{
  struct runtime *runtime; /* the current one: started, seen by the control server */
  struct config_tree *tree; /* RUNTIME's configuration */
  const char *cfgfile;
  struct module_loader *loader;
  int64_t stop_timeout_ms; /* --stop-timeout, or -1 */
  /* A reload in progress: RETIRING (the old runtime, built from
   * RETIRING_TREE) still delivers what it kept; the swap task frees it once
   * it finished. */
  struct runtime *retiring;
  struct config_tree *retiring_tree;
  struct iv_task swap;
  int quit_pending; /* RUNTIME finished while RETIRING had not */
  int stop_requested; /* SIGTERM or SIGINT */
  int reload_dropped; /* a retired runtime did not deliver everything */
  int reload_start_failed; /* the new runtime could not start: exit 1 */
  struct control_server *control; /* NULL without --control */
  struct iv_signal sigterm, sigint, sighup;
  const char *pidfile; /* written by us: remove at exit */
  const char *ready_file; /* likewise */
  int stopping_notified;
  struct persist_file *persist; /* file() positions; in memory only without --persist-file */
};

/* The current runtime finished (every source and destination stopped):
 * stop serving and leave iv_main.  A runtime_start FINISHED callback. */
void host_main_finished(void *ctx);
/* STOPPING=1 to systemd, once. */
void host_main_notify_stopping(struct host_main *m);

#endif
