#!/usr/bin/env bash
# The collector is down when lifeline starts and comes up after lifeline has
# failed to connect twice: every line arrives, once, in order.
set -euo pipefail
here=$(dirname "$0")
source "$here/lib.sh"
source "$here/lifeline.sh"
tl_init

count=50000
"$TL_GENERATOR" --count "$count" --size 200 --output "$TL_DIR/input.txt"

# Learn a free loopback port, then free it again for lifeline to fail against.
tl_start_collector probe 127.0.0.1 --quiet
port=$TL_PORT_probe
tl_stop probe

ll_config late <<CONF
@version: 4.0
source s_in { stdin(); };
destination d_net { network("127.0.0.1" port($port) time-reopen(0.2)); };
log { source(s_in); destination(d_net); };
CONF
LL_STDIN="$TL_DIR/input.txt"
ll_run ll late

# Progress-based: wait for two refused attempts in lifeline's log.
ll_wait_log ll "Connection failed" 2
tl_spawn c "$TL_COLLECTOR" --listen 127.0.0.1 --port "$port" --ready-file "$TL_DIR/c.ready" \
  --stats-file "$TL_DIR/c.stats" --output "$TL_DIR/c.out.log" --quiet
tl_wait_exit "$TL_PID_ll" 10 "$TL_DIR/c.stats" "$TL_DIR/ll.err"
((TL_RC == 0)) || tl_fail "lifeline exited $TL_RC"
tl_wait_stat c lines "$count"
ll_expect_total ll Destination delivered "$count"
tl_stop c
[[ $(tl_stat c duplicates) == 0 && $(tl_stat c out_of_order) == 0 ]] || tl_fail "collector: $(cat "$TL_DIR/c.stats")"
cmp "$TL_DIR/input.txt" "$TL_DIR/c.out.log" || tl_fail "collector output differs from the input"
tl_pass "collector up after $(grep -c 'Connection failed' "$TL_DIR/ll.err") refused attempts: $count lines, byte-exact"
