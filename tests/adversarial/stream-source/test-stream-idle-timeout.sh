#!/usr/bin/env bash
# Idle tcp() clients and max-connections(): with max-connections(2)
# idle-timeout(2), two idle clients (one holding a partial line) fill the
# limit; a third client's connection is not accepted and closed (its line
# would be lost) but waits in the backlog, logged once.  After 2 s of
# silence each idle client is closed (not earlier), its partial line
# forwarded as at a disconnect; the third one gets in and its line arrives.
# A client that keeps sending every 0.2 s is never closed.  `lifelinectl
# status` answers, the other source's lines arrive, SIGTERM ends lifeline.
set -euo pipefail
here=$(dirname "$0")
source "$here/../../integration/lib.sh"
source "$here/../../integration/lifeline.sh"
source "$here/ss-lib.sh"
tl_init

port=0
# The collector listens before the probe closes: it cannot get that port.
tl_start_collector co 127.0.0.1 --quiet
ss_free_port port
: >"$TL_DIR/other.log"
ll_config a <<CONF
@version: 4.0
source s_tcp { tcp(ip("127.0.0.1") port($port) max-connections(2) idle-timeout(2)); };
source s_other { file("$TL_DIR/other.log"); };
destination d { network("127.0.0.1" port($TL_PORT_co)); };
log { source(s_tcp); source(s_other); destination(d); };
CONF
ss_start a a -v

tl_spawn idle python3 "$SS_CLIENT" idle "$port" 2 "$TL_DIR/idle"
ss_wait_file "$TL_DIR/idle.connected"
ll_wait_log a "max-connections() reached; new connections wait in the backlog; source=s_tcp max_connections=2" 1
ss_status a
ss_other_lines 5
SS_EXPECT_CO=2
tl_wait_stat co lines $((SS_OTHER_SENT + 2))
grep -qx '0000000001 partial' "$TL_DIR/co.out.log" || tl_fail "the idle client's partial line was not forwarded"
grep -qx '0000000002 waiting' "$TL_DIR/co.out.log" || tl_fail "the waiting client's line did not arrive"
ll_wait_log a "Closing an idle client; source=s_tcp peer=127.0.0.1:[0-9]* idle_timeout=2" 2
ll_wait_log a "Below max-connections() again; accepting connections" 1
tl_pass "idle clients closed after idle-timeout(2), partial line forwarded; the waiting client's line arrived"

: >"$TL_DIR/idle.active"
tl_wait_exit "$TL_PID_idle" 10
((TL_RC == 0)) || tl_fail "client: $(cat "$TL_DIR/idle.err")"
SS_EXPECT_CO=22
tl_wait_stat co lines $((SS_OTHER_SENT + SS_EXPECT_CO))
(($(grep -c "Closing an idle client" "$TL_DIR/a.err") == 2)) || tl_fail "a client that kept sending was closed as idle"
(($(grep -c "max-connections() reached" "$TL_DIR/a.err") == 1)) || tl_fail "the limit was not logged once"
tl_pass "a client that keeps sending is not closed; the limit was logged once"

ss_status a
ss_other_lines 5
ss_stop a
tl_stop co
[[ $(tl_stat co duplicates) == 0 ]] || tl_fail "duplicates at co"
tl_pass "status answers, other lines arrive, SIGTERM ends lifeline"
