#!/usr/bin/env bash
# A file whose every read fails (/proc/self/mem: a regular file whose offset 0
# reads EIO): logged once, retried every follow-freq(), and the rest of
# lifeline carries on (lifelinectl status answers, another source's lines
# arrive, SIGTERM ends it).  Before the fix, every read error reopened the
# file and read again at once, in a loop that never yielded.
set -euo pipefail
here=$(dirname "$0")
source "$here/../../integration/lib.sh"
source "$here/../../integration/lifeline.sh"
source "$here/fs-lib.sh"
tl_init

: >"$TL_DIR/other.log"
tl_start_collector c 127.0.0.1 --quiet
tl_start_collector co 127.0.0.1 --quiet
ll_config f <<CONF
@version: 4.0
source s_bad { file("/proc/self/mem" follow-freq(0.05)); };
source s_other { file("$TL_DIR/other.log" follow-freq(0.05)); };
destination d_net { network("127.0.0.1" port($TL_PORT_c)); };
destination d_other { network("127.0.0.1" port($TL_PORT_co)); };
log { source(s_bad); destination(d_net); };
log { source(s_other); destination(d_other); };
CONF
fs_start ll f
fs_status ll
ll_wait_log ll "Error reading file; retrying every follow-freq()" 1
for _ in 1 2 3 4 5; do
  fs_status ll
  fs_other_lines 100
done
n=$(grep -c "Error reading file" "$TL_DIR/ll.err" || true)
((n == 1)) || tl_fail "the read error was logged $n times, want once per episode"
grep -q 'error="Input/output error"\|error=Input/output' "$TL_DIR/ll.err" ||
  tl_fail "the read error does not say why: $(grep 'Error reading' "$TL_DIR/ll.err")"
tl_pass "a persistent read error: logged once; status answers and other lines arrive"

fs_stop ll
[[ $(tl_stat c lines) == 0 ]] || tl_fail "lines from /proc/self/mem arrived: $(cat "$TL_DIR/c.stats")"
tl_pass "SIGTERM ends lifeline"
