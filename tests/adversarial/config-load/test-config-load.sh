#!/usr/bin/env bash
# shellcheck disable=SC2154 # TL_PORT_*: set by tl_start_collector
# Loading a hostile configuration at --syntax-only and at start:
# - -f naming /dev/zero, a FIFO, a directory or a file over the byte limit:
#   exit 1 at once with an error naming the file (never a blocked open, never
#   a read until memory runs out);
# - an @include fan-out (13 levels of 4 includes): refused at the include
#   that would read file number 1001, in bounded time;
# - a source in no log path: a located error, also at start (nothing is
#   read, no persist position moves);
# - a destination in no log path: a warning naming it; it is not started
#   (never connects, not in `lifelinectl status`), and the other lines still
#   arrive.
set -euo pipefail
source "$TL_SOURCE_ROOT/tests/integration/lib.sh"
source "$TL_SOURCE_ROOT/tests/integration/lifeline.sh"
tl_init
: "${TL_LIFELINECTL:?set by meson}"

is_asan() { grep -q __asan_init "$TL_LIFELINE"; }
LIMIT=$(awk -v f="$TL_SLOWDOWN" 'BEGIN { printf "%d", 10 * f }')

# Runs lifeline with ARGS, bounded in time (and in memory, outside ASan, which
# reserves terabytes of address space): it must exit 1 with WANT in its output.
expect_refused() { # NAME WANT ARGS...
  local name=$1 want=$2 rc=0
  shift 2
  (
    is_asan || ulimit -v 2000000
    exec timeout -k 5 "$LIMIT" "$TL_LIFELINE" --module-path "$TL_MODULE_PATH" "$@"
  ) </dev/null >"$TL_DIR/$name.out" 2>&1 || rc=$?
  ((rc == 1)) || tl_fail "$name: exit $rc, want 1 (124: still running after ${LIMIT}s); output: $(head -c 400 "$TL_DIR/$name.out")"
  grep -qF -- "$want" "$TL_DIR/$name.out" || tl_fail "$name: want '$want' in: $(head -c 400 "$TL_DIR/$name.out")"
}

# ---- -f names something that is not a regular file, or is too large ----
expect_refused dev-zero-syntax 'lifeline: /dev/zero: cannot read "/dev/zero": it is a character device, not a regular file' \
  --syntax-only -f /dev/zero
expect_refused dev-zero-start 'cannot read "/dev/zero": it is a character device, not a regular file' \
  -f /dev/zero --persist-file none
mkfifo "$TL_DIR/fifo.conf"
expect_refused fifo-syntax "cannot read \"$TL_DIR/fifo.conf\": it is a FIFO, not a regular file" \
  --syntax-only -f "$TL_DIR/fifo.conf"
mkdir "$TL_DIR/dir.conf"
expect_refused directory-syntax "cannot read \"$TL_DIR/dir.conf\": it is a directory, not a regular file" \
  --syntax-only -f "$TL_DIR/dir.conf"
truncate -s $((64 * 1024 * 1024 + 1)) "$TL_DIR/huge.conf"
expect_refused huge-syntax "it would bring the configuration past 67108864 bytes, the most one load reads" \
  --syntax-only -f "$TL_DIR/huge.conf"
tl_pass "-f /dev/zero, a FIFO, a directory, a file over 64 MiB: refused at once, naming the file"

# ---- an @include fan-out ----
mkdir "$TL_DIR/fan"
for ((l = 1; l <= 13; l++)); do
  for i in 1 2 3 4; do
    if ((l < 13)); then
      printf '@include "fan-%d-*.inc"\n' $((l + 1)) >"$TL_DIR/fan/fan-$l-$i.inc"
    else
      printf '# leaf\n' >"$TL_DIR/fan/fan-$l-$i.inc"
    fi
  done
done
cat >"$TL_DIR/fan/main.conf" <<'CONF'
@version: 4.0
@include "fan-1-*.inc"
source s { stdin(); };
destination d { network("127.0.0.1" port(5140)); };
log { source(s); destination(d); };
CONF
expect_refused fan-out "one configuration load reads at most 1000 files" --syntax-only -f "$TL_DIR/fan/main.conf"
grep -qE "fan-12-[1-4]\.inc:1:10: @include: \"[^\"]*fan-13-[1-4]\.inc\" would be file number 1001" "$TL_DIR/fan-out.out" ||
  tl_fail "fan-out: not located at the include that crosses the limit: $(cat "$TL_DIR/fan-out.out")"
tl_pass "13 levels of 4 includes: refused at file number 1001 within ${LIMIT}s"

# ---- a source in no log path ----
printf 'line one\nline two\n' >"$TL_DIR/input.log"
ll_config unused-source <<CONF
@version: 4.0
source s_in { stdin(); };
source s_x { file("$TL_DIR/input.log"); };
destination d { network("127.0.0.1" port(5140)); };
log { source(s_in); destination(d); };
CONF
want="$TL_DIR/unused-source.conf:3:1: source(): source 's_x' is used in no log path; lifeline would read it and drop every line"
expect_refused unused-source-syntax "lifeline: $want" --syntax-only -f "$TL_DIR/unused-source.conf"
expect_refused unused-source-start "lifeline: $want" -f "$TL_DIR/unused-source.conf" \
  --persist-file "$TL_DIR/persist" -c "$TL_DIR/ctl0"
if [[ -e $TL_DIR/persist ]] && grep -q "input.log" "$TL_DIR/persist"; then
  tl_fail "a position for the source in no log path was kept: $(cat "$TL_DIR/persist")"
fi
tl_pass "a source in no log path: located error at --syntax-only and at start; nothing read"

# ---- a destination in no log path ----
tl_start_collector A 127.0.0.1 --quiet
tl_start_collector U 127.0.0.1 --quiet
ll_config unused-destination <<CONF
@version: 4.0
source s_in { stdin(); };
destination d_a { network("127.0.0.1" port($TL_PORT_A)); };
destination d_unused { network("127.0.0.1" port($TL_PORT_U)); };
log { source(s_in); destination(d_a); };
CONF
out=$("$TL_LIFELINE" --module-path "$TL_MODULE_PATH" --syntax-only -f "$TL_DIR/unused-destination.conf" 2>&1) ||
  tl_fail "a destination in no log path was refused: $out"
grep "warning: Destination is used in no log path; not starting it" <<<"$out" | grep "d_unused" |
  grep -qF "$TL_DIR/unused-destination.conf:4:1" ||
  tl_fail "no located warning for the destination in no log path: $out"
mkfifo "$TL_DIR/in.fifo"
exec 7<>"$TL_DIR/in.fifo"
LL_STDIN=$TL_DIR/in.fifo
ll_run ll unused-destination -c "$TL_DIR/ctl" --persist-file none
for ((i = 1; i <= 100; i++)); do printf 'line %d\n' "$i" >&7; done
tl_wait_stat A lines 100
"$TL_LIFELINECTL" -c "$TL_DIR/ctl" status >"$TL_DIR/ctl.out" 2>&1 || tl_fail "lifelinectl status: $(cat "$TL_DIR/ctl.out")"
grep -qx 'destination d_a' "$TL_DIR/ctl.out" || tl_fail "status: $(cat "$TL_DIR/ctl.out")"
grep -q 'd_unused' "$TL_DIR/ctl.out" && tl_fail "the destination in no log path is in status: $(cat "$TL_DIR/ctl.out")"
grep -q "Destination is used in no log path; not starting it; destination=d_unused" "$TL_DIR/ll.err" ||
  tl_fail "no warning at start: $(head -c 600 "$TL_DIR/ll.err")"
tl_stop ll
((TL_RC == 0)) || tl_fail "lifeline exited $TL_RC: $(tail -5 "$TL_DIR/ll.err")"
exec 7>&-
(($(tl_stat U connections) == 0)) || tl_fail "the destination in no log path connected: $(cat "$TL_DIR/U.stats")"
tl_expect A lines=100
tl_pass "a destination in no log path: warned about, never started; the other lines arrived"
