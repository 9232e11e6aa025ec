#!/usr/bin/env bash
# Sources with endless input never starve the loop: stdin() reading /dev/zero
# (no newline ever: every line truncated) and file() on a FIFO fed by `yes`
# (millions of tiny lines), both into one destination, while lifelinectl
# status answers, another source's lines arrive at their own collector, and
# SIGTERM ends lifeline in bounded time.
set -euo pipefail
here=$(dirname "$0")
source "$here/../../integration/lib.sh"
source "$here/../../integration/lifeline.sh"
source "$here/fs-lib.sh"
tl_init

: >"$TL_DIR/other.log"
mkfifo "$TL_DIR/fifo"
tl_start_collector c 127.0.0.1 --quiet
tl_start_collector co 127.0.0.1 --quiet
ll_config f <<CONF
@version: 4.0
source s_stdin { stdin(log-msg-size(1k)); };
source s_fifo { file("$TL_DIR/fifo" follow-freq(0.05)); };
source s_other { file("$TL_DIR/other.log" follow-freq(0.05)); };
destination d_net { network("127.0.0.1" port($TL_PORT_c)); };
destination d_other { network("127.0.0.1" port($TL_PORT_co)); };
log { source(s_stdin); source(s_fifo); destination(d_net); };
log { source(s_other); destination(d_other); };
CONF
LL_STDIN=/dev/zero
fs_start ll f --stop-timeout 1
# The writer opens the FIFO once lifeline has it open for reading.
tl_spawn yes bash -c 'exec yes >"$1"' _ "$TL_DIR/fifo"
tl_wait_stat c lines 100000 20
for _ in 1 2 3 4 5; do
  fs_status ll
  fs_other_lines 100
done
tl_pass "under endless input: status answers and other lines arrive"

# A queue full of tiny lines may not drain within stop-timeout(1): exit 1
# then says so, which is the documented outcome.
fs_stop ll undelivered-ok
grep -q "Source totals; source=s_stdin forwarded=[1-9][0-9]* truncated=[1-9]" "$TL_DIR/ll.err" ||
  tl_fail "s_stdin totals: $(grep 'Source totals; source=s_stdin' "$TL_DIR/ll.err")"
grep -q "Source totals; source=s_fifo forwarded=[1-9]" "$TL_DIR/ll.err" ||
  tl_fail "s_fifo totals: $(grep 'Source totals; source=s_fifo' "$TL_DIR/ll.err")"
tl_pass "SIGTERM ends lifeline under endless input"
