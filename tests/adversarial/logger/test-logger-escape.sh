#!/usr/bin/env bash
# Issue 11, item 11: names from the configuration (a source name, a file path,
# a destination name, a server name) holding newlines, CR, TAB, quotes, '='
# and ESC must not forge or split lines of lifeline's log, nor send terminal
# escapes to whoever reads it.  Each event stays one line, values are quoted
# and escaped (docs/operations.md, "Log format"), ordinary values keep their
# old shape, lifeline still answers `lifelinectl status`, the other source's
# lines still arrive, and SIGTERM still ends it.
#
# The server name "bad\"host=x" never reaches a DNS server: glibc's resolver
# refuses a name with such characters before sending a query (checked with
# strace: no packet leaves), so the test stays on loopback.
set -euo pipefail
here=$(dirname "$0")
source "$here/../../integration/lib.sh"
source "$here/../../integration/lifeline.sh"
tl_init

ctl=$TL_DIR/ctl.sock
"$TL_GENERATOR" --size 100 --count 200 --start 1 >"$TL_DIR/good.log"
tl_start_collector c 127.0.0.1 --quiet

# Unquoted here-document: bash leaves \n, \" and \x1b alone; the config lexer
# turns them into a newline, a quote and ESC.
src='s\n2026-01-01T00:00:00.000Z error: forged; x=\"y\"\r\t\x1b[2J'
dst='d\nbad\x1b'
ll_config hostile <<CONF
@version: 4.0
options { stop-timeout(3); };
source s_good { file("$TL_DIR/good.log" follow-freq(0.05)); };
source "$src" { file("$TL_DIR/missing\nfile\"\x1b[31m" follow-freq(0.05)); };
destination d_net { network("127.0.0.1" port($TL_PORT_c)); };
destination "$dst" { network("bad\"host=x" port(9) time-reopen(0.2)); };
log { source(s_good); source("$src"); destination(d_net); };
log { source("$src"); destination("$dst"); };
CONF
ll_run ll hostile -c "$ctl"

ll_wait_log ll 'warning: Cannot open file' 1
ll_wait_log ll 'error: Connection failed' 1
tl_wait_stat c lines 200

# The exact escaped lines: the log's own text is the expected output of the
# rule, written out once here.
want_src='source="s\n2026-01-01T00:00:00.000Z error: forged; x=\"y\"\r\t\x1B[2J"'
want_file="file=\"$TL_DIR/missing\\nfile\\\"\\x1B[31m\""
grep -qF "warning: Cannot open file; retrying every follow-freq(); $want_src $want_file error=" "$TL_DIR/ll.err" ||
  tl_fail "no escaped 'Cannot open file' line; log: $(cat -v "$TL_DIR/ll.err" | head -20)"
grep -qF 'error: Connection failed; destination="d\nbad\x1B" server="bad\"host=x:9" reason=resolve-failed' \
  "$TL_DIR/ll.err" || tl_fail "no escaped 'Connection failed' line"
tl_pass "hostile names are logged quoted and escaped"

# lifeline still answers.
"$TL_LIFELINECTL" -c "$ctl" status >"$TL_DIR/status.out" 2>"$TL_DIR/status.err" ||
  tl_fail "lifelinectl status failed: $(cat "$TL_DIR/status.err")"
grep -qx 'destination d_net' "$TL_DIR/status.out" || tl_fail "status does not list d_net: $(cat "$TL_DIR/status.out")"
tl_pass "lifelinectl status answers; the good source's 200 lines arrived"

tl_stop ll
((TL_RC == 0)) || tl_fail "lifeline exited $TL_RC after SIGTERM; want 0"
grep -qF "notice: Source totals; $want_src forwarded=0" "$TL_DIR/ll.err" ||
  tl_fail "no escaped 'Source totals' line for the hostile source"
grep -q 'notice: Source totals; source=s_good forwarded=200 ' "$TL_DIR/ll.err" ||
  tl_fail "s_good's totals line lost its plain shape"
grep -q 'notice: Destination totals; destination=d_net accepted=200 delivered=200 ' "$TL_DIR/ll.err" ||
  tl_fail "d_net's totals line lost its plain shape"

# Every line of the log is one event: it starts with a time stamp and a
# level, the forged time stamp never starts a line, and no control byte
# (other than the newline that ends each line) or invalid UTF-8 is left.
bad=$(grep -Evc '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z (error|warning|notice|info|debug): ' \
  "$TL_DIR/ll.err" || true)
((bad == 0)) || tl_fail "$bad log lines do not start with a time stamp and a level"
! grep -q '^2026-01-01T00:00:00.000Z' "$TL_DIR/ll.err" || tl_fail "a forged line starts a line of the log"
ctrl=$(LC_ALL=C grep -Pc '[\x00-\x09\x0b-\x1f\x7f]' "$TL_DIR/ll.err" || true)
((ctrl == 0)) || tl_fail "$ctrl log lines hold control bytes"
iconv -f UTF-8 -t UTF-8 "$TL_DIR/ll.err" >/dev/null 2>&1 || tl_fail "the log is not valid UTF-8"
tl_pass "every log line is one event with no control bytes; SIGTERM ended lifeline"
