#!/usr/bin/env bash
# shellcheck disable=SC2154  # TL_PORT_<name>, TL_PID_<name> are set by lib.sh (printf -v)
# The control channel: lifeline --control PATH and lifelinectl, against a
# lifeline that is forwarding from a FIFO to a collector.  Status (text and
# JSON), the command path through to the module, errors and exit codes, the
# raw protocol (several clients at once, bounded requests), the socket's
# mode, a second lifeline on the same socket, stale and foreign files at the
# path, and the socket's removal at exit.
set -euo pipefail
here=$(dirname "$0")
source "$here/lib.sh"
source "$here/lifeline.sh"
tl_init

: "${TL_LIFELINECTL:?set by tests/integration/meson.build}"
ctl_path="$TL_DIR/ctl"

# Runs lifelinectl ARGS...; sets CTL_RC, CTL_OUT (stdout), CTL_ERR (stderr).
ctl() {
  CTL_RC=0
  "$TL_LIFELINECTL" "$@" >"$TL_DIR/ctl.stdout" 2>"$TL_DIR/ctl.stderr" || CTL_RC=$?
  CTL_OUT=$(<"$TL_DIR/ctl.stdout")
  CTL_ERR=$(<"$TL_DIR/ctl.stderr")
}

ctl_expect() { # WANT_RC ARGS...
  local want=$1
  shift
  ctl "$@"
  ((CTL_RC == want)) || tl_fail "lifelinectl $* exited $CTL_RC, want $want; stdout: $CTL_OUT; stderr: $CTL_ERR"
}

# Sends raw requests ("\r" and "\n" written as such) on separate connections
# at once (all connected before any is sent, sent in reverse order) and prints
# each reply's first line.
raw() {
  python3 - "$ctl_path" "$@" <<'PY'
import socket, sys
path, requests = sys.argv[1], sys.argv[2:]
conns = []
for _ in requests:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(path)
    conns.append(s)
# An idle client must not hold the others up.
idle = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
idle.connect(path)
for s, r in reversed(list(zip(conns, requests))):
    s.sendall(r.encode().replace(b"\\r", b"\r").replace(b"\\n", b"\n"))
    s.shutdown(socket.SHUT_WR)
for s in conns:
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    print(data.split(b"\n", 1)[0].decode())
    s.close()
idle.close()
PY
}

tl_start_collector c 127.0.0.1 --quiet
ll_config main <<CONF
@version: 4.0
source s_in { stdin(); };
destination d_net { network("127.0.0.1" port(${TL_PORT_c})); };
log { source(s_in); destination(d_net); };
CONF
mkfifo "$TL_DIR/fifo"
# The writer first: opening a FIFO blocks until both ends are open.  A
# modest rate, for as long as the test needs (it is stopped at the end).
tl_spawn gen "$TL_GENERATOR" --count 100000000 --size 200 --rate 2000 --output "$TL_DIR/fifo"
LL_STDIN="$TL_DIR/fifo"
ll_run ll main --control "$ctl_path"
# The socket is listening before lifeline reads its first line.
tl_wait_stat c lines 500

# --- the socket file -------------------------------------------------------
[[ -S $ctl_path ]] || tl_fail "$ctl_path is not a socket"
mode=$(stat -c %a "$ctl_path")
[[ $mode == 600 ]] || tl_fail "control socket mode is $mode, want 600"
tl_pass "socket $ctl_path has mode 600"

# --- status ------------------------------------------------------------------
# delivered follows the module's acknowledgement polling: ask again while the
# collector keeps receiving.
for _ in $(seq 50); do
  ctl_expect 0 -c "$ctl_path" status
  delivered=$(sed -n 's/^  delivered: \([0-9]*\)$/\1/p' <<<"$CTL_OUT")
  ((${delivered:-0} > 0)) && break
  tl_wait_stat c lines $(($(tl_stat c lines) + 200))
done
grep -qx 'destination d_net' <<<"$CTL_OUT" || tl_fail "status does not list d_net: $CTL_OUT"
grep -qx '  driver: network' <<<"$CTL_OUT" || tl_fail "status does not name the driver: $CTL_OUT"
((${delivered:-0} > 0)) || tl_fail "status never showed delivered > 0: $CTL_OUT"
accepted=$(sed -n 's/^  accepted: \([0-9]*\)$/\1/p' <<<"$CTL_OUT")
((accepted >= delivered)) || tl_fail "status: accepted=$accepted < delivered=$delivered"
grep -q '^  network\.state: ' <<<"$CTL_OUT" || tl_fail "status lacks the module's keys: $CTL_OUT"
tl_pass "status: d_net accepted=$accepted delivered=$delivered"

ctl_expect 0 -c "$ctl_path" status --json
python3 -m json.tool <<<"$CTL_OUT" >/dev/null || tl_fail "status --json is not JSON: $CTL_OUT"
python3 -c '
import json, sys
doc = json.load(sys.stdin)
d = doc["destinations"]
assert len(d) == 1 and d[0]["name"] == "d_net", d
assert d[0]["driver_name"] == "network", d
host, driver = d[0]["host"], d[0]["driver"]
for k in ("accepted", "delivered", "dropped", "returned", "rejected", "outstanding"):
    assert isinstance(host[k], int), (k, host)
assert host["delivered"] > 0 and host["accepted"] >= host["delivered"], host
assert isinstance(driver["state"], str), driver
' <<<"$CTL_OUT" || tl_fail "status --json has the wrong shape: $CTL_OUT"
tl_pass "status --json is valid JSON with host counts and the module's keys"

# --- errors ------------------------------------------------------------------
ctl_expect 1 -c "$ctl_path" reset nope
[[ $CTL_ERR == *"no destination named 'nope'; destinations: d_net"* ]] ||
  tl_fail "unknown destination: stderr '$CTL_ERR'"
tl_pass "unknown destination: exit 1, names the destinations"

ctl_expect 2 -c "$TL_DIR/missing.ctl" status
[[ $CTL_ERR == *"$TL_DIR/missing.ctl"*"No such file or directory"* ]] || tl_fail "missing socket: stderr '$CTL_ERR'"
tl_pass "missing socket: exit 2, names the path and the error"

ctl_expect 2 -c "$ctl_path" blacklist d_net
ctl_expect 2 -c "$ctl_path" frobnicate d_net
ctl_expect 2 -c "$ctl_path" status --yaml
ctl_expect 2 -c "$ctl_path" switch d_net ''
ctl_expect 2
tl_pass "usage errors: exit 2 before connecting"

# --- the command path ----------------------------------------------------------
# The failover commands are the module's business (tested with the failover
# engine): here, whatever the module answers must reach the operator
# unchanged, and the host logs the command.
ctl -c "$ctl_path" switch d_net
case $CTL_RC in
  0) answer=$(head -n 1 <<<"$CTL_OUT") ;;
  1) answer=${CTL_ERR#lifelinectl: } ;;
  *) tl_fail "switch d_net exited $CTL_RC; stderr: $CTL_ERR" ;;
esac
ll_wait_log ll 'notice: Control command; destination=d_net command=switch ' 1
logged=$(grep 'notice: Control command; destination=d_net command=switch ' "$TL_DIR/ll.err" | tail -n 1)
[[ $logged == *"reply=\"$answer\""* || $logged == *"reply=$answer" ]] ||
  tl_fail "lifelinectl showed '$answer' but the module replied: $logged"
# Not one of the host's own refusals: the request reached the module.
[[ -n $answer && $answer != usage:* && $answer != "no destination named"* ]] ||
  tl_fail "switch d_net did not reach the module: '$answer'"
tl_pass "switch d_net: exit $CTL_RC, module reply passed through: '$answer'"

# --- the raw protocol ----------------------------------------------------------
long=$(printf 'x%.0s' $(seq 5000))
mapfile -t replies < <(raw 'status\n' 'status --json\r\n' 'blacklist d_net\n' 'frobnicate\n' '\n' \
  "$long\\n" 'reset  nope\n' 'status')
want=('OK' 'OK' 'ERROR usage: blacklist DEST SERVER [SECONDS]'
  'ERROR unknown command '\''frobnicate'\''; commands: status, switch, blacklist, unblacklist, reset'
  'ERROR empty request; commands: status, switch, blacklist, unblacklist, reset'
  'ERROR request longer than 4096 bytes'
  "ERROR no destination named 'nope'; destinations: d_net"
  'OK')
((${#replies[@]} == ${#want[@]})) || tl_fail "raw: ${#replies[@]} replies, want ${#want[@]}: ${replies[*]}"
for i in "${!want[@]}"; do
  [[ ${replies[$i]} == "${want[$i]}" ]] || tl_fail "raw request $i: got '${replies[$i]}', want '${want[$i]}'"
done
tl_pass "raw protocol: ${#want[@]} clients at once (plus an idle one), each answered"

# --- a second lifeline on the same socket -----------------------------------------
LL_STDIN=/dev/null
ll_run ll2 main --control "$ctl_path"
tl_wait_exit "$TL_PID_ll2" 10 "$TL_DIR/ll2.err"
((TL_RC == 1)) || tl_fail "second lifeline on the same socket exited $TL_RC, want 1"
grep -q "another lifeline is running on $ctl_path" "$TL_DIR/ll2.err" ||
  tl_fail "second lifeline: $(cat "$TL_DIR/ll2.err")"
ctl_expect 0 -c "$ctl_path" status
tl_pass "a second lifeline is refused and leaves the first one's socket alone"

# --- stop --------------------------------------------------------------------
kill -TERM "$TL_PID_ll"
tl_wait_exit "$TL_PID_ll" 10 "$TL_DIR/c.stats" "$TL_DIR/ll.err"
# 0, or 1 if a line was cut at the stop: anything else is a crash.
((TL_RC <= 1)) || tl_fail "lifeline exited $TL_RC after SIGTERM"
[[ ! -e $ctl_path ]] || tl_fail "$ctl_path still exists after lifeline stopped"
tl_pass "after SIGTERM the socket file is gone"

# --- stale and foreign files at the path -----------------------------------------
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$ctl_path"
[[ -S $ctl_path ]] || tl_fail "could not leave a stale socket at $ctl_path"
ll_run ll3 main --control "$ctl_path"
tl_wait_exit "$TL_PID_ll3" 10 "$TL_DIR/ll3.err"
((TL_RC == 0)) || tl_fail "lifeline over a stale socket exited $TL_RC: $(cat "$TL_DIR/ll3.err")"
grep -q 'Replaced a stale control socket' "$TL_DIR/ll3.err" || tl_fail "stale socket: $(cat "$TL_DIR/ll3.err")"
[[ ! -e $ctl_path ]] || tl_fail "$ctl_path left behind by the run that replaced the stale socket"
tl_pass "a stale socket (nobody answering) is replaced"

echo "not a socket" >"$ctl_path"
ll_run ll4 main --control "$ctl_path"
tl_wait_exit "$TL_PID_ll4" 10 "$TL_DIR/ll4.err"
((TL_RC == 1)) || tl_fail "lifeline over a regular file exited $TL_RC"
grep -q "$ctl_path exists and is not a socket" "$TL_DIR/ll4.err" || tl_fail "regular file: $(cat "$TL_DIR/ll4.err")"
[[ $(<"$ctl_path") == "not a socket" ]] || tl_fail "lifeline changed the regular file at $ctl_path"
tl_pass "a regular file at the path is refused and left alone"

if grep -l -e 'Sanitizer' -e 'runtime error:' "$TL_DIR"/*.err; then
  tl_fail "sanitizer reports above"
fi
tl_pass "no sanitizer reports"
