#!/usr/bin/env bash
# A primary that stops reading (SIGSTOP) is left once its receive window
# closed and send-stall-timeout() passed without acknowledgement progress.
# After SIGCONT it reads exactly what its kernel acknowledged: every line
# arrives exactly once across primary and backup (a torn partial line at the
# primary is not a line).  Run with different ports per collector.
set -euo pipefail
here=$(dirname "$0")
source "$here/lib.sh"
source "$here/lifeline.sh"
source "$here/failover-lib.sh"
tl_init

tl_start_collector p 127.0.0.1 --quiet
tl_start_collector b1 127.0.0.2 --quiet
ll_config stall <<CONF
@version: 4.0
source s_in { stdin(); };
destination d_net {
  network("127.0.0.1" port($TL_PORT_p) time-reopen(0.2) send-stall-timeout(1)
          failover(servers("127.0.0.2:$TL_PORT_b1")));
};
log { source(s_in); destination(d_net); };
CONF
count=200000
fo_feed stall "$count" 20000
ll_run ll stall
tl_wait_stat p lines 20000
kill -STOP "$TL_PID_p"
# The stopped kernel keeps acknowledging until its buffer is full, then
# send-stall-timeout(1) runs: lines must start arriving at the backup.
tl_wait_stat b1 lines 1000 30
kill -CONT "$TL_PID_p"
tl_wait_exit "$TL_PID_ll" 10 "$TL_DIR/b1.stats"
((TL_RC == 0)) || tl_fail "lifeline exited $TL_RC"
ll_expect_total ll Destination delivered "$count"
tl_stop p
tl_stop b1
grep -q 'No acknowledgement progress for send-stall-timeout(); server declared dead; destination=d_net server=127.0.0.1' \
  "$TL_DIR/ll.err" || tl_fail "stall not logged"
fo_check_exactly_once "$count" "$TL_DIR/p.out.log" "$TL_DIR/b1.out.log"
tl_pass "stalled primary left; primary kept $(tl_stat p lines) lines (torn: $(tl_stat p torn)), backup $(tl_stat b1 lines); all $count exactly once"
