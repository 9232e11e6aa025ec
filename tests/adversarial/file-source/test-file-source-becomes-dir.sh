#!/usr/bin/env bash
# A followed file whose path becomes a directory: logged once, retried every
# follow-freq(), and the rest of lifeline carries on (lifelinectl status
# answers, another source's lines arrive, SIGTERM ends it); once the path is
# a file again, it is read.  Before the fix, the process spun at 100% CPU,
# reopening the directory and failing to read it, and answered nothing.
set -euo pipefail
here=$(dirname "$0")
source "$here/../../integration/lib.sh"
source "$here/../../integration/lifeline.sh"
source "$here/fs-lib.sh"
tl_init

watched=$TL_DIR/watched.log
: >"$TL_DIR/other.log"
"$TL_GENERATOR" --size 100 --count 100 --start 1 >"$watched"
tl_start_collector c 127.0.0.1 --quiet
tl_start_collector co 127.0.0.1 --quiet
ll_config f <<CONF
@version: 4.0
source s_watch { file("$watched" follow-freq(0.05)); };
source s_other { file("$TL_DIR/other.log" follow-freq(0.05)); };
destination d_net { network("127.0.0.1" port($TL_PORT_c)); };
destination d_other { network("127.0.0.1" port($TL_PORT_co)); };
log { source(s_watch); destination(d_net); };
log { source(s_other); destination(d_other); };
CONF
fs_start ll f
tl_wait_stat c lines 100
fs_other_lines 100

# The path becomes a directory: the old file is finished, the directory refused.
mv "$watched" "$watched.1"
mkdir "$watched"
fs_status ll
ll_wait_log ll "Path is not a regular file or FIFO; retrying every follow-freq()" 1
for _ in 1 2 3 4 5; do
  fs_status ll
  fs_other_lines 100
done
n=$(grep -c "Path is not a regular file or FIFO" "$TL_DIR/ll.err" || true)
((n == 1)) || tl_fail "the directory was logged $n times, want once per episode"
tl_pass "a path that became a directory: logged once; status answers and other lines arrive"

# A file again: read from its start.
rmdir "$watched"
"$TL_GENERATOR" --size 100 --count 100 --start 101 >"$watched"
tl_wait_stat c lines 200
ll_wait_log ll "File appeared; reading it" 1
fs_status ll
tl_pass "the path is a file again: its lines arrive"

fs_stop ll
grep -q "Source totals; source=s_watch forwarded=200 .*read=200 " "$TL_DIR/ll.err" ||
  tl_fail "s_watch totals: $(grep 'Source totals; source=s_watch' "$TL_DIR/ll.err")"
tl_pass "SIGTERM ends lifeline"
