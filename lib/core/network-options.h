/*
 * The options of a network() or syslog() destination, read from its config
 * subtree and validated with located errors.  Pure; the I/O shell gets a
 * finished struct (and fills in the machine's name for syslog()).
 * Every default here is documented in docs/configuration.md.
 */
#ifndef LIFELINE_NETWORK_OPTIONS_H
#define LIFELINE_NETWORK_OPTIONS_H

#include "failover-config.h"
#include "server-address.h"
#include "syslog-format.h"
#include "tls-options.h"

#include <lifeline/plugin.h>
#include <stddef.h>
#include <stdint.h>

#define NETWORK_DEFAULT_PORT 514
#define SYSLOG_DEFAULT_PORT 601
#define SYSLOG_TLS_DEFAULT_PORT 6514
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
  NETWORK_TRANSPORT_TLS = 1,
};

/* How a message goes on the wire: network() sends the line + "\n";
 * syslog() sends RFC 6587 octet-counted RFC 5424 messages (syslog-format.h). */
enum network_framing
{
  NETWORK_FRAMING_NEWLINE = 0,
  NETWORK_FRAMING_SYSLOG = 1,
};

/* The header fields of syslog() (defaults in syslog-format.h), already
 * sanitized as header fields. */
struct network_syslog_options
{
  int facility; /* 0..23 */
  int severity; /* 0..7 */
  char hostname[SYSLOG_HOSTNAME_MAX + 1]; /* "": not configured; the shell fills in the machine's name */
  char app_name[SYSLOG_APP_NAME_MAX + 1];
};

struct network_options
{
  int framing; /* enum network_framing */
  struct network_syslog_options syslog; /* NETWORK_FRAMING_SYSLOG only */
  struct server_address server; /* the primary; port always set */
  int transport;
  int ip_protocol; /* 0 (any), 4 or 6 */
  int64_t time_reopen_ms;
  int64_t connect_timeout_ms;
  int64_t send_stall_timeout_ms; /* 0 = off */
  int so_keepalive;
  int64_t tcp_keepalive_time_s, tcp_keepalive_intvl_s, tcp_keepalive_probes; /* 0 = the kernel's */
  int64_t so_sndbuf; /* 0 = the kernel's */
  char localip[64]; /* source address of connections; "" = the kernel chooses */
  int64_t log_fifo_size;
  int64_t queue_max_bytes;
  int64_t log_msg_size;
  int drop_when_full; /* flags(drop-when-full) */
  struct failover_config failover; /* always holds at least the primary */
  /* transport("tls") only: the destination's tls(), and each server's
   * effective options (its own server(... tls()) over the destination's). */
  struct tls_options tls;
  struct tls_options server_tls[FAILOVER_CONFIG_MAX_SERVERS];
};

/* Fills OUT from a network("host" ...) node.  0, or -1 with ERR located at the
 * offending option.  OUT owns heap strings (the TLS options) afterwards,
 * even after an error: network_options_clear() it in every case. */
int network_options_parse(const struct lifeline_option *driver, struct network_options *out,
                          struct lifeline_error *err);

/* The same for a syslog("host" ...) node: network()'s options plus
 * facility(), severity(), hostname() and app-name(); default port 601. */
int network_options_parse_syslog(const struct lifeline_option *driver, struct network_options *out,
                                 struct lifeline_error *err);

/* Frees what OPTS owns (NULL-safe, idempotent). */
void network_options_clear(struct network_options *opts);
/* A deep copy; DST is overwritten (not cleared first). */
void network_options_copy(struct network_options *dst, const struct network_options *src);

/* Where to locate an error about the effective TLS option NAME of SERVER
 * (e.g. an unreadable ca-file): the server's own tls() option, else the
 * destination's, else the tls() or transport() node.  Borrowed from DRIVER. */
const struct lifeline_option *network_options_tls_option(const struct lifeline_option *driver, size_t server,
                                                         const char *name);

/* The most bytes one queued frame of OPTS can take: log-msg-size() plus the
 * framing (a newline, or an octet count and a syslog header). */
int64_t network_options_max_frame(const struct network_options *opts);

#endif
