#!/usr/bin/env bash
# tcp() when lifeline runs out of file descriptors: with RLIMIT_NOFILE a few
# fds above what lifeline holds at start (the `ulimit -n` of a running
# process, set with prlimit) and 40 clients, accept() fails with EMFILE.  The
# listener must be paused and retried every second, not spun on: lifeline's
# CPU time over a 3 s window stays below a tenth of what a spinning loop
# burns (unfixed, it spins, or ivykis aborts when it cannot create its timerfd
# for lack of an fd), and
# the failed accept() attempts it reports when the episode ends are at most
# one per retry second.  The lines of the clients that got in arrive during
# the episode, the other source's lines too, every waiting client's line
# arrives once fds are free, `lifelinectl status` answers, SIGTERM ends it.
set -euo pipefail
here=$(dirname "$0")
source "$here/../../integration/lib.sh"
source "$here/../../integration/lifeline.sh"
source "$here/ss-lib.sh"
tl_init

port=0
# The collector listens before the probe closes: it cannot get that port.
tl_start_collector co 127.0.0.1 --quiet
ss_free_port port
: >"$TL_DIR/other.log"
ll_config a <<CONF
@version: 4.0
source s_tcp { tcp(ip("127.0.0.1") port($port) max-connections(1000)); };
source s_other { file("$TL_DIR/other.log"); };
destination d { network("127.0.0.1" port($TL_PORT_co)); };
log { source(s_tcp); source(s_other); destination(d); };
CONF
ss_start a a -v
ss_other_lines 10
pid=$TL_PID_a

# Room for 8 more fds: new fds take the lowest free numbers (fds inherited
# at higher numbers stay usable and do not count).
free=0
while [[ -e /proc/$pid/fd/$free ]]; do free=$((free + 1)); done
limit=$((free + 8))
prlimit --pid "$pid" --nofile="$limit:" || tl_fail "prlimit failed"

n=40
tl_spawn hold python3 "$SS_CLIENT" hold "$port" "$n" 1 "$TL_DIR/hold"
ll_wait_log a "Too many open files" 1
ss_wait_file "$TL_DIR/hold.connected"
k=$(grep -c "Connection accepted; source=s_tcp" "$TL_DIR/a.err" || true)
((k >= 1 && k < n)) || tl_fail "$k of $n clients accepted under a limit of $limit fds"
# The lines of the clients that got in arrive while the others wait.
tl_wait_stat co lines $((SS_OTHER_SENT + k))
tl_pass "out of fds: $k of $n clients got in and their lines arrived"

# No spinning: a busy loop burns about one CPU second per second; the
# retry timer wakes lifeline once a second for one accept() call.
hz=$(getconf CLK_TCK)
window=$(ss_secs 3)
ss_cpu_ticks "$pid"
before=$SS_TICKS
sleep "$window" # a measuring window, not a synchronisation
ss_cpu_ticks "$pid"
after=$SS_TICKS
spent=$((after - before))
bound=$(awk -v w="$window" -v hz="$hz" 'BEGIN { printf "%d", w * hz / 10 }')
((spent <= bound)) || tl_fail "lifeline used $spent CPU ticks in ${window}s while out of fds (bound $bound, $hz per second)"
tl_pass "out of fds: $spent CPU ticks in ${window}s (bound $bound): the listener is paused, not spun on"
[[ $(grep -c "Cannot accept connections; pausing the listener and retrying every second" "$TL_DIR/a.err") == 1 ]] ||
  tl_fail "the episode was not logged once: $(grep -c "Too many open files" "$TL_DIR/a.err") lines"
ss_other_lines 10

# fds come free: every waiting client gets in and its line arrives.
: >"$TL_DIR/hold.release"
tl_wait_exit "$TL_PID_hold" 10
((TL_RC == 0)) || tl_fail "client exited $TL_RC: $(cat "$TL_DIR/hold.err")"
SS_EXPECT_CO=$n
tl_wait_stat co lines $((SS_OTHER_SENT + n))
ll_wait_log a "Accepting connections again" 1
tl_pass "every client's line arrived once fds came free"

# Each episode: at most one failed accept() per retry second (plus the first).
while read -r failed ms; do
  ((failed <= ms / 1000 + 2)) || tl_fail "$failed failed accept() attempts in $ms ms: not paused between retries"
done < <(sed -n 's/.*Accepting connections again; .*failed_attempts=\([0-9]*\) paused_ms=\([0-9]*\).*/\1 \2/p' "$TL_DIR/a.err")
tl_pass "failed accept() attempts are bounded by the retry timer"

ss_status a
ss_other_lines 10
ss_stop a
tl_stop co
[[ $(tl_stat co duplicates) == 0 ]] || tl_fail "duplicates at co"
tl_pass "status answers, other lines arrive, SIGTERM ends lifeline"
