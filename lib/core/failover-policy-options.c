#include "failover-policy-options.h"

#include <string.h>

void
failover_policy_options_defaults(struct failover_policy_options *opts)
{
  memset(opts, 0, sizeof(*opts));
  opts->n_servers = 1;
  opts->failback = 0;
  opts->time_reopen_ms = 1000;
  opts->reconnect_backoff_max_ms = 60000;
  opts->failover_jitter_ms = 0;
  opts->retries_per_server = 1;
  opts->try_count = 0;
  opts->on_exhausted_drop = 0;
  opts->probe_interval_ms = 60000;
  opts->probe_timeout_ms = 5000;
  opts->probes_required = 3;
  opts->connect_timeout_ms = 5000;
  opts->quarantine_window_ms = 300000;
  opts->quarantine_base_ms = 300000;
  opts->quarantine_max_ms = 3600000;
  opts->seed = 0;
}

const char *
failover_policy_options_check(const struct failover_policy_options *opts)
{
  if (!opts)
    return "no options";
  if (opts->n_servers < 1 || opts->n_servers > FAILOVER_SERVERS_MAX)
    return "n_servers must be between 1 and FAILOVER_SERVERS_MAX";
  if (opts->time_reopen_ms <= 0)
    return "time_reopen_ms must be positive";
  if (opts->reconnect_backoff_max_ms <= 0)
    return "reconnect_backoff_max_ms must be positive";
  if (opts->failover_jitter_ms < 0)
    return "failover_jitter_ms must not be negative";
  if (opts->retries_per_server < 0)
    return "retries_per_server must not be negative";
  if (opts->try_count < 0)
    return "try_count must not be negative";
  if (opts->probe_interval_ms <= 0)
    return "probe_interval_ms must be positive";
  if (opts->probe_timeout_ms <= 0)
    return "probe_timeout_ms must be positive";
  if (opts->probes_required < 1)
    return "probes_required must be at least 1";
  if (opts->connect_timeout_ms <= 0)
    return "connect_timeout_ms must be positive";
  if (opts->quarantine_window_ms < 0)
    return "quarantine_window_ms must not be negative";
  if (opts->quarantine_base_ms <= 0)
    return "quarantine_base_ms must be positive";
  if (opts->quarantine_max_ms <= 0)
    return "quarantine_max_ms must be positive";
  return NULL;
}
