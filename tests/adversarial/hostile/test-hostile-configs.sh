#!/usr/bin/env bash
# Hostile configurations through `lifeline --syntax-only`: every entry of
# configs/expected.tsv (a .conf file as it is, or a .gen script that writes the
# config at test time: MB-sized strings, thousands of brackets, NUL bytes,
# FIFOs) must end within a bound (no hang), with the listed exit code, never by
# a signal, with no sanitizer report, with the listed text, and, for an error,
# a "lifeline: FILE:LINE:COLUMN:" location.  An error message stays short even
# when the input is huge.  main:WHAT entries give `-f` itself a device, a FIFO
# or a directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$TL_SOURCE_ROOT/tests/integration/lib.sh"
source "$TL_SOURCE_ROOT/tests/integration/lifeline.sh"
source "$here/hostile-lib.sh"

# Per config: generating it and checking it each get this long (x TL_SLOWDOWN).
BOUND_S=6
# An error message longer than this echoes the input instead of naming it.
MAX_OUTPUT=16384

check_one() { # NAME RC LOC TEXT
  local name=$1 want_rc=$2 loc=$3 text=$4 conf rc=0 out limit
  limit=$(awk -v f="$TL_SLOWDOWN" -v s="$BOUND_S" 'BEGIN { printf "%d", s * f }')
  mkdir -p "$TL_DIR/configs"
  cp -R "$here/configs/." "$TL_DIR/configs/"
  cd "$TL_DIR/configs"
  case $name in
    *.gen)
      conf=${name%.gen}.conf
      timeout "$limit" bash "$name" "$conf" || tl_fail "$name: generating the config failed"
      ;;
    main:fifo) conf=main.fifo && mkfifo "$conf" ;;
    main:directory) conf=main.dir && mkdir "$conf" ;;
    main:*) conf=${name#main:} ;;
    *) conf=$name ;;
  esac
  out=$TL_DIR/out.txt
  (
    hl_limit_memory 1024
    exec timeout -s KILL "$limit" "$TL_LIFELINE" --syntax-only --module-path "$TL_MODULE_PATH" -f "$conf"
  ) </dev/null >"$out" 2>&1 || rc=$?
  hl_no_sanitizer_report "$out"
  ((rc != 137)) || tl_fail "$name: still running after ${limit}s (hang or spin); output: $(head -c 300 "$out")"
  ((rc < 128)) || tl_fail "$name: ended by signal $((rc - 128)); output: $(head -c 300 "$out")"
  ((rc == want_rc)) || tl_fail "$name: exit $rc, want $want_rc; output: $(head -c 300 "$out")"
  (($(stat -c %s "$out") <= MAX_OUTPUT)) || tl_fail "$name: $(stat -c %s "$out") bytes of output, want <= $MAX_OUTPUT"
  [[ -z $text ]] || grep -qF -- "$text" "$out" || tl_fail "$name: output lacks '$text': $(head -c 300 "$out")"
  # A config's bytes reach the operator's terminal only escaped: no control
  # byte other than the newline in anything lifeline printed.
  ! LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$out" ||
    tl_fail "$name: raw control bytes in the output: $(head -c 300 "$out" | od -c | head -3)"
  if ((want_rc != 0)); then
    case $loc in
      -) grep -qF -- "lifeline: $conf" "$out" || tl_fail "$name: the error does not name $conf: $(head -c 300 "$out")" ;;
      any) grep -qE -- '^lifeline: [^ ]+:[0-9]+:[0-9]+: ' "$out" ||
        tl_fail "$name: the error names no FILE:LINE:COLUMN: $(head -c 300 "$out")" ;;
      *) grep -qF -- "lifeline: $conf:$loc: " "$out" ||
        tl_fail "$name: the error is not located at $conf:$loc: $(head -c 300 "$out")" ;;
    esac
  fi
  tl_pass "$name: $(head -n 1 "$out" | cut -c1-160)"
}

n=0
while IFS=$'\t' read -r c_name c_rc c_loc c_text; do
  [[ -z $c_name || $c_name == \#* ]] && continue
  # Each case in its own subshell; the read loop's stdin stays with the loop.
  # shellcheck disable=SC2317 # called through hl_case
  case_fn() { check_one "$c_name" "$c_rc" "$c_loc" "$c_text"; }
  hl_case "$c_name" case_fn </dev/null
  n=$((n + 1))
done <"$here/configs/expected.tsv"

# Every config file in configs/ has an expectation, and there are at least 40.
listed=$(cut -f1 "$here/configs/expected.tsv" | grep -c -E '\.(conf|gen)$')
present=$(find "$here/configs" -maxdepth 1 \( -name '*.conf' -o -name '*.gen' \) | wc -l)
((listed == present)) || { echo "FAIL: configs/ has $present files but expected.tsv lists $listed"; HL_FAILED+=(table); }
((n >= 40)) || { echo "FAIL: only $n hostile configs"; HL_FAILED+=(count); }
hl_finish
