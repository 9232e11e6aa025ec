#!/usr/bin/env bash
# SIGHUP reload while lines stream in from a FIFO on stdin.
# (a) A configuration with a syntax error: "Reload failed" with its
#     file:line:column, the running configuration keeps forwarding to A.
# (b) A configuration pointing at collector B instead (d_a removed, d_b
#     added): "Configuration reloaded", lines start arriving at B.  The
#     stdin() source is unchanged, so it keeps running with what it had read;
#     d_a delivers what it queued before it stops.
# Every generated line ends up exactly once at A or B, nothing is lost, and
# lifeline exits 0.
set -euo pipefail
here=$(dirname "$0")
source "$here/lib.sh"
source "$here/lifeline.sh"
source "$here/failover-lib.sh"
tl_init
: "${TL_LIFELINECTL:?set by tests/integration/meson.build}"

COUNT=30000
RATE=2000

tl_start_collector A 127.0.0.1 --quiet
tl_start_collector B 127.0.0.1 --quiet

write_config() { # DESTINATION PORT
  ll_config reload <<CONF
@version: 4.0
options { stop-timeout(10); };
source s_in { stdin(); };
destination $1 { network("127.0.0.1" port($2)); };
log { source(s_in); destination($1); };
CONF
}
ctl_status() {
  "$TL_LIFELINECTL" -c "$TL_DIR/ctl" status >"$TL_DIR/ctl.out" 2>&1 || tl_fail "lifelinectl status: $(cat "$TL_DIR/ctl.out")"
}
conf="$TL_DIR/reload.conf"

write_config d_a "$TL_PORT_A"
fo_feed in "$COUNT" "$RATE"
ll_run ll reload -c "$TL_DIR/ctl"
# shellcheck disable=SC2154 # TL_PID_ll: set by ll_run
ll_pid=$TL_PID_ll
tl_wait_stat A lines 1000
ctl_status
grep -qx 'destination d_a' "$TL_DIR/ctl.out" || tl_fail "status before the reload: $(cat "$TL_DIR/ctl.out")"

# (a) A broken configuration: logged with its location, nothing changes.
ll_config reload <<CONF
@version: 4.0
source s_in { stdin(); };
destination d_net { network("127.0.0.1" port($TL_PORT_B)); };
log { source(s_in) destination(d_net); };
CONF
kill -HUP "$ll_pid"
ll_wait_log ll "Reload failed; the running configuration stays" 1
grep -q "Reload failed; the running configuration stays.*$conf:4:20" "$TL_DIR/ll.err" ||
  tl_fail "the reload error does not name $conf:4:20: $(grep 'Reload failed' "$TL_DIR/ll.err")"
grep -q "Configuration reloaded" "$TL_DIR/ll.err" && tl_fail "a broken configuration was loaded"
a_before=$(tl_stat A lines)
tl_wait_stat A lines $((a_before + 1000))
(($(tl_stat B lines) == 0)) || tl_fail "B received lines from a configuration that failed to load"
tl_pass "broken configuration refused with its location; A still receiving ($(tl_stat A lines) lines)"

# (b) A valid configuration pointing at B.
write_config d_b "$TL_PORT_B"
kill -HUP "$ll_pid"
ll_wait_log ll "Configuration reloaded" 1
tl_wait_stat B lines 1000
# The control socket serves the new configuration.
ctl_status
if ! grep -qx 'destination d_b' "$TL_DIR/ctl.out" || grep -q 'destination d_a' "$TL_DIR/ctl.out"; then
  tl_fail "status after the reload: $(cat "$TL_DIR/ctl.out")"
fi
tl_pass "reloaded; B receiving ($(tl_stat B lines) lines)"

# The generator ends, lifeline reads end of input and exits.
tl_wait_exit "$ll_pid" 10 "$TL_DIR/A.stats" "$TL_DIR/B.stats" "$TL_DIR/ll.err"
rc=$TL_RC
((rc == 0 || rc == 1)) || tl_fail "lifeline exited $rc"
grep -q "Reloading configuration; file=$conf" "$TL_DIR/ll.err" || tl_fail "no 'Reloading configuration' line"

grep -q "Source unchanged; keeping it running; source=s_in" "$TL_DIR/ll.err" || tl_fail "the stdin() source was not kept"
grep -q "Source totals before the reload" "$TL_DIR/ll.err" && tl_fail "the kept source was reported as stopped"
# The old runtime's totals, logged once d_a stopped: it delivered everything.
old_total() { # WHAT KEY
  sed -n "s/.* notice: $1 totals before the reload; .*\b$2=\([0-9]*\).*/\1/p" "$TL_DIR/ll.err" | tail -n 1
}
old_dropped=$(old_total Destination dropped-by-reload)
old_delivered=$(old_total Destination delivered)
[[ -n $old_dropped ]] || tl_fail "no totals of the old d_a at the reload"
((old_dropped == 0)) || tl_fail "d_a dropped $old_dropped at the reload with a live collector"
((rc == 0)) || tl_fail "lifeline exited $rc"
ll_expect_total ll Source unaccepted 0
ll_expect_total ll Source forwarded "$COUNT"
ll_expect_total ll Destination not_delivered 0

tl_wait_stat B lines "$(ll_total ll Destination delivered)"
tl_stop A
tl_stop B
((old_delivered == $(tl_stat A lines))) || tl_fail "d_a delivered $old_delivered, A has $(tl_stat A lines)"
for c in A B; do
  for key in duplicates out_of_order torn unsequenced; do
    [[ $(tl_stat $c $key) == 0 ]] || tl_fail "$c: $key=$(tl_stat $c $key)"
  done
done
# A holds 1..k, B k+1..COUNT: every line exactly once, in order.
[[ $(tl_stat A first_seq) == 1 && $(tl_stat B first_seq) == $(($(tl_stat A max_seq) + 1)) ]] ||
  tl_fail "A: $(cat "$TL_DIR/A.stats") B: $(cat "$TL_DIR/B.stats")"
(($(tl_stat A distinct) + $(tl_stat B distinct) == COUNT && $(tl_stat B max_seq) == COUNT)) ||
  tl_fail "A+B hold $(($(tl_stat A distinct) + $(tl_stat B distinct))) lines, want $COUNT"
tl_pass "exit 0; A=$(tl_stat A lines) then B=$(tl_stat B lines): every line exactly once, in order"
