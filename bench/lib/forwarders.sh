# shellcheck shell=bash
# The forwarders under test, behind one interface.  Each adapter
# (fwd-NAME.sh) defines:
#
#   fwd_NAME_start DIR MODE     start it with configs/NAME-MODE[-TRANSPORT].conf
#                               rendered into DIR; block until its input
#                               listens; PID in FWD_PID
#   fwd_NAME_version            the exact version, one line
#   FWD_NAME_TRANSPORTS         the transports its configs exist for
#
# MODE is "single" (one server: 127.0.0.1) or "failover" (127.0.0.1, then
# 127.0.0.2 and 127.0.0.3).  Every forwarder reads newline-framed lines on
# the TCP input 127.0.0.1:BENCH_INPUT_PORT and sends each line, unchanged and
# newline-framed, to BENCH_SINK_PORT.  "raw" is the ceiling: no forwarder, the
# raw client writes into the sink itself (throughput only).
#
# BENCH_TRANSPORT (default tcp) picks the config variant: a "tls" variant is
# a configs/NAME-MODE-tls.conf plus "tls" in FWD_NAME_TRANSPORTS; scenarios
# skip a forwarder that lacks the transport.
#
#   fwd_start NAME DIR MODE [TEMPLATE] / fwd_stop / fwd_supports NAME
#                               TEMPLATE: a config template other than
#                               configs/NAME-MODE.conf (scenario i writes one)
#   FWD_WRAP                    an array put before the forwarder's binary
#                               (scenario h: valgrind --tool=callgrind ...)
#   fwd_spawn LOG CMD...        proc_spawn with FWD_WRAP after CMD's leading
#                               "env VAR=VALUE..." words; PID in FWD_PID
#   fwd_render TEMPLATE OUT DIR substitute @INPUT_PORT@ @SINK_PORT@ @DIR@
#                               @TLS_DIR@ (BENCH_TLS_DIR: scenario g's certificates)

BENCH_INPUT_PORT=${BENCH_INPUT_PORT:-20601}
BENCH_TRANSPORT=${BENCH_TRANSPORT:-tcp}
FWD_PID=
FWD_NAME=
FWD_WRAP=()
FWD_READY_SECONDS=${FWD_READY_SECONDS:-10}

fwd_config_template() {
  local name=$1 mode=$2 suffix=
  [[ -n ${FWD_TEMPLATE:-} ]] && { echo "$FWD_TEMPLATE"; return 0; }
  [[ $BENCH_TRANSPORT == tcp ]] || suffix=-$BENCH_TRANSPORT
  echo "$BENCH_HOME/configs/$name-$mode$suffix.conf"
}

fwd_render() {
  sed -e "s|@INPUT_PORT@|$BENCH_INPUT_PORT|g" -e "s|@SINK_PORT@|$BENCH_SINK_PORT|g" \
    -e "s|@DIR@|$3|g" -e "s|@TLS_DIR@|${BENCH_TLS_DIR:-}|g" "$1" >"$2"
}

fwd_supports() {
  local var="FWD_${1//-/_}_TRANSPORTS"
  var=${var^^}
  [[ " ${!var} " == *" $BENCH_TRANSPORT "* ]]
}

# Waits (bounded) until something accepts connections on the input port.
fwd_wait_input() {
  local log=$1 deadline
  deadline=$(($(bench_now_us) + FWD_READY_SECONDS * 1000000))
  until (exec 3<>"/dev/tcp/127.0.0.1/$BENCH_INPUT_PORT") 2>/dev/null; do
    kill -0 "$FWD_PID" 2>/dev/null || bench_die "$FWD_NAME exited at start: $(tail -n 5 "$log")"
    (($(bench_now_us) < deadline)) || bench_die "$FWD_NAME not listening on its input after $FWD_READY_SECONDS s"
    sleep "$BENCH_POLL"
  done
}

fwd_start() {
  local name=$1 dir=$2 mode=$3
  FWD_TEMPLATE=${4:-}
  mkdir -p "$dir"
  FWD_NAME=$name
  "fwd_${name//-/_}_start" "$dir" "$mode"
}

fwd_spawn() {
  local log=$1 pre=()
  shift
  if [[ $1 == env ]]; then
    pre=(env)
    shift
    while [[ $1 == *=* ]]; do
      pre+=("$1")
      shift
    done
  fi
  proc_spawn "$log" "${pre[@]}" "${FWD_WRAP[@]}" "$@"
  FWD_PID=$REPLY
}

fwd_stop() {
  [[ -n $FWD_PID ]] && proc_stop "$FWD_PID" 15
  FWD_PID=
}

# Runs scenario_S for each repetition and each listed forwarder that is in
# BENCH_FORWARDERS and has BENCH_TRANSPORT; repetitions outermost, so a slow
# drift of the machine spreads over every forwarder alike.
bench_repeat() {
  local scenario=$1 rep fwd
  shift
  for ((rep = 1; rep <= BENCH_REPS; rep++)); do
    for fwd in "$@"; do
      if [[ " $BENCH_FORWARDERS " != *" $fwd "* ]] || ! fwd_supports "$fwd"; then
        continue
      fi
      "scenario_$scenario" "$fwd" "$rep"
    done
  done
}
