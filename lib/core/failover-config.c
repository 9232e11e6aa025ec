#include "failover-config.h"

#include "located-error.h"
#include "option-reader.h"

#include <string.h>

static const char *const failover_known[] = {
  "servers", "failback", "try-count", "retries-per-server", "failover-jitter", "on-exhausted", NULL,
};
static const char *const failback_known[] = {
  "tcp-probe-interval", "successful-probes-required", "probe-timeout",
  "quarantine-window", "quarantine-base", "quarantine-max", "probe", NULL,
};
static const char *const probe_choices[] = { "tcp", "tls", NULL };
static const char *const exhausted_choices[] = { "keep", "drop", NULL };

static int
_add_server(struct failover_config *out, const struct server_address *addr,
            const struct lifeline_option *where, const struct lifeline_value *value, struct lifeline_error *err)
{
  for (size_t i = 0; i < out->n_servers; i++)
    if (strcmp(out->servers[i].host, addr->host) == 0 && out->servers[i].port == addr->port)
      {
        char buf[SERVER_ADDRESS_HOST_MAX + 16];
        const char *what = i == 0 ? "the primary server" : "another failover server";
        if (value)
          located_error_at_value(err, where, value, "duplicate server %s: it is already %s",
                                 server_address_format(addr, buf, sizeof(buf)), what);
        else
          located_error_at_option(err, where, "duplicate server %s: it is already %s",
                                  server_address_format(addr, buf, sizeof(buf)), what);
        return -1;
      }
  if (out->n_servers >= FAILOVER_CONFIG_MAX_SERVERS)
    {
      located_error_at_option(err, where, "too many servers; at most %d including the primary",
                              FAILOVER_CONFIG_MAX_SERVERS);
      return -1;
    }
  out->servers[out->n_servers++] = *addr;
  return 0;
}

/* server("host" port(N) tls(...)): a per-server block (a lifeline
 * extension).  A server may differ from the others only in how to reach it
 * and how to authenticate it (its address, port and tls()), as in a cluster's
 * member list.  How to reach it and how to authenticate it; tls() is read by
 * network-options.c, which knows the destination's own tls(). */
static int
_parse_server_block(const struct lifeline_option *node, uint16_t default_port, struct failover_config *out,
                    struct lifeline_error *err)
{
  const char *text, *why;
  struct server_address addr;
  int64_t port;

  for (size_t i = 0; i < node->n_children; i++)
    if (!option_name_is(node->children[i], "port") && !option_name_is(node->children[i], "tls"))
      {
        located_error_at_option(err, node->children[i],
                                "%s() is not allowed in server(): a failover server may override only its "
                                "address, port() and tls(); every other option is the destination's",
                                node->children[i]->name);
        return -1;
      }
  if (option_check_values(node, 1, 1, err) < 0 || option_value_string(node, 0, &text, err) < 0)
    return -1;
  if (server_address_parse(text, &addr, &why) < 0)
    {
      located_error_at_value(err, node, node->values[0], "bad server address \"%s\": %s", text, why);
      return -1;
    }
  if (addr.port && option_find(node, "port"))
    {
      located_error_at_option(err, option_find(node, "port"),
                              "the server address \"%s\" already names port %u; write the port once", text,
                              (unsigned) addr.port);
      return -1;
    }
  if (option_get_int64(node, "port", addr.port ? addr.port : default_port, 1, 65535, &port, err) < 0)
    return -1;
  addr.port = (uint16_t) port;
  return _add_server(out, &addr, node, NULL, err);
}

static int
_parse_servers(const struct lifeline_option *servers, uint16_t default_port, struct failover_config *out,
               struct lifeline_error *err)
{
  static const char *const only_server[] = { "server", NULL };

  if (option_check_children(servers, only_server, err) < 0)
    return -1;
  if (servers->n_values + servers->n_children == 0)
    {
      located_error_at_option(err, servers, "servers() is empty; list at least one failover server");
      return -1;
    }
  for (size_t i = 0; i < servers->n_values; i++)
    {
      const struct lifeline_value *v = servers->values[i];
      const char *why;
      struct server_address addr;
      if (v->kind == LIFELINE_VALUE_NUMBER)
        {
          located_error_at_value(err, servers, v, "a server must be a quoted name or address, found %s", v->text);
          return -1;
        }
      if (server_address_parse(v->text, &addr, &why) < 0)
        {
          located_error_at_value(err, servers, v, "bad server address \"%s\": %s", v->text, why);
          return -1;
        }
      if (!addr.port)
        addr.port = default_port;
      if (_add_server(out, &addr, servers, v, err) < 0)
        return -1;
    }
  for (size_t i = 0; i < servers->n_children; i++)
    if (_parse_server_block(servers->children[i], default_port, out, err) < 0)
      return -1;
  return 0;
}

static int
_parse_failback(const struct lifeline_option *fb, struct failover_config *out, struct lifeline_error *err)
{
  struct failover_policy_options *p = &out->policy;
  int out_probe_tls = 0;
  int64_t v;

  if (option_check_children(fb, failback_known, err) < 0 || option_check_values(fb, 0, 0, err) < 0)
    return -1;
  p->failback = 1;
  if (option_get_enum(fb, "probe", probe_choices, 0, &out_probe_tls, err) < 0)
    return -1;
  if (option_get_duration_ms(fb, "tcp-probe-interval", p->probe_interval_ms, 10, 24 * 3600 * 1000,
                             &p->probe_interval_ms, err) < 0
      || option_get_duration_ms(fb, "probe-timeout", p->probe_timeout_ms, 10, 3600 * 1000, &p->probe_timeout_ms,
                                err) < 0
      || option_get_int64(fb, "successful-probes-required", p->probes_required, 1, 1000, &v, err) < 0)
    return -1;
  p->probes_required = (int) v;
  if (option_get_duration_ms(fb, "quarantine-window", p->quarantine_window_ms, 0, 24 * 3600 * 1000,
                             &p->quarantine_window_ms, err) < 0
      || option_get_duration_ms(fb, "quarantine-base", p->quarantine_base_ms, 10, 24 * 3600 * 1000,
                                &p->quarantine_base_ms, err) < 0
      || option_get_duration_ms(fb, "quarantine-max", p->quarantine_max_ms, 10, 7 * 24 * 3600 * 1000LL,
                                &p->quarantine_max_ms, err) < 0)
    return -1;
  out->probe_tls = out_probe_tls;
  if (p->quarantine_max_ms < p->quarantine_base_ms)
    {
      located_error_at_option(err, option_find(fb, "quarantine-max") ? option_find(fb, "quarantine-max") : fb,
                              "quarantine-max() must not be shorter than quarantine-base()");
      return -1;
    }
  return 0;
}

int
failover_config_parse(const struct lifeline_option *driver, const struct server_address *primary,
                      uint16_t default_port, struct failover_config *out, struct lifeline_error *err)
{
  int64_t v;
  int drop;

  out->n_servers = 0;
  out->probe_tls = 0;
  struct server_address first = *primary;
  if (!first.port)
    first.port = default_port;
  out->servers[out->n_servers++] = first;

  const struct lifeline_option *fb_outside = option_find(driver, "failback");
  if (fb_outside)
    {
      located_error_at_option(err, fb_outside, "failback() belongs inside failover(), e.g. "
                                               "failover(servers(\"backup\") failback(tcp-probe-interval(60)))");
      return -1;
    }
  const struct lifeline_option *fo = option_find(driver, "failover");
  if (!fo)
    {
      out->policy.n_servers = out->n_servers;
      return 0;
    }
  if (option_check_children(fo, failover_known, err) < 0 || option_check_values(fo, 0, 0, err) < 0)
    return -1;
  const struct lifeline_option *servers = option_find(fo, "servers");
  if (!servers)
    {
      located_error_at_option(err, fo, "failover() needs servers(...), e.g. failover(servers(\"backup1\" \"backup2\"))");
      return -1;
    }
  if (_parse_servers(servers, default_port, out, err) < 0)
    return -1;

  struct failover_policy_options *p = &out->policy;
  p->n_servers = out->n_servers;
  if (option_get_int64(fo, "try-count", p->try_count, 0, 1000000, &v, err) < 0)
    return -1;
  p->try_count = (int) v;
  if (option_get_int64(fo, "retries-per-server", p->retries_per_server, 0, 1000, &v, err) < 0)
    return -1;
  p->retries_per_server = (int) v;
  if (option_get_duration_ms(fo, "failover-jitter", p->failover_jitter_ms, 0, 3600 * 1000, &p->failover_jitter_ms,
                             err) < 0)
    return -1;
  if (option_get_enum(fo, "on-exhausted", exhausted_choices, p->on_exhausted_drop, &drop, err) < 0)
    return -1;
  p->on_exhausted_drop = drop;

  const struct lifeline_option *fb = option_find(fo, "failback");
  if (fb && _parse_failback(fb, out, err) < 0)
    return -1;
  return 0;
}

const struct lifeline_option *
failover_config_server_node(const struct lifeline_option *driver, size_t index)
{
  const struct lifeline_option *fo = option_find(driver, "failover");
  const struct lifeline_option *servers = fo ? option_find(fo, "servers") : NULL;

  /* The order of failover_config_parse(): the primary, the quoted
   * servers, then the server() blocks. */
  if (!servers || index < 1 + servers->n_values)
    return NULL;
  index -= 1 + servers->n_values;
  return index < servers->n_children ? servers->children[index] : NULL;
}
