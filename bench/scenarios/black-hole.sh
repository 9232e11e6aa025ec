# shellcheck shell=bash
# Scenario d: black hole.  After a second of traffic the primary is frozen
# with SIGSTOP: its kernel keeps acknowledging until its receive buffer is
# full, then advertises a zero window.  The window is taken as closed once
# the primary's Recv-Q stops growing (polled every 10 ms, unchanged for
# 100 ms).  Measured: the time from the window closing to the first data at
# a backup (or "never" within BENCH_D_WAIT s); then the primary is resumed
# and the lines lost and duplicated over the whole run are counted.

BENCH_D_WAIT=${BENCH_D_WAIT:-8}
BENCH_D_SECONDS=${BENCH_D_SECONDS:-11}

# REPLY: the time the primary's Recv-Q stopped growing (bounded: 5 s).
_d_window_closed() {
  local last=-1 since=0 now deadline
  deadline=$(($(bench_now_us) + 5000000))
  while now=$(bench_now_us) && ((now < deadline)); do
    fo_recvq 127.0.0.1
    if ((REPLY != last)); then
      last=$REPLY
      since=$now
    elif ((now - since >= 100000)); then
      REPLY=$since
      return 0
    fi
    sleep 0.01
  done
  REPLY=$since
}

scenario_d() {
  local fwd=$1 rep=$2 s="d-$1-$2" dir="$BENCH_RUN/d-$1-$2" t_stop t_closed failover=never
  fo_begin "$fwd" "$dir" "$s" "$BENCH_D_SECONDS" 1 1 2 3
  t_stop=$(bench_now_us)
  kill -STOP "${SINK_PID[$s-1]}"
  _d_window_closed
  t_closed=$REPLY
  fo_wait_data "$s" "$t_stop" "$BENCH_D_WAIT" 2 3 && failover=$(bench_ms "$REPLY" "$t_closed")
  kill -CONT "${SINK_PID[$s-1]}"
  fo_finish "$s"
  bench_result d "$fwd" "$rep" "failover_ms=$failover" "window_closed_ms=$(bench_ms "$t_closed" "$t_stop")" "${FO_COUNT[@]}"
}

scenario_d_all() {
  bench_repeat d lifeline syslog-ng rsyslog
}
