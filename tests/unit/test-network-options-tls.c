/* transport("tls") in network() and syslog(): the default ports, tls() only
 * with TLS, per-server tls() over the destination's, failover server()
 * blocks, and where an error about an effective TLS option is located. */
#include "core/config-parser.h"
#include "core/located-error.h"
#include "core/network-options.h"
#include "core/option-reader.h"

#include <criterion/criterion.h>
#include <glib.h>
#include <string.h>

static struct config_tree *tree;
static struct network_options opts;
static struct lifeline_error err;

/* "destination d {\nDRIVER;\n};": DRIVER starts on line 2, column 1. */
static const struct lifeline_option *
_driver(const char *driver_text)
{
  char *text = g_strdup_printf("destination d {\n%s;\n};\n", driver_text);
  char buf[1024];

  config_tree_free(tree);
  located_error_init(&err);
  tree = config_parse_string(text, "t.conf", &err);
  g_free(text);
  cr_assert_not_null(tree, "config text: %s", located_error_format(&err, buf, sizeof(buf)));
  return config_tree_root(tree)->children[0]->children[0];
}

/* network() or syslog(), by the driver's name; OPTS is cleared first. */
static int
_parse(const char *driver_text)
{
  const struct lifeline_option *driver = _driver(driver_text);

  network_options_clear(&opts);
  if (option_name_is(driver, "syslog"))
    return network_options_parse_syslog(driver, &opts, &err);
  return network_options_parse(driver, &opts, &err);
}

/* DRIVER_TEXT (one line) must fail at the Nth (1-based) occurrence of AT,
 * naming OPTION, with a message containing PART. */
static void
_expect_error(const char *driver_text, const char *at, int nth, const char *option, const char *part)
{
  const char *pos = driver_text - 1;
  for (int i = 0; i < nth; i++)
    {
      pos = strstr(pos + 1, at);
      cr_assert_not_null(pos, "test bug: '%s' #%d not in '%s'", at, nth, driver_text);
    }
  cr_assert_eq(_parse(driver_text), -1, "accepted: %s", driver_text);
  cr_assert_str_eq(err.file, "t.conf");
  cr_assert_eq(err.line, 2, "%s: line %u (%s)", driver_text, err.line, err.message);
  cr_assert_eq(err.column, (unsigned) (pos - driver_text) + 1, "%s: column %u, want %u (%s)", driver_text,
               err.column, (unsigned) (pos - driver_text) + 1, err.message);
  cr_assert_str_eq(err.option, option, "%s: option '%s', want '%s'", driver_text, err.option, option);
  cr_assert_not_null(strstr(err.message, part), "'%s' lacks '%s'", err.message, part);
}

static void
_teardown(void)
{
  network_options_clear(&opts);
  config_tree_free(tree);
  tree = NULL;
}

TestSuite(network_options_tls, .fini = _teardown);

Test(network_options_tls, transport_tls_gets_the_default_tls_options)
{
  cr_assert_eq(_parse("network(\"a\" transport(\"tls\"))"), 0, "%s", err.message);
  cr_assert_eq(opts.transport, NETWORK_TRANSPORT_TLS);
  cr_assert_eq(opts.server.port, 514, "network() stays on 514 over TLS");
  cr_assert_eq(opts.tls.peer_verify, TLS_PEER_VERIFY_REQUIRED_TRUSTED);
  cr_assert_eq(opts.tls.min_version, TLS_OPTIONS_VERSION_1_2);
  cr_assert_eq(opts.tls.sni, 1);
  cr_assert_eq(opts.server_tls[0].min_version, TLS_OPTIONS_VERSION_1_2, "the primary's effective options");

  cr_assert_eq(_parse("network(\"a\" transport(tcp))"), 0, "%s", err.message);
  cr_assert_eq(opts.transport, NETWORK_TRANSPORT_TCP);
  cr_assert_eq(opts.tls.min_version, 0, "no TLS options without TLS");
}

Test(network_options_tls, syslog_over_tls_defaults_to_6514)
{
  cr_assert_eq(_parse("syslog(\"a\" transport(\"tls\") failover(servers(\"b\")))"), 0, "%s", err.message);
  cr_assert_eq(opts.server.port, 6514);
  cr_assert_eq(opts.failover.servers[1].port, 6514, "failover servers inherit the TLS default");
  cr_assert_eq(_parse("syslog(\"a\")"), 0, "%s", err.message);
  cr_assert_eq(opts.server.port, 601);
  cr_assert_eq(_parse("syslog(\"a\" transport(\"tls\") port(7000))"), 0, "%s", err.message);
  cr_assert_eq(opts.server.port, 7000);
  cr_assert_eq(_parse("syslog(\"a:7001\" transport(\"tls\"))"), 0, "%s", err.message);
  cr_assert_eq(opts.server.port, 7001);
}

Test(network_options_tls, per_server_tls_inherits_the_destinations)
{
  cr_assert_eq(_parse("network(\"a\" port(601) transport(\"tls\")\n"
                      "tls(ca-file(\"/d/ca.pem\") cert-file(\"/d/c.pem\") key-file(\"/d/c.key\") min-version(\"1.3\"))\n"
                      "failover(servers(\"b\" server(\"h\" port(1) tls(ca-file(\"/s/ca2.pem\") verify-name(\"dr.test\"))) "
                      "server(\"i\"))))"),
               0, "%s", err.message);
  cr_assert_eq(opts.failover.n_servers, 4);
  cr_assert_str_eq(opts.failover.servers[2].host, "h");
  cr_assert_eq(opts.failover.servers[2].port, 1);
  cr_assert_eq(opts.failover.servers[3].port, 601);
  for (size_t i = 0; i < 4; i++)
    {
      const struct tls_options *t = &opts.server_tls[i];
      cr_assert_str_eq(t->ca_file, i == 2 ? "/s/ca2.pem" : "/d/ca.pem", "server %zu", i);
      cr_assert_str_eq(t->cert_file, "/d/c.pem", "server %zu", i);
      cr_assert_str_eq(t->key_file, "/d/c.key", "server %zu", i);
      cr_assert_eq(t->min_version, TLS_OPTIONS_VERSION_1_3, "server %zu", i);
      if (i == 2)
        cr_assert_str_eq(t->verify_name, "dr.test");
      else
        cr_assert_null(t->verify_name, "server %zu", i);
      cr_assert_neq(t->ca_file, opts.tls.ca_file, "server %zu shares the destination's string", i);
    }
  cr_assert_str_eq(opts.tls.ca_file, "/d/ca.pem");
  cr_assert_null(opts.tls.verify_name);
}

Test(network_options_tls, probe_tls_with_tls_transport)
{
  cr_assert_eq(_parse("network(\"a\" transport(\"tls\") failover(servers(\"b\") failback(probe(tls))))"), 0, "%s",
               err.message);
  cr_assert_eq(opts.failover.probe_tls, 1);
  cr_assert_eq(_parse("network(\"a\" failover(servers(\"b\") failback(probe(tcp))))"), 0, "%s", err.message);
  cr_assert_eq(opts.failover.probe_tls, 0);
}

Test(network_options_tls, located_errors)
{
  _expect_error("network(\"a\" tls(ca-file(\"x\")))", "tls(", 1, "tls", "needs transport(\"tls\") in network()");
  _expect_error("syslog(\"a\" transport(\"tcp\") tls())", "tls(", 1, "tls", "needs transport(\"tls\") in syslog()");
  _expect_error("network(\"a\" failover(servers(\"b\" server(\"c\" tls(peer-verify(no))))))", "tls(", 1, "tls",
                "would send in plaintext");
  _expect_error("network(\"a\" failover(servers(server(\"b\") server(\"c\" tls()))))", "tls(", 1, "tls",
                "needs transport(\"tls\")");
  _expect_error("network(\"a\" failover(servers(\"b\") failback(probe(tls))))", "probe(", 1, "probe",
                "probe(tls) needs transport(\"tls\") in network()");
  _expect_error("network(\"a\" failover(servers(\"b\" server(\"h\" time-reopen(1)))))", "time-reopen", 1,
                "time-reopen", "may override only its address, port() and tls()");
  _expect_error("network(\"a\" transport(\"udp\"))", "transport", 1, "transport", "not supported");
  _expect_error("network(\"a\" transport(\"dtls\"))", "transport", 1, "transport", "expected \"tcp\" or \"tls\"");
  /* Errors inside tls() are tls_options_parse()'s, for the destination and a server alike. */
  _expect_error("network(\"a\" transport(\"tls\") tls(key-file(\"k\")))", "key-file", 1, "key-file",
                "needs cert-file()");
  _expect_error("network(\"a\" transport(\"tls\") tls(ca-file(\"x\")) "
                "failover(servers(server(\"b\" tls(ca-file(\"y\") min-version(\"2\"))))))",
                "min-version", 1, "min-version", "unknown TLS version \"2\"");
  _expect_error("network(\"a\" transport(\"tls\") failover(servers(server(\"b\" tls(wat())))))", "wat", 1, "tls",
                "unknown option 'wat'");
}

Test(network_options_tls, server_node_indexes_follow_the_server_list)
{
  const struct lifeline_option *driver =
    _driver("network(\"a\" failover(servers(\"b\" \"c\" server(\"d\" port(2)) server(\"e\"))))");

  cr_assert_null(failover_config_server_node(driver, 0), "the primary");
  cr_assert_null(failover_config_server_node(driver, 1), "a quoted server has no block");
  cr_assert_null(failover_config_server_node(driver, 2));
  const struct lifeline_option *d = failover_config_server_node(driver, 3);
  const struct lifeline_option *e = failover_config_server_node(driver, 4);
  cr_assert_not_null(d);
  cr_assert_not_null(e);
  cr_assert_str_eq(d->values[0]->text, "d");
  cr_assert_str_eq(e->values[0]->text, "e");
  cr_assert_null(failover_config_server_node(driver, 5));
  cr_assert_null(failover_config_server_node(driver, 1000));

  /* The indexes are those of the parsed server list. */
  cr_assert_eq(network_options_parse(driver, &opts, &err), 0, "%s", err.message);
  cr_assert_str_eq(opts.failover.servers[3].host, "d");
  cr_assert_str_eq(opts.failover.servers[4].host, "e");

  cr_assert_null(failover_config_server_node(_driver("network(\"a\")"), 1), "no failover()");
}

Test(network_options_tls, tls_option_locates_the_node_the_effective_option_came_from)
{
  const struct lifeline_option *driver =
    _driver("network(\"a\" transport(\"tls\") tls(ca-file(\"/d/ca.pem\") crl-file(\"/d/crl\")) failover(servers(\"b\" "
            "server(\"c\" tls(ca-file(\"/s/ca.pem\")))))) ");
  const struct lifeline_option *dtls = option_find(driver, "tls");
  const struct lifeline_option *ctls = option_find(failover_config_server_node(driver, 2), "tls");
  const struct lifeline_option *o;

  o = network_options_tls_option(driver, 2, "ca-file");
  cr_assert_eq(o, option_find(ctls, "ca-file"), "the server's own option");
  o = network_options_tls_option(driver, 2, "crl-file");
  cr_assert_eq(o, option_find(dtls, "crl-file"), "inherited: the destination's option");
  o = network_options_tls_option(driver, 0, "ca-file");
  cr_assert_eq(o, option_find(dtls, "ca-file"), "the primary: the destination's option");
  o = network_options_tls_option(driver, 1, "ca-file");
  cr_assert_eq(o, option_find(dtls, "ca-file"), "a quoted server: the destination's option");
  o = network_options_tls_option(driver, 1, "key-file");
  cr_assert_eq(o, dtls, "a default: the destination's tls()");
  o = network_options_tls_option(driver, 1, NULL);
  cr_assert_eq(o, dtls);

  driver = _driver("network(\"a\" transport(\"tls\"))");
  o = network_options_tls_option(driver, 0, "ca-file");
  cr_assert_eq(o, option_find(driver, "transport"), "no tls(): transport()");
  cr_assert_eq(o->line, 2);
  cr_assert_eq(o->column, 13);
}

Test(network_options_tls, copy_is_deep_and_clear_frees_everything)
{
  struct network_options copy;

  cr_assert_eq(_parse("network(\"a\" transport(\"tls\") tls(ca-file(\"/d/ca.pem\") key-password(\"pw\") "
                      "cert-file(\"c\") key-file(\"k\")) failover(servers(server(\"b\" tls(verify-name(\"n\"))))))"),
               0, "%s", err.message);
  network_options_copy(&copy, &opts);
  cr_assert_str_eq(copy.tls.ca_file, "/d/ca.pem");
  cr_assert_neq(copy.tls.ca_file, opts.tls.ca_file);
  cr_assert_str_eq(copy.server_tls[1].verify_name, "n");
  cr_assert_neq(copy.server_tls[1].verify_name, opts.server_tls[1].verify_name);
  cr_assert_eq(copy.failover.n_servers, 2);
  network_options_clear(&opts);
  cr_assert_null(opts.tls.ca_file);
  cr_assert_str_eq(copy.server_tls[1].key_password, "pw", "the copy outlives the original");
  network_options_clear(&copy);
  network_options_clear(&copy);
  network_options_clear(NULL);
}

Test(network_options_tls, an_error_after_tls_still_leaves_clear_to_free)
{
  /* tls() is read before log-fifo-size(): the strings are owned and freed
   * by network_options_clear() in the teardown (ASan/valgrind check). */
  cr_assert_eq(_parse("network(\"a\" transport(\"tls\") tls(ca-file(\"/d/ca.pem\")) "
                      "failover(servers(server(\"b\" tls(ca-file(\"/s/ca.pem\"))))) log-fifo-size(0))"),
               -1);
  cr_assert_str_eq(err.option, "log-fifo-size");
  /* The same struct parsed again: still no leak. */
  cr_assert_eq(_parse("network(\"a\" transport(\"tls\") tls(ca-file(\"/d/ca.pem\")))"), 0, "%s", err.message);
}
