#!/usr/bin/env bash
# shellcheck disable=SC2154  # TL_PORT_<name>, TL_PID_<name> are set by lib.sh (printf -v)
# The control socket when lifeline runs out of file descriptors.  Idle
# control clients hold connections (accepted ones, then more waiting in the
# backlog, and they keep connecting) while RLIMIT_NOFILE of the running
# lifeline (set with prlimit) is lowered to the fds it held before they
# came, so accept() fails with EMFILE and no new fd can be had.  The control
# listener must give up its spare fd and pause, retrying every second: the
# retry timer needs an fd when ivykis creates its timer fd, and ivykis
# aborts the process when it cannot.  Asserted: lifeline does not abort,
# logs the pause once, does not spin, keeps forwarding a file() source's
# lines, closes the idle clients at their deadline meanwhile; once fds are
# free again it logs that it accepts again (failed attempts bounded by the
# retry second), `lifelinectl status` answers and SIGTERM ends it.
set -euo pipefail
itest="$TL_SOURCE_ROOT/tests/integration"
source "$itest/lib.sh"
source "$itest/lifeline.sh"
tl_init

: "${TL_LIFELINECTL:?set by tests/integration/meson.build}"
secs() { awk -v s="$1" -v f="$TL_SLOWDOWN" 'BEGIN { printf "%g", s * f }'; }
wait_file() { # PATH: appears within 10 s x TL_SLOWDOWN
  local deadline
  deadline=$(($(_tl_now_us) + $(_tl_us 10)))
  until [[ -e $1 ]]; do
    _tl_alive "$TL_PID_main" || tl_fail "lifeline exited: $(tail -n 3 "$TL_DIR/main.err")"
    (($(_tl_now_us) < deadline)) || tl_fail "$1 did not appear within 10 s x $TL_SLOWDOWN"
    sleep 0.02
  done
}
# PATTERN: logged within 10 s x TL_SLOWDOWN (ll_wait_log would wait on
# while a repeated line keeps the log growing).
wait_log() {
  local deadline
  deadline=$(($(_tl_now_us) + $(_tl_us 10)))
  until grep -q -- "$1" "$TL_DIR/main.err"; do
    _tl_alive "$TL_PID_main" || tl_fail "lifeline exited before logging '$1': $(tail -n 3 "$TL_DIR/main.err")"
    (($(_tl_now_us) < deadline)) || tl_fail "'$1' not logged within 10 s x $TL_SLOWDOWN: $(tail -n 3 "$TL_DIR/main.err")"
    sleep 0.02
  done
}
sent=0
more_lines() { # N: appended to the file() source; all must reach c
  seq $((sent + 1)) $((sent + $1)) | sed 's/^/line /' >>"$TL_DIR/input.log"
  sent=$((sent + $1))
  tl_wait_stat c lines "$sent"
}
status() {
  "$TL_LIFELINECTL" -c "$ctl" -t "$(secs 5)" status >"$TL_DIR/status.out" 2>&1 ||
    tl_fail "lifelinectl status: $(cat "$TL_DIR/status.out")"
}

# Idle control clients: FIRST connections, then FLAGS.first; at FLAGS.more
# it keeps up to N open, connecting again (non-blocking, every 20 ms) when
# lifeline closes one or the backlog refuses one, until FLAGS.release.
# Every wait is bounded (120 s).
cat >"$TL_DIR/holder.py" <<'PY'
import os, socket, sys, time
path, first, n, flags = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
deadline = time.monotonic() + 120
held, attempts, refused, closed = [], 0, 0, 0
def connect():
    global attempts, refused
    attempts += 1
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.setblocking(False)
    try:
        s.connect(path)
        held.append(s)
    except (BlockingIOError, ConnectionRefusedError):
        refused += 1  # the backlog is full
        s.close()
def reap():
    global closed
    for s in held[:]:
        try:
            if s.recv(1) == b"":
                closed += 1
                held.remove(s)
                s.close()
        except BlockingIOError:
            pass
        except ConnectionError:
            closed += 1
            held.remove(s)
            s.close()
while len(held) < first and time.monotonic() < deadline:
    connect()
open(flags + ".first", "w").close()
while not os.path.exists(flags + ".more") and time.monotonic() < deadline:
    time.sleep(0.02)
while not os.path.exists(flags + ".release") and time.monotonic() < deadline:
    reap()
    if len(held) < n:
        connect()
    time.sleep(0.02)
print("attempts=%d refused=%d closed_by_lifeline=%d" % (attempts, refused, closed))
for s in held:
    s.close()
sys.exit(0 if time.monotonic() < deadline else "no release within 120 s")
PY

tl_start_collector c 127.0.0.1 --quiet
: >"$TL_DIR/input.log"
ll_config main <<CONF
@version: 4.0
source s_file { file("$TL_DIR/input.log" follow-freq(0.05)); };
destination d_net { network("127.0.0.1" port(${TL_PORT_c})); };
log { source(s_file); destination(d_net); };
CONF
ctl=$TL_DIR/main.ctl
ll_run main main -c "$ctl" --ready-file "$TL_DIR/main.ready" -v
wait_file "$TL_DIR/main.ready"
more_lines 10
status
pid=$TL_PID_main

# New fds take the lowest free numbers: a soft limit at the lowest one free
# now leaves lifeline no new fd (fds inherited at higher numbers stay usable).
base=0
while [[ -e /proc/$pid/fd/$base ]]; do base=$((base + 1)); done
soft=$(awk '/^Max open files/ { print $4 }' "/proc/$pid/limits")
held_before=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 | wc -l)
first=4
tl_spawn holder python3 "$TL_DIR/holder.py" "$ctl" "$first" 24 "$TL_DIR/holder"
wait_file "$TL_DIR/holder.first"
# Until lifeline accepted them (each holds one fd more).
deadline=$(($(_tl_now_us) + $(_tl_us 10)))
until (($(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 | wc -l) >= held_before + first)); do
  (($(_tl_now_us) < deadline)) || tl_fail "lifeline did not accept $first control clients"
  sleep 0.02
done
prlimit --pid "$pid" --nofile="$base:" || tl_fail "prlimit failed"
: >"$TL_DIR/holder.more"
wait_log "Cannot accept control connections; pausing and retrying every second"
tl_pass "out of fds: the control listener paused (limit $base fds, $first clients held, more connecting)"

# A window longer than the clients' request deadline (2 s): they are closed
# meanwhile, which frees no fd lifeline may use (they sit above the limit).
hz=$(getconf CLK_TCK)
window=$(secs 3)
cpu() { local st; st=$(<"/proc/$pid/stat"); st=${st##*) }; awk '{ print $12 + $13 }' <<<"$st"; }
before=$(cpu)
sleep "$window" # a measuring window, not a synchronisation
after=$(cpu)
_tl_alive "$pid" || tl_fail "lifeline died while out of fds: $(tail -n 5 "$TL_DIR/main.err")"
bound=$(awk -v w="$window" -v hz="$hz" 'BEGIN { printf "%d", w * hz / 10 }')
(((after - before) <= bound)) ||
  tl_fail "lifeline used $((after - before)) CPU ticks in ${window}s while out of fds (bound $bound)"
more_lines 10
paused=$(grep -c "Cannot accept control connections" "$TL_DIR/main.err" || true)
((paused == 1)) || tl_fail "the pause was logged $paused times, want once"
! grep -q "Accepting control connections again" "$TL_DIR/main.err" ||
  tl_fail "accepting again while still out of fds: $(grep "again" "$TL_DIR/main.err")"
tl_pass "out of fds for ${window}s: alive, not spinning ($((after - before)) ticks), logged once, lines arrive"

# fds come free: accepting resumes within a retry second, status answers.
prlimit --pid "$pid" --nofile="$soft:" || tl_fail "prlimit failed"
wait_log "Accepting control connections again"
while read -r failed ms; do
  ((failed <= ms / 1000 + 2)) || tl_fail "$failed failed accept() attempts in $ms ms: not paused between retries"
done < <(sed -n 's/.*Accepting control connections again; .*failed_attempts=\([0-9]*\) paused_ms=\([0-9]*\).*/\1 \2/p' \
  "$TL_DIR/main.err")
: >"$TL_DIR/holder.release"
tl_wait_exit "$TL_PID_holder" 10
((TL_RC == 0)) || tl_fail "holder exited $TL_RC: $(cat "$TL_DIR/holder.err")"
status
grep -q "^destination d_net" "$TL_DIR/status.out" || tl_fail "status: $(cat "$TL_DIR/status.out")"
more_lines 10
tl_stop main
((TL_RC == 0)) || tl_fail "lifeline exited $TL_RC after SIGTERM: $(tail -n 5 "$TL_DIR/main.err")"
tl_stop c
tl_pass "fds free again: accepting resumed ($(cat "$TL_DIR/holder.out")), status answers, SIGTERM ends lifeline"
