#!/usr/bin/env bash
# file() on a path that exists but is neither a regular file nor a FIFO (a
# directory, a character device) is a located configuration error, both for
# --syntax-only and at start; a FIFO and a path that does not exist yet are
# accepted.  Before the fix, a directory passed --syntax-only and then froze
# the running process.
set -euo pipefail
here=$(dirname "$0")
source "$here/../../integration/lib.sh"
source "$here/../../integration/lifeline.sh"
source "$here/fs-lib.sh"
tl_init

mkdir "$TL_DIR/adir"
mkfifo "$TL_DIR/afifo"

# conf_for PATH: a one-source configuration whose file() value is on line 2.
conf_for() {
  ll_config "$1" <<CONF
@version: 4.0
source s_file { file("$2" follow-freq(0.05)); };
destination d_net { network("127.0.0.1" port(9)); };
log { source(s_file); destination(d_net); };
CONF
}

# expect_error NAME PATH TYPE: rejected with FILE:2:COLUMN, the option and the type.
expect_error() {
  local name=$1 path=$2 type=$3 rc=0 mode
  conf_for "$name" "$path"
  for mode in --syntax-only run; do
    rc=0
    if [[ $mode == run ]]; then
      timeout --kill-after=5 "$(fs_secs 20)" "$TL_LIFELINE" -f "$TL_DIR/$name.conf" --module-path "$TL_MODULE_PATH" \
        </dev/null >"$TL_DIR/$name.out" 2>"$TL_DIR/$name.err" || rc=$?
    else
      "$TL_LIFELINE" -f "$TL_DIR/$name.conf" --module-path "$TL_MODULE_PATH" --syntax-only \
        </dev/null >"$TL_DIR/$name.out" 2>"$TL_DIR/$name.err" || rc=$?
    fi
    ((rc != 0 && rc != 124 && rc < 128)) || tl_fail "$name ($mode): exit $rc, want a configuration error"
    grep -q "$TL_DIR/$name.conf:2:[0-9]*: file(): .*is a $type; file() reads a regular file or a FIFO" \
      "$TL_DIR/$name.err" || tl_fail "$name ($mode): no located error: $(cat "$TL_DIR/$name.err")"
  done
  tl_pass "file() on a $type: located error for --syntax-only and at start"
}

expect_error dir "$TL_DIR/adir" directory
expect_error dev /dev/null "character device"

for ok in fifo:"$TL_DIR/afifo" missing:"$TL_DIR/not-yet"; do
  conf_for "${ok%%:*}" "${ok#*:}"
  "$TL_LIFELINE" -f "$TL_DIR/${ok%%:*}.conf" --module-path "$TL_MODULE_PATH" --syntax-only \
    </dev/null >"$TL_DIR/${ok%%:*}.out" 2>"$TL_DIR/${ok%%:*}.err" ||
    tl_fail "file() on a ${ok%%:*} path rejected: $(cat "$TL_DIR/${ok%%:*}.err")"
done
tl_pass "file() on a FIFO and on a missing path: accepted"
