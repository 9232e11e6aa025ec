/*
 * The settings of a failover policy, as the config layer hands them over
 * (already parsed into milliseconds and counts), with their defaults.
 * docs/failover.md explains each one.
 */
#ifndef LIFELINE_FAILOVER_POLICY_OPTIONS_H
#define LIFELINE_FAILOVER_POLICY_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

/* The most servers a policy accepts (primary included). */
#define FAILOVER_SERVERS_MAX 1024

struct failover_policy_options
{
  size_t n_servers;                 /* 0 is the primary, then servers(...) in order; >= 1 */
  int failback;                     /* failback() given; else round-robin mode */
  int64_t time_reopen_ms;           /* first pass wait; default 1000 */
  int64_t reconnect_backoff_max_ms; /* pass wait ceiling; default 60000 */
  int64_t failover_jitter_ms;       /* delay of the first attempt after a break: U{0..this}; default 0 */
  int retries_per_server;           /* further attempts on a broken server; default 1 */
  int try_count;                    /* failed passes before EXHAUSTED; 0 = unlimited (default) */
  int on_exhausted_drop;            /* drop new messages while EXHAUSTED; default 0 (keep queued) */
  int64_t probe_interval_ms;        /* tcp-probe-interval(); default 60000 */
  int64_t probe_timeout_ms;         /* default 5000 */
  int probes_required;              /* successful-probes-required(); default 3 */
  int64_t connect_timeout_ms;       /* default 5000 */
  int64_t quarantine_window_ms;     /* a connection is healthy once up this long; default 300000; 0 = off */
  int64_t quarantine_base_ms;       /* first probe quarantine; default 300000 */
  int64_t quarantine_max_ms;        /* quarantine ceiling; default 3600000 */
  uint64_t seed;                    /* PRNG seed for the jitters */
};

/* Fills OPTS with the defaults listed above (n_servers 1, seed 0). */
void failover_policy_options_defaults(struct failover_policy_options *opts);

/* NULL when OPTS are usable, else a static sentence naming the bad field. */
const char *failover_policy_options_check(const struct failover_policy_options *opts);

#endif
