# shellcheck shell=bash
# Helpers for the hostile-input scripts; source after tests/integration/lib.sh
# and lifeline.sh, from a script running with `set -euo pipefail`.
#
#   hl_case NAME FUNC      runs FUNC in a subshell with its own tl_init (own
#                          $TL_DIR, own processes, own cleanup), prints
#                          "CASE NAME: PASS" or "CASE NAME: FAIL", and records it
#   hl_finish              prints the failed cases; exits 1 if any failed
#   hl_is_asan             true when lifeline is built with AddressSanitizer
#   hl_limit_memory        caps this (sub)shell's memory: ulimit -v, or, under
#                          ASan (which reserves terabytes of address space),
#                          ASan's own hard_rss_limit_mb; no core files
#   hl_no_sanitizer_report FILE...   fails if a sanitizer reported anything
#   hl_ctl_status          `lifelinectl -c $TL_DIR/ctl status` must answer within
#                          its own timeout (-t), scaled by TL_SLOWDOWN
#   hl_term NAME STOP_TIMEOUT
#                          SIGTERM; NAME must exit within STOP_TIMEOUT + 10 s
#                          (x TL_SLOWDOWN), not by a signal; exit code in TL_RC
#   hl_src_total NAME SOURCE KEY   a value of the "Source totals" line

HL_FAILED=()
HL_PASSED=0

hl_case() {
  # Locals with unusual names: FUNC sees them (bash scoping is dynamic).
  local _hl_name=$1 _hl_func=$2 _hl_rc=0
  echo "=== CASE $_hl_name"
  # Not `( ... ) || ...`: that would turn off set -e inside the subshell.
  set +e
  (
    set -e
    tl_init
    "$_hl_func"
  )
  _hl_rc=$?
  set -e
  if ((_hl_rc == 0)); then
    echo "CASE $_hl_name: PASS"
    HL_PASSED=$((HL_PASSED + 1))
  else
    echo "CASE $_hl_name: FAIL"
    HL_FAILED+=("$_hl_name")
  fi
}

hl_finish() {
  echo "${HL_PASSED} case(s) passed, ${#HL_FAILED[@]} failed"
  if ((${#HL_FAILED[@]} > 0)); then
    printf 'FAILED CASE: %s\n' "${HL_FAILED[@]}"
    exit 1
  fi
}

hl_is_asan() {
  tl_is_asan
}

hl_limit_memory() {
  local mib=$1
  # An abort at the limit must not write a core file of that size.
  ulimit -c 0
  if hl_is_asan; then
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}hard_rss_limit_mb=$((mib * 2))"
  else
    ulimit -v $((mib * 1024))
  fi
}

hl_no_sanitizer_report() {
  local f
  for f in "$@"; do
    if grep -q -e 'ERROR: AddressSanitizer' -e 'ERROR: LeakSanitizer' -e 'runtime error:' \
      -e 'WARNING: ThreadSanitizer' "$f" 2>/dev/null; then
      tl_fail "sanitizer report in ${f##*/}: $(grep -m 3 -e 'Sanitizer' -e 'runtime error' "$f")"
    fi
  done
  return 0
}

hl_ctl_status() {
  local t
  t=$(awk -v f="$TL_SLOWDOWN" 'BEGIN { printf "%d", 5 * f }')
  "$TL_LIFELINECTL" -c "$TL_DIR/ctl" -t "$t" status >"$TL_DIR/ctl.out" 2>&1 ||
    tl_fail "lifelinectl status did not answer: $(head -c 500 "$TL_DIR/ctl.out")"
}

hl_term() {
  local name=$1 stop=$2 pidvar pid deadline
  pidvar="TL_PID_$(_tl_var "$name")"
  pid=${!pidvar:?hl_term: $name was not spawned}
  deadline=$(($(_tl_now_us) + $(_tl_us $((stop + 10)))))
  kill -TERM "$pid" 2>/dev/null || true
  while _tl_alive "$pid"; do
    if (($(_tl_now_us) >= deadline)); then
      kill -KILL "$pid" 2>/dev/null || true
      tl_fail "$name (pid $pid) did not exit within (stop-timeout $stop + 10) s x $TL_SLOWDOWN of SIGTERM"
    fi
    sleep 0.02
  done
  TL_RC=0
  wait "$pid" || TL_RC=$?
  _tl_forget "$pid"
  ((TL_RC < 128)) || tl_fail "$name ended by signal $((TL_RC - 128)) after SIGTERM"
  hl_no_sanitizer_report "$TL_DIR/$name.err"
}

hl_src_total() {
  sed -n "s/.* notice: Source totals; source=$2 .*\b$3=\([0-9]*\).*/\1/p" "$TL_DIR/$1.err" | tail -n 1
}
