# shellcheck shell=bash
# Scenario g: TLS.  Scenario a (throughput) and scenario b (hard kill of the
# primary) again, with every sink speaking TLS and the forwarders' *-tls.conf
# configs: results as "g-a" and "g-b".  The certificates are made for the
# run by tests/integration/tls-certs.sh: each sink presents the one for its
# address (bench/lib/sinks.sh), the forwarders check them against CA 1
# (throughput) or against a file with both CAs (the kill: 127.0.0.3's
# certificate comes from CA 2).  No raw ceiling: the raw client speaks plain
# TCP only.

scenario_g() {
  BENCH_AS=g-a scenario_a "$@"
  BENCH_AS=g-b scenario_b "$@"
}

# shellcheck disable=SC2034  # BENCH_TRANSPORT, BENCH_TLS_DIR: read by lib/forwarders.sh, lib/sinks.sh
scenario_g_all() {
  BENCH_TLS_DIR=$BENCH_RUN/tls
  tls_certs_make "$BENCH_TLS_DIR" || bench_die "making the test certificates failed"
  cat "$BENCH_TLS_DIR/ca.pem" "$BENCH_TLS_DIR/ca2.pem" >"$BENCH_TLS_DIR/ca-both.pem"
  BENCH_TRANSPORT=tls
  bench_repeat g lifeline syslog-ng rsyslog
  BENCH_TRANSPORT=tcp
}
