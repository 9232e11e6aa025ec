# shellcheck shell=bash disable=SC2034  # TL_RC, TL_PORT_*: results for the sourcing script
# Helpers for lifeline's integration tests; source this from a bash script that
# runs with `set -euo pipefail`.
#
#   tl_init                          temp dir $TL_DIR, EXIT trap that stops our processes
#   tl_spawn NAME CMD...             background process; pid in TL_PID_<NAME>
#   tl_start_collector NAME ADDR [ARGS...]
#                                    lifeline-collector on ADDR, ephemeral port in TL_PORT_<NAME>
#   tl_stat NAME KEY                 print a value from the collector's stats file (0 if absent)
#   tl_expect NAME KEY=VALUE...      the collector's stats must hold exactly these values
#   tl_wait_stat NAME KEY MIN [STALL_SECONDS]
#                                    wait until KEY >= MIN; fail if it stops moving
#   tl_wait_exit PID STALL_SECONDS [STATFILE...]
#                                    wait for PID to exit (exit code in TL_RC); fail if the
#                                    stats files stop changing
#   tl_stop NAME                     SIGTERM + wait (exit code in TL_RC)
#   tl_fail MSG / tl_pass MSG        report; tl_fail exits 1
#   tl_is_asan                       true when lifeline is built with AddressSanitizer
#
# Watchdogs are progress-based, never overall limits: each one fails only when
# nothing moved for N seconds x TL_SLOWDOWN (LIFELINE_TEST_SLOWDOWN, default 1;
# the sanitizer CI build sets 3, valgrind 10).
# Environment: TL_COLLECTOR (path of lifeline-collector), TL_KEEP=1 keeps
# $TL_DIR when the test failed.
# Call tl_fail only from the main shell, not from a $(...) subshell.

TL_SLOWDOWN=${LIFELINE_TEST_SLOWDOWN:-1}
TL_DIR=
TL_PIDS=()
TL_RC=0

# Seconds x TL_SLOWDOWN, in microseconds (TL_SLOWDOWN may be fractional).
_tl_us() {
  awk -v s="$1" -v f="$TL_SLOWDOWN" 'BEGIN { printf "%d", s * f * 1000000 }'
}

_tl_now_us() {
  local t=${EPOCHREALTIME/[.,]/}
  echo "$((10#$t))"
}

_tl_var() {
  local name=$1
  echo "${name//[^a-zA-Z0-9]/_}"
}

_tl_alive() {
  kill -0 "$1" 2>/dev/null
}

_tl_forget() {
  local pid=$1 i
  for i in "${!TL_PIDS[@]}"; do
    [[ ${TL_PIDS[$i]} == "$pid" ]] && unset 'TL_PIDS[i]'
  done
  return 0
}

_tl_cleanup() {
  local rc=$? pid waited=0
  trap - EXIT
  for pid in "${TL_PIDS[@]}"; do
    _tl_alive "$pid" && kill -TERM "$pid" 2>/dev/null
  done
  for pid in "${TL_PIDS[@]}"; do
    while _tl_alive "$pid" && ((waited < 100)); do
      sleep 0.02
      waited=$((waited + 1))
    done
    _tl_alive "$pid" && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || true
  done
  if [[ -n $TL_DIR ]]; then
    if ((rc != 0)) && [[ ${TL_KEEP:-0} == 1 ]]; then
      echo "kept $TL_DIR" >&2
    else
      rm -rf "$TL_DIR"
    fi
  fi
  exit "$rc"
}

tl_init() {
  TL_DIR=$(mktemp -d "${TMPDIR:-/tmp}/lifeline-test.XXXXXX")
  TL_PIDS=()
  trap _tl_cleanup EXIT
}

# True when lifeline is built with AddressSanitizer.  Not `ldd | grep -q`:
# under pipefail, grep -q exiting at its first match can kill ldd with
# SIGPIPE and turn the answer into "no" at random.
tl_is_asan() {
  local libs
  libs=$(ldd "$TL_LIFELINE" 2>/dev/null) || true
  [[ $libs == *libasan* ]]
}

tl_pass() {
  echo "PASS: $*"
}

tl_fail() {
  local f
  echo "FAIL: $*"
  for f in "$TL_DIR"/*.err; do
    [[ -s $f ]] || continue
    echo "--- tail of ${f##*/}"
    tail -n 20 "$f"
  done
  exit 1
}

tl_spawn() {
  local name=$1
  shift
  "$@" >"$TL_DIR/$name.out" 2>"$TL_DIR/$name.err" &
  TL_PIDS+=("$!")
  printf -v "TL_PID_$(_tl_var "$name")" '%s' "$!"
}

tl_start_collector() {
  local name=$1 addr=$2
  shift 2
  local ready="$TL_DIR/$name.ready"
  tl_spawn "$name" "$TL_COLLECTOR" --listen "$addr" --port 0 --ready-file "$ready" \
    --stats-file "$TL_DIR/$name.stats" --output "$TL_DIR/$name.out.log" "$@"
  local pid=$! deadline=$(($(_tl_now_us) + $(_tl_us 10)))
  until [[ -s $ready ]]; do
    _tl_alive "$pid" || tl_fail "collector $name exited before it was ready"
    (($(_tl_now_us) < deadline)) || tl_fail "collector $name not ready after $(_tl_us 10) us"
    sleep 0.02
  done
  printf -v "TL_PORT_$(_tl_var "$name")" '%s' "$(<"$ready")"
}

# Sets REPLY to stat KEY of collector NAME (0 if absent).
_tl_read_stat() {
  local line='' kv
  REPLY=0
  if [[ -r $TL_DIR/$1.stats ]]; then
    read -r line <"$TL_DIR/$1.stats" || true
  fi
  for kv in $line; do
    if [[ $kv == "$2="* ]]; then
      REPLY=${kv#*=}
      return 0
    fi
  done
}

tl_stat() {
  _tl_read_stat "$1" "$2"
  echo "$REPLY"
}

tl_wait_stat() {
  local name=$1 key=$2 min=$3 stall=${4:-10}
  local limit last='' since pidvar
  limit=$(_tl_us "$stall")
  since=$(_tl_now_us)
  pidvar="TL_PID_$(_tl_var "$name")"
  while :; do
    _tl_read_stat "$name" "$key"
    ((REPLY >= min)) && return 0
    if [[ $REPLY != "$last" ]]; then
      last=$REPLY
      since=$(_tl_now_us)
    elif (($(_tl_now_us) - since > limit)); then
      tl_fail "$name: $key stuck at $REPLY (want >= $min) for ${stall}s x $TL_SLOWDOWN;" \
        "stats: $(cat "$TL_DIR/$name.stats" 2>/dev/null)"
    fi
    if [[ -n ${!pidvar:-} ]] && ! _tl_alive "${!pidvar}"; then
      _tl_read_stat "$name" "$key"
      ((REPLY >= min)) && return 0
      tl_fail "$name exited while waiting for $key >= $min;" \
        "stats: $(cat "$TL_DIR/$name.stats" 2>/dev/null)"
    fi
    sleep 0.02
  done
}

# tl_expect NAME KEY=VALUE...: collector NAME's current stats must match exactly.
tl_expect() {
  local name=$1 kv value
  shift
  for kv in "$@"; do
    value=$(tl_stat "$name" "${kv%%=*}")
    [[ $value == "${kv#*=}" ]] ||
      tl_fail "$name: ${kv%%=*}=$value, want ${kv#*=}; stats: $(cat "$TL_DIR/$name.stats")"
  done
}

tl_wait_exit() {
  local pid=$1 stall=$2
  shift 2
  local limit since state last='' f line
  limit=$(_tl_us "$stall")
  since=$(_tl_now_us)
  while _tl_alive "$pid"; do
    state=
    for f in "$@"; do
      line=''
      if [[ -r $f ]]; then
        read -r line <"$f" || true
      fi
      state+="$line|"
    done
    if [[ $state != "$last" ]]; then
      last=$state
      since=$(_tl_now_us)
    elif (($(_tl_now_us) - since > limit)); then
      tl_fail "pid $pid still running and no progress for ${stall}s x $TL_SLOWDOWN;" \
        "stats: ${state:-none}"
    fi
    sleep 0.02
  done
  TL_RC=0
  wait "$pid" || TL_RC=$?
  _tl_forget "$pid"
}

tl_stop() {
  local name=$1 pidvar pid deadline
  pidvar="TL_PID_$(_tl_var "$name")"
  pid=${!pidvar:?tl_stop: $name was not spawned}
  deadline=$(($(_tl_now_us) + $(_tl_us 10)))
  kill -TERM "$pid" 2>/dev/null || true
  while _tl_alive "$pid"; do
    if (($(_tl_now_us) >= deadline)); then
      kill -KILL "$pid" 2>/dev/null || true
      tl_fail "$name (pid $pid) did not exit within 10s x $TL_SLOWDOWN of SIGTERM"
    fi
    sleep 0.02
  done
  TL_RC=0
  wait "$pid" || TL_RC=$?
  _tl_forget "$pid"
}
