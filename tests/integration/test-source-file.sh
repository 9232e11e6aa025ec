#!/usr/bin/env bash
# The file() source end to end: a file missing at start (logged once) is read
# from its start once it appears; lines appended while lifeline runs arrive;
# a rename rotation while a writer appends (the writer keeps writing to the
# renamed file, then a new file takes over) and a truncate rotation with lines
# appended right after it lose and repeat nothing: every line exactly once,
# in order.
set -euo pipefail
here=$(dirname "$0")
source "$here/lib.sh"
source "$here/lifeline.sh"
tl_init

log=$TL_DIR/app.log
gen() { "$TL_GENERATOR" --size 100 "$@"; }

tl_start_collector c 127.0.0.1 --quiet
ll_config f <<CONF
@version: 4.0
source s_file { file("$log" follow-freq(0.05)); };
destination d_net { network("127.0.0.1" port($TL_PORT_c)); };
log { source(s_file); destination(d_net); };
CONF
ll_run ll f

# Missing at start: logged once, retried every follow-freq().
ll_wait_log ll "Cannot open file; retrying every follow-freq()" 1
gen --count 1000 --start 1 >"$log"
tl_wait_stat c lines 1000
tl_pass "a file missing at start is read once it appears"

# Appended while running.
gen --count 1000 --start 1001 >>"$log"
tl_wait_stat c lines 2000
tl_pass "appended lines arrive"

# Rename rotation while a writer appends: it keeps its descriptor, so its
# later lines land in the renamed file; then a new file takes over.
tl_spawn writer_a bash -c '"$1" --size 100 --count 3000 --start 2001 --rate 3000 >>"$2"' _ "$TL_GENERATOR" "$log"
tl_wait_stat c lines 2200
mv "$log" "$log.1"
tl_wait_exit "$TL_PID_writer_a" 10 "$TL_DIR/c.stats"
((TL_RC == 0)) || tl_fail "writer_a exited $TL_RC"
gen --count 5000 --start 5001 --rate 20000 >>"$log"
tl_wait_stat c lines 10000
ll_wait_log ll "File was rotated (renamed)" 1
tl_pass "rename rotation while appending: the old file finished, the new one read from its start"

# Truncate rotation (copytruncate): truncated once everything was read, and
# lines appended at once after the truncation.
gen --count 1000 --start 10001 --rate 5000 >>"$log"
tl_wait_stat c lines 11000
truncate -s 0 "$log"
gen --count 1000 --start 11001 --rate 5000 >>"$log"
tl_wait_stat c lines 12000
ll_wait_log ll "File was truncated" 1
tl_pass "truncate rotation: reading restarted at the start"

tl_stop ll
((TL_RC == 0)) || tl_fail "lifeline exited $TL_RC after SIGTERM"
tl_stop c
for key in duplicates out_of_order torn unsequenced; do
  [[ $(tl_stat c $key) == 0 ]] || tl_fail "collector $key=$(tl_stat c $key)"
done
[[ $(tl_stat c distinct) == 12000 && $(tl_stat c lines) == 12000 ]] ||
  tl_fail "collector: $(cat "$TL_DIR/c.stats")"
cat "$log.1" "$log" >/dev/null # both still exist
ll_expect_total ll Source forwarded 12000
ll_expect_total ll Source read 12000
ll_expect_total ll Source dropped 0
n=$(grep -c "Cannot open file" "$TL_DIR/ll.err" || true)
((n == 1)) || tl_fail "missing file logged $n times, want 1"
tl_pass "12000 lines exactly once and in order across both rotations"
