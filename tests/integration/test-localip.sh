#!/usr/bin/env bash
# localip(): lifeline's connections come from the configured source address
# (the collector logs the peer of every connection it accepts).
set -euo pipefail
here=$(dirname "$0")
source "$here/lib.sh"
source "$here/lifeline.sh"
tl_init

tl_start_collector c 127.0.0.1
ll_config lip <<CONF
@version: 4.0
source s_in { stdin(); };
destination d_net { network("127.0.0.1" port($TL_PORT_c) localip("127.0.0.5")); };
log { source(s_in); destination(d_net); };
CONF
"$TL_GENERATOR" --count 100 --output "$TL_DIR/input.txt"
LL_STDIN="$TL_DIR/input.txt"
ll_run ll lip
tl_wait_exit "$TL_PID_ll" 10 "$TL_DIR/c.stats"
((TL_RC == 0)) || tl_fail "lifeline exited $TL_RC"
tl_wait_stat c lines 100
tl_stop c
grep -q 'from=127.0.0.5:' "$TL_DIR/c.err" || tl_fail "the collector saw no connection from 127.0.0.5: $(grep -m1 from= "$TL_DIR/c.err")"
tl_pass "localip(\"127.0.0.5\"): 100 lines from 127.0.0.5"
