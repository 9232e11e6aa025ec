# shellcheck shell=bash
# Results of a run: one line per measurement in $BENCH_RUN/results.txt,
#   scenario=S forwarder=F rep=N key=value ...
# which bench/report.py aggregates into docs/performance.md.
#
#   bench_result S F N KEY=VALUE...
#   bench_log MSG...    progress on stderr, with the time since the start
#   bench_die MSG...    log and exit 1 (the EXIT trap stops every process)

BENCH_T0_US=${BENCH_T0_US:-}

bench_result() {
  local scenario=$1 fwd=$2 rep=$3
  shift 3
  echo "scenario=$scenario forwarder=$fwd rep=$rep $*" >>"$BENCH_RUN/results.txt"
  bench_log "  $scenario $fwd #$rep: $*"
}

bench_log() {
  local now
  now=$(bench_now_us)
  printf 'bench [%4ds] %s\n' $(((now - ${BENCH_T0_US:-$now}) / 1000000)) "$*" >&2
}

bench_die() {
  bench_log "FAILED: $*"
  exit 1
}

# Microseconds A - B as milliseconds with one decimal.
bench_ms() {
  awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (a - b) / 1000 }'
}
