# shellcheck shell=bash
# The fixture of the failover scenarios (b-f): taps named S-1, S-2, S-3 on
# 127.0.0.1 (the primary), 127.0.0.2 and 127.0.0.3, the forwarder in
# failover mode, and the generator at BENCH_RATE lines/s into its input.
#
#   fo_begin FWD DIR S SECONDS FIRST IDX...
#                                 the usual start: taps S-IDX, FWD in failover
#                                 mode, the generator for SECONDS; returns once
#                                 tap S-FIRST read a second's worth of lines
#   fo_taps S IDX...              start taps S-IDX on 127.0.0.IDX
#   fo_tap S IDX [ARGS...]        one of them, with tap ARGS (--no-read)
#   fo_generate DIR SECONDS       the generator, SECONDS x BENCH_RATE lines, in
#                                 the background (FO_LINES, FO_GEN_PID, FO_GEN_T0)
#   fo_seq_at T_US                REPLY: the sequence number due at T_US
#   fo_wait_data S T_US SECONDS IDX...
#                                 wait for the first data at any of the taps
#                                 S-IDX at or after T_US; REPLY: its time, or
#                                 empty after SECONDS
#   fo_recvq ADDR                 REPLY: bytes the kernel acknowledged for the
#                                 sink on ADDR that it has not read (Recv-Q)
#   fo_finish S [SPLIT_SEQ]       wait for the generator, then until the taps
#                                 are quiet; stop the forwarder (it may flush),
#                                 then the taps; FO_COUNT: tap-count.py's
#                                 key=value words (an array)

BENCH_RATE=${BENCH_RATE:-20000}
FO_LINES=0
FO_GEN_PID=
FO_GEN_T0=0
FO_COUNT=()
declare -a FO_TAPS=()

fo_begin() {
  local fwd=$1 dir=$2 s=$3 seconds=$4 first=$5
  shift 5
  mkdir -p "$dir"
  fo_taps "$s" "$@"
  fwd_start "$fwd" "$dir" failover
  fo_generate "$dir" "$seconds"
  sink_tap_wait_bytes "$s-$first" $((201 * BENCH_RATE)) 15 ||
    bench_die "$s: no traffic at 127.0.0.$first: $(tail -n 3 "$dir"/*.log)"
}

fo_taps() {
  local s=$1 idx
  shift
  for idx in "$@"; do
    fo_tap "$s" "$idx"
  done
}

# One tap S-IDX on 127.0.0.IDX, with tap ARGS (--no-read).
fo_tap() {
  local s=$1 idx=$2
  shift 2
  sink_tap_start "$s-$idx" "127.0.0.$idx" "$@"
  FO_TAPS+=("$s-$idx")
}

fo_generate() {
  local dir=$1 seconds=$2
  FO_LINES=$((seconds * BENCH_RATE))
  FO_GEN_T0=$(bench_now_us)
  proc_spawn "$dir/generator.log" "$BENCH_BIN/tools/lifeline-generator" \
    --connect "127.0.0.1:$BENCH_INPUT_PORT" --count "$FO_LINES" --rate "$BENCH_RATE"
  FO_GEN_PID=$REPLY
}

fo_seq_at() {
  REPLY=$((($1 - FO_GEN_T0) * BENCH_RATE / 1000000 + 1))
}

fo_wait_data() {
  local s=$1 after=$2 deadline first idx
  deadline=$(($(bench_now_us) + $3 * 1000000))
  shift 3
  while :; do
    first=
    for idx in "$@"; do
      sink_tap_first_data_after "$s-$idx" "$after"
      [[ -n $REPLY ]] && { [[ -z $first ]] || ((REPLY < first)); } && first=$REPLY
    done
    REPLY=$first
    [[ -n $REPLY ]] && return 0
    (($(bench_now_us) < deadline)) || return 1
    sleep "$BENCH_POLL"
  done
}

fo_recvq() {
  REPLY=$(ss -Htn state established "( sport = :$BENCH_SINK_PORT )" src "$1" |
    awk '{ n += $1 } END { print n + 0 }')
}

fo_finish() {
  local s=$1 split=${2:-} name dirs=()
  # The generator blocks while a forwarder stops reading; it catches up after.
  proc_wait_exit "$FO_GEN_PID" 60 || {
    bench_log "  generator still running 60 s after its start; killing it"
    proc_kill "$FO_GEN_PID"
  }
  local live=()
  for name in "${FO_TAPS[@]}"; do
    kill -0 "${SINK_PID[$name]}" 2>/dev/null && live+=("$name")
  done
  sink_wait_quiet 1 20 "${live[@]}" || bench_log "  taps still growing after 20 s"
  fwd_stop
  for name in "${FO_TAPS[@]}"; do
    sink_stop "$name"
    dirs+=("$BENCH_RUN/$name")
  done
  FO_TAPS=()
  # shellcheck disable=SC2034  # FO_COUNT: read by the scenarios
  read -r -a FO_COUNT < <(python3 "$BENCH_HOME/tap-count.py" --expect "$FO_LINES" ${split:+--split "$split"} "${dirs[@]}")
  # The recorded bytes are large (tens of MB a run); the events stay.
  [[ ${BENCH_KEEP:-0} == 1 ]] || rm -f "${dirs[@]/%//conn-*.raw}"
}
