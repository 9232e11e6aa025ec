#!/usr/bin/env bash
# SIGHUP reload under load: a generator sends 20,000 lines/s into a tcp()
# source that feeds two destinations.
# (a) d_u unchanged, d_c changed (time-reopen()): the tcp() source and d_u are
#     kept (the generator's connection and U's connection stay up: U's
#     connections counter stays 1), d_c's old instance delivers what it
#     queued before the new one takes anything.  Every line exactly once and
#     in order at U and at C; lifeline exits 0.
# (b) d_c changed to point at collector D while C2 is stopped (SIGSTOP): the
#     old instance cannot deliver within stop-timeout(1) and returns its
#     messages, which go into the new instance, in order, ahead of new ones.
#     Once resumed, C2 reads what its kernel acknowledged: C2 + D hold every
#     line exactly once (a torn last line at C2 is not a line), and D's lines
#     are in order.
set -euo pipefail
here=$(dirname "$0")
source "$here/lib.sh"
source "$here/lifeline.sh"
tl_init

COUNT=100000
RATE=20000

# A free port: a collector binds port 0, and we take its port after it stops.
tl_start_collector portprobe 127.0.0.1 --quiet
# shellcheck disable=SC2154 # TL_PORT_portprobe: set by tl_start_collector
port=$TL_PORT_portprobe
tl_stop portprobe

write_config() { # D_U_PORT D_C_PORT D_C_TIME_REOPEN
  ll_config load <<CONF
@version: 4.0
options { stop-timeout(1); };
source s_tcp { tcp(ip("127.0.0.1") port($port)); };
destination d_u { network("127.0.0.1" port($1)); };
destination d_c { network("127.0.0.1" port($2) time-reopen($3)); };
log { source(s_tcp); destination(d_u); destination(d_c); };
CONF
}

expect_once_in_order() { # NAME LINES
  local key
  for key in duplicates out_of_order torn unsequenced; do
    [[ $(tl_stat "$1" $key) == 0 ]] || tl_fail "$1: $key=$(tl_stat "$1" $key): $(cat "$TL_DIR/$1.stats")"
  done
  [[ $(tl_stat "$1" lines) == "$2" && $(tl_stat "$1" distinct) == "$2" ]] || tl_fail "$1: $(cat "$TL_DIR/$1.stats")"
}

# Starts lifeline and the generator; returns once collector U has LINES lines.
run_until() { # NAME U LINES
  ll_run "$1" load --ready-file "$TL_DIR/$1.ready"
  local pidvar="TL_PID_$1" deadline
  deadline=$(($(_tl_now_us) + $(_tl_us 10)))
  until [[ -s $TL_DIR/$1.ready ]]; do
    _tl_alive "${!pidvar}" || tl_fail "lifeline $1 exited at start: $(cat "$TL_DIR/$1.err")"
    (($(_tl_now_us) < deadline)) || tl_fail "lifeline $1 not ready"
    sleep 0.02
  done
  tl_spawn gen "$TL_GENERATOR" --size 100 --count "$COUNT" --rate "$RATE" --connect "127.0.0.1:$port"
  tl_wait_stat "$2" lines "$3"
}

# ---- (a) one destination unchanged, one changed ----
tl_start_collector U 127.0.0.1 --quiet
tl_start_collector C 127.0.0.1 --quiet
write_config "$TL_PORT_U" "$TL_PORT_C" 1
run_until lla U 20000
write_config "$TL_PORT_U" "$TL_PORT_C" 2
# shellcheck disable=SC2154 # TL_PID_lla: set by ll_run
kill -HUP "$TL_PID_lla"
ll_wait_log lla "Configuration reloaded" 1
at_reload=$(tl_stat U lines)
((at_reload < COUNT)) || tl_fail "every line had arrived before the reload: not under load"
# shellcheck disable=SC2154 # TL_PID_gen: set by tl_spawn
tl_wait_exit "$TL_PID_gen" 10 "$TL_DIR/U.stats" "$TL_DIR/C.stats"
((TL_RC == 0)) || tl_fail "the generator exited $TL_RC: its connection did not survive the reload"
tl_wait_stat U lines "$COUNT"
tl_wait_stat C lines "$COUNT"
tl_stop lla
((TL_RC == 0)) || tl_fail "lifeline exited $TL_RC"
for pattern in "Source unchanged; keeping it running; source=s_tcp" \
  "Destination unchanged; keeping its queue and connection; destination=d_u" \
  "Destination changed; what the old one does not deliver moves to the new one; destination=d_c"; do
  grep -q "$pattern" "$TL_DIR/lla.err" || tl_fail "not logged: $pattern"
done
expect_once_in_order U "$COUNT"
expect_once_in_order C "$COUNT"
(($(tl_stat U connections) == 1)) || tl_fail "U saw $(tl_stat U connections) connections: d_u was not kept"
(($(tl_stat C connections) == 2)) || tl_fail "C saw $(tl_stat C connections) connections, want 2 (old and new d_c)"
ll_expect_total lla Destination not_delivered 0
tl_pass "reload at $at_reload of $COUNT lines: U and C each got every line exactly once, in order; U kept its one connection"
tl_stop U
tl_stop C

# ---- (b) the changed destination's old instance returns its queue ----
tl_start_collector V 127.0.0.1 --quiet
tl_start_collector C2 127.0.0.1 --quiet
tl_start_collector D 127.0.0.1 --quiet
write_config "$TL_PORT_V" "$TL_PORT_C2" 1
run_until llb V 20000
# shellcheck disable=SC2154 # TL_PID_C2: set by tl_start_collector
kill -STOP "$TL_PID_C2"
# Backlog builds up in d_c while C2 is stopped (V keeps receiving).
tl_wait_stat V lines $(($(tl_stat V lines) + 10000))
write_config "$TL_PORT_V" "$TL_PORT_D" 1
# shellcheck disable=SC2154 # TL_PID_llb: set by ll_run
kill -HUP "$TL_PID_llb"
ll_wait_log llb "Configuration reloaded" 1
ll_wait_log llb "Destination totals before the reload; destination=d_c" 1
kill -CONT "$TL_PID_C2"
tl_wait_exit "$TL_PID_gen" 10 "$TL_DIR/V.stats" "$TL_DIR/D.stats"
((TL_RC == 0)) || tl_fail "the generator exited $TL_RC"
tl_wait_stat V lines "$COUNT"
handed=$(sed -n 's/.*Destination totals before the reload; destination=d_c .*handed-over=\([0-9]*\).*/\1/p' "$TL_DIR/llb.err")
lost=$(sed -n 's/.*Destination totals before the reload; destination=d_c .*dropped-by-reload=\([0-9]*\).*/\1/p' "$TL_DIR/llb.err")
((handed > 0)) || tl_fail "d_c handed nothing over: $(grep 'before the reload' "$TL_DIR/llb.err")"
((lost == 0)) || tl_fail "d_c dropped $lost at the reload"
tl_wait_stat D lines $((COUNT - $(tl_stat C2 distinct)))
tl_stop llb
((TL_RC == 0)) || tl_fail "lifeline exited $TL_RC"
tl_stop V
tl_stop C2
tl_stop D
expect_once_in_order V "$COUNT"
for key in duplicates out_of_order unsequenced; do
  [[ $(tl_stat D $key) == 0 ]] || tl_fail "D: $key=$(tl_stat D $key): $(cat "$TL_DIR/D.stats")"
done
c=$(tl_stat C2 distinct)
d=$(tl_stat D distinct)
[[ $(tl_stat C2 duplicates) == 0 ]] || tl_fail "C2: $(cat "$TL_DIR/C2.stats")"
((c + d == COUNT && $(tl_stat D max_seq) == COUNT && $(tl_stat D first_seq) == $(tl_stat C2 max_seq) + 1)) ||
  tl_fail "C holds $c, D $d lines; want $COUNT in all, D continuing where C stopped: C2: $(cat "$TL_DIR/C2.stats") D: $(cat "$TL_DIR/D.stats")"
tl_pass "the stopped d_c handed $handed messages to its replacement: C=$c then D=$d, every line exactly once, in order"
