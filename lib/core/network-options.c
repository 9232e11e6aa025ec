#include "network-options.h"

#include "located-error.h"
#include "option-reader.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define NETWORK_OPTION_NAMES                                                                                \
  "port", "transport", "ip-protocol", "time-reopen", "connect-timeout", "reconnect-backoff-max",             \
    "send-stall-timeout", "so-keepalive", "tcp-keepalive-time", "tcp-keepalive-intvl", "tcp-keepalive-probes", \
    "so-sndbuf", "localip", "log-fifo-size", "queue-max-bytes", "log-msg-size", "failover", "failback", "tls", "flags"

static const char *const network_known_options[] = { NETWORK_OPTION_NAMES, NULL };
/* syslog() only: network() refuses these as unknown. */
static const char *const syslog_known_options[] = {
  NETWORK_OPTION_NAMES, "facility", "severity", "hostname", "app-name", NULL,
};

static int
_parse_transport(const struct lifeline_option *driver, struct network_options *out, struct lifeline_error *err)
{
  const char *transport;
  const struct lifeline_option *opt = option_find(driver, "transport");

  if (option_get_string(driver, "transport", "tcp", &transport, err) < 0)
    return -1;
  if (strcmp(transport, "tcp") == 0)
    {
      out->transport = NETWORK_TRANSPORT_TCP;
      return 0;
    }
  if (strcmp(transport, "tls") == 0)
    {
      out->transport = NETWORK_TRANSPORT_TLS;
      return 0;
    }
  if (strcmp(transport, "udp") == 0)
    {
      located_error_at_option(err, opt,
                              "transport(\"udp\") is not supported: failover and delivery guarantees need "
                              "a connection; use transport(\"tcp\") or transport(\"tls\")");
      return -1;
    }
  located_error_at_option(err, opt, "unknown transport \"%s\"; expected \"tcp\" or \"tls\"", transport);
  return -1;
}

/* tls() of the destination, and of every failover server() that overrides
 * it; only with transport("tls"), so a forgotten transport cannot send in
 * plaintext what the writer meant to encrypt. */
static int
_parse_tls(const struct lifeline_option *driver, struct network_options *out, struct lifeline_error *err)
{
  const struct lifeline_option *tls = option_find(driver, "tls");

  if (out->transport != NETWORK_TRANSPORT_TLS)
    {
      const struct lifeline_option *bad = tls;
      for (size_t i = 1; !bad && i < out->failover.n_servers; i++)
        {
          const struct lifeline_option *node = failover_config_server_node(driver, i);
          bad = node ? option_find(node, "tls") : NULL;
        }
      if (bad)
        {
          located_error_at_option(err, bad, "tls() needs transport(\"tls\") in %s(); without it lifeline "
                                            "would send in plaintext", driver->name);
          return -1;
        }
      if (out->failover.probe_tls)
        {
          const struct lifeline_option *fo = option_find(driver, "failover");
          const struct lifeline_option *fb = fo ? option_find(fo, "failback") : NULL;
          located_error_at_option(err, fb ? option_find(fb, "probe") : driver,
                                  "probe(tls) needs transport(\"tls\") in %s()", driver->name);
          return -1;
        }
      return 0;
    }
  if (tls)
    {
      if (tls_options_parse(tls, NULL, &out->tls, err) < 0)
        return -1;
    }
  else
    tls_options_defaults(&out->tls);
  for (size_t i = 0; i < out->failover.n_servers; i++)
    {
      const struct lifeline_option *node = failover_config_server_node(driver, i);
      const struct lifeline_option *stls = node ? option_find(node, "tls") : NULL;
      if (stls)
        {
          if (tls_options_parse(stls, &out->tls, &out->server_tls[i], err) < 0)
            return -1;
        }
      else
        tls_options_copy(&out->server_tls[i], &out->tls);
    }
  return 0;
}

/* flags(drop-when-full): a full queue drops (counted, logged) instead of
 * stopping the sources; the default is backpressure. */
static int
_parse_flags(const struct lifeline_option *driver, struct network_options *out, struct lifeline_error *err)
{
  const struct lifeline_option *flags = option_find(driver, "flags");

  if (!flags)
    return 0;
  if (option_check_children(flags, (const char *const[]) { NULL }, err) < 0)
    return -1;
  for (size_t i = 0; i < flags->n_values; i++)
    {
      const char *w = flags->values[i]->text;
      if (strcmp(w, "drop-when-full") == 0 || strcmp(w, "drop_when_full") == 0)
        out->drop_when_full = 1;
      else
        {
          located_error_at_value(err, flags, flags->values[i], "unknown flag '%s' in flags(); expected drop-when-full",
                                 w);
          return -1;
        }
    }
  return 0;
}

static int
_parse_socket_options(const struct lifeline_option *driver, struct network_options *out, struct lifeline_error *err)
{
  int ipp = 0;
  const struct lifeline_option *ipo = option_find(driver, "ip-protocol");

  /* ip-protocol(4) is written as a number; the enum reader wants words. */
  if (ipo && ipo->n_values == 1 && ipo->n_children == 0)
    {
      const char *t = ipo->values[0]->text;
      if (strcmp(t, "4") == 0)
        ipp = 4;
      else if (strcmp(t, "6") == 0)
        ipp = 6;
      else
        {
          located_error_at_value(err, ipo, ipo->values[0], "expected 4 or 6, found %s", t);
          return -1;
        }
    }
  else if (ipo && (ipo->n_values || ipo->n_children))
    {
      located_error_at_option(err, ipo, "expected 4 or 6");
      return -1;
    }
  out->ip_protocol = ipp;

  /* localip(): the source address of every connection, as in syslog-ng. */
  const char *localip;
  if (option_get_string(driver, "localip", "", &localip, err) < 0)
    return -1;
  if (*localip)
    {
      struct in6_addr a6;
      int v4 = inet_pton(AF_INET, localip, &a6) == 1, v6 = !v4 && inet_pton(AF_INET6, localip, &a6) == 1;
      if (!v4 && !v6)
        {
          const struct lifeline_option *lo = option_find(driver, "localip");
          located_error_at_value(err, lo, lo->values[0], "localip() must be an IPv4 or IPv6 address, found \"%s\"",
                                 localip);
          return -1;
        }
      snprintf(out->localip, sizeof(out->localip), "%s", localip);
    }

  if (option_get_duration_ms(driver, "send-stall-timeout", NETWORK_DEFAULT_SEND_STALL_TIMEOUT_MS, 0,
                             3600 * 1000, &out->send_stall_timeout_ms, err) < 0
      || option_get_bool(driver, "so-keepalive", 0, &out->so_keepalive, err) < 0
      || option_get_int64(driver, "tcp-keepalive-time", 0, 0, 32767, &out->tcp_keepalive_time_s, err) < 0
      || option_get_int64(driver, "tcp-keepalive-intvl", 0, 0, 32767, &out->tcp_keepalive_intvl_s, err) < 0
      || option_get_int64(driver, "tcp-keepalive-probes", 0, 0, 127, &out->tcp_keepalive_probes, err) < 0
      || option_get_size(driver, "so-sndbuf", 0, 0, 1 << 30, &out->so_sndbuf, err) < 0)
    return -1;
  if (out->send_stall_timeout_ms > 0 && out->send_stall_timeout_ms < 100)
    {
      located_error_at_option(err, option_find(driver, "send-stall-timeout"),
                              "send-stall-timeout() below 0.1 s would declare healthy collectors dead; use 0 to turn it off");
      return -1;
    }
  return 0;
}

/* facility(local0), facility("local0") or facility(16): a name or a number. */
static int
_parse_code(const struct lifeline_option *driver, const char *name, const char *def, int (*lookup)(const char *),
            const char *expected, int *out, struct lifeline_error *err)
{
  const struct lifeline_option *opt = option_find(driver, name);
  const char *text;

  if (opt && opt->n_values == 1 && opt->n_children == 0 && opt->values[0]->kind == LIFELINE_VALUE_NUMBER)
    text = opt->values[0]->text;
  else if (option_get_string(driver, name, def, &text, err) < 0)
    return -1;
  *out = lookup(text);
  if (*out < 0)
    {
      located_error_at_value(err, opt, opt->values[0], "unknown %s '%s'; expected %s", name, text, expected);
      return -1;
    }
  return 0;
}

static int
_parse_syslog(const struct lifeline_option *driver, struct network_syslog_options *out, struct lifeline_error *err)
{
  const char *hostname, *app_name;

  if (_parse_code(driver, "facility", "user", syslog_facility_from_name,
                  "kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp, ntp, security, "
                  "console, solaris-cron, local0 ... local7, or a number from 0 to 23",
                  &out->facility, err) < 0
      || _parse_code(driver, "severity", "notice", syslog_severity_from_name,
                     "emerg, alert, crit, err, warning, notice, info, debug, or a number from 0 to 7",
                     &out->severity, err) < 0
      || option_get_string(driver, "hostname", NULL, &hostname, err) < 0
      || option_get_string(driver, "app-name", SYSLOG_DEFAULT_APP_NAME, &app_name, err) < 0)
    return -1;
  out->hostname[0] = '\0';
  if (hostname)
    syslog_sanitize_field(out->hostname, SYSLOG_HOSTNAME_MAX, hostname);
  syslog_sanitize_field(out->app_name, SYSLOG_APP_NAME_MAX, app_name);
  return 0;
}

int64_t
network_options_max_frame(const struct network_options *opts)
{
  return opts->log_msg_size + (opts->framing == NETWORK_FRAMING_SYSLOG ? SYSLOG_FRAME_OVERHEAD_MAX : 1);
}

static int
_parse(const struct lifeline_option *driver, int framing, struct network_options *out, struct lifeline_error *err)
{
  const char *host, *why;
  int64_t port;
  int is_syslog = framing == NETWORK_FRAMING_SYSLOG;

  memset(out, 0, sizeof(*out));
  out->framing = framing;
  if (option_check_children(driver, is_syslog ? syslog_known_options : network_known_options, err) < 0)
    return -1;
  if (is_syslog && _parse_syslog(driver, &out->syslog, err) < 0)
    return -1;
  if (driver->n_values != 1)
    {
      located_error_at_option(err, driver, "expected exactly one server address, e.g. %s(\"collector.example\" port(514))",
                              driver->name);
      return -1;
    }
  if (option_value_string(driver, 0, &host, err) < 0)
    return -1;
  if (server_address_parse(host, &out->server, &why) < 0)
    {
      located_error_at_value(err, driver, driver->values[0], "bad server address \"%s\": %s", host, why);
      return -1;
    }

  if (_parse_transport(driver, out, err) < 0)
    return -1;
  const struct lifeline_option *port_opt = option_find(driver, "port");
  if (out->server.port && port_opt)
    {
      located_error_at_option(err, port_opt, "the server address \"%s\" already names port %u; write the port once",
                              host, (unsigned) out->server.port);
      return -1;
    }
  /* syslog() over TLS: RFC 5425's port, as syslog-ng's syslog() uses. */
  int64_t def_port = out->server.port ? out->server.port
                     : is_syslog      ? (out->transport == NETWORK_TRANSPORT_TLS ? SYSLOG_TLS_DEFAULT_PORT
                                                                                 : SYSLOG_DEFAULT_PORT)
                                      : NETWORK_DEFAULT_PORT;
  if (option_get_int64(driver, "port", def_port, 1, 65535, &port, err) < 0)
    return -1;
  out->server.port = (uint16_t) port;

  if (option_get_duration_ms(driver, "time-reopen", NETWORK_DEFAULT_TIME_REOPEN_MS, 10, 3600 * 1000,
                             &out->time_reopen_ms, err) < 0)
    return -1;
  if (option_get_duration_ms(driver, "connect-timeout", NETWORK_DEFAULT_CONNECT_TIMEOUT_MS, 10, 3600 * 1000,
                             &out->connect_timeout_ms, err) < 0)
    return -1;
  if (_parse_socket_options(driver, out, err) < 0 || _parse_flags(driver, out, err) < 0)
    return -1;

  struct failover_policy_options *policy = &out->failover.policy;
  failover_policy_options_defaults(policy);
  policy->time_reopen_ms = out->time_reopen_ms;
  policy->connect_timeout_ms = out->connect_timeout_ms;
  if (option_get_duration_ms(driver, "reconnect-backoff-max", NETWORK_DEFAULT_RECONNECT_BACKOFF_MAX_MS,
                             10, 24 * 3600 * 1000, &policy->reconnect_backoff_max_ms, err) < 0)
    return -1;
  if (policy->reconnect_backoff_max_ms < out->time_reopen_ms)
    policy->reconnect_backoff_max_ms = out->time_reopen_ms;
  if (failover_config_parse(driver, &out->server, out->server.port, &out->failover, err) < 0
      || _parse_tls(driver, out, err) < 0)
    return -1;

  if (option_get_int64(driver, "log-fifo-size", NETWORK_DEFAULT_LOG_FIFO_SIZE, 1, 100 * 1000 * 1000,
                       &out->log_fifo_size, err) < 0)
    return -1;
  if (option_get_size(driver, "log-msg-size", NETWORK_DEFAULT_LOG_MSG_SIZE, 16, 64 * 1024 * 1024,
                      &out->log_msg_size, err) < 0)
    return -1;
  if (option_get_size(driver, "queue-max-bytes", NETWORK_DEFAULT_QUEUE_MAX_BYTES, 1024, (int64_t) 16 << 30,
                      &out->queue_max_bytes, err) < 0)
    return -1;
  int64_t need = is_syslog ? network_options_max_frame(out) : out->log_msg_size + 16;
  if (out->queue_max_bytes < need)
    {
      located_error_at_option(err, option_find(driver, "queue-max-bytes") ? option_find(driver, "queue-max-bytes") : driver,
                              "queue-max-bytes (%lld) must hold at least one message of log-msg-size (%lld) plus framing",
                              (long long) out->queue_max_bytes, (long long) out->log_msg_size);
      return -1;
    }
  return 0;
}

void
network_options_clear(struct network_options *self)
{
  if (!self)
    return;
  tls_options_clear(&self->tls);
  for (size_t i = 0; i < FAILOVER_CONFIG_MAX_SERVERS; i++)
    tls_options_clear(&self->server_tls[i]);
}

void
network_options_copy(struct network_options *dst, const struct network_options *src)
{
  *dst = *src;
  tls_options_copy(&dst->tls, &src->tls);
  for (size_t i = 0; i < FAILOVER_CONFIG_MAX_SERVERS; i++)
    tls_options_copy(&dst->server_tls[i], &src->server_tls[i]);
}

const struct lifeline_option *
network_options_tls_option(const struct lifeline_option *driver, size_t server, const char *name)
{
  const struct lifeline_option *node = failover_config_server_node(driver, server);
  const struct lifeline_option *tls = node ? option_find(node, "tls") : NULL;
  const struct lifeline_option *found = tls && name ? option_find(tls, name) : NULL;

  if (found)
    return found;
  if (tls && !option_find(driver, "tls"))
    return tls; /* the server's own tls() is the nearest place */
  /* Inherited from the destination's tls(), or a default. */
  tls = option_find(driver, "tls");
  found = tls && name ? option_find(tls, name) : NULL;
  if (found)
    return found;
  return tls ? tls : option_find(driver, "transport") ? option_find(driver, "transport") : driver;
}

int
network_options_parse(const struct lifeline_option *driver, struct network_options *out,
                      struct lifeline_error *err)
{
  return _parse(driver, NETWORK_FRAMING_NEWLINE, out, err);
}

int
network_options_parse_syslog(const struct lifeline_option *driver, struct network_options *out,
                             struct lifeline_error *err)
{
  return _parse(driver, NETWORK_FRAMING_SYSLOG, out, err);
}
