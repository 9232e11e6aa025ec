#!/usr/bin/env bash
# Hostile load against resource limits, each case next to a well-behaved
# tcp() source whose 20000 lines must all arrive:
#   fd_exhaustion_tcp  lifeline under `ulimit -n 40` (prlimit) while 60 clients
#                      connect to a tcp() source: no spinning (under half a
#                      core while the clients hold on), "Too many open files"
#                      logged at most 3 times, status answers, and once the
#                      clients leave, everything flows again (issue 11 item 3)
#   idle_fill_tcp      10 idle clients fill max-connections(10) of a tcp()
#                      source with idle-timeout(1): a sender that connects
#                      next still gets every line through (item 9)
#   memory_pressure    lifeline under `ulimit -v` 600 MiB with log-msg-size(64M)
#                      and 20 clients sending 16 MB without a newline: no
#                      crash, status answers (item 4); skipped under ASan,
#                      which needs terabytes of address space
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$TL_SOURCE_ROOT/tests/integration/lib.sh"
source "$TL_SOURCE_ROOT/tests/integration/lifeline.sh"
source "$here/hostile-lib.sh"
source "$here/inputs-lib.sh"
: "${TL_LIFELINECTL:?set by meson}"

hold_clients() { # NAME ADDR N: N idle connections until the case ends
  tl_spawn "$1" bash -c "exec python3 '$here/client.py' hold '$2' $3 '$TL_DIR/$1.held' < <(sleep 3600)"
  local deadline
  deadline=$(($(_tl_now_us) + $(_tl_us 20)))
  until [[ -s $TL_DIR/$1.held ]]; do
    (($(_tl_now_us) < deadline)) || tl_fail "$1: clients did not finish connecting"
    sleep 0.02
  done
}

cpu_ticks() {
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

fd_exhaustion_tcp() {
  TL_WRAP="prlimit --nofile=40:40 --"
  hi_start 'tcp(ip("127.0.0.1") port(BAD_PORT) max-connections(100));'
  ll_wait_log ll "Connected; destination=d" 1
  hold_clients hold "$bad_port" 60
  # A measurement window, not a synchronisation: lifeline must not burn CPU
  # while it cannot accept.
  local t0 t1 hz window
  hz=$(getconf CLK_TCK)
  t0=$(cpu_ticks "$TL_PID_ll")
  window=$(awk -v f="$TL_SLOWDOWN" 'BEGIN { print 1 * f }')
  sleep "$window"
  t1=$(cpu_ticks "$TL_PID_ll")
  awk -v d=$((t1 - t0)) -v hz="$hz" -v w="$window" 'BEGIN { exit !(d / hz < 0.5 * w) }' ||
    tl_fail "lifeline used $((t1 - t0)) ticks of CPU in ${window}s while out of fds (spinning)"
  local n
  n=$(grep -ci 'too many open files' "$TL_DIR/ll.err" || true)
  ((n <= 3)) || tl_fail "'Too many open files' logged $n times (want once per episode)"
  kill -TERM "$TL_PID_hold"
  tl_wait_exit "$TL_PID_hold" 10
  hi_good_start
  hi_good_finish
  hi_finish
}

idle_fill_tcp() {
  hi_start 'tcp(ip("127.0.0.1") port(BAD_PORT) max-connections(10) idle-timeout(1));'
  hold_clients hold "$bad_port" 10
  tl_spawn late "$TL_GENERATOR" --count 1000 --start 500001 --size 100 --connect "127.0.0.1:$bad_port"
  hi_good_start
  hi_good_finish
  tl_wait_exit "$TL_PID_late" 10 "$TL_DIR/c.stats"
  ((TL_RC == 0)) || tl_fail "the sender behind the idle clients exited $TL_RC"
  tl_wait_stat c distinct $((HI_GOOD + 1000))
  HI_GOOD=$((HI_GOOD + 1000))
  hi_finish
}

memory_pressure() {
  if hl_is_asan; then
    echo "SKIP: ulimit -v cannot work under AddressSanitizer"
    return 0
  fi
  TL_WRAP="prlimit --as=$((600 * 1024 * 1024)) --"
  hi_start 'tcp(ip("127.0.0.1") port(BAD_PORT) max-connections(100) log-msg-size(64M));'
  ll_wait_log ll "Connected; destination=d" 1
  local i
  for i in $(seq 20); do
    # A client lifeline cuts off may fail; lifeline itself must not.
    tl_spawn "big$i" bash -c "head -c 16000000 /dev/zero | tr '\\0' x | python3 '$here/client.py' stream $bad_port || true"
  done
  hi_good_start
  for i in $(seq 20); do
    local pidvar="TL_PID_big$i"
    tl_wait_exit "${!pidvar}" 20 "$TL_DIR/ll.err"
    _tl_alive "$TL_PID_ll" || tl_fail "lifeline died under memory pressure: $(tail -n 5 "$TL_DIR/ll.err")"
  done
  hi_good_finish
  hi_finish
}

for c in fd_exhaustion_tcp idle_fill_tcp memory_pressure; do
  hl_case "$c" "$c"
done
hl_finish
