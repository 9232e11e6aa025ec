#include "network-options.h"

#include "located-error.h"
#include "option-reader.h"

#include <string.h>

static const char *const network_known_options[] = {
  "port", "transport", "time-reopen", "connect-timeout", "log-fifo-size", "queue-max-bytes",
  "log-msg-size", "failover", NULL,
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
  if (strcmp(transport, "udp") == 0)
    {
      located_error_at_option(err, opt,
                              "transport(\"udp\") is not supported: failover and delivery guarantees need "
                              "a connection; use transport(\"tcp\")");
      return -1;
    }
  if (strcmp(transport, "tls") == 0)
    {
      located_error_at_option(err, opt, "transport(\"tls\") is not available in this version yet; use \"tcp\"");
      return -1;
    }
  located_error_at_option(err, opt, "unknown transport \"%s\"; expected \"tcp\"", transport);
  return -1;
}

int
network_options_parse(const struct lifeline_option *driver, struct network_options *out,
                      struct lifeline_error *err)
{
  const char *host, *why;
  int64_t port;

  memset(out, 0, sizeof(*out));
  if (option_check_children(driver, network_known_options, err) < 0)
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

  const struct lifeline_option *failover = option_find(driver, "failover");
  if (failover)
    {
      located_error_at_option(err, failover, "failover() is not available in this version yet");
      return -1;
    }

  int64_t def_port = out->server.port ? out->server.port : NETWORK_DEFAULT_PORT;
  if (option_get_int64(driver, "port", def_port, 1, 65535, &port, err) < 0)
    return -1;
  out->server.port = (uint16_t) port;

  if (_parse_transport(driver, out, err) < 0)
    return -1;
  if (option_get_duration_ms(driver, "time-reopen", NETWORK_DEFAULT_TIME_REOPEN_MS, 10, 3600 * 1000,
                             &out->time_reopen_ms, err) < 0)
    return -1;
  if (option_get_duration_ms(driver, "connect-timeout", NETWORK_DEFAULT_CONNECT_TIMEOUT_MS, 10, 3600 * 1000,
                             &out->connect_timeout_ms, err) < 0)
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
  if (out->queue_max_bytes < out->log_msg_size + 16)
    {
      located_error_at_option(err, option_find(driver, "queue-max-bytes") ? option_find(driver, "queue-max-bytes") : driver,
                              "queue-max-bytes (%lld) must hold at least one message of log-msg-size (%lld) plus framing",
                              (long long) out->queue_max_bytes, (long long) out->log_msg_size);
      return -1;
    }
  return 0;
}
