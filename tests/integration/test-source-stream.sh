#!/usr/bin/env bash
# The tcp() and unix-stream() sources end to end: three generator clients at
# once (every line arrives, each client's order kept), a client that
# disconnects mid-line (its last line is forwarded), an overlong line (cut at
# log-msg-size() and counted), max-connections() (one more connection waits
# in the backlog, logged once, and its line arrives once a held client
# leaves), and a unix-stream() socket that replaces a stale socket file and is
# removed at stop.
set -euo pipefail
here=$(dirname "$0")
source "$here/lib.sh"
source "$here/lifeline.sh"
tl_init

# A free port: a collector binds port 0, and we take its port after it stops.
tl_start_collector portprobe 127.0.0.1 --quiet
port=$TL_PORT_portprobe
tl_stop portprobe

sock=$TL_DIR/in.sock
# client.py: small socket clients; each exits 0 on success.
cat >"$TL_DIR/client.py" <<'PY'
import os, socket, sys, time
mode = sys.argv[1]
def tcp():
    s = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
    return s
if mode == "stale":            # leave a socket file nobody listens on
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(sys.argv[2])
    s.close()
elif mode == "send":           # send stdin's bytes, then close (no shutdown dance)
    s = tcp()
    s.sendall(sys.stdin.buffer.read())
    s.close()
elif mode == "unix":
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[2])
    s.sendall(sys.stdin.buffer.read())
    s.close()
elif mode == "overflow":       # hold MAX connections; one more sends a line and waits in the backlog
    port, n, flags = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    held = [tcp() for _ in range(n)]
    extra = tcp()
    extra.sendall(b"0000300005 extra\n")
    extra.close()
    open(flags + ".connected", "w").close()
    for name, close in ((".release", held[:1]), (".done", held[1:])):
        deadline = time.monotonic() + 60
        while not os.path.exists(flags + name):
            if time.monotonic() > deadline:
                sys.exit("no " + name + " flag within 60 s")
            time.sleep(0.02)
        for s in close:
            s.close()
PY
python3 "$TL_DIR/client.py" stale "$sock"
[[ -S $sock ]] || tl_fail "could not create a stale socket"

tl_start_collector c 127.0.0.1 --quiet
ll_config s <<CONF
@version: 4.0
source s_tcp { tcp(ip("127.0.0.1") port($port) max-connections(3) log-msg-size(1k)); };
source s_unix { unix-stream("$sock"); };
destination d_net { network("127.0.0.1" port($TL_PORT_c)); };
log { source(s_tcp); source(s_unix); destination(d_net); };
CONF
ll_run ll s
ll_wait_log ll "Listening" 2

# Three clients at once, sequence ranges 1.., 100001.., 200001...
per=20000
for i in 0 1 2; do
  tl_spawn "gen$i" "$TL_GENERATOR" --count $per --start $((i * 100000 + 1)) --size 200 --connect "127.0.0.1:$port"
done
for i in 0 1 2; do
  pidvar="TL_PID_gen$i"
  tl_wait_exit "${!pidvar}" 10 "$TL_DIR/c.stats"
  ((TL_RC == 0)) || tl_fail "generator $i exited $TL_RC"
done
tl_wait_stat c lines $((3 * per))
awk '{ s = $1 + 0; c = int((s - 1) / 100000); if (s <= last[c]) { print "client " c ": " s " after " last[c]; bad = 1; exit 1 } last[c] = s; n[c]++ }
     END { if (!bad && (n[0] != '$per' || n[1] != '$per' || n[2] != '$per')) { print "per-client counts " n[0] " " n[1] " " n[2]; exit 1 } }' \
  "$TL_DIR/c.out.log" || tl_fail "per-client order or counts wrong"
tl_pass "3 clients at once: $((3 * per)) lines, each client's order kept"

# A client that disconnects mid-line: its last line is forwarded.
printf '0000300001 first\n0000300002 cut-off-without-newline' | python3 "$TL_DIR/client.py" send "$port"
tl_wait_stat c lines $((3 * per + 2))
grep -qx '0000300002 cut-off-without-newline' "$TL_DIR/c.out.log" || tl_fail "the partial line was not forwarded"
tl_pass "a partial line at disconnect is forwarded"

# An overlong line: cut at log-msg-size(1k) and counted; its neighbour intact.
{ printf '0000300003 %05000d\n' 0; echo "0000300004 after"; } | python3 "$TL_DIR/client.py" send "$port"
tl_wait_stat c lines $((3 * per + 4))
long=$(grep '^0000300003 ' "$TL_DIR/c.out.log")
((${#long} == 1024)) || tl_fail "overlong line is ${#long} bytes, want 1024"
grep -qx '0000300004 after' "$TL_DIR/c.out.log" || tl_fail "the line after the overlong one changed"
tl_pass "an overlong line is cut at 1024 bytes"

# max-connections(3): a fourth connection is not accepted but waits in the
# backlog (logged once); once one held client leaves, its line arrives.
tl_spawn over python3 "$TL_DIR/client.py" overflow "$port" 3 "$TL_DIR/over"
ll_wait_log ll "max-connections() reached; new connections wait in the backlog" 1
deadline=$(($(_tl_now_us) + $(_tl_us 10)))
until [[ -e $TL_DIR/over.connected ]] || (($(_tl_now_us) > deadline)); do sleep 0.02; done
[[ -e $TL_DIR/over.connected ]] || tl_fail "overflow client did not connect"
[[ $(tl_stat c lines) == $((3 * per + 4)) ]] || tl_fail "a line arrived from beyond max-connections()"
: >"$TL_DIR/over.release"
tl_wait_stat c lines $((3 * per + 5))
grep -qx '0000300005 extra' "$TL_DIR/c.out.log" || tl_fail "the waiting client's line did not arrive"
ll_wait_log ll "Below max-connections() again; accepting connections" 1
: >"$TL_DIR/over.done"
tl_wait_exit "$TL_PID_over" 10
((TL_RC == 0)) || tl_fail "overflow client exited $TL_RC: $(cat "$TL_DIR/over.err")"
[[ $(grep -c "max-connections() reached" "$TL_DIR/ll.err") == 1 ]] || tl_fail "the limit was not logged once"
tl_pass "a connection beyond max-connections() waits in the backlog; its line arrives once a client leaves"

# unix-stream(): replaced the stale socket; 1000 lines.
[[ -S $sock ]] || tl_fail "unix-stream() socket missing"
awk 'BEGIN { for (i = 400001; i <= 401000; i++) printf "%010d unix\n", i }' | python3 "$TL_DIR/client.py" unix "$sock"
tl_wait_stat c lines $((3 * per + 1005))
tl_pass "unix-stream(): 1000 lines through a socket that replaced a stale one"

tl_stop ll
((TL_RC == 0)) || tl_fail "lifeline exited $TL_RC after SIGTERM"
[[ ! -e $sock ]] || tl_fail "unix-stream() socket left behind at stop"
tl_stop c
[[ $(tl_stat c duplicates) == 0 ]] || tl_fail "collector duplicates=$(tl_stat c duplicates)"
src_total() { sed -n "s/.* notice: Source totals; source=$1 .*\b$2=\([0-9]*\).*/\1/p" "$TL_DIR/ll.err"; }
[[ $(src_total s_tcp read) == $((3 * per + 5)) && $(src_total s_tcp forwarded) == $((3 * per + 5)) ]] ||
  tl_fail "s_tcp totals: $(grep 'source=s_tcp' "$TL_DIR/ll.err")"
[[ $(src_total s_tcp truncated) == 1 && $(src_total s_tcp dropped) == 0 ]] ||
  tl_fail "s_tcp totals: $(grep 'source=s_tcp' "$TL_DIR/ll.err")"
[[ $(src_total s_unix forwarded) == 1000 && $(src_total s_unix truncated) == 0 ]] ||
  tl_fail "s_unix totals: $(grep 'source=s_unix' "$TL_DIR/ll.err")"
tl_pass "exit summary: read, forwarded, truncated and dropped per source"

# Flow control: with the destination's server down and a tiny queue, the
# source stops reading from all three clients; once a collector listens,
# every line arrives.
tl_start_collector portprobe2 127.0.0.1 --quiet
dport=$TL_PORT_portprobe2
tl_stop portprobe2
ll_config fc <<CONF
@version: 4.0
options { log-msg-size(256); };
source s_tcp { tcp(ip("127.0.0.1") port($port)); };
destination d { network("127.0.0.1" port($dport) queue-max-bytes(4k) log-msg-size(256) time-reopen(0.2)); };
log { source(s_tcp); destination(d); };
CONF
ll_run llfc fc
ll_wait_log llfc "Listening" 1
for i in 0 1 2; do
  tl_spawn "fcgen$i" "$TL_GENERATOR" --count $per --start $((i * 100000 + 1)) --size 100 --connect "127.0.0.1:$port"
done
ll_wait_reading_stops "$TL_PID_llfc"
tl_spawn c2 "$TL_COLLECTOR" --listen 127.0.0.1 --port "$dport" --ready-file "$TL_DIR/c2.ready" \
  --stats-file "$TL_DIR/c2.stats" --output "$TL_DIR/c2.out.log" --quiet
tl_wait_stat c2 lines $((3 * per))
tl_stop llfc
((TL_RC == 0)) || tl_fail "lifeline (flow control) exited $TL_RC"
tl_stop c2
[[ $(tl_stat c2 distinct) == $((3 * per)) && $(tl_stat c2 duplicates) == 0 ]] || tl_fail "c2: $(cat "$TL_DIR/c2.stats")"
tl_pass "a full destination pauses every client; all $((3 * per)) lines arrive once it has room"
