# shellcheck shell=bash
# The receiving end of every scenario, on 127.0.0.1/.2/.3, all on the same
# fixed port BENCH_SINK_PORT (outside the ephemeral range; see bench/run):
#
#   sink_collector_start NAME ADDR EXIT_AFTER
#       lifeline-collector (tools/), for throughput: exits after EXIT_AFTER
#       lines and writes $BENCH_RUN/NAME.report; PID in SINK_PID[NAME]
#   sink_tap_start NAME ADDR [--no-read]
#       lifeline-bench-tap (bench/tap.c), for failover scenarios: every byte
#       read and every connection's accept/first-data time, in
#       $BENCH_RUN/NAME/; PID in SINK_PID[NAME]
#   sink_report_value NAME KEY     a value from a collector's report (0 if absent)
#   sink_tap_first_data_after NAME T_US
#                                  REPLY: time of the first "data" event at or
#                                  after T_US (empty if none)
#   sink_tap_wait_data NAME T_US SECONDS
#                                  wait (bounded) for such an event; 1 on time-out
#   sink_tap_wait_bytes NAME BYTES SECONDS
#                                  wait until the tap read BYTES in all
#   sink_wait_quiet SECONDS MAX NAME...
#                                  wait until no tap grew for SECONDS, at most MAX
#   sink_tap_hard_kill NAME        the tap SIGKILLs itself at a point where all it
#                                  read is on disk (bench/tap.c, SIGUSR1); REPLY:
#                                  "T_US UNREAD_BYTES" from its kill event
#   sink_stop NAME / sink_kill NAME
#
# With BENCH_TRANSPORT=tls (scenario g) both speak TLS with the certificate
# of their address from BENCH_TLS_DIR (tests/integration/tls-certs.sh):
# primary.pem on 127.0.0.1, backup.pem on .2, dr.pem (CA 2) on .3.
#
# Needs proc.sh, BENCH_BIN (the build dir) and BENCH_RUN (this run's files).

declare -A SINK_PID=()
SINK_TLS_ARGS=()
BENCH_SINK_PORT=${BENCH_SINK_PORT:-20514}

# SINK_TLS_ARGS: the --tls-cert/--tls-key words for a sink on ADDR (empty
# over plain TCP).
_sink_tls_args() {
  local cert
  SINK_TLS_ARGS=()
  [[ $BENCH_TRANSPORT == tls ]] || return 0
  case $1 in
    127.0.0.1) cert=primary ;;
    127.0.0.2) cert=backup ;;
    127.0.0.3) cert=dr ;;
    *) bench_die "no test certificate for $1" ;;
  esac
  SINK_TLS_ARGS=(--tls-cert "$BENCH_TLS_DIR/$cert.pem" --tls-key "$BENCH_TLS_DIR/$cert.key")
}

sink_collector_start() {
  local name=$1 addr=$2 exit_after=$3
  rm -f "$BENCH_RUN/$name".{ready,stats,report}
  _sink_tls_args "$addr"
  proc_spawn "$BENCH_RUN/$name.log" "$BENCH_BIN/tools/lifeline-collector" --listen "$addr" "${SINK_TLS_ARGS[@]}" \
    --port "$BENCH_SINK_PORT" --ready-file "$BENCH_RUN/$name.ready" --stats-file "$BENCH_RUN/$name.stats" \
    --report "$BENCH_RUN/$name.report" --exit-after-lines "$exit_after" --quiet
  SINK_PID[$name]=$REPLY
  bench_wait_file "$BENCH_RUN/$name.ready" 10 || bench_die "collector $name not ready: $(tail -n 3 "$BENCH_RUN/$name.log")"
}

sink_tap_start() {
  local name=$1 addr=$2
  shift 2
  rm -rf "${BENCH_RUN:?}/$name"
  mkdir -p "$BENCH_RUN/$name"
  _sink_tls_args "$addr"
  proc_spawn "$BENCH_RUN/$name.log" "$BENCH_BIN/bench/lifeline-bench-tap" --listen "$addr" "${SINK_TLS_ARGS[@]}" \
    --port "$BENCH_SINK_PORT" --dir "$BENCH_RUN/$name" --ready-file "$BENCH_RUN/$name/ready" "$@"
  SINK_PID[$name]=$REPLY
  bench_wait_file "$BENCH_RUN/$name/ready" 10 || bench_die "tap $name not ready: $(tail -n 3 "$BENCH_RUN/$name.log")"
}

sink_report_value() {
  local kv
  REPLY=0
  for kv in $(head -n 1 "$BENCH_RUN/$1.report" 2>/dev/null); do
    [[ $kv == "$2="* ]] && REPLY=${kv#*=}
  done
  echo "$REPLY"
}

sink_tap_first_data_after() {
  REPLY=$(awk -v t="$2" '$1 == "data" && $3 >= t { print $3; exit }' "$BENCH_RUN/$1/events" 2>/dev/null)
}

sink_tap_wait_data() {
  local name=$1 after=$2 deadline
  deadline=$(($(bench_now_us) + $3 * 1000000))
  while :; do
    sink_tap_first_data_after "$name" "$after"
    [[ -n $REPLY ]] && return 0
    (($(bench_now_us) < deadline)) || return 1
    sleep "$BENCH_POLL"
  done
}

_sink_tap_bytes() {
  local f total=0 size
  for f in "$BENCH_RUN/$1"/conn-*.raw; do
    [[ -e $f ]] || continue
    size=$(stat -c %s "$f")
    total=$((total + size))
  done
  echo "$total"
}

sink_tap_wait_bytes() {
  local name=$1 want=$2 deadline
  deadline=$(($(bench_now_us) + $3 * 1000000))
  until (($(_sink_tap_bytes "$name") >= want)); do
    (($(bench_now_us) < deadline)) || return 1
    sleep 0.02
  done
}

sink_wait_quiet() {
  local quiet_us=$(($1 * 1000000)) deadline since state last='' name
  shift
  deadline=$(($(bench_now_us) + $1 * 1000000))
  shift
  since=$(bench_now_us)
  while (($(bench_now_us) < deadline)); do
    state=
    for name in "$@"; do
      state+="$(_sink_tap_bytes "$name") "
    done
    if [[ $state != "$last" ]]; then
      last=$state
      since=$(bench_now_us)
    elif (($(bench_now_us) - since >= quiet_us)); then
      return 0
    fi
    sleep 0.05
  done
  return 1
}

sink_tap_hard_kill() {
  local pid=${SINK_PID[$1]}
  kill -USR1 "$pid"
  { proc_wait_exit "$pid" 5 || proc_kill "$pid"; } 2>/dev/null
  REPLY=$(awk '$1 == "kill" { print $3, $4; exit }' "$BENCH_RUN/$1/events")
  [[ -n $REPLY ]] || bench_die "tap $1 did not record its kill"
}

sink_stop() {
  proc_stop "${SINK_PID[$1]}" 10
}

sink_kill() {
  proc_kill "${SINK_PID[$1]}"
}
