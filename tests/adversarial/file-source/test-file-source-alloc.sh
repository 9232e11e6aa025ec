#!/usr/bin/env bash
# Line buffers that cannot be allocated: forty file() sources with
# log-msg-size(64M) under `ulimit -v 1000000` (about 1 GB of address space for
# 2.6 GB of buffers).  --syntax-only and a start both end with an error
# located at the log-msg-size() of the first source whose buffer did not fit,
# never a crash.  Before the fix, the failed allocation went unnoticed (a
# later allocation failed with an unrelated message, or the first read
# crashed).  --verbose stands for "start it" (lifeline runs in the
# foreground).  Skipped (77) under AddressSanitizer, which needs far more
# address space than any such limit leaves.
set -euo pipefail
here=$(dirname "$0")
source "$here/../../integration/lib.sh"
source "$here/../../integration/lifeline.sh"
source "$here/fs-lib.sh"
tl_init
if tl_is_asan; then
  echo "SKIP: lifeline is built with AddressSanitizer"
  exit 77
fi

n=40
{
  echo '@version: 4.0'
  for i in $(seq 1 $n); do
    echo "source s$i { file(\"$TL_DIR/f$i.log\" log-msg-size(64M)); };"
  done
  echo 'destination d_net { network("127.0.0.1" port(9)); };'
  for i in $(seq 1 $n); do
    echo "log { source(s$i); destination(d_net); };"
  done
} | ll_config many

for mode in --syntax-only --verbose; do
  rc=0
  (
    ulimit -v 1000000
    # meson sets MALLOC_PERTURB_, which fills every buffer that did fit: slow.
    exec env -u MALLOC_PERTURB_ timeout --kill-after=5 "$(fs_secs 20)" "$TL_LIFELINE" -f "$TL_DIR/many.conf" \
      --module-path "$TL_MODULE_PATH" "$mode"
  ) </dev/null >"$TL_DIR/many.out" 2>"$TL_DIR/many.err" || rc=$?
  ((rc == 1)) || tl_fail "$mode under ulimit -v: exit $rc, want 1: $(tail -n 5 "$TL_DIR/many.err")"
  grep -Eq "many.conf:([0-9]+):[0-9]+: log-msg-size\(\): cannot allocate the [0-9]+-byte line buffer of log-msg-size\(67108864\)" \
    "$TL_DIR/many.err" || tl_fail "$mode: no located allocation error: $(tail -n 5 "$TL_DIR/many.err")"
done
tl_pass "line buffers that do not fit: a located error for --syntax-only and at start"
