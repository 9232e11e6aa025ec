#!/usr/bin/env bash
# tcp() when a new client's line buffer cannot be allocated: with
# log-msg-size(64M) every client needs 64 MiB, and RLIMIT_AS (the `ulimit -v`
# of the running process, set with prlimit) leaves room for about two.  Of 6
# clients, those that got a buffer deliver their lines; each of the others is
# closed with a logged reason; lifeline keeps running, `lifelinectl status`
# answers, the other source's lines arrive, and SIGTERM ends it.  (Unfixed,
# the unchecked buffer is dereferenced and lifeline crashes.)  Skipped under
# AddressSanitizer, which reserves terabytes of address space.
set -euo pipefail
here=$(dirname "$0")
source "$here/../../integration/lib.sh"
source "$here/../../integration/lifeline.sh"
source "$here/ss-lib.sh"
if tl_is_asan; then
  echo "SKIP: an address-space limit does not work under AddressSanitizer"
  exit 77
fi
tl_init

port=0
# The collector listens before the probe closes: it cannot get that port.
tl_start_collector co 127.0.0.1 --quiet
ss_free_port port
: >"$TL_DIR/other.log"
ll_config a <<CONF
@version: 4.0
source s_tcp { tcp(ip("127.0.0.1") port($port) max-connections(100) log-msg-size(64M)); };
source s_other { file("$TL_DIR/other.log"); };
destination d { network("127.0.0.1" port($TL_PORT_co)); };
log { source(s_tcp); source(s_other); destination(d); };
CONF
ss_start a a
ss_other_lines 10
pid=$TL_PID_a

vm_kb=$(sed -n 's/^VmSize:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status")
limit=$(((vm_kb + 160 * 1024) * 1024))
prlimit --pid "$pid" --as="$limit:" || tl_fail "prlimit failed"

n=6
tl_spawn hold python3 "$SS_CLIENT" hold "$port" "$n" 1 "$TL_DIR/hold"
ss_wait_file "$TL_DIR/hold.connected"
ll_wait_log a "Out of memory for a new client's line buffer; closing it" 1
# The clients that got a buffer: n minus the refused ones, once all were seen.
deadline=$(($(_tl_now_us) + $(_tl_us 10)))
while :; do
  refused=$(grep -c "Out of memory for a new client's line buffer; closing it" "$TL_DIR/a.err" || true)
  SS_EXPECT_CO=$((n - refused))
  (($(tl_stat co lines) >= SS_OTHER_SENT + SS_EXPECT_CO)) && break
  _tl_alive "$pid" || tl_fail "lifeline died: $(tail -n 3 "$TL_DIR/a.err")"
  (($(_tl_now_us) < deadline)) || tl_fail "co has $(tl_stat co lines) lines; want $SS_OTHER_SENT + $SS_EXPECT_CO"
  sleep 0.02
done
((SS_EXPECT_CO >= 1 && refused >= 1)) || tl_fail "$SS_EXPECT_CO clients got a buffer, $refused were refused"
grep -q "Out of memory for a new client's line buffer; closing it; source=s_tcp peer=127.0.0.1:[0-9]* log_msg_size=67108864" \
  "$TL_DIR/a.err" || tl_fail "the refusal does not name the source, peer and size"
tl_pass "$SS_EXPECT_CO of $n clients got a 64 MiB buffer and delivered; $refused were closed with a logged reason"

ss_status a
ss_other_lines 10
: >"$TL_DIR/hold.release"
tl_wait_exit "$TL_PID_hold" 10
((TL_RC == 0)) || tl_fail "client exited $TL_RC: $(cat "$TL_DIR/hold.err")"
ss_stop a
tl_stop co
tl_pass "status answers, other lines arrive, SIGTERM ends lifeline"
