#!/usr/bin/env bash
# A line longer than log-msg-size() is cut at the limit and counted, and the
# lines around it arrive untouched.
set -euo pipefail
here=$(dirname "$0")
source "$here/lib.sh"
source "$here/lifeline.sh"
tl_init

tl_start_collector c 127.0.0.1 --quiet
ll_config t <<CONF
@version: 4.0
options { log-msg-size(1k); };
source s_in { stdin(); };
destination d_net { network("127.0.0.1" port($TL_PORT_c)); };
log { source(s_in); destination(d_net); };
CONF
{
  echo "0000000001 before"
  printf '0000000002 %05000d\n' 0
  echo "0000000003 after"
} >"$TL_DIR/input.txt"
LL_STDIN="$TL_DIR/input.txt"
ll_run ll t
tl_wait_exit "$TL_PID_ll" 10 "$TL_DIR/c.stats"
((TL_RC == 0)) || tl_fail "lifeline exited $TL_RC"
tl_wait_stat c lines 3
tl_stop c
ll_expect_total ll Source truncated 1
grep -q 'Line longer than log-msg-size() truncated' "$TL_DIR/ll.err" || tl_fail "no truncation warning"
mapfile -t got <"$TL_DIR/c.out.log"
[[ ${got[0]} == "0000000001 before" && ${got[2]} == "0000000003 after" ]] || tl_fail "neighbours changed: ${got[0]} / ${got[2]}"
((${#got[1]} == 1024)) || tl_fail "truncated line is ${#got[1]} bytes, want 1024"
tl_pass "5011-byte line cut to 1024 and counted; neighbours intact"
