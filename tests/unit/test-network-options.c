/* network() options and its failover() block, from config text to the
 * structs the shell and the pure policy get, errors with their locations. */
#include "core/config-parser.h"
#include "core/located-error.h"
#include "core/network-options.h"

#include <criterion/criterion.h>
#include <string.h>

static struct config_tree *tree;
static struct network_options opts;
static struct lifeline_error err;

/* Parses "destination d { DRIVER; };" and reads the driver's options. */
static int
_parse(const char *driver_text)
{
  char text[4096];
  snprintf(text, sizeof(text), "destination d {\n%s;\n};\n", driver_text);
  config_tree_free(tree);
  located_error_init(&err);
  tree = config_parse_string(text, "t.conf", &err);
  cr_assert_not_null(tree, "config text: %s", err.message);
  const struct lifeline_option *dest = config_tree_root(tree)->children[0];
  return network_options_parse(dest->children[0], &opts, &err);
}

static void
_expect_error(const char *driver_text, unsigned line, unsigned column, const char *message_part)
{
  cr_assert_eq(_parse(driver_text), -1, "accepted: %s", driver_text);
  cr_assert_str_eq(err.file, "t.conf");
  cr_assert_eq(err.line, line, "%s: line %u, want %u (%s)", driver_text, err.line, line, err.message);
  cr_assert_eq(err.column, column, "%s: column %u, want %u (%s)", driver_text, err.column, column, err.message);
  cr_assert_not_null(strstr(err.message, message_part), "'%s' lacks '%s'", err.message, message_part);
}

static void
_teardown(void)
{
  config_tree_free(tree);
  tree = NULL;
}

TestSuite(network_options, .fini = _teardown);

Test(network_options, defaults)
{
  cr_assert_eq(_parse("network(\"collector\")"), 0, "%s", err.message);
  cr_assert_str_eq(opts.server.host, "collector");
  cr_assert_eq(opts.server.port, 514);
  cr_assert_eq(opts.time_reopen_ms, 1000);
  cr_assert_eq(opts.send_stall_timeout_ms, 10000);
  cr_assert_eq(opts.failover.n_servers, 1);
  cr_assert_eq(opts.failover.policy.n_servers, 1);
  cr_assert_eq(opts.failover.policy.failback, 0);
  cr_assert_eq(opts.failover.policy.reconnect_backoff_max_ms, 60000);
}

Test(network_options, seed_004_round_robin_example_as_written)
{
  cr_assert_eq(_parse("network(\n\"primary-server.com\"\nport(601)\n"
                      "failover( servers(\"failover-server1\", \"failover-server2\") )\n)"), 0, "%s", err.message);
  cr_assert_eq(opts.failover.n_servers, 3);
  cr_assert_str_eq(opts.failover.servers[0].host, "primary-server.com");
  cr_assert_str_eq(opts.failover.servers[2].host, "failover-server2");
  cr_assert_eq(opts.failover.servers[1].port, 601, "failover servers inherit the destination's port");
  cr_assert_eq(opts.failover.policy.failback, 0);
}

Test(network_options, seed_004_failback_example_with_empty_parentheses_means_defaults)
{
  cr_assert_eq(_parse("network(\"primary-server.com\" port(601)\n"
                      "failover(servers(\"failover-server1\", \"failover-server2\")\n"
                      "failback(successful-probes-required() tcp-probe-interval())))"), 0, "%s", err.message);
  cr_assert_eq(opts.failover.policy.failback, 1);
  cr_assert_eq(opts.failover.policy.probes_required, 3);
  cr_assert_eq(opts.failover.policy.probe_interval_ms, 60000);
}

Test(network_options, per_server_ports_and_blocks)
{
  cr_assert_eq(_parse("network(\"a\" port(601) failover(servers(\"b:602\" \"[::1]:603\" server(\"c\" port(604)) "
                      "server(\"d\"))))"), 0, "%s", err.message);
  cr_assert_eq(opts.failover.n_servers, 5);
  cr_assert_eq(opts.failover.servers[1].port, 602);
  cr_assert_str_eq(opts.failover.servers[2].host, "::1");
  cr_assert_eq(opts.failover.servers[2].port, 603);
  cr_assert_str_eq(opts.failover.servers[3].host, "c");
  cr_assert_eq(opts.failover.servers[3].port, 604);
  cr_assert_eq(opts.failover.servers[4].port, 601);
}

Test(network_options, failover_and_failback_options)
{
  cr_assert_eq(_parse("network(\"a\" time-reopen(0.5) reconnect-backoff-max(30) send-stall-timeout(2)\n"
                      "failover(servers(\"b\") try-count(4) retries-per-server(0) failover-jitter(1.5) "
                      "on-exhausted(drop)\n"
                      "failback(tcp-probe-interval(10) successful-probes-required(5) probe-timeout(2))))"),
               0, "%s", err.message);
  const struct failover_policy_options *p = &opts.failover.policy;
  cr_assert_eq(p->time_reopen_ms, 500);
  cr_assert_eq(p->reconnect_backoff_max_ms, 30000);
  cr_assert_eq(opts.send_stall_timeout_ms, 2000);
  cr_assert_eq(p->try_count, 4);
  cr_assert_eq(p->retries_per_server, 0);
  cr_assert_eq(p->failover_jitter_ms, 1500);
  cr_assert_eq(p->on_exhausted_drop, 1);
  cr_assert_eq(p->probe_interval_ms, 10000);
  cr_assert_eq(p->probes_required, 5);
  cr_assert_eq(p->probe_timeout_ms, 2000);
  cr_assert_null(failover_policy_options_check(p));
}

Test(network_options, located_errors)
{
  _expect_error("network(\"a\" failover(servers()))", 2, 22, "servers() is empty");
  _expect_error("network(\"a\" failback(tcp-probe-interval(5)))", 2, 13, "failback() belongs inside failover()");
  _expect_error("network(\"a\" failover(failback()))", 2, 13, "failover() needs servers(");
  _expect_error("network(\"a\" port(601) failover(servers(\"b\" \"b:601\")))", 2, 44, "duplicate server b:601");
  _expect_error("network(\"a\" port(601) failover(servers(\"a\")))", 2, 40, "already the primary server");
  _expect_error("network(\"a\" failover(servers(\"b\") failback(tcp-probe-interval(0))))", 2, 63, "out of range");
  _expect_error("network(\"a\" failover(servers(\"b\") failback(successful-probes-required(0))))", 2, 71,
                "out of range");
  _expect_error("network(\"a\" failover(servers(\"b\") try-count(-1)))", 2, 45, "out of range");
  _expect_error("network(\"a\" failover(servers(\"b\") on-exhausted(discard)))", 2, 48, "keep");
  _expect_error("network(\"a\" failover(servers(\"b:0\")))", 2, 30, "port");
  _expect_error("network(\"a\" failover(servers(\"b\") server(\"c\")))", 2, 35, "unknown option 'server'");
  _expect_error("network(\"a:601\" port(602))", 2, 17, "already names port 601");
  _expect_error("network(\"a\" send-stall-timeout(0.05))", 2, 13, "send-stall-timeout()");
  _expect_error("network(\"a\" ip-protocol(5))", 2, 25, "expected 4 or 6");
}

Test(network_options, send_stall_timeout_zero_turns_it_off)
{
  cr_assert_eq(_parse("network(\"a\" send-stall-timeout(0) ip-protocol(6))"), 0, "%s", err.message);
  cr_assert_eq(opts.send_stall_timeout_ms, 0);
  cr_assert_eq(opts.ip_protocol, 6);
}
