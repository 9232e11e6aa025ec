#!/usr/bin/env bash
# Thirty destinations whose server is down, failing together, must not flood
# the log: at most 20 lines per kind per 10 s pass; the exit summary (one
# "Destination totals" line per destination) is never held back.
set -euo pipefail
here=$(dirname "$0")
source "$here/lib.sh"
source "$here/lifeline.sh"
source "$here/failover-lib.sh"
tl_init

fo_free_port
port=$REPLY
{
  echo '@version: 4.0'
  echo 'options { stop-timeout(3); };'
  echo 'source s_in { stdin(); };'
  for i in $(seq 1 30); do
    echo "destination d$i { network(\"127.0.0.1\" port($port) time-reopen(0.1) reconnect-backoff-max(0.2)); };"
    echo "log { source(s_in); destination(d$i); };"
  done
} | ll_config flood
echo "0000000001 one line" >"$TL_DIR/input.txt"
LL_STDIN="$TL_DIR/input.txt"
ll_run ll flood
tl_wait_exit "$TL_PID_ll" 20 "$TL_DIR/ll.err"
((TL_RC == 1)) || tl_fail "lifeline exited $TL_RC; want 1 (nothing could be delivered)"
failed=$(grep -c 'error: Connection failed' "$TL_DIR/ll.err" || true)
totals=$(grep -c 'notice: Destination totals' "$TL_DIR/ll.err" || true)
((failed >= 1 && failed <= 20)) || tl_fail "$failed 'Connection failed' lines in 3 s (want 1..20)"
((totals == 30)) || tl_fail "$totals 'Destination totals' lines, want 30"
tl_pass "30 failing destinations: $failed 'Connection failed' lines logged in 3 s, all 30 totals"
