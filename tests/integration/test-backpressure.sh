#!/usr/bin/env bash
# A collector that stops reading: lifeline's queue fills, the host stops
# reading its source (the writer blocks), memory stays bounded by the queue,
# and nothing is dropped; once the collector reads again every line arrives
# exactly once.  With flags(drop-when-full) the sources keep running and
# every drop is counted by reason: delivered + dropped = accepted.
set -euo pipefail
here=$(dirname "$0")
source "$here/lib.sh"
source "$here/lifeline.sh"
source "$here/failover-lib.sh"
tl_init

rss_kib() {
  awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status"
}

queue_mib=8
tl_start_collector c 127.0.0.1 --quiet
ll_config bp <<CONF
@version: 4.0
source s { stdin(); };
destination d { network("127.0.0.1" port($TL_PORT_c) send-stall-timeout(0) queue-max-bytes(${queue_mib}M)); };
log { source(s); destination(d); };
CONF
count=500000
fo_feed bp "$count" 0
ll_run bp bp
tl_wait_stat c lines 10000
kill -STOP "$TL_PID_c"
ll_wait_reading_stops "$TL_PID_bp"
rss1=$(rss_kib "$TL_PID_bp")
ll_wait_reading_stops "$TL_PID_bp"
rss2=$(rss_kib "$TL_PID_bp")
got=$(tl_stat c lines)
kill -CONT "$TL_PID_c"
tl_wait_exit "$TL_PID_bp" 10 "$TL_DIR/c.stats"
((TL_RC == 0)) || tl_fail "lifeline exited $TL_RC"
ll_expect_total bp Destination delivered "$count"
ll_expect_total bp Destination dropped 0
tl_wait_stat c lines "$count"
tl_stop c
fo_check_exactly_once "$count" "$TL_DIR/c.out.log"
# The queue (8 MiB) plus the socket buffers plus the program: a generous
# bound that an unbounded queue of ~100 MB of input would break.
bound=$((queue_mib * 1024 + 48 * 1024))
((rss2 > 0 && rss2 < bound)) || tl_fail "RSS ${rss2} KiB with a stopped collector; bound ${bound} KiB"
tl_pass "stopped collector: reading stopped at ~$got delivered lines, RSS ${rss1}/${rss2} KiB (bound $bound), then $count lines exactly once, none dropped"

rm -f "$TL_DIR"/*.log
tl_start_collector c2 127.0.0.1 --quiet
ll_config dwf <<CONF
@version: 4.0
source s { stdin(); };
destination d { network("127.0.0.1" port($TL_PORT_c2) send-stall-timeout(0) log-fifo-size(1000) flags(drop-when-full)); };
log { source(s); destination(d); };
CONF
count=200000
"$TL_GENERATOR" --count "$count" --output "$TL_DIR/input.txt"
kill -STOP "$TL_PID_c2"
LL_STDIN="$TL_DIR/input.txt"
ll_run dwf dwf -v --stop-timeout 30
# The source runs to its end although the collector reads nothing.
ll_wait_log dwf "End of input" 1
kill -CONT "$TL_PID_c2"
tl_wait_exit "$TL_PID_dwf" 10 "$TL_DIR/c2.stats"
((TL_RC == 0)) || tl_fail "drop-when-full: lifeline exited $TL_RC"
delivered=$(ll_total dwf Destination delivered)
dropped=$(ll_total dwf Destination dropped)
accepted=$(ll_total dwf Destination accepted)
((accepted == count)) || tl_fail "drop-when-full: accepted $accepted, want $count"
((delivered + dropped == accepted)) || tl_fail "drop-when-full: delivered $delivered + dropped $dropped != accepted $accepted"
((dropped > 0)) || tl_fail "drop-when-full: nothing dropped with a stopped collector and a 1000-message queue"
grep -q "Queue full; dropping new messages (flags(drop-when-full)); destination=d" "$TL_DIR/dwf.err" ||
  tl_fail "drop-when-full: the drops were not logged"
tl_wait_stat c2 lines "$delivered"
tl_stop c2
fo_check_once "$delivered" <(sort -u "$TL_DIR/c2.out.log")
dups=$(cut -d' ' -f1 "$TL_DIR/c2.out.log" | sort | uniq -d | wc -l)
((dups == 0)) || tl_fail "drop-when-full: $dups duplicates"
tl_pass "drop-when-full: $accepted accepted = $delivered delivered + $dropped dropped (reason queue-full), no duplicates"
