#!/usr/bin/env bash
# The persist file is read at start: a symlink planted at its path is not
# followed, and a FIFO or a device there cannot block the start (before, a
# FIFO at the path left lifeline blocked in open() before it served
# anything).  Each is refused with a sentence naming the path and the kind,
# exit 1.  A real persist file is still read.
set -euo pipefail
here=$(dirname "$0")
source "$here/../../integration/lib.sh"
source "$here/../../integration/lifeline.sh"
tl_init

echo "secret=1" >"$TL_DIR/victim"
: >"$TL_DIR/in.log"
ll_config main <<CONF
@version: 4.0
source s { file("$TL_DIR/in.log"); };
destination d { network("127.0.0.1" port(9)); };
log { source(s); destination(d); };
CONF

refused() { # NAME WORDS
  local name=$1 words=$2 pidvar
  ll_run "$name" main --persist-file "$TL_DIR/$name.persist" --stop-timeout 0
  pidvar="TL_PID_$(_tl_var "$name")"
  tl_wait_exit "${!pidvar}" 10
  ((TL_RC == 1)) || tl_fail "$name: exit $TL_RC, want 1: $(tail -n 3 "$TL_DIR/$name.err")"
  grep -q "cannot read the persist file $TL_DIR/$name.persist: $words" "$TL_DIR/$name.err" ||
    tl_fail "$name: no 'cannot read the persist file …: $words': $(tail -n 3 "$TL_DIR/$name.err")"
  tl_pass "$name: refused ($words)"
}

ln -s "$TL_DIR/victim" "$TL_DIR/link.persist"
refused link "it is a symbolic link"
mkfifo "$TL_DIR/fifo.persist"
refused fifo "a FIFO"
ln -s /dev/zero "$TL_DIR/zero.persist"
refused zero "it is a symbolic link"
mkdir "$TL_DIR/dir.persist"
refused dir "a directory"
[[ $(cat "$TL_DIR/victim") == "secret=1" ]] || tl_fail "the victim changed"

# A persist file as lifeline writes it is still read.
cat >"$TL_DIR/good.persist" <<KEYS
[file-1]
source=s
path=$TL_DIR/in.log
device=1
inode=1
offset=0
KEYS
ll_run good main --persist-file "$TL_DIR/good.persist" --stop-timeout 0
# Running: its destination tries the closed port 9 on loopback.
ll_wait_log good "Connection failed" 1
kill -TERM "$TL_PID_good"
tl_wait_exit "$TL_PID_good" 10
grep -q "cannot read the persist file" "$TL_DIR/good.err" && tl_fail "a good persist file was refused: $(grep persist "$TL_DIR/good.err")"
tl_pass "a regular persist file is read"
