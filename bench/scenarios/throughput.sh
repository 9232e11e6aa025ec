# shellcheck shell=bash
# Scenario a: throughput.  1,000,000 lines of 200 bytes (+ '\n') flat out
# through the forwarder into one live collector (lifeline-collector on
# 127.0.0.1, which exits after the millionth line).  Measured: wall time from
# the load's start to the collector's exit, the forwarder's CPU seconds
# (user + system) over that time, its peak RSS, and the collector's report
# (every sequence number once).  The raw ceiling is the raw client writing
# into the collector with no forwarder in between.
#
# BENCH_AS names the results and folders of another scenario that runs this
# one (g: the same over TLS).

BENCH_A_LINES=${BENCH_A_LINES:-1000000}

scenario_a() {
  local fwd=$1 rep=$2 as=${BENCH_AS:-a} t0 t1 cpu0=0 cpu1=0 rss=0 gen_pid
  local dir="$BENCH_RUN/$as-$fwd-$rep"
  mkdir -p "$dir"
  sink_collector_start a-sink 127.0.0.1 "$BENCH_A_LINES"
  fwd_start "$fwd" "$dir" single
  [[ -n $FWD_PID ]] && cpu0=$(proc_cpu_seconds "$FWD_PID")
  t0=$(bench_now_us)
  # The load is the raw client for every forwarder: lifeline-generator tops
  # out near 3M lines/s here, which would cap the fastest forwarder.
  local target=127.0.0.1:$BENCH_INPUT_PORT
  [[ $fwd == raw ]] && target=127.0.0.1:$BENCH_SINK_PORT
  proc_spawn "$dir/client.log" "$BENCH_BIN/bench/lifeline-bench-raw-client" \
    --connect "$target" --count "$BENCH_A_LINES"
  gen_pid=$REPLY
  proc_wait_exit "${SINK_PID[a-sink]}" 120 || bench_die "$as $fwd: the collector did not get $BENCH_A_LINES lines in 120 s: $(cat "$BENCH_RUN/a-sink.stats")"
  t1=$(bench_now_us)
  if [[ -n $FWD_PID ]]; then
    cpu1=$(proc_cpu_seconds "$FWD_PID")
    rss=$(proc_peak_rss_kb "$FWD_PID")
  fi
  proc_wait_exit "$gen_pid" 10 || proc_kill "$gen_pid"
  fwd_stop
  local distinct dups
  distinct=$(sink_report_value a-sink distinct)
  dups=$(sink_report_value a-sink duplicates)
  local usage=()
  [[ $fwd != raw ]] && usage=("cpu_s=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }')"
    "rss_mb=$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')")
  bench_result "$as" "$fwd" "$rep" \
    "lines_per_s=$(awk -v n="$BENCH_A_LINES" -v us=$((t1 - t0)) 'BEGIN { printf "%d", n / (us / 1e6) }')" \
    "mb_per_s=$(awk -v n="$BENCH_A_LINES" -v us=$((t1 - t0)) 'BEGIN { printf "%.1f", n * 201 / us }')" \
    "seconds=$(awk -v us=$((t1 - t0)) 'BEGIN { printf "%.3f", us / 1e6 }')" \
    "${usage[@]}" "distinct=$distinct" "duplicates=$dups"
}

scenario_a_all() {
  bench_repeat a lifeline syslog-ng rsyslog raw
}
