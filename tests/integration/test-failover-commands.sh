#!/usr/bin/env bash
# Operators steer a destination through lifelinectl, and the collectors see
# it: switch to a named server, blacklist the current one (forced switch),
# switch to a blacklisted one (refused), unblacklist, reset to the primary.
# Every switch is planned (the old connection drains), so every line arrives
# exactly once and in order per collector.
set -euo pipefail
here=$(dirname "$0")
source "$here/lib.sh"
source "$here/lifeline.sh"
source "$here/failover-lib.sh"
tl_init

tl_start_collector p 127.0.0.1 --quiet
fo_start_on b1 127.0.0.2 "$TL_PORT_p"
fo_start_on b2 127.0.0.3 "$TL_PORT_p"
port=$TL_PORT_p
ll_config cmd <<CONF
@version: 4.0
source s_in { stdin(); };
destination d_net {
  network("127.0.0.1" port($port) time-reopen(0.2)
          failover(servers("127.0.0.2" "127.0.0.3")));
};
log { source(s_in); destination(d_net); };
CONF
count=120000
fo_feed cmd "$count" 10000
ctl="$TL_DIR/ctl"
ll_run ll cmd -c "$ctl"

lctl() { "$TL_LIFELINECTL" -c "$ctl" "$@"; }
expect_ok() {
  local out
  out=$(lctl "$@" 2>&1) || tl_fail "lifelinectl $* failed: $out"
}
# Waits until collector NAME got N more lines than it had when called.
more_lines() {
  local name=$1 n=$2 now
  now=$(tl_stat "$name" lines)
  tl_wait_stat "$name" lines $((now + n))
}

tl_wait_stat p lines 5000
fo_wait_file "$ctl"
status=$(lctl status)
[[ $status == *"network.server: 127.0.0.1:$port"* && $status == *"network.role: primary"* ]] ||
  tl_fail "status does not show the primary: $status"

expect_ok switch d_net "127.0.0.3:$port"
more_lines b2 5000

expect_ok blacklist d_net 2 # the current server: forced onto the next, which wraps to the primary
more_lines p 5000
status=$(lctl status)
[[ $status == *"network.server.2.blacklisted_until: forever"* ]] || tl_fail "blacklist not in status: $status"

rc=0
out=$(lctl switch d_net 2 2>&1) || rc=$?
((rc == 1)) || tl_fail "switch to a blacklisted server: exit $rc ($out)"
[[ $out == *blacklisted* ]] || tl_fail "refusal does not say why: $out"

expect_ok unblacklist d_net 2
expect_ok switch d_net 1
more_lines b1 5000
expect_ok reset d_net
more_lines p 5000
status=$(lctl status)
[[ $status == *"network.role: primary"* ]] || tl_fail "reset did not return to the primary: $status"

tl_wait_exit "$TL_PID_ll" 10 "$TL_DIR/p.stats"
((TL_RC == 0)) || tl_fail "lifeline exited $TL_RC"
for c in p b1 b2; do tl_stop "$c"; done
fo_check_exactly_once "$count" "$TL_DIR/p.out.log" "$TL_DIR/b1.out.log" "$TL_DIR/b2.out.log"
tl_pass "switch, blacklist (forced switch), refused switch, unblacklist, reset: $count lines exactly once"
