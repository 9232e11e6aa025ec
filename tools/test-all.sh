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
}

CC=gcc run_build build-ci -Dwerror=true -Dbuildtype=debugoptimized

export LIFELINE_TEST_SLOWDOWN=3
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
CC=gcc run_build build-asan -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
unset ASAN_OPTIONS UBSAN_OPTIONS LIFELINE_TEST_SLOWDOWN

# valgrind over the normal build: every unit suite (Criterion forks, so
# children are traced), and the integration tests with lifeline itself under
# valgrind (smaller volumes; watchdogs scaled by 10).
valgrind_cmd='valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --trace-children=yes -q'
meson test -C build-ci --suite unit --logbase valgrind-unit --wrap="$valgrind_cmd" --timeout-multiplier 10 --print-errorlogs || true
# The integration tests that exercise the shell's paths at modest volume
# (connect, refuse, resolve, exhaust and drop, truncate, control socket,
# every TLS failure path);
# the high-rate failover and backpressure tests would only measure how slow
# valgrind is.
LIFELINE_TEST_SLOWDOWN=10 LL_FORWARD_COUNT=100000 TL_WRAP="$valgrind_cmd" \
  meson test -C build-ci --logbase valgrind-integration --timeout-multiplier 3 --print-errorlogs \
  test-forward test-late-collector test-truncate test-syntax-only test-failover-start test-control test-tls || true

# The config parser's fuzz target (libFuzzer needs clang): a bounded run from
# the seed corpus, so a regression in the parser's error paths shows here.
fuzz_dir=build-fuzz
if [[ -d $fuzz_dir ]]; then
  meson setup --reconfigure "$fuzz_dir" -Dfuzz=true -Dtests=disabled >/dev/null
else
  CC=clang meson setup "$fuzz_dir" -Dfuzz=true -Dtests=disabled >/dev/null
fi
ninja -C "$fuzz_dir"
meson test -C "$fuzz_dir" --suite fuzz --print-errorlogs || true

# meson names a wrapped run's log <logbase>-<wrapper>.json: take every valgrind log.
python3 tools/test-summary.py build-ci/meson-logs/testlog.json build-asan/meson-logs/testlog.json \
  build-ci/meson-logs/valgrind-*.json "$fuzz_dir"/meson-logs/testlog.json
