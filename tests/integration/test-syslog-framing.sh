#!/usr/bin/env bash
# syslog() on the wire, received by lifeline-collector --framing octet-counted
# (which counts a wrong LEN as a framing error or a torn frame):
#  1. mixed input: plain lines (short, empty, RFC 3164-looking, long enough for
#     five-digit counts) arrive wrapped with the configured header; ready-made
#     RFC 5424 lines arrive byte-identical; in order, zero framing errors.
#  2. failover: the primary is stopped mid-stream; the backup receives whole
#     frames only, every line exactly once across the two, zero framing errors.
set -euo pipefail
here=$(dirname "$0")
source "$here/lib.sh"
source "$here/lifeline.sh"
tl_init

source "$here/failover-lib.sh"

# The header lifeline puts in front of a plain line, as an extended regex.
ts='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z'

# An octet-counting collector NAME on ADDR and PORT (0: ephemeral).
start_octet_collector() {
  local name=$1 addr=$2 port=$3 n=0 pidvar
  rm -f "$TL_DIR/$name.ready" "$TL_DIR/$name.stats"
  tl_spawn "$name" "$TL_COLLECTOR" --listen "$addr" --port "$port" --ready-file "$TL_DIR/$name.ready" \
    --stats-file "$TL_DIR/$name.stats" --output "$TL_DIR/$name.out.log" --framing octet-counted --quiet
  pidvar="TL_PID_$name"
  until [[ -s $TL_DIR/$name.ready ]]; do
    _tl_alive "${!pidvar}" || tl_fail "collector $name exited before it was ready (port $port taken?)"
    ((n++ < 500 * ${TL_SLOWDOWN%.*})) || tl_fail "collector $name not ready"
    sleep 0.02
  done
  printf -v "TL_PORT_$name" '%s' "$(<"$TL_DIR/$name.ready")"
}

# Fails unless NAME's framing_errors and every other KEY given are 0.
expect_no_framing_errors() {
  local name=$1 key
  shift
  for key in framing_errors "$@"; do
    [[ $(tl_stat "$name" "$key") == 0 ]] || tl_fail "$name: $key=$(tl_stat "$name" "$key"); stats: $(cat "$TL_DIR/$name.stats")"
  done
}

# --- 1. plain and RFC 5424 lines, mixed ---------------------------------------
pairs=2000
awk -v n="$pairs" 'BEGIN {
  for (k = 0; k < 1200; k++) long = long "long line "
  for (i = 1; i <= n; i++) {
    if (i % 500 == 1)      plain = sprintf("%06d ", i) long
    else if (i % 7 == 0)   plain = ""
    else if (i % 11 == 0)  plain = sprintf("<34>Oct 11 22:14:15 mymachine su[%d]: not RFC 5424", i)
    else if (i % 13 == 0)  plain = sprintf("<13>1 - - - - - -x %d almost RFC 5424", i)
    else                   plain = sprintf("%06d plain line with \"quotes\" and [brackets]", i)
    print plain
    if (i % 3 == 0)
      printf "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" seq=\"%d\"] ready-made %d\n", i, i
    else if (i % 3 == 1)
      printf "<0>1 - - - - - -\n"
    else
      printf "<191>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc %d - - %%%% ready-made %d\n", i, i
  }
}' >"$TL_DIR/input.txt"
count=$(wc -l <"$TL_DIR/input.txt")
plain_count=$((count - pairs))

start_octet_collector c 127.0.0.1 0
ll_config mixed <<CONF
@version: 4.0
source s_in { stdin(); };
destination d_syslog {
  syslog("127.0.0.1" port($TL_PORT_c) facility(local4) severity(warning) hostname("test-host") app-name("fwd app"));
};
log { source(s_in); destination(d_syslog); };
CONF
LL_STDIN="$TL_DIR/input.txt"
ll_run ll_mixed mixed
tl_wait_exit "$TL_PID_ll_mixed" 10 "$TL_DIR/c.stats"
((TL_RC == 0)) || tl_fail "mixed: lifeline exited $TL_RC"
tl_wait_stat c lines "$count"
ll_expect_total ll_mixed Destination delivered "$count"
tl_stop c
expect_no_framing_errors c torn
[[ $(tl_stat c lines) == "$count" ]] || tl_fail "mixed: collector has $(tl_stat c lines) messages, want $count"

# Plain lines carry the header (local4.warning = 164, the configured fields,
# "fwd app" sanitized to "fwd_app"); nothing else does.
header="<164>1 $ts test-host fwd_app - - - "
wrapped=$(grep -c -E "^$header" "$TL_DIR/c.out.log" || true)
((wrapped == plain_count)) || tl_fail "mixed: $wrapped messages wrapped, want $plain_count"
# Without their header the messages are the input, byte for byte and in order:
# so the RFC 5424 lines passed through unchanged and no line was altered.
sed -E "s/^$header//" "$TL_DIR/c.out.log" >"$TL_DIR/c.unwrapped"
cmp "$TL_DIR/input.txt" "$TL_DIR/c.unwrapped" || tl_fail "mixed: messages without their header differ from the input"
# And the RFC 5424 lines are exactly the input's.
diff <(grep '^<[0-9]*>1 ' "$TL_DIR/input.txt" | grep -v -- '-x [0-9]* almost') \
  <(grep -v -E "^$header" "$TL_DIR/c.out.log") >/dev/null || tl_fail "mixed: RFC 5424 lines not passed through byte-identical"
tl_pass "mixed: $count messages, $plain_count wrapped with the configured header, $pairs passed through byte-identical, no framing errors"

# --- 2. failover: whole frames at the backup ------------------------------------
start_octet_collector p 127.0.0.1 0
start_octet_collector b 127.0.0.2 "$TL_PORT_p"
ll_config fo <<CONF
@version: 4.0
source s_in { stdin(); };
destination d_syslog {
  syslog("127.0.0.1" port($TL_PORT_p) time-reopen(0.2) hostname("test-host")
         failover(servers("127.0.0.2")));
};
log { source(s_in); destination(d_syslog); };
CONF
count=40000
fo_feed fo "$count" 20000
ll_run ll_fo fo
tl_wait_stat p lines 5000
fo_stop_and_keep p
tl_wait_exit "$TL_PID_ll_fo" 10 "$TL_DIR/b.stats"
((TL_RC == 0)) || tl_fail "failover: lifeline exited $TL_RC"
ll_expect_total ll_fo Destination delivered "$count"
tl_stop b
# The stopped primary may hold the start of a frame it never got the rest of
# (counted as torn, never as a message); the backup has whole frames only.
expect_no_framing_errors p
expect_no_framing_errors b torn
grep -q 'Failing over; destination=d_syslog from=127.0.0.1:[0-9]* to=127.0.0.2' "$TL_DIR/ll_fo.err" \
  || tl_fail "failover: no failover to the backup logged"
header="<13>1 $ts test-host lifeline - - - "
for f in "$TL_DIR"/p.kept-*.log "$TL_DIR/b.out.log"; do
  bad=$(grep -c -v -E "^$header[0-9]{10} lifeline-test-payload[-a-z0-9]*$" "$f" || true)
  ((bad == 0)) || tl_fail "failover: ${f##*/} has $bad messages that are not a header + a generator line"
  sed -E "s/^$header//" "$f" >"$f.unwrapped"
done
fo_check_exactly_once "$count" "$TL_DIR"/p.kept-*.log.unwrapped "$TL_DIR/b.out.log.unwrapped"
tl_pass "failover: primary -> backup, $count messages exactly once, whole frames, no framing errors"
