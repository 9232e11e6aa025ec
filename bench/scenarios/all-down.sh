# shellcheck shell=bash
# Scenario e: every server down at the start; lines arrive at BENCH_RATE;
# after BENCH_E_DOWN seconds the primary comes up.  Measured: the time from
# the primary listening to the first line arriving there; lost and
# duplicated lines over the whole run.

BENCH_E_DOWN=${BENCH_E_DOWN:-2}
BENCH_E_SECONDS=${BENCH_E_SECONDS:-6}

scenario_e() {
  local fwd=$1 rep=$2 s="e-$1-$2" dir="$BENCH_RUN/e-$1-$2" t_up first=never
  mkdir -p "$dir"
  fwd_start "$fwd" "$dir" failover
  fo_generate "$dir" "$BENCH_E_SECONDS"
  # The outage is part of the scenario: a fixed time, not a synchronisation.
  sleep "$BENCH_E_DOWN"
  fo_tap "$s" 1
  t_up=$(bench_now_us)
  fo_wait_data "$s" "$t_up" 20 1 && first=$(bench_ms "$REPLY" "$t_up")
  fo_finish "$s"
  bench_result e "$fwd" "$rep" "first_delivery_ms=$first" "${FO_COUNT[@]}"
}

scenario_e_all() {
  bench_repeat e lifeline syslog-ng rsyslog
}
