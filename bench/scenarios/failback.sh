# shellcheck shell=bash
# Scenario c: failback.  The primary is down at the start, the forwarder
# delivers to 127.0.0.2; after a second of that traffic the primary comes up.
# Measured: the time from the primary listening to the first data on it;
# the connections the primary accepted up to then (probes, and the data
# connection: lifeline promotes its last probe, syslog-ng probes and then
# connects anew); lost lines (lost_after_up: of them, the ones generated
# after the primary came up) and duplicated lines.

BENCH_C_SECONDS=${BENCH_C_SECONDS:-6}

scenario_c() {
  local fwd=$1 rep=$2 s="c-$1-$2" dir="$BENCH_RUN/c-$1-$2" t_up t_data failback=never conns=0
  fo_begin "$fwd" "$dir" "$s" "$BENCH_C_SECONDS" 2 2 3
  fo_tap "$s" 1
  t_up=$(bench_now_us)
  if fo_wait_data "$s" "$t_up" 15 1; then
    t_data=$REPLY
    failback=$(bench_ms "$t_data" "$t_up")
    conns=$(awk -v t="$t_data" '$1 == "accept" && $3 <= t { n++ } END { print n + 0 }' "$BENCH_RUN/$s-1/events")
  fi
  fo_seq_at "$t_up"
  fo_finish "$s" "$REPLY"
  bench_result c "$fwd" "$rep" "failback_ms=$failback" "primary_connections=$conns" \
    "${FO_COUNT[@]/#lost_from=/lost_after_up=}"
}

scenario_c_all() {
  bench_repeat c lifeline syslog-ng rsyslog
}
