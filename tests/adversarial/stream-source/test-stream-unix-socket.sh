#!/usr/bin/env bash
# unix-stream() and the socket files it meets and makes:
#  - a socket another process listens on (as the system logger on /dev/log)
#    is refused with a clear error, at start and at a reload, and never
#    unlinked: the other process keeps its socket;
#  - a stale socket file (connect() refused) is replaced, a regular file is
#    refused and kept;
#  - perm() (default 0666 whatever the umask), owner() and group() are what
#    the socket gets; a reload that changes perm() re-creates it;
#  - bad perm()/owner()/group() values are located configuration errors.
# While running, `lifelinectl status` answers, the other source's lines
# arrive, and SIGTERM ends lifeline.
set -euo pipefail
here=$(dirname "$0")
source "$here/../../integration/lib.sh"
source "$here/../../integration/lifeline.sh"
source "$here/ss-lib.sh"
tl_init

tl_start_collector co 127.0.0.1 --quiet
: >"$TL_DIR/other.log"
live=$TL_DIR/live.sock
tl_spawn foreign python3 "$SS_CLIENT" unix-listen "$live" "$TL_DIR/foreign"
ss_wait_file "$TL_DIR/foreign.ready"
live_ino=$(stat -c %i "$live")

# conf NAME SOURCES...: a configuration with the other source and these.
conf() {
  local name=$1 srcs='' logs='' i=0
  shift
  for s in "$@"; do
    srcs+="source s_u$i { $s };"$'\n'
    logs+="source(s_u$i); "
    i=$((i + 1))
  done
  ll_config "$name" <<CONF
@version: 4.0
$srcs
source s_other { file("$TL_DIR/other.log"); };
destination d { network("127.0.0.1" port($TL_PORT_co)); };
log { ${logs}source(s_other); destination(d); };
CONF
}

foreign_intact() {
  [[ -S $live && $(stat -c %i "$live") == "$live_ino" ]] || tl_fail "the foreign socket $live was replaced or removed"
  python3 "$SS_CLIENT" unix-answers "$live" || tl_fail "the foreign listener no longer answers on $live"
}

# Located configuration errors.
bad() {
  local value=$1 want=$2 rc=0
  conf bad "unix-stream(\"$TL_DIR/bad.sock\" $value);"
  "$TL_LIFELINE" -f "$TL_DIR/bad.conf" --module-path "$TL_MODULE_PATH" --syntax-only >"$TL_DIR/bad.out" 2>&1 || rc=$?
  ((rc != 0)) || tl_fail "$value was accepted"
  grep -q "bad.conf:2:[0-9]*: .*$want" "$TL_DIR/bad.out" || tl_fail "$value: $(cat "$TL_DIR/bad.out")"
}
bad 'perm(999)' "expected an octal mode from 0000 to 07777"
bad 'perm(010000)' "expected an octal mode"
bad 'perm("rw-")' "expected an octal mode"
bad 'perm(0644 0600)' "expected a single value"
bad 'owner("no-such-user-lifeline")' "no such user 'no-such-user-lifeline'"
bad 'group("no-such-group-lifeline")' "no such group 'no-such-group-lifeline'"
bad 'idle-timeout(-1)' "out of range"
tl_pass "bad perm(), owner(), group(), idle-timeout() values are located errors"

# A live socket is refused at start, and left alone.
conf refuse "unix-stream(\"$live\");"
rc=0
"$TL_LIFELINE" -f "$TL_DIR/refuse.conf" --module-path "$TL_MODULE_PATH" >"$TL_DIR/refuse.out" 2>&1 || rc=$?
((rc != 0)) || tl_fail "lifeline started on a socket another process listens on"
grep -q "another process listens on $live; not taking its socket over" "$TL_DIR/refuse.out" ||
  tl_fail "no clear error: $(cat "$TL_DIR/refuse.out")"
foreign_intact
tl_pass "a socket another process listens on is refused at start and left alone"

# A regular file is refused and kept.
echo keep >"$TL_DIR/file.sock"
conf file "unix-stream(\"$TL_DIR/file.sock\");"
rc=0
"$TL_LIFELINE" -f "$TL_DIR/file.conf" --module-path "$TL_MODULE_PATH" >"$TL_DIR/file.out" 2>&1 || rc=$?
((rc != 0)) && grep -q "exists and is not a socket" "$TL_DIR/file.out" || tl_fail "regular file: $(cat "$TL_DIR/file.out")"
[[ $(cat "$TL_DIR/file.sock") == keep ]] || tl_fail "the regular file was changed"
tl_pass "a regular file at the path is refused and kept"

# A stale socket is replaced; perm() default 0666 even under umask 077;
# perm(0640) owner() group() as given (ownership only when we are root).
stale=$TL_DIR/stale.sock
python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.close()' "$stale"
own=$TL_DIR/own.sock
if (($(id -u) == 0)); then
  owner='owner("nobody") group(65534)'
  want_own="640 $(id -u nobody) 65534"
else
  owner=''
  want_own="640 $(id -u) $(id -g)"
fi
conf run "unix-stream(\"$stale\");" "unix-stream(\"$own\" perm(0640) $owner);"
old_umask=$(umask)
umask 077
ss_start run run
umask "$old_umask"
grep -q "Replaced a stale socket nobody answered on; source=s_u0 path=$stale" "$TL_DIR/run.err" ||
  tl_fail "stale socket replacement not logged"
[[ $(stat -c %a "$stale") == 666 ]] || tl_fail "default perm is $(stat -c %a "$stale"), want 666 (umask 077)"
[[ $(stat -c '%a %u %g' "$own") == "$want_own" ]] || tl_fail "own.sock is $(stat -c '%a %u %g' "$own"), want $want_own"
echo "0000000001 stale" | python3 "$SS_CLIENT" unix-send "$stale"
echo "0000000002 own" | python3 "$SS_CLIENT" unix-send "$own"
SS_EXPECT_CO=2
ss_other_lines 5
tl_pass "stale socket replaced; perm() 0666 by default under umask 077; perm(0640) $owner applied"

# Reload: perm() changes, the socket is made again with the new mode.
conf run "unix-stream(\"$stale\");" "unix-stream(\"$own\" perm(0600) $owner);"
kill -HUP "$TL_PID_run"
ll_wait_log run "Configuration reloaded" 1
[[ $(stat -c %a "$own") == 600 ]] || tl_fail "after reload own.sock is $(stat -c %a "$own"), want 600"
echo "0000000003 own" | python3 "$SS_CLIENT" unix-send "$own"
SS_EXPECT_CO=3
ss_other_lines 5
ss_status run
tl_pass "a reload that changes perm() re-creates the socket with it"

# Reload onto the live socket: refused with a clear error, left alone.  (A
# new configuration that cannot start stops lifeline, as for a taken port.)
conf run "unix-stream(\"$stale\");" "unix-stream(\"$own\" perm(0600) $owner);" "unix-stream(\"$live\");"
kill -HUP "$TL_PID_run"
ll_wait_log run "another process listens on $live; not taking its socket over" 1
foreign_intact
tl_wait_exit "$TL_PID_run" 10
[[ ! -e $stale && ! -e $own ]] || tl_fail "lifeline left its own sockets behind"
foreign_intact
tl_pass "a reload onto a socket another process listens on is refused; that socket is left alone"

# SIGTERM ends a running one and removes only its own socket.
conf last "unix-stream(\"$own\");"
ss_start last last
ss_status last
ss_other_lines 5
ss_stop last
[[ ! -e $own ]] || tl_fail "own.sock left behind at stop"
foreign_intact
: >"$TL_DIR/foreign.release"
tl_wait_exit "$TL_PID_foreign" 10
tl_stop co
tl_pass "status answers, other lines arrive, SIGTERM ends lifeline and removes its socket only"
