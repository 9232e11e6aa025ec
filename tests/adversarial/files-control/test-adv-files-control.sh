#!/usr/bin/env bash
# shellcheck disable=SC2154  # TL_PORT_<name>, TL_PID_<name> are set by lib.sh (printf -v)
# Files lifeline creates and its control socket, against a local attacker:
#  (1) a symlink planted at the persist file's PATH.tmp (and at the pid and
#      ready files) is never followed: the victim file stays whole;
#  (2) a stale pid file naming a live process (pid 1) does not stop lifeline:
#      "already running" is judged by the pid file's lock, which names the
#      holder when a second lifeline is refused;
#  (3) lifeline refuses a control socket in a directory other users may
#      write to unless it is sticky, and in a sticky one never replaces
#      another user's file;
#  (4) lifelinectl escapes control characters from a reply, and (as root)
#      refuses a socket served by another user;
#  (5) idle control clients never delay lifelinectl status beyond the
#      per-client request deadline.
# Every case that runs lifeline checks that it answers status, that a file()
# source's lines reach the collector and that SIGTERM ends it.
set -euo pipefail
here=$(dirname "$0")
itest="$TL_SOURCE_ROOT/tests/integration"
source "$itest/lib.sh"
source "$itest/lifeline.sh"
tl_init

: "${TL_LIFELINECTL:?set by tests/integration/meson.build}"
# CONTROL_REQUEST_TIMEOUT_MS in host/control-server.h, in seconds.
REQUEST_TIMEOUT=2
bound=$(awk -v t="$REQUEST_TIMEOUT" -v f="$TL_SLOWDOWN" 'BEGIN { printf "%g", (t + 3) * f }')

tl_start_collector c 127.0.0.1 --quiet
seq 1 100 | sed 's/^/line /' >"$TL_DIR/input.log"
ll_config main <<CONF
@version: 4.0
source s_file { file("$TL_DIR/input.log" follow-freq(0.05)); };
destination d_net { network("127.0.0.1" port(${TL_PORT_c})); };
log { source(s_file); destination(d_net); };
CONF

# Waits for FILE to hold something; fails if lifeline NAME exits first.
wait_file() { # NAME FILE
  local pidvar deadline
  pidvar="TL_PID_$(_tl_var "$1")"
  deadline=$(($(_tl_now_us) + $(_tl_us 10)))
  until [[ -s $2 ]]; do
    _tl_alive "${!pidvar}" || tl_fail "$1 exited before writing $2: $(cat "$TL_DIR/$1.err")"
    (($(_tl_now_us) < deadline)) || tl_fail "$1 did not write $2 within 10 s x $TL_SLOWDOWN"
    sleep 0.02
  done
}

# Status answers, lines arrive, SIGTERM ends it (exit 0).
check_alive_and_stop() { # NAME CTL_PATH LINES
  "$TL_LIFELINECTL" -c "$2" -t "$bound" status >"$TL_DIR/$1.status" 2>&1 ||
    tl_fail "$1: lifelinectl status: $(cat "$TL_DIR/$1.status")"
  tl_wait_stat c lines "$3"
  tl_stop "$1"
  ((TL_RC == 0)) || tl_fail "$1 exited $TL_RC after SIGTERM: $(cat "$TL_DIR/$1.err")"
}

# Runs lifeline NAME with ARGS, which must refuse to start: sets TL_RC.
# Bounded: a lifeline that starts anyway is caught by tl_wait_exit.
expect_refused() { # NAME ARGS...
  local name=$1
  shift
  ll_run "$name" main "$@"
  local pidvar
  pidvar="TL_PID_$(_tl_var "$name")"
  tl_wait_exit "${!pidvar}" 10 "$TL_DIR/$name.err"
}

# ADV_CASES (default: all) runs only the listed cases, e.g. "2 5".
case_on() {
  [[ " ${ADV_CASES:-1 2 3 4 5} " == *" $1 "* ]]
}

lines=0
# Lines the next lifeline must have delivered: all so far plus the file's 100.
next_lines() {
  lines=$(($(tl_stat c lines) + 100))
}

if case_on 1; then
# --- (1) planted symlinks ---------------------------------------------------
echo "victim: must stay whole" >"$TL_DIR/victim"
cp "$TL_DIR/victim" "$TL_DIR/victim.orig"
ln -s "$TL_DIR/victim" "$TL_DIR/state.persist.tmp"
next_lines
ll_run p1 main --persist-file "$TL_DIR/state.persist" --control "$TL_DIR/p1.ctl" \
  --ready-file "$TL_DIR/p1.ready"
wait_file p1 "$TL_DIR/p1.ready"
tl_wait_stat c lines $lines
# The position of the delivered lines is written within 200 ms of their
# acknowledgement; SIGTERM flushes it in any case.
check_alive_and_stop p1 "$TL_DIR/p1.ctl" $lines
cmp -s "$TL_DIR/victim" "$TL_DIR/victim.orig" ||
  tl_fail "the persist file's PATH.tmp symlink was followed: victim now '$(cat "$TL_DIR/victim")'"
[[ -f $TL_DIR/state.persist && ! -L $TL_DIR/state.persist ]] || tl_fail "no persist file written"
grep -q '^offset=' "$TL_DIR/state.persist" || tl_fail "persist file without an offset: $(cat "$TL_DIR/state.persist")"
[[ ! -e $TL_DIR/state.persist.tmp ]] || tl_fail "state.persist.tmp left behind"
tl_pass "a symlink at the persist file's PATH.tmp is removed, not followed; the victim is untouched"

ln -s "$TL_DIR/victim" "$TL_DIR/p2.pid"
expect_refused p2 --pidfile "$TL_DIR/p2.pid"
rc=$TL_RC
((rc == 1)) || tl_fail "pid file symlink: exit $rc, want 1: $(cat "$TL_DIR/p2.err")"
grep -q "$TL_DIR/p2.pid is a symbolic link; not following it" "$TL_DIR/p2.err" ||
  tl_fail "pid file symlink: $(cat "$TL_DIR/p2.err")"
cmp -s "$TL_DIR/victim" "$TL_DIR/victim.orig" || tl_fail "the pid file symlink was followed"
[[ -L $TL_DIR/p2.pid ]] || tl_fail "the refused lifeline removed the symlink at the pid file"
tl_pass "a symlink at the pid file: refused with a clear error, victim untouched"

ln -s "$TL_DIR/victim" "$TL_DIR/p3.ready.tmp"
next_lines
ll_run p3 main --ready-file "$TL_DIR/p3.ready" --control "$TL_DIR/p3.ctl"
wait_file p3 "$TL_DIR/p3.ready"
[[ $(<"$TL_DIR/p3.ready") == "$TL_PID_p3" ]] || tl_fail "ready file holds '$(<"$TL_DIR/p3.ready")'"
check_alive_and_stop p3 "$TL_DIR/p3.ctl" $lines
cmp -s "$TL_DIR/victim" "$TL_DIR/victim.orig" || tl_fail "the ready file's temporary symlink was followed"
tl_pass "a symlink at the ready file's PATH.tmp: not followed"
fi

if case_on 2; then
# --- (2) the pid file's lock --------------------------------------------------
echo 1 >"$TL_DIR/svc.pid" # stale, but names a live process
next_lines
ll_run p4 main --pidfile "$TL_DIR/svc.pid" --ready-file "$TL_DIR/p4.ready" --control "$TL_DIR/p4.ctl"
wait_file p4 "$TL_DIR/p4.ready"
[[ $(<"$TL_DIR/svc.pid") == "$TL_PID_p4" ]] || tl_fail "pid file holds '$(<"$TL_DIR/svc.pid")', want $TL_PID_p4"
tl_pass "a stale pid file naming pid 1 does not stop lifeline"
expect_refused p5 --pidfile "$TL_DIR/svc.pid"
rc=$TL_RC
((rc == 1)) || tl_fail "second lifeline on a locked pid file exited $rc, want 1"
grep -q "pid file $TL_DIR/svc.pid is locked by a running process (pid $TL_PID_p4)" "$TL_DIR/p5.err" ||
  tl_fail "second lifeline: $(cat "$TL_DIR/p5.err")"
[[ $(<"$TL_DIR/svc.pid") == "$TL_PID_p4" ]] || tl_fail "the refused lifeline changed the pid file"
tl_pass "a second lifeline is refused by the lock, naming its holder"
check_alive_and_stop p4 "$TL_DIR/p4.ctl" $lines
[[ ! -e $TL_DIR/svc.pid ]] || tl_fail "pid file left after exit"
fi

# As root, some cases run a command as another user (nobody): one that user
# can run (python3 may be a shim under root's home).
as_other() {
  setpriv --reuid "$(id -u nobody)" --regid "$(id -g nobody)" --clear-groups "$@"
}
other_ok=0
if ((EUID == 0)) && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1 &&
  as_other /usr/bin/python3 -c '' 2>/dev/null; then
  other_ok=1
  # nobody must reach the directories below.
  chmod 0711 "$TL_DIR"
fi

if case_on 3; then
# --- (3) the control socket's directory ----------------------------------------
mkdir -m 0777 "$TL_DIR/ww"
chmod 0777 "$TL_DIR/ww" # whatever the umask
expect_refused p6 --control "$TL_DIR/ww/ctl"
rc=$TL_RC
((rc == 1)) || tl_fail "control socket in a world-writable directory: exit $rc, want 1: $(cat "$TL_DIR/p6.err")"
grep -q "not creating control socket $TL_DIR/ww/ctl: its directory $TL_DIR/ww is writable by other users and not sticky" \
  "$TL_DIR/p6.err" || tl_fail "world-writable directory: $(cat "$TL_DIR/p6.err")"
[[ ! -e $TL_DIR/ww/ctl ]] || tl_fail "a socket was left in the world-writable directory"
tl_pass "a control socket in a world-writable, non-sticky directory is refused"

mkdir "$TL_DIR/sticky"
chmod 1777 "$TL_DIR/sticky"
next_lines
ll_run p7 main --control "$TL_DIR/sticky/ctl" --ready-file "$TL_DIR/p7.ready"
wait_file p7 "$TL_DIR/p7.ready"
[[ $(stat -c %a "$TL_DIR/sticky/ctl") == 600 ]] || tl_fail "socket mode $(stat -c %a "$TL_DIR/sticky/ctl")"
check_alive_and_stop p7 "$TL_DIR/sticky/ctl" $lines
[[ ! -e $TL_DIR/sticky/ctl ]] || tl_fail "socket left in the sticky directory after exit"
tl_pass "a sticky world-writable directory is accepted (socket mode 600)"

if ((other_ok)); then
  # Another user's stale socket in the sticky directory (nobody listens).
  as_other /usr/bin/python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$TL_DIR/sticky/ctl"
  expect_refused p8 --control "$TL_DIR/sticky/ctl"
  rc=$TL_RC
  ((rc == 1)) || tl_fail "another user's socket in a sticky directory: exit $rc, want 1: $(cat "$TL_DIR/p8.err")"
  grep -q "control socket path $TL_DIR/sticky/ctl belongs to uid $(id -u nobody) in a directory others can write to; not replacing it" \
    "$TL_DIR/p8.err" || tl_fail "another user's socket: $(cat "$TL_DIR/p8.err")"
  [[ $(stat -c %u "$TL_DIR/sticky/ctl") == "$(id -u nobody)" ]] || tl_fail "another user's socket was replaced"
  rm -f "$TL_DIR/sticky/ctl"
  tl_pass "in a sticky directory another user's socket is not replaced"
else
  echo "SKIP: not root (or no setpriv/nobody/python3), another user's socket in a sticky directory not tested"
fi

fi

if case_on 4; then
# --- (4) lifelinectl and an impostor ------------------------------------------------
# A listener at PATH that answers every connection with a reply full of
# terminal escapes, until STOP exists (bounded: 60 s x slowdown); READY once
# it listens.  OTHER=1: as another user (root only).
impostor() { # NAME PATH READY STOP OTHER
  local run=(python3)
  ((${5:-0} == 1)) && run=(as_other /usr/bin/python3)
  "${run[@]}" - "$2" "$3" "$4" "$(_tl_us 60)" <<'PY' >"$TL_DIR/$1.out" 2>"$TL_DIR/$1.err" &
import os, socket, sys, time
path, ready, stop, limit_us = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
reply = b"OK\n\x1b]0;owned\x07\x1b[2J\x1b[31mred\r\n\x9b31m \xc2\x9b tab\there caf\xc3\xa9\n"
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(4)
s.settimeout(0.05)
deadline = time.monotonic() + limit_us / 1e6
got = 0
with open(ready, "w") as f:
    f.write("1")
while not os.path.exists(stop) and time.monotonic() < deadline:
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    c.settimeout(0.5)
    try:
        got += len(c.recv(4096))
        c.sendall(reply)
    except OSError:
        pass
    c.close()
    print("request bytes", got, flush=True)
os.unlink(path)
PY
  TL_PIDS+=("$!")
  printf -v "TL_PID_$(_tl_var "$1")" '%s' "$!"
  local deadline=$(($(_tl_now_us) + $(_tl_us 10)))
  until [[ -s $3 ]]; do
    (($(_tl_now_us) < deadline)) || tl_fail "impostor $1 not listening: $(cat "$TL_DIR/$1.err")"
    sleep 0.02
  done
}

impostor imp1 "$TL_DIR/imp1.ctl" "$TL_DIR/imp1.ready" "$TL_DIR/imp1.stop" 0
rc=0
"$TL_LIFELINECTL" -c "$TL_DIR/imp1.ctl" -t "$bound" status >"$TL_DIR/imp1.stdout" 2>"$TL_DIR/imp1.stderr" || rc=$?
touch "$TL_DIR/imp1.stop"
((rc == 0)) || tl_fail "lifelinectl against a same-user server: exit $rc: $(cat "$TL_DIR/imp1.stderr")"
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$TL_DIR/imp1.stdout" ||
  LC_ALL=C grep -q $'\x9b' "$TL_DIR/imp1.stdout"; then
  tl_fail "lifelinectl printed control characters raw: $(od -c "$TL_DIR/imp1.stdout" | head -n 5)"
fi
want='\x1b]0;owned\x07\x1b[2J\x1b[31mred\x0d'
[[ $(head -n 1 "$TL_DIR/imp1.stdout") == "$want" ]] ||
  tl_fail "escaped reply: got '$(head -n 1 "$TL_DIR/imp1.stdout")', want '$want'"
want=$'\\x9b31m \\xc2\\x9b tab\there caf\xc3\xa9'
[[ $(sed -n 2p "$TL_DIR/imp1.stdout") == "$want" ]] ||
  tl_fail "escaped reply, line 2: got '$(sed -n 2p "$TL_DIR/imp1.stdout")', want '$want'"
tl_pass "lifelinectl escapes control characters (C0, DEL, C1, stray bytes) in a reply; keeps tabs and UTF-8"

if ((other_ok)); then
  # Another user's socket where anyone may create one (a sticky /tmp).
  mkdir "$TL_DIR/imp"
  chmod 1777 "$TL_DIR/imp"
  impostor imp2 "$TL_DIR/imp/ctl" "$TL_DIR/imp/ready" "$TL_DIR/imp/stop" 1
  rc=0
  "$TL_LIFELINECTL" -c "$TL_DIR/imp/ctl" -t "$bound" status >"$TL_DIR/imp2.stdout" 2>"$TL_DIR/imp2.stderr" ||
    rc=$?
  as_other touch "$TL_DIR/imp/stop"
  tl_wait_exit "$TL_PID_imp2" 10
  ((rc == 2)) || tl_fail "lifelinectl against another user's server: exit $rc, want 2: $(cat "$TL_DIR/imp2.stderr")"
  grep -q "$TL_DIR/imp/ctl is served by uid $(id -u nobody) (pid [0-9]*), neither root nor you (uid 0); not talking to it" \
    "$TL_DIR/imp2.stderr" || tl_fail "impostor: stderr '$(cat "$TL_DIR/imp2.stderr")'"
  [[ ! -s $TL_DIR/imp2.stdout ]] || tl_fail "impostor's reply printed: $(cat "$TL_DIR/imp2.stdout")"
  grep -q '^request bytes 0$' "$TL_DIR/imp2.out" || tl_fail "the impostor received a request: $(cat "$TL_DIR/imp2.out")"
  tl_pass "lifelinectl refuses a socket served by another user, before sending anything"

  # A service user's own socket in its own directory (lifeline run as that
  # user, asked by root): trusted.
  mkdir -m 0755 "$TL_DIR/svcdir"
  chown nobody "$TL_DIR/svcdir"
  impostor imp3 "$TL_DIR/svcdir/ctl" "$TL_DIR/svcdir/ready" "$TL_DIR/svcdir/stop" 1
  rc=0
  "$TL_LIFELINECTL" -c "$TL_DIR/svcdir/ctl" -t "$bound" status >"$TL_DIR/imp3.stdout" 2>"$TL_DIR/imp3.stderr" ||
    rc=$?
  as_other touch "$TL_DIR/svcdir/stop"
  tl_wait_exit "$TL_PID_imp3" 10
  ((rc == 0)) || tl_fail "lifelinectl against a service user's own socket: exit $rc: $(cat "$TL_DIR/imp3.stderr")"
  tl_pass "lifelinectl accepts a service user's socket in that user's own directory"
else
  echo "SKIP: not root (or no setpriv/nobody/python3), an impostor of another uid not tested"
fi

fi

if case_on 5; then
# --- (5) idle control clients ---------------------------------------------------------
next_lines
ll_run p9 main --control "$TL_DIR/p9.ctl" --ready-file "$TL_DIR/p9.ready"
wait_file p9 "$TL_DIR/p9.ready"
# 40 clients that connect and send nothing (more than the 32 slots); held
# until STOP exists (bounded).
python3 - "$TL_DIR/p9.ctl" "$TL_DIR/idle.ready" "$TL_DIR/idle.stop" "$(_tl_us 60)" <<'PY' >"$TL_DIR/idle.out" 2>&1 &
import os, socket, sys, time
path, ready, stop, limit_us = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
conns = []
for _ in range(40):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.setblocking(False)
    try:
        s.connect(path)
    except BlockingIOError:
        pass  # in the backlog: idle all the same
    conns.append(s)
with open(ready, "w") as f:
    f.write("1")
deadline = time.monotonic() + limit_us / 1e6
while not os.path.exists(stop) and time.monotonic() < deadline:
    time.sleep(0.02)
PY
TL_PIDS+=("$!")
idle_pid=$!
deadline=$(($(_tl_now_us) + $(_tl_us 10)))
until [[ -s $TL_DIR/idle.ready ]]; do
  (($(_tl_now_us) < deadline)) || tl_fail "idle clients not connected: $(cat "$TL_DIR/idle.out")"
  sleep 0.02
done
start=$(_tl_now_us)
rc=0
"$TL_LIFELINECTL" -c "$TL_DIR/p9.ctl" -t "$bound" status >"$TL_DIR/p9.status" 2>&1 || rc=$?
took=$(($(_tl_now_us) - start))
touch "$TL_DIR/idle.stop"
tl_wait_exit "$idle_pid" 10
((rc == 0)) || tl_fail "lifelinectl status with 40 idle clients: exit $rc after ${took} us: $(cat "$TL_DIR/p9.status")"
grep -qx 'destination d_net' "$TL_DIR/p9.status" || tl_fail "status with idle clients: $(cat "$TL_DIR/p9.status")"
tl_pass "status answered in ${took} us with 40 idle control clients (bound ${bound} s)"

# An idle client is disconnected after the request deadline.
python3 - "$TL_DIR/p9.ctl" "$bound" <<'PY' >"$TL_DIR/idle1.out" 2>&1 || tl_fail "idle client: $(cat "$TL_DIR/idle1.out")"
import socket, sys, time
path, bound = sys.argv[1], float(sys.argv[2])
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
s.settimeout(bound)
start = time.monotonic()
data = s.recv(100)
took = time.monotonic() - start
assert data == b"", data
print("closed after %.2f s" % took)
PY
tl_pass "an idle control client: $(cat "$TL_DIR/idle1.out")"
check_alive_and_stop p9 "$TL_DIR/p9.ctl" $lines
fi

if grep -l -e 'Sanitizer' -e 'runtime error:' "$TL_DIR"/*.err; then
  tl_fail "sanitizer reports above"
fi
tl_pass "no sanitizer reports"
