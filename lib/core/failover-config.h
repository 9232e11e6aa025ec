/*
 * The failover() block of a network() or syslog() destination:
 *
 *   failover(servers("backup1" "backup2:602" server("10.0.0.9" port(6515)))
 *            failback(tcp-probe-interval(60) successful-probes-required(3))
 *            try-count(0) retries-per-server(1) failover-jitter(0) on-exhausted(keep))
 *
 * read into the server list and the pure policy's options, with located
 * errors.  Pure: names are not resolved here (DNS being down at boot must not
 * stop a config from loading).
 */
#ifndef LIFELINE_FAILOVER_CONFIG_H
#define LIFELINE_FAILOVER_CONFIG_H

#include "failover-policy-options.h"
#include "server-address.h"

#include <lifeline/plugin.h>

#define FAILOVER_CONFIG_MAX_SERVERS 32

struct failover_config
{
  size_t n_servers; /* 0 is the primary */
  struct server_address servers[FAILOVER_CONFIG_MAX_SERVERS];
  struct failover_policy_options policy;
  int probe_tls; /* failback(probe(tls)): a probe is a verified TLS handshake, not a TCP connect */
};

/* DRIVER is the network()/syslog() node whose values[0] is the primary and
 * whose failover() child (optional) lists the rest; DEFAULT_PORT applies to
 * every server written without one.  POLICY must already hold the
 * driver-level timers (time-reopen, connect-timeout, reconnect-backoff-max);
 * failover() fills in the rest.  0, or -1 with a located ERR. */
int failover_config_parse(const struct lifeline_option *driver, const struct server_address *primary,
                          uint16_t default_port, struct failover_config *out, struct lifeline_error *err);

/* The server("host" ...) block that server INDEX came from, or NULL when it
 * was written as a plain string (or is the primary).  Borrowed from DRIVER's
 * tree; for reading per-server options such as tls(). */
const struct lifeline_option *failover_config_server_node(const struct lifeline_option *driver, size_t index);

#endif
