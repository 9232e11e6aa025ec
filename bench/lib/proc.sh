# shellcheck shell=bash
# Processes of a benchmark run: every process bench/ starts is spawned here,
# remembered by PID, and stopped by that PID (never by name) when its
# scenario ends or, at the latest, by the EXIT trap.
#
#   proc_init [HOOK]               EXIT/INT/TERM trap that stops what is left,
#                                  then runs HOOK (e.g. removes the run's files)
#   proc_spawn LOG CMD...          start CMD in the background (stdout+stderr
#                                  to LOG); PID in REPLY
#   proc_stop PID [SECONDS]        SIGTERM, wait (bounded), then SIGKILL
#   proc_kill PID                  SIGKILL and reap
#   proc_wait_exit PID SECONDS     wait for PID to exit; 1 on time-out
#   proc_cpu_seconds PID           user+system CPU seconds so far
#   proc_peak_rss_kb PID           VmHWM
#   bench_now_us                   CLOCK_REALTIME in microseconds
#   bench_wait_file PATH SECONDS   wait until PATH exists and is not empty
#
# Every wait is bounded in time (and so in count: polls are 5 ms apart).

BENCH_PIDS=()
BENCH_POLL=0.005
_PROC_HOOK=

bench_now_us() {
  local t=${EPOCHREALTIME/[.,]/}
  echo "$((10#$t))"
}

_proc_alive() {
  kill -0 "$1" 2>/dev/null
}

_proc_forget() {
  local i
  for i in "${!BENCH_PIDS[@]}"; do
    [[ ${BENCH_PIDS[$i]} == "$1" ]] && unset 'BENCH_PIDS[i]'
  done
  return 0
}

_proc_cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  for pid in "${BENCH_PIDS[@]}"; do
    # A SIGSTOPped process (scenario d) must be continued to see SIGTERM.
    kill -CONT "$pid" 2>/dev/null
    kill -TERM "$pid" 2>/dev/null
  done
  for pid in "${BENCH_PIDS[@]}"; do
    proc_wait_exit "$pid" 3 || kill -KILL "$pid" 2>/dev/null
    { wait "$pid"; } 2>/dev/null || true
  done
  [[ -n $_PROC_HOOK ]] && "$_PROC_HOOK"
  exit "$rc"
}

proc_init() {
  BENCH_PIDS=()
  _PROC_HOOK=${1:-}
  trap _proc_cleanup EXIT
  trap 'exit 130' INT TERM
}

proc_spawn() {
  local log=$1
  shift
  "$@" >"$log" 2>&1 &
  REPLY=$!
  BENCH_PIDS+=("$REPLY")
}

proc_wait_exit() {
  local pid=$1 deadline
  deadline=$(($(bench_now_us) + $2 * 1000000))
  while _proc_alive "$pid"; do
    # A zombie is gone for our purposes: wait reaps it below.
    [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) == Z ]] && break
    (($(bench_now_us) < deadline)) || return 1
    sleep "$BENCH_POLL"
  done
  { wait "$pid"; } 2>/dev/null || true
  _proc_forget "$pid"
  return 0
}

proc_stop() {
  local pid=$1 seconds=${2:-10}
  _proc_alive "$pid" || {
    { wait "$pid"; } 2>/dev/null || true
    _proc_forget "$pid"
    return 0
  }
  kill -CONT "$pid" 2>/dev/null
  kill -TERM "$pid" 2>/dev/null
  if ! proc_wait_exit "$pid" "$seconds"; then
    echo "bench: pid $pid ignored SIGTERM for ${seconds}s, killing it" >&2
    proc_kill "$pid"
  fi
}

proc_kill() {
  kill -KILL "$1" 2>/dev/null
  # (bash reports "Killed" for the job when it is reaped: not news here.)
  { proc_wait_exit "$1" 5 || true; } 2>/dev/null
}

proc_cpu_seconds() {
  # Fields 14 and 15 of /proc/PID/stat, after the ")" that ends the command name.
  local stat ticks
  stat=$(<"/proc/$1/stat")
  stat=${stat##*) }
  ticks=$(getconf CLK_TCK)
  awk -v s="$stat" -v hz="$ticks" 'BEGIN { split(s, f, " "); printf "%.3f", (f[12] + f[13]) / hz }'
}

proc_peak_rss_kb() {
  awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"
}

bench_wait_file() {
  local path=$1 deadline
  deadline=$(($(bench_now_us) + $2 * 1000000))
  until [[ -s $path ]]; do
    (($(bench_now_us) < deadline)) || return 1
    sleep "$BENCH_POLL"
  done
}
