# shellcheck shell=bash
# lifeline-specific helpers on top of lib.sh (source lib.sh first).
#
#   ll_config NAME                 writes stdin to $TL_DIR/NAME.conf
#   ll_run NAME CONF [ARGS...]     runs lifeline in the background (tl_spawn NAME), stdin from $LL_STDIN
#   ll_total NAME WHAT KEY         a value from lifeline's exit summary, e.g. ll_total lifeline Destination delivered
#
# Environment (set by tests/integration/meson.build): TL_LIFELINE, TL_MODULE_PATH;
# TL_WRAP (optional) prefixes lifeline's command line, e.g. with valgrind.

LL_STDIN=/dev/null

ll_config() {
  cat >"$TL_DIR/$1.conf"
}

ll_run() {
  local name=$1 conf=$2
  shift 2
  # Not tl_spawn: bash gives a background command /dev/null as stdin unless
  # the command itself redirects it.
  # shellcheck disable=SC2086 # TL_WRAP is a command line, e.g. valgrind and its flags
  ${TL_WRAP:-} "$TL_LIFELINE" -f "$TL_DIR/$conf.conf" --module-path "$TL_MODULE_PATH" "$@" \
    <"$LL_STDIN" >"$TL_DIR/$name.out" 2>"$TL_DIR/$name.err" &
  TL_PIDS+=("$!")
  printf -v "TL_PID_$(_tl_var "$name")" '%s' "$!"
}

# Prints KEY of the "<WHAT> totals" line in NAME's log (empty if absent).
ll_total() {
  local name=$1 what=$2 key=$3
  sed -n "s/.* notice: $what totals; .*\b$key=\([0-9]*\).*/\1/p" "$TL_DIR/$name.err" | tail -n 1
}

# Fails unless "<WHAT> totals" KEY equals WANT.
ll_expect_total() {
  local name=$1 what=$2 key=$3 want=$4 got
  got=$(ll_total "$name" "$what" "$key")
  [[ $got == "$want" ]] || tl_fail "$name: $what $key=$got, want $want"
}

# Waits until NAME's log has at least N lines matching PATTERN; fails when the
# log stops growing for 10 s x TL_SLOWDOWN or lifeline exits first.
ll_wait_log() {
  local name=$1 pattern=$2 want=$3 got size last=-1 since limit pidvar
  limit=$(_tl_us 10)
  since=$(_tl_now_us)
  pidvar="TL_PID_$(_tl_var "$name")"
  while :; do
    got=$(grep -c -- "$pattern" "$TL_DIR/$name.err" 2>/dev/null || true)
    ((got >= want)) && return 0
    _tl_alive "${!pidvar}" || tl_fail "$name exited before logging '$pattern' $want times"
    size=$(stat -c %s "$TL_DIR/$name.err" 2>/dev/null || echo 0)
    if ((size != last)); then
      last=$size
      since=$(_tl_now_us)
    elif (($(_tl_now_us) - since > limit)); then
      tl_fail "$name: '$pattern' seen $got times (want $want) and its log stopped growing"
    fi
    sleep 0.02
  done
}

# Waits until process PID has read (almost) nothing for 0.5 s x TL_SLOWDOWN,
# from /proc/PID/io: how a test sees backpressure take hold without a fixed
# sleep.  "Almost": ivykis reads 8 bytes from its timer and event fds per
# wake-up, far below one 64 KiB stdin read.  Fails if PID keeps reading for
# 60 s x TL_SLOWDOWN.
ll_wait_reading_stops() {
  local pid=$1 last=-100000 now since quiet limit start
  quiet=$(_tl_us 0.5)
  limit=$(_tl_us 60)
  start=$(_tl_now_us)
  since=$start
  while :; do
    now=$(sed -n 's/^rchar: //p' "/proc/$pid/io" 2>/dev/null) || tl_fail "pid $pid is gone"
    if ((now - last > 16384)); then
      last=$now
      since=$(_tl_now_us)
    elif (($(_tl_now_us) - since > quiet)); then
      return 0
    fi
    (($(_tl_now_us) - start < limit)) || tl_fail "pid $pid kept reading for 60 s x $TL_SLOWDOWN"
    sleep 0.05
  done
}
