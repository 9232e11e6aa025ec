#!/usr/bin/env bash
# shellcheck disable=SC2154 # TL_PID_* and TL_PORT_*: set by ll_run and tl_start_collector
# SIGHUP with a hostile configuration never blocks, crashes or replaces the
# running one.  One lifeline runs a tcp() source forwarding to collector C
# with a control socket; the file behind -f becomes in turn:
#   (a) a config with a source in no log path: "Reload failed" with its location;
#   (b) a FIFO (no writer): refused at once, the event loop never blocks;
#   (c) a link to /dev/zero: refused, no unbounded read;
#   (d) a 13-level, 4-wide @include fan-out: refused at the file limit;
#   (e) a valid config whose extra destination is in no log path: reloaded,
#       with a warning; that destination never connects nor shows in status.
# After each one `lifelinectl status` answers and 200 more lines sent through
# the tcp() source arrive; at the end SIGTERM ends lifeline in bounded time,
# exit 0, every line delivered exactly once.
set -euo pipefail
source "$TL_SOURCE_ROOT/tests/integration/lib.sh"
source "$TL_SOURCE_ROOT/tests/integration/lifeline.sh"
tl_init
: "${TL_LIFELINECTL:?set by meson}"

sent=0
# Sends 200 more numbered lines through the tcp() source; all must arrive.
send_more() {
  tl_spawn "gen$sent" "$TL_GENERATOR" --count 200 --start $((sent + 1)) --size 100 --connect "127.0.0.1:$port"
  local pidvar="TL_PID_gen$sent"
  tl_wait_exit "${!pidvar}" 10 "$TL_DIR/C.stats"
  ((TL_RC == 0)) || tl_fail "generator exited $TL_RC"
  sent=$((sent + 200))
  tl_wait_stat C distinct "$sent"
}
ctl_status() {
  timeout -k 2 "$(awk -v f="$TL_SLOWDOWN" 'BEGIN { printf "%d", 10 * f }')" \
    "$TL_LIFELINECTL" -c "$TL_DIR/ctl" status >"$TL_DIR/ctl.out" 2>&1 ||
    tl_fail "lifelinectl status did not answer: $(head -c 300 "$TL_DIR/ctl.out")"
  grep -qx 'destination d' "$TL_DIR/ctl.out" || tl_fail "status: $(head -c 300 "$TL_DIR/ctl.out")"
}
refused=0
# SIGHUP; the reload must fail with WANT in its log line, the old config runs on.
expect_reload_refused() { # WANT
  kill -HUP "$TL_PID_ll"
  refused=$((refused + 1))
  ll_wait_log ll "Reload failed; the running configuration stays" "$refused"
  grep "Reload failed; the running configuration stays" "$TL_DIR/ll.err" | tail -n 1 | grep -qF -- "$1" ||
    tl_fail "reload error without '$1': $(grep 'Reload failed' "$TL_DIR/ll.err" | tail -n 1)"
  grep -q "Configuration reloaded" "$TL_DIR/ll.err" && tl_fail "a refused configuration was loaded"
  ctl_status
  send_more
}

# The collectors listen before the probe closes: neither can get that port.
tl_start_collector C 127.0.0.1 --quiet
tl_start_collector U 127.0.0.1 --quiet
tl_start_collector portprobe 127.0.0.1 --quiet
port=$TL_PORT_portprobe
tl_stop portprobe
conf=$TL_DIR/run.conf
good_config() {
  cat <<CONF
@version: 4.0
options { stop-timeout(5); };
source s { tcp(ip("127.0.0.1") port($port)); };
destination d { network("127.0.0.1" port($TL_PORT_C)); };
log { source(s); destination(d); };
CONF
}
good_config >"$conf"
ll_run ll run -c "$TL_DIR/ctl" --persist-file none
ll_wait_log ll "Listening" 1
send_more

# (a)
printf 'x\n' >"$TL_DIR/input.log"
{ good_config; printf 'source s_x { file("%s"); };\n' "$TL_DIR/input.log"; } >"$conf"
expect_reload_refused "$conf:6:1: source(): source 's_x' is used in no log path; lifeline would read it and drop every line"
tl_pass "(a) a source in no log path: reload refused with its location; still forwarding"

# (b)
rm -f "$conf"
mkfifo "$conf"
expect_reload_refused "it is a FIFO, not a regular file"
tl_pass "(b) -f names a FIFO: reload refused at once; status answers; still forwarding"

# (c)
rm -f "$conf"
ln -s /dev/zero "$conf"
expect_reload_refused "it is a character device, not a regular file"
tl_pass "(c) -f names /dev/zero: reload refused; still forwarding"

# (d)
rm -f "$conf"
mkdir "$TL_DIR/fan"
for ((l = 1; l <= 13; l++)); do
  for i in 1 2 3 4; do
    if ((l < 13)); then
      printf '@include "fan-%d-*.inc"\n' $((l + 1)) >"$TL_DIR/fan/fan-$l-$i.inc"
    else
      printf '# leaf\n' >"$TL_DIR/fan/fan-$l-$i.inc"
    fi
  done
done
{ good_config; printf '@include "fan/fan-1-*.inc"\n'; } >"$conf"
expect_reload_refused "one configuration load reads at most 1000 files"
tl_pass "(d) an @include fan-out: reload refused at the file limit; still forwarding"

# (e)
{ good_config; printf 'destination d_unused { network("127.0.0.1" port(%s)); };\n' "$TL_PORT_U"; } >"$conf"
kill -HUP "$TL_PID_ll"
ll_wait_log ll "Configuration reloaded" 1
grep "warning: Destination is used in no log path; not starting it" "$TL_DIR/ll.err" | grep "d_unused" | grep -qF "$conf:6:1" ||
  tl_fail "no located warning for d_unused: $(grep -i 'no log path' "$TL_DIR/ll.err")"
ctl_status
grep -q 'd_unused' "$TL_DIR/ctl.out" && tl_fail "d_unused is in status: $(cat "$TL_DIR/ctl.out")"
send_more
tl_pass "(e) a destination in no log path: reloaded with a warning; still forwarding"

tl_stop ll
((TL_RC == 0)) || tl_fail "lifeline exited $TL_RC: $(tail -n 5 "$TL_DIR/ll.err")"
(($(tl_stat U connections) == 0)) || tl_fail "d_unused connected: $(cat "$TL_DIR/U.stats")"
tl_stop C
tl_expect C distinct="$sent" duplicates=0
tl_pass "SIGTERM ended lifeline; $sent lines delivered exactly once; d_unused never connected"
