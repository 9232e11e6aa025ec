#!/usr/bin/env bash
# SIGHUP reload while lines stream in from a FIFO on stdin.
# (a) A configuration with a syntax error: "Reload failed" with its
#     file:line:column, the running configuration keeps forwarding to A.
# (b) A configuration pointing at collector B: "Configuration reloaded", lines
#     start arriving at B.
# Every generated line ends up exactly once at A or B, or is counted by the
# old runtime as unaccepted / dropped-by-reload (then lifeline says so and
# exits 1).
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

# The old runtime's totals, logged at the swap.
old_total() { # WHAT KEY
  sed -n "s/.* notice: $1 totals before the reload; .*\b$2=\([0-9]*\).*/\1/p" "$TL_DIR/ll.err" | tail -n 1
}
old_unaccepted=$(old_total Source unaccepted)
old_dropped=$(old_total Destination dropped-by-reload)
[[ -n $old_unaccepted && -n $old_dropped ]] || tl_fail "no totals of the old runtime at the reload"
new_unaccepted=$(ll_total ll Source unaccepted)
new_not_delivered=$(ll_total ll Destination not_delivered)
[[ -n $new_unaccepted && -n $new_not_delivered ]] || tl_fail "no exit summary"
lost=$((old_unaccepted + old_dropped))
if ((lost > 0)); then
  ((rc == 1)) || tl_fail "$lost lines lost at the reload but exit code $rc"
  grep -q "dropped by a reload" "$TL_DIR/ll.err" || tl_fail "$lost lines lost at the reload, not reported"
fi
((new_unaccepted == 0 && new_not_delivered == 0)) ||
  tl_fail "new runtime: unaccepted=$new_unaccepted not_delivered=$new_not_delivered with a live collector"
((lost > 0 || rc == 0)) || tl_fail "nothing lost but exit code $rc"

tl_wait_stat B lines "$(ll_total ll Destination delivered)"
tl_stop A
tl_stop B
# Every line once at most across A and B; what is missing is exactly what the
# reload counted.  The new stdin() source continues from fd 0's position, so
# when the old one stopped inside a line (counted unaccepted), its tail
# arrives at B as one short line without a full sequence number.
width=$(head -n 1 "$TL_DIR/A.out.log" | cut -d' ' -f1 | tr -d '\n' | wc -c)
seqs=$(cat "$TL_DIR/A.out.log" "$TL_DIR/B.out.log" | cut -d' ' -f1 | grep -E "^[0-9]{$width}\$" || true)
fragments=$(cat "$TL_DIR/A.out.log" "$TL_DIR/B.out.log" | cut -d' ' -f1 | grep -cvE "^[0-9]{$width}\$" || true)
distinct=$(sort -u <<<"$seqs" | wc -l)
dups=$(sort <<<"$seqs" | uniq -d | wc -l)
((dups == 0)) || tl_fail "$dups lines arrived more than once"
((fragments <= 1 && (fragments == 0 || old_unaccepted > 0))) || tl_fail "$fragments lines without a sequence number"
((distinct + lost == COUNT)) ||
  tl_fail "A+B hold $distinct distinct lines, the reload lost $lost: want $COUNT in all"
tl_pass "exit $rc; A+B=$distinct distinct, no duplicates; lost at the reload: unaccepted=$old_unaccepted dropped-by-reload=$old_dropped"
