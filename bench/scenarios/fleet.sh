# shellcheck shell=bash
# Scenario i: a fleet.  One lifeline process with BENCH_I_DESTINATIONS
# destinations (configs/lifeline-fleet.conf: primary 127.0.0.1, backup
# 127.0.0.2, failover-jitter(5)), every line going to each.  Once every
# destination delivers to the primary, the primary is killed.  Measured: when
# the destinations reconnected at the backup (accept times after the kill:
# first, 10th/50th/90th percentile, last), lifeline's CPU seconds from the
# kill until all reconnected plus one second, its peak RSS, and the copies of
# lines that never arrived.

BENCH_I_DESTINATIONS=${BENCH_I_DESTINATIONS:-1000}
BENCH_I_RATE=${BENCH_I_RATE:-20}
BENCH_I_SECONDS=${BENCH_I_SECONDS:-8}

# Writes the fleet's config template (still with @INPUT_PORT@ and friends):
# the head of configs/lifeline-fleet.conf, its destination block once per
# destination, and a log statement naming them all.
_i_template() {
  awk -v n="$BENCH_I_DESTINATIONS" '
    /^# BEGIN destination/ { inblock = 1; next }
    /^# END destination/ { inblock = 0; next }
    inblock { block = block $0 "\n"; next }
    { print }
    END {
      for (i = 1; i <= n; i++) { b = block; gsub(/@N@/, i, b); printf "%s", b }
      printf "log { source(s_in);"
      for (i = 1; i <= n; i++) printf " destination(d_%d);", i
      print " };"
    }' "$BENCH_HOME/configs/lifeline-fleet.conf" >"$1"
}

_i_accepts() {
  awk '$1 == "accept"' "$1" | wc -l
}

scenario_i() {
  local fwd=$1 rep=$2 s="i-$1-$2" dir="$BENCH_RUN/i-$1-$2" t_kill deadline cpu0 cpu1 n=$BENCH_I_DESTINATIONS
  mkdir -p "$dir"
  _i_template "$dir/fleet.conf.in"
  fo_taps "$s" 1 2
  fwd_start "$fwd" "$dir" fleet "$dir/fleet.conf.in"
  BENCH_RATE=$BENCH_I_RATE fo_generate "$dir" "$BENCH_I_SECONDS"
  # Every destination connected to the primary and delivered its first line.
  sink_tap_wait_bytes "$s-1" $((201 * n * BENCH_I_RATE)) 30 || bench_die "i: the fleet did not reach the primary"
  cpu0=$(proc_cpu_seconds "$FWD_PID")
  sink_tap_hard_kill "$s-1"
  t_kill=${REPLY% *}
  deadline=$((t_kill + 30000000))
  while (($(_i_accepts "$BENCH_RUN/$s-2/events") < n)) && (($(bench_now_us) < deadline)); do
    sleep 0.05
  done
  sleep 1
  cpu1=$(proc_cpu_seconds "$FWD_PID")
  local rss
  rss=$(proc_peak_rss_kb "$FWD_PID")
  local spread=()
  read -r -a spread < <(awk -v t="$t_kill" '$1 == "accept" { print ($3 - t) / 1000 }' "$BENCH_RUN/$s-2/events" | sort -n |
    awk '{ v[NR] = $1 } END {
      if (NR == 0) { print "reconnected=0"; exit }
      printf "reconnected=%d first_ms=%.0f p10_ms=%.0f p50_ms=%.0f p90_ms=%.0f last_ms=%.0f\n",
        NR, v[1], v[int(NR * 0.1) + 1], v[int(NR * 0.5) + 1], v[int(NR * 0.9) + 1], v[NR] }')
  BENCH_RATE=$BENCH_I_RATE fo_finish "$s"
  local lines
  lines=$(printf '%s\n' "${FO_COUNT[@]}" | sed -n 's/^lines=//p')
  bench_result i "$fwd" "$rep" "destinations=$n" "${spread[@]}" \
    "cpu_s=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }')" \
    "rss_mb=$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')" \
    "copies_missing=$((n * FO_LINES - lines))"
}

scenario_i_all() {
  bench_repeat i lifeline
}
