#!/usr/bin/env bash
# Installs dependencies, then builds and runs every test suite twice: a normal
# build with warnings as errors, and an AddressSanitizer+UBSan build (gcc:
# clang's ASan does not link a module with -Wl,--no-undefined).  Ends with one
# line "N passed, N failed, N skipped" summing every suite; exits non-zero on
# any failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash tools/install-deps.sh

builds=()
run_build() {
  local dir=$1
  shift
  if [[ -d $dir ]]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@" >/dev/null
  fi
  ninja -C "$dir"
  # Test failures must not stop the second build: the summary counts both.
  meson test -C "$dir" --print-errorlogs --num-processes 2 || true
  builds+=("$dir")
}

CC=gcc run_build build-ci -Dwerror=true -Dbuildtype=debugoptimized

export LIFELINE_TEST_SLOWDOWN=3
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
CC=gcc run_build build-asan -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
unset ASAN_OPTIONS UBSAN_OPTIONS LIFELINE_TEST_SLOWDOWN

python3 tools/test-summary.py "${builds[@]}"
