# shellcheck shell=bash
# Scenario f: a hung primary.  As in c the primary is down at the start; then
# it comes back listening but never reading (bench/tap.c --no-read).
# Measured: whether the forwarder fails back into it (data waiting in the
# primary's Recv-Q) and when; then how long until lines flow to a backup
# again (or "never" within BENCH_F_WAIT s); for lifeline, how often its log
# says it quarantined the primary ("not probing it for a while").  Lines the hung primary's kernel acknowledged are
# lost when it is finally killed: that loss is counted but not the
# forwarder's doing.

BENCH_F_WAIT=${BENCH_F_WAIT:-8}
BENCH_F_SECONDS=${BENCH_F_SECONDS:-14}

scenario_f() {
  local fwd=$1 rep=$2 s="f-$1-$2" dir="$BENCH_RUN/f-$1-$2" t_up t_back='' failback=no back_ms='' flow=never
  local deadline quarantined=n/a
  fo_begin "$fwd" "$dir" "$s" "$BENCH_F_SECONDS" 2 2 3
  fo_tap "$s" 1 --no-read
  t_up=$(bench_now_us)
  deadline=$((t_up + 10000000))
  while (($(bench_now_us) < deadline)); do
    fo_recvq 127.0.0.1
    if ((REPLY > 0)); then
      t_back=$(bench_now_us)
      failback=yes
      back_ms=$(bench_ms "$t_back" "$t_up")
      break
    fi
    sleep 0.01
  done
  if [[ -n $t_back ]]; then
    fo_wait_data "$s" "$t_back" "$BENCH_F_WAIT" 2 3 && flow=$(bench_ms "$REPLY" "$t_back")
  fi
  [[ $fwd == lifeline ]] && quarantined=$(grep -c -i -e quarantin -e 'not probing it for a while' "$dir/lifeline.log" || true)
  sink_kill "$s-1"
  fo_finish "$s"
  bench_result f "$fwd" "$rep" "failed_back=$failback" "failback_ms=${back_ms:-n/a}" \
    "flowing_again_ms=$flow" "quarantine_logged=$quarantined" "${FO_COUNT[@]}"
}

scenario_f_all() {
  bench_repeat f lifeline syslog-ng rsyslog
}
