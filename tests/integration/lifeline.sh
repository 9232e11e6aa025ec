# shellcheck shell=bash
# lifeline-specific helpers on top of lib.sh (source lib.sh first).
#
#   ll_config NAME                 writes stdin to $TL_DIR/NAME.conf
#   ll_run NAME CONF [ARGS...]     runs lifeline in the background (tl_spawn NAME), stdin from $LL_STDIN
#   ll_total NAME WHAT KEY         a value from lifeline's exit summary, e.g. ll_total lifeline Destination delivered
#
# Environment (set by tests/integration/meson.build): TL_LIFELINE, TL_MODULE_PATH.

LL_STDIN=/dev/null

ll_config() {
  cat >"$TL_DIR/$1.conf"
}

ll_run() {
  local name=$1 conf=$2
  shift 2
  # Not tl_spawn: bash gives a background command /dev/null as stdin unless
  # the command itself redirects it.
  "$TL_LIFELINE" -f "$TL_DIR/$conf.conf" --module-path "$TL_MODULE_PATH" "$@" \
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
