#!/usr/bin/env bash
# Failover on loopback with collectors on 127.0.0.1, 127.0.0.2 and 127.0.0.3:
#  1. kill: the primary goes away mid-stream, traffic continues on backup1;
#     backup1 goes away, traffic continues on backup2; every line arrives
#     exactly once across the collectors, in order per collector.
#  2. round-robin: with no failback(), backup2 going away wraps to the primary.
#  3. failback: the primary comes back; after the required probes lifeline
#     returns to it with nothing lost, duplicated or reordered at the switch.
# Collectors stop with SIGTERM (they read what their kernel acknowledged
# before closing), so the accounting is exact; test-failover-stall.sh covers
# a collector that stops reading.  Bounds come from the configured timers.
set -euo pipefail
here=$(dirname "$0")
source "$here/lib.sh"
source "$here/lifeline.sh"
tl_init

source "$here/failover-lib.sh"

# Ports: the primary's collector binds port 0; the backups bind the same port
# on their own addresses when SAME_PORT=1 (default), else ports of their own.
start_collectors() {
  tl_start_collector p 127.0.0.1 --quiet
  if [[ ${SAME_PORT:-1} == 1 ]]; then
    fo_start_on b1 127.0.0.2 "$TL_PORT_p"
    fo_start_on b2 127.0.0.3 "$TL_PORT_p"
  else
    tl_start_collector b1 127.0.0.2 --quiet
    tl_start_collector b2 127.0.0.3 --quiet
  fi
}

# --- 1. kill the primary, then backup1 -------------------------------------
start_collectors
ll_config kill <<CONF
@version: 4.0
source s_in { stdin(); };
destination d_net {
  network("127.0.0.1" port($TL_PORT_p) time-reopen(0.2)
          failover(servers("127.0.0.2:$TL_PORT_b1" "127.0.0.3:$TL_PORT_b2")));
};
log { source(s_in); destination(d_net); };
CONF
count=60000
fo_feed kill "$count" 20000
ll_run ll_kill kill
tl_wait_stat p lines 10000
fo_stop_and_keep p
tl_wait_stat b1 lines 10000
fo_stop_and_keep b1
tl_wait_exit "$TL_PID_ll_kill" 10 "$TL_DIR/b2.stats"
((TL_RC == 0)) || tl_fail "kill: lifeline exited $TL_RC"
ll_expect_total ll_kill Destination delivered "$count"
tl_stop b2
fo_check_exactly_once "$count" "$TL_DIR"/p.kept-*.log "$TL_DIR"/b1.kept-*.log "$TL_DIR/b2.out.log"
grep -q 'Failing over; destination=d_net from=127.0.0.1:[0-9]* to=127.0.0.2' "$TL_DIR/ll_kill.err" || tl_fail "no failover to backup1 logged"
grep -q 'Failing over; destination=d_net from=127.0.0.2:[0-9]* to=127.0.0.3' "$TL_DIR/ll_kill.err" || tl_fail "no failover to backup2 logged"
tl_pass "kill: primary -> backup1 -> backup2, $count lines exactly once"
rm -f "$TL_DIR"/*.log

# --- 2. round-robin wraps to the primary ----------------------------------
fo_start_on p 127.0.0.1 "$TL_PORT_p"
fo_start_on b1 127.0.0.2 "$TL_PORT_b1"
fo_start_on b2 127.0.0.3 "$TL_PORT_b2"
ll_config rr <<CONF
@version: 4.0
source s_in { stdin(); };
destination d_net {
  network("127.0.0.1" port($TL_PORT_p) time-reopen(0.2)
          failover(servers("127.0.0.2:$TL_PORT_b1" "127.0.0.3:$TL_PORT_b2") retries-per-server(0)));
};
log { source(s_in); destination(d_net); };
CONF
fo_feed rr "$count" 20000
ll_run ll_rr rr
tl_wait_stat p lines 5000
fo_stop_and_keep p
tl_wait_stat b1 lines 5000
fo_stop_and_keep b1
fo_start_on p 127.0.0.1 "$TL_PORT_p"    # the primary is back; round-robin must not return to it...
tl_wait_stat b2 lines 5000
pb=$(tl_stat p lines)
((pb == 0)) || tl_fail "round-robin went back to a working primary early ($pb lines)"
fo_stop_and_keep b2                     # ...until backup2 fails: then it wraps to the primary
tl_wait_exit "$TL_PID_ll_rr" 10 "$TL_DIR/p.stats"
((TL_RC == 0)) || tl_fail "rr: lifeline exited $TL_RC"
tl_stop p
fo_check_exactly_once "$count" "$TL_DIR"/p.kept-*.log "$TL_DIR/p.out.log" "$TL_DIR"/b1.kept-*.log "$TL_DIR"/b2.kept-*.log
grep -q 'Failing over; destination=d_net from=127.0.0.3:[0-9]* to=127.0.0.1' "$TL_DIR/ll_rr.err" || tl_fail "no wrap to the primary logged"
tl_pass "round-robin: primary -> backup1 -> backup2 -> primary, $count lines exactly once"
rm -f "$TL_DIR"/*.log

# --- 3. failback after the required probes -------------------------------
fo_start_on b1 127.0.0.2 "$TL_PORT_b1"
fo_start_on b2 127.0.0.3 "$TL_PORT_b2"
ll_config fb <<CONF
@version: 4.0
source s_in { stdin(); };
destination d_net {
  network("127.0.0.1" port($TL_PORT_p) time-reopen(0.2)
          failover(servers("127.0.0.2:$TL_PORT_b1" "127.0.0.3:$TL_PORT_b2")
                   failback(tcp-probe-interval(0.2) successful-probes-required(3))));
};
log { source(s_in); destination(d_net); };
CONF
count=100000
fo_feed fb "$count" 20000
ll_run ll_fb fb                      # the primary is down at start: backup1 takes over
tl_wait_stat b1 lines 5000
fo_start_on p 127.0.0.1 "$TL_PORT_p"    # back: probes, then failback
tl_wait_stat p lines 5000
tl_wait_exit "$TL_PID_ll_fb" 10 "$TL_DIR/p.stats"
((TL_RC == 0)) || tl_fail "failback: lifeline exited $TL_RC"
tl_stop p
tl_stop b1
probes=$(tl_stat p connections) # the last probe became the live connection
((probes >= 3)) || tl_fail "failback after $probes probe connections, want >= 3"
fo_check_exactly_once "$count" "$TL_DIR/p.out.log" "$TL_DIR/b1.out.log"
last_b1=$(tail -n 1 "$TL_DIR/b1.out.log" | cut -d' ' -f1)
first_p=$(head -n 1 "$TL_DIR/p.out.log" | cut -d' ' -f1)
((10#$first_p == 10#$last_b1 + 1)) || tl_fail "switch not seamless: backup1 ended at $last_b1, primary began at $first_p"
grep -q 'Failing back to the primary; destination=d_net from=127.0.0.2' "$TL_DIR/ll_fb.err" || tl_fail "no failback logged"
tl_pass "failback: after $probes probe connections, seamless at $last_b1 -> $first_p, $count lines exactly once"
