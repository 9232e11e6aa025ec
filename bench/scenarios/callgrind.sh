# shellcheck shell=bash disable=SC2034  # FWD_*: read by forwarders.sh
# Scenario h: instructions per forwarded line, under valgrind's callgrind.
# The forwarder runs twice under callgrind, once with BENCH_H_SMALL lines and
# once with BENCH_H_SMALL + BENCH_H_LINES (flat out into a collector): the
# difference of the two instruction totals divided by BENCH_H_LINES leaves
# out start-up and shutdown.  rsyslog is multi-threaded: callgrind counts the
# instructions of every thread alike (it runs them one at a time).

BENCH_H_SMALL=${BENCH_H_SMALL:-2000}
BENCH_H_LINES=${BENCH_H_LINES:-20000}

# REPLY: callgrind's instruction total for one run of LINES lines.
_h_run() {
  local fwd=$1 dir=$2 lines=$3 out total=0 f
  mkdir -p "$dir"
  out=$dir/callgrind.out
  rm -f "$out".*
  sink_collector_start h-sink 127.0.0.1 "$lines"
  FWD_WRAP=(valgrind --tool=callgrind --callgrind-out-file="$out.%p" --dump-instr=no)
  FWD_READY_SECONDS=60
  fwd_start "$fwd" "$dir" single
  FWD_WRAP=()
  FWD_READY_SECONDS=10
  proc_spawn "$dir/generator.log" "$BENCH_BIN/tools/lifeline-generator" \
    --connect "127.0.0.1:$BENCH_INPUT_PORT" --count "$lines"
  local gen=$REPLY
  proc_wait_exit "${SINK_PID[h-sink]}" 300 || bench_die "h $fwd: collector short of $lines lines after 300 s"
  proc_wait_exit "$gen" 10 || proc_kill "$gen"
  # callgrind writes its totals when the forwarder exits (SIGTERM).
  fwd_stop
  for f in "$out".*; do
    [[ -e $f ]] || continue
    total=$((total + $(awk '/^(summary|totals):/ { print $2; exit }' "$f")))
  done
  REPLY=$total
}

scenario_h() {
  local fwd=$1 rep=$2 dir="$BENCH_RUN/h-$1-$2" small big
  _h_run "$fwd" "$dir/small" "$BENCH_H_SMALL"
  small=$REPLY
  _h_run "$fwd" "$dir/big" $((BENCH_H_SMALL + BENCH_H_LINES))
  big=$REPLY
  ((small > 0 && big > small)) || {
    bench_result h "$fwd" "$rep" "instructions_per_line=n/a"
    return 0
  }
  bench_result h "$fwd" "$rep" \
    "instructions_per_line=$(((big - small) / BENCH_H_LINES))" "total_small=$small" "total_big=$big"
}

scenario_h_all() {
  bench_repeat h lifeline syslog-ng rsyslog
}
