/*
 * The options of a network() destination, read from its config subtree and
 * validated with located errors.  Pure; the I/O shell gets a finished struct.
 * Every default here is documented in docs/configuration.md.
 */
#ifndef LIFELINE_NETWORK_OPTIONS_H
#define LIFELINE_NETWORK_OPTIONS_H

#include "failover-config.h"
#include "server-address.h"

#include <lifeline/plugin.h>
#include <stddef.h>
#include <stdint.h>

#define NETWORK_DEFAULT_PORT 514
#define NETWORK_DEFAULT_TIME_REOPEN_MS 1000
#define NETWORK_DEFAULT_LOG_FIFO_SIZE 100000
#define NETWORK_DEFAULT_QUEUE_MAX_BYTES (32 * 1024 * 1024)
#define NETWORK_DEFAULT_LOG_MSG_SIZE (64 * 1024)
#define NETWORK_DEFAULT_CONNECT_TIMEOUT_MS 5000
#define NETWORK_DEFAULT_RECONNECT_BACKOFF_MAX_MS 60000
#define NETWORK_DEFAULT_SEND_STALL_TIMEOUT_MS 10000

enum network_transport
{
  NETWORK_TRANSPORT_TCP = 0,
};

struct network_options
{
  struct server_address server; /* the primary; port always set */
  int transport;
  int ip_protocol; /* 0 (any), 4 or 6 */
  int64_t time_reopen_ms;
  int64_t connect_timeout_ms;
  int64_t send_stall_timeout_ms; /* 0 = off */
  int so_keepalive;
  int64_t tcp_keepalive_time_s, tcp_keepalive_intvl_s, tcp_keepalive_probes; /* 0 = the kernel's */
  int64_t so_sndbuf; /* 0 = the kernel's */
  int64_t log_fifo_size;
  int64_t queue_max_bytes;
  int64_t log_msg_size;
  struct failover_config failover; /* always holds at least the primary */
};

/* Fills OUT from a network("host" ...) node.  0, or -1 with ERR located at the
 * offending option. */
int network_options_parse(const struct lifeline_option *driver, struct network_options *out,
                          struct lifeline_error *err);

#endif
