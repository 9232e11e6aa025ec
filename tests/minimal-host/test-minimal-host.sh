#!/usr/bin/env bash
# The plugin ABI serves a host that is not lifeline: tests/minimal-host (built
# against include/ only) loads plugin/lifeline-network.so, forwards its
# arguments to a collector and exits 0 once every one is DELIVERED.  Then the
# other fate: no collector listening, stop(5000) returns the message.
set -euo pipefail
here=$(dirname "$0")
source "$here/../integration/lib.sh"
tl_init

module="$TL_MODULE_PATH/lifeline-network.so"
tl_start_collector c 127.0.0.1
lines=("1 hello" "2 from the" "3 minimal host")
rc=0
"$TL_MINIMAL_HOST" "$module" "$TL_PORT_c" "${lines[@]}" >"$TL_DIR/host.out" 2>"$TL_DIR/host.err" || rc=$?
((rc == 0)) || tl_fail "minimal-host exited $rc: $(cat "$TL_DIR/host.out" "$TL_DIR/host.err")"
grep -qx 'delivered=3 not_delivered=0' "$TL_DIR/host.out" || tl_fail "minimal-host said: $(cat "$TL_DIR/host.out")"
grep -q '^<5> Connected; destination=d_example' "$TL_DIR/host.err" || tl_fail "no Connected log line through the host's log(): $(cat "$TL_DIR/host.err")"
tl_wait_stat c lines 3
printf '%s\n' "${lines[@]}" | cmp - "$TL_DIR/c.out.log" || tl_fail "collector got: $(cat "$TL_DIR/c.out.log")"
tl_pass "3 lines through lifeline-network.so from a host built against include/ only"

# Nobody listens on the port the collector had: the message is returned at stop.
tl_stop c
rc=0
"$TL_MINIMAL_HOST" "$module" "$TL_PORT_c" "lost" >"$TL_DIR/down.out" 2>"$TL_DIR/down.err" || rc=$?
((rc == 1)) || tl_fail "with no collector minimal-host exited $rc, want 1"
grep -qx 'delivered=0 not_delivered=1' "$TL_DIR/down.out" || tl_fail "with no collector it said: $(cat "$TL_DIR/down.out")"
grep -q 'reason=connection-refused' "$TL_DIR/down.err" || tl_fail "no connection-refused log line: $(cat "$TL_DIR/down.err")"
tl_pass "no collector: the message is returned (not delivered) at stop, exit 1"

# A file that is not a module is refused with dlopen's reason.
rc=0
"$TL_MINIMAL_HOST" "$TL_MINIMAL_HOST" 1 x >/dev/null 2>"$TL_DIR/bad.err" || rc=$?
((rc == 1)) && grep -q '^cannot use ' "$TL_DIR/bad.err" || tl_fail "non-module: exit $rc, $(cat "$TL_DIR/bad.err")"
tl_pass "a file that is not a module is refused"
