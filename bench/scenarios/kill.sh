# shellcheck shell=bash
# Scenario b: hard kill of the primary at BENCH_RATE lines/s.  After a
# second of traffic the primary SIGKILLs itself (bench/tap.c on SIGUSR1:
# first it notes what its kernel acknowledged but it never read).
# Measured: the gap from the kill to the first data at a backup;
# lost lines (and how many of them the dead collector's kernel had
# acknowledged: acked_unread); duplicated lines.  BENCH_AS: as in
# throughput.sh.

BENCH_B_SECONDS=${BENCH_B_SECONDS:-4}

scenario_b() {
  local fwd=$1 rep=$2 s="${BENCH_AS:-b}-$1-$2" t_kill acked_unread gap=never
  local dir="$BENCH_RUN/$s"
  fo_begin "$fwd" "$dir" "$s" "$BENCH_B_SECONDS" 1 1 2 3
  sink_tap_hard_kill "$s-1"
  read -r t_kill acked_unread <<<"$REPLY"
  acked_unread=$(((acked_unread + 200) / 201))
  fo_wait_data "$s" "$t_kill" 15 2 3 && gap=$(bench_ms "$REPLY" "$t_kill")
  fo_finish "$s"
  bench_result "${BENCH_AS:-b}" "$fwd" "$rep" "gap_ms=$gap" "acked_unread=$acked_unread" "${FO_COUNT[@]}"
}

scenario_b_all() {
  bench_repeat b lifeline syslog-ng rsyslog
}
