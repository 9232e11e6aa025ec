#!/usr/bin/env bash
# Everything down at start:
#  1. then the primary comes up: delivery starts there without any probe
#     counting, even in failback mode with a long probe interval;
#  2. try-count(2) with on-exhausted(drop): the destination reports EXHAUSTED,
#     drops new lines with a counted reason, and recovers when a server
#     answers; the counts add up;
#  3. a primary whose name does not resolve: the backup takes the traffic.
set -euo pipefail
here=$(dirname "$0")
source "$here/lib.sh"
source "$here/lifeline.sh"
source "$here/failover-lib.sh"
tl_init

fo_free_port
port=$REPLY
ll_config start <<CONF
@version: 4.0
source s_in { stdin(); };
destination d_net {
  network("127.0.0.1" port($port) time-reopen(0.1) reconnect-backoff-max(0.5)
          failover(servers("127.0.0.2" "127.0.0.3")
                   failback(tcp-probe-interval(3600) successful-probes-required(3))));
};
log { source(s_in); destination(d_net); };
CONF
count=20000
"$TL_GENERATOR" --count "$count" --output "$TL_DIR/input.txt"
LL_STDIN="$TL_DIR/input.txt"
ll_run ll start
ll_wait_log ll "Connection failed; destination=d_net server=127.0.0.3" 2
fo_start_on p 127.0.0.1 "$port"
tl_wait_exit "$TL_PID_ll" 10 "$TL_DIR/p.stats" "$TL_DIR/ll.err"
((TL_RC == 0)) || tl_fail "start: lifeline exited $TL_RC"
tl_wait_stat p lines "$count"
((10#$(tl_stat p connections) == 1)) || tl_fail "primary saw $(tl_stat p connections) connections; want 1 (no probes)"
tl_stop p
fo_check_exactly_once "$count" "$TL_DIR/p.out.log"
tl_pass "all down, then the primary: $count lines, one connection, no probe counting"
rm -f "$TL_DIR"/*.log

fo_free_port
port=$REPLY
ll_config exhaust <<CONF
@version: 4.0
source s_in { stdin(); };
destination d_net {
  network("127.0.0.1" port($port) time-reopen(0.1) reconnect-backoff-max(0.2)
          failover(servers("127.0.0.2") try-count(2) on-exhausted(drop)));
};
log { source(s_in); destination(d_net); };
CONF
count=6000
fo_feed ex "$count" 2000
ll_run ll2 exhaust
ll_wait_log ll2 "Every server failed for try-count() passes; destination exhausted; destination=d_net passes=2 on_exhausted=drop" 1
fo_start_on p 127.0.0.1 "$port"
ll_wait_log ll2 "Destination recovered" 1
tl_wait_exit "$TL_PID_ll2" 10 "$TL_DIR/p.stats" "$TL_DIR/ll2.err"
((TL_RC == 0)) || tl_fail "exhaust: lifeline exited $TL_RC (drops by a named policy are not failures)"
tl_stop p
accepted=$(ll_total ll2 Destination accepted)
delivered=$(ll_total ll2 Destination delivered)
dropped=$(ll_total ll2 Destination dropped)
((accepted == count && dropped > 0 && delivered + dropped == accepted)) ||
  tl_fail "accepted=$accepted delivered=$delivered dropped=$dropped (want $count, >0, sum)"
(($(tl_stat p lines) == delivered)) || tl_fail "collector has $(tl_stat p lines) lines, lifeline delivered $delivered"
grep -q 'Messages dropped by destination policy; destination=d_net reason=on-exhausted-drop' "$TL_DIR/ll2.err" ||
  tl_fail "drop reason not logged"
tl_pass "try-count(2) exhausted, dropped=$dropped by on-exhausted(drop), recovered, delivered=$delivered"
rm -f "$TL_DIR"/*.log

# --- 3. a primary whose name does not resolve ------------------------------
# Names are resolved at connect time on a worker thread: the config loads, the
# failure counts against that server (resolve-failed, or timeout when no DNS
# server answers), and the backup takes the traffic.
tl_start_collector b1 127.0.0.2 --quiet
ll_config dns <<CONF
@version: 4.0
source s_in { stdin(); };
destination d_net {
  network("lifeline-test.invalid" port($TL_PORT_b1) connect-timeout(1) time-reopen(0.2)
          failover(servers("127.0.0.2")));
};
log { source(s_in); destination(d_net); };
CONF
count=5000
"$TL_GENERATOR" --count "$count" --output "$TL_DIR/dns-input.txt"
LL_STDIN="$TL_DIR/dns-input.txt"
ll_run ll3 dns
tl_wait_exit "$TL_PID_ll3" 10 "$TL_DIR/b1.stats" "$TL_DIR/ll3.err"
((TL_RC == 0)) || tl_fail "dns: lifeline exited $TL_RC"
tl_wait_stat b1 lines "$count"
tl_stop b1
grep -Eq 'Connection failed; destination=d_net server=lifeline-test.invalid:[0-9]+ reason=(resolve-failed|timeout)' \
  "$TL_DIR/ll3.err" || tl_fail "the unresolvable primary's failure was not logged"
tl_pass "unresolvable primary: $(grep -o 'reason=resolve-failed\|reason=timeout' "$TL_DIR/ll3.err" | head -1), $count lines at the backup"
