#!/bin/bash
# shellcheck disable=SC2154  # TL_PORT_<name>, TL_PID_<name> are set by lib.sh (printf -v)
# Self-test of the test tools: lifeline-collector and lifeline-generator.
# Usage: test-tools.sh BUILD_DIR   (TL_COLLECTOR / TL_GENERATOR override the paths)
set -euo pipefail

BUILD_DIR=${1:?usage: $0 BUILD_DIR}
: "${TL_COLLECTOR:=$BUILD_DIR/tools/lifeline-collector}"
: "${TL_GENERATOR:=$BUILD_DIR/tools/lifeline-generator}"
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tl_init

# run_gen NAME ARGS...: run the generator in the background and require exit 0.
run_gen() {
  local name=$1
  shift
  tl_spawn "$name" "$TL_GENERATOR" "$@"
  tl_wait_exit "$!" 10 "$TL_DIR"/*.stats
  ((TL_RC == 0)) || tl_fail "generator $name exited with $TL_RC"
}

stop_ok() {
  tl_stop "$1"
  ((TL_RC == 0)) || tl_fail "collector $1 exited with $TL_RC after SIGTERM"
}

# 1. 200,000 lines flat out over one connection.
tl_start_collector bulk 127.0.0.1
run_gen gen-bulk --count 200000 --connect "127.0.0.1:$TL_PORT_bulk"
tl_wait_stat bulk lines 200000
tl_expect bulk lines=200000 bytes=40000000 distinct=200000 duplicates=0 out_of_order=0 \
  torn=0 unsequenced=0 framing_errors=0 first_seq=1 max_seq=200000 connections=1
stop_ok bulk
grep -q '^lines=200000 ' "$TL_DIR/bulk.out" || tl_fail "bulk: no stats line on stdout at exit"
tl_pass "200000 lines via --connect: all distinct, in order, none torn"

# 2. Byte-exact: the generator's stdout equals what the collector received.
run_gen gen-file --count 50000 --size 137 --start 1000
tl_start_collector copy 127.0.0.1 --report "$TL_DIR/copy.report"
run_gen gen-copy --count 50000 --size 137 --start 1000 --connect "127.0.0.1:$TL_PORT_copy"
tl_wait_stat copy lines 50000
stop_ok copy
cmp "$TL_DIR/gen-file.out" "$TL_DIR/copy.out.log" || tl_fail "collector output differs from generator stdout"
grep -qx 'missing_total=0' "$TL_DIR/copy.report" || tl_fail "copy: report shows missing seqs"
tl_expect copy first_seq=1000 max_seq=50999 bytes=$((50000 * 137))
tl_pass "generator stdout and collector --output are identical (50000 lines of 137 bytes)"

# 3. Gaps, duplicates and out-of-order arrivals in the report.
tl_start_collector acct 127.0.0.1 --report "$TL_DIR/acct.report"
run_gen gen-a --count 10 --start 1 --connect "127.0.0.1:$TL_PORT_acct"
run_gen gen-b --count 10 --start 21 --connect "127.0.0.1:$TL_PORT_acct"
run_gen gen-c --count 1 --start 5 --connect "127.0.0.1:$TL_PORT_acct"
tl_wait_stat acct lines 21
tl_expect acct distinct=20 duplicates=1 out_of_order=1 first_seq=1 max_seq=30 connections=3
stop_ok acct
for want in missing=11-20 missing_total=10 duplicated_seqs=5; do
  grep -qx "$want" "$TL_DIR/acct.report" || tl_fail "acct report lacks $want: $(cat "$TL_DIR/acct.report")"
done
tl_pass "report: missing=11-20, duplicated_seqs=5, out_of_order=1"

# 4. Octet-counted framing (RFC 6587), then a malformed frame.
tl_start_collector oc 127.0.0.1 --framing octet-counted
exec 3<>"/dev/tcp/127.0.0.1/$TL_PORT_oc"
printf '5 hello11 hello world' >&3
exec 3>&-
tl_wait_stat oc lines 2
exec 3<>"/dev/tcp/127.0.0.1/$TL_PORT_oc"
printf 'x5 hello' >&3
exec 3>&-
tl_wait_stat oc framing_errors 1
tl_expect oc lines=2 bytes=16 unsequenced=2 torn=0 framing_errors=1
stop_ok oc
cmp <(printf 'hello\nhello world\n') "$TL_DIR/oc.out.log" || tl_fail "octet-counted output differs"
tl_pass "octet-counted: 2 frames, 1 framing error"

# 5. A trailing partial line at end of stream is torn, not a message; SIGINT exits 0.
tl_start_collector torn 127.0.0.1
exec 3<>"/dev/tcp/127.0.0.1/$TL_PORT_torn"
printf '0000000001 abc' >&3
exec 3>&-
tl_wait_stat torn torn 1
tl_expect torn lines=0 torn=1 torn_bytes=14 distinct=0
kill -INT "$TL_PID_torn"
tl_wait_exit "$TL_PID_torn" 10
((TL_RC == 0)) || tl_fail "collector exited with $TL_RC after SIGINT"
tl_pass "torn line counted (torn=1 torn_bytes=14 lines=0); SIGINT exits 0"

# 6. IPv6 loopback, when the kernel has ::1.
if grep -qs '^00000000000000000000000000000001 ' /proc/net/if_inet6; then
  tl_start_collector v6 ::1
  run_gen gen-v6 --count 1000 --connect "[::1]:$TL_PORT_v6"
  tl_wait_stat v6 lines 1000
  tl_expect v6 distinct=1000 torn=0
  stop_ok v6
  tl_pass "IPv6: 1000 lines via [::1]"
else
  echo "SKIP: IPv6: no ::1 on this host"
fi

# 7. --rate paces: 10,000 lines at 20,000/s cannot take less than ~0.5 s.
t0=${EPOCHREALTIME/[.,]/}
run_gen gen-paced --count 10000 --rate 20000 --output "$TL_DIR/paced.txt"
elapsed_ms=$(((${EPOCHREALTIME/[.,]/} - t0) / 1000))
((elapsed_ms >= 450)) || tl_fail "--rate 20000: 10000 lines took only ${elapsed_ms} ms"
cmp "$TL_DIR/paced.txt" <("$TL_GENERATOR" --count 10000) || tl_fail "paced output differs from flat-out output"
tl_pass "--rate 20000: 10000 lines in ${elapsed_ms} ms, same bytes as flat out"

# 8. Errors: EPIPE on stdout, bad size, non-loopback addresses.
rc=0
"$TL_GENERATOR" --count 10000000 2>"$TL_DIR/epipe.log" | head -c 1000 >/dev/null || rc=${PIPESTATUS[0]}
if ((rc != 1)) || ! grep -q EPIPE "$TL_DIR/epipe.log"; then
  tl_fail "generator on a closed pipe: rc=$rc, want 1 + EPIPE message"
fi
rc=0
"$TL_GENERATOR" --count 1 --size 10 2>/dev/null || rc=$?
((rc == 2)) || tl_fail "generator --size 10: rc=$rc, want 2"
rc=0
"$TL_GENERATOR" --count 1 --connect 192.0.2.1:9 2>/dev/null || rc=$?
((rc == 2)) || tl_fail "generator --connect 192.0.2.1: rc=$rc, want 2 (refused)"
rc=0
"$TL_COLLECTOR" --listen 192.0.2.1 --ready-file "$TL_DIR/bad.ready" 2>/dev/null || rc=$?
if ((rc != 2)) || [[ -e $TL_DIR/bad.ready ]]; then
  tl_fail "collector --listen 192.0.2.1: rc=$rc, want 2 (refused)"
fi
tl_pass "errors: EPIPE exits 1; --size 10 and non-loopback addresses exit 2"

echo "PASS"
