#!/usr/bin/env bash
# shellcheck disable=SC2154  # TL_PID_*: set by tl_spawn
# syslog() interop: real receivers parse lifeline's frames (RFC 6587 octet
# counting, RFC 5424 payload) without errors.
#  1. syslog-ng (Debian's syslog-ng-core) with a syslog(transport("tcp")) source;
#  2. rsyslog with imtcp (octet-counted framing).
# For each: plain lines (wrapped with lifeline's header: hostname("lifeline-test")
# app-name("interop")) and ready-made RFC 5424 lines with structured data go
# through lifeline's syslog() destination; lifeline exits at the end of its
# input; every message arrives, in order, with the fields the receiver parsed
# (PRI, HOST, APP-NAME, PROCID, MSGID, STRUCTURED-DATA, MSG) exactly as sent,
# and the receiver's own log has no error or warning.
#
# The receivers are Debian's packages unpacked (never installed) into
# $BUILD/peers by peers.sh; without apt access the test is skipped (77).
# Loopback only; only processes started here are stopped.
set -euo pipefail
here=$(dirname "$0")
build=${1:?usage: $0 BUILD_DIR}
source "$here/lib.sh"
source "$here/lifeline.sh"
source "$here/failover-lib.sh"
source "$here/peers.sh"

if ! peers_fetch "$build/peers"; then
  echo "SKIP: $PEERS_SKIP"
  exit 77
fi
tl_init
echo "receivers: syslog-ng-core $(peers_version syslog-ng-core), rsyslog $(peers_version rsyslog)"

# --- input and the fields each message must arrive with --------------------------
# input.txt: the lines lifeline reads.  expected.txt: per message, the fields a
# receiver must report, "PRI HOST APP PROCID MSGID SD MSG" joined by "|", with
# "-" for a nil field.  Plain lines are local4.warning (164) under lifeline's
# header; ready-made lines keep their own header.
count=600
awk -v n="$count" -v input="$TL_DIR/input.txt" -v expected="$TL_DIR/expected.txt" -v times="$TL_DIR/times.txt" '
function emit(line, pri, host, app, procid, msgid, sd, msg) {
  print line >input
  print pri "|" host "|" app "|" procid "|" msgid "|" sd "|" msg >expected
  # The TIMESTAMP in seconds since the epoch; "now" for lifeline'"'"'s own.
  print (pri == 165 ? 1065910455 : pri == 191 ? 1061727255 : "now") >times
}
function plain(line) { emit(line, 164, "lifeline-test", "interop", "-", "-", "-", line) }
BEGIN {
  for (k = 0; k < 1100; k++) long = long "long line "
  for (i = 1; i <= n; i++) {
    if (i % 150 == 1)
      plain(sprintf("%06d ", i) long)
    else if (i % 50 == 0)
      plain("")
    else if (i % 11 == 0)
      plain(sprintf("<34>Oct 11 22:14:15 mymachine su[%d]: %06d not RFC 5424", i, i))
    else if (i % 3 == 0) {
      sd = sprintf("[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" seq=\"%d\"][origin@32473 ip=\"192.0.2.1\"]", i)
      emit(sprintf("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog %d ID47 %s %06d ready-made with SD", i, sd, i),
           165, "mymachine.example.com", "evntslog", i, "ID47", sd, sprintf("%06d ready-made with SD", i))
    } else if (i % 3 == 1)
      emit(sprintf("<191>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %06d ready-made %%d without SD", i),
           191, "192.0.2.1", "myproc", 8710, "-", "-", sprintf("%06d ready-made %%d without SD", i))
    else
      plain(sprintf("%06d plain line with \"quotes\", [brackets] and a=b", i))
  }
}'
[[ $(wc -l <"$TL_DIR/expected.txt") == "$count" ]] || tl_fail "expected.txt has $(wc -l <"$TL_DIR/expected.txt") lines, want $count"

# Waits until a receiver is listening on 127.0.0.1:PORT (connect with bash's
# /dev/tcp); fails when PID exits first or after 10 s x TL_SLOWDOWN.
wait_listening() {
  local name=$1 pid=$2 port=$3 limit start
  limit=$(_tl_us 10)
  start=$(_tl_now_us)
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    _tl_alive "$pid" || tl_fail "$name exited before it listened on port $port"
    (($(_tl_now_us) - start < limit)) || tl_fail "$name not listening on port $port"
    sleep 0.02
  done
}

# Waits until FILE has at least WANT lines; fails when it stops growing for
# 10 s x TL_SLOWDOWN or PID exits first.
wait_lines() {
  local name=$1 pid=$2 file=$3 want=$4 got last=-1 since limit
  limit=$(_tl_us 10)
  since=$(_tl_now_us)
  while :; do
    got=$(wc -l <"$file" 2>/dev/null || echo 0)
    ((got >= want)) && return 0
    _tl_alive "$pid" || tl_fail "$name exited with $got of $want messages in ${file##*/}"
    if ((got != last)); then
      last=$got
      since=$(_tl_now_us)
    elif (($(_tl_now_us) - since > limit)); then
      tl_fail "$name: ${file##*/} stuck at $got of $want messages"
    fi
    sleep 0.02
  done
}

# Each TIMESTAMP a receiver kept (TIMES, seconds since the epoch) is the one
# sent: the ready-made ones exactly, lifeline's between the start and the end of
# the last lifeline run (a receiver that cannot read one uses the receipt time,
# which is in that window too, so lifeline's are also checked by
# test-syslog-framing.sh).
check_times() {
  local name=$1 times=$2 bad
  bad=$(paste -d ' ' "$TL_DIR/times.txt" "$times" | awk -v t0="$LL_T0" -v t1="$LL_T1" '
    ($1 == "now" && ($2 < t0 || $2 > t1)) || ($1 != "now" && $1 != $2) { n++; if (!first) first = NR ": " $0 }
    END { if (n) print n " (first: line " first ")" }')
  [[ -z $bad ]] || tl_fail "$name: wrong TIMESTAMP in $bad"
}

# Sends input.txt through lifeline's syslog() destination to 127.0.0.1:PORT;
# lifeline must exit 0 at the end of its input with every message delivered.
send_through_lifeline() {
  local name=$1 port=$2
  ll_config "$name" <<CONF
@version: 4.0
source s_in { stdin(); };
destination d_syslog {
  syslog("127.0.0.1" port($port) transport("tcp") facility(local4) severity(warning)
         hostname("lifeline-test") app-name("interop"));
};
log { source(s_in); destination(d_syslog); };
CONF
  LL_STDIN="$TL_DIR/input.txt"
  LL_T0=$(($(date +%s) - 1))
  ll_run "$name" "$name"
  local pidvar="TL_PID_$name"
  tl_wait_exit "${!pidvar}" 10 "$TL_DIR/$name.err"
  LL_T1=$(($(date +%s) + 1))
  ((TL_RC == 0)) || tl_fail "$name: lifeline exited $TL_RC"
  ll_expect_total "$name" Destination delivered "$count"
}

# Compares a receiver's output (same format as expected.txt) with expected.txt.
check_fields() {
  local name=$1 out=$2
  if ! diff "$TL_DIR/expected.txt" "$out" >"$TL_DIR/$name.diff"; then
    echo "--- expected vs $name (first differences)"
    head -n 20 "$TL_DIR/$name.diff" | cut -c 1-300
    tl_fail "$name: $(grep -c '^>' "$TL_DIR/$name.diff" || true) messages differ from what was sent"
  fi
}

# --- 1. syslog-ng ----------------------------------------------------------------
fo_free_port
port=$REPLY
sng=$TL_DIR/syslog-ng
mkdir -p "$sng"
# A message syslog-ng 3.38 cannot parse becomes PROGRAM "syslog-ng" and MSG
# "Error processing log message: ..." (seen in a probe; it logs nothing about it
# internally): the field comparison shows it.  Its own messages go to
# internal.log.  A TIMESTAMP it cannot read is replaced by the time of receipt,
# silently: times.log has the one it kept, in seconds since the epoch.
cat >"$sng/syslog-ng.conf" <<CONF
@version: 3.38
options { keep-hostname(yes); use-dns(no); dns-cache(no); log-msg-size(65536); stats-freq(0); };
source s_net {
  syslog(transport("tcp") ip("127.0.0.1") port($port) log-msg-size(65536) keep-timestamp(yes));
};
source s_int { internal(); };
destination d_msgs {
  file("$sng/messages.log"
       template("\${PRI}|\$(if (\"\${HOST}\" ne \"\") \"\${HOST}\" \"-\")|\$(if (\"\${PROGRAM}\" ne \"\") \"\${PROGRAM}\" \"-\")|\$(if (\"\${PID}\" ne \"\") \"\${PID}\" \"-\")|\$(if (\"\${MSGID}\" ne \"\") \"\${MSGID}\" \"-\")|\$(if (\"\${SDATA}\" ne \"\") \"\${SDATA}\" \"-\")|\${MSG}\n")
       template-escape(no));
};
destination d_times { file("$sng/times.log" template("\${S_UNIXTIME}\n")); };
destination d_int { file("$sng/internal.log" template("\${LEVEL} \${MSG}\n")); };
log { source(s_net); destination(d_msgs); destination(d_times); };
log { source(s_int); destination(d_int); };
CONF
peers_syslog_ng -F --no-caps --cfgfile "$sng/syslog-ng.conf" --persist-file "$sng/syslog-ng.persist" \
  --pidfile "$sng/syslog-ng.pid" --control "$sng/syslog-ng.ctl"
tl_spawn syslog_ng "${PEERS_CMD[@]}"
wait_listening syslog-ng "$TL_PID_syslog_ng" "$port"

send_through_lifeline ll_sng "$port"
wait_lines syslog-ng "$TL_PID_syslog_ng" "$sng/messages.log" "$count"
wait_lines syslog-ng "$TL_PID_syslog_ng" "$sng/times.log" "$count"
tl_stop syslog_ng
check_fields syslog-ng "$sng/messages.log"
check_times syslog-ng "$sng/times.log"
if grep -E 'WARNING|ERROR|CRITICAL' "$TL_DIR/syslog_ng.err" >"$sng/stderr.bad"; then
  tl_fail "syslog-ng complained on stderr: $(head -n 1 "$sng/stderr.bad")"
fi
if grep -E -v '^(info|notice|debug) ' "$sng/internal.log" >"$sng/internal.bad"; then
  tl_fail "syslog-ng logged $(wc -l <"$sng/internal.bad") errors or warnings, first: $(head -n 1 "$sng/internal.bad")"
fi
grep -q 'syslog-ng starting up' "$sng/internal.log" || tl_fail "syslog-ng: no startup message in internal.log (internal() not working?)"
tl_pass "syslog-ng $(peers_version syslog-ng-core): $count messages parsed with the fields sent, no errors"

# --- 2. rsyslog ------------------------------------------------------------------
fo_free_port
port=$REPLY
rs=$TL_DIR/rsyslog
mkdir -p "$rs"
# Messages the RFC 5424 parser rejects fall through to the RFC 3164 parser
# (protocol-version 0) or are logged as errors: both fail the test.  Its own
# messages (input "rsyslogd") go to internal.log.  No imuxsock: no system socket.
cat >"$rs/rsyslog.conf" <<CONF
global(workDirectory="$rs" maxMessageSize="64k" net.enableDNS="off" processInternalMessages="on")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="$port" supportOctetCountedFraming="on")
template(name="fields" type="string"
         string="%pri%|%hostname%|%app-name%|%procid%|%msgid%|%structured-data%|%msg%\n")
template(name="version" type="string" string="%protocol-version%\n")
template(name="time" type="string" string="%timereported:::date-unixtimestamp%\n")
template(name="internal" type="string" string="%syslogseverity-text% %msg%\n")
if \$inputname == "rsyslogd" then {
  action(type="omfile" file="$rs/internal.log" template="internal")
  stop
}
action(type="omfile" file="$rs/messages.log" template="fields")
action(type="omfile" file="$rs/versions.log" template="version")
action(type="omfile" file="$rs/times.log" template="time")
CONF
peers_rsyslogd -n -f "$rs/rsyslog.conf" -i "$rs/rsyslog.pid"
tl_spawn rsyslog "${PEERS_CMD[@]}"
wait_listening rsyslog "$TL_PID_rsyslog" "$port"

send_through_lifeline ll_rs "$port"
wait_lines rsyslog "$TL_PID_rsyslog" "$rs/versions.log" "$count"
wait_lines rsyslog "$TL_PID_rsyslog" "$rs/messages.log" "$count"
wait_lines rsyslog "$TL_PID_rsyslog" "$rs/times.log" "$count"
tl_stop rsyslog
check_fields rsyslog "$rs/messages.log"
check_times rsyslog "$rs/times.log"
bad=$(grep -c -v '^1$' "$rs/versions.log" || true)
((bad == 0)) || tl_fail "rsyslog: $bad messages not parsed as RFC 5424"
if grep -E -v '^(info|notice|debug) ' "$rs/internal.log" >"$rs/internal.bad"; then
  tl_fail "rsyslog logged $(wc -l <"$rs/internal.bad") errors or warnings, first: $(head -n 1 "$rs/internal.bad")"
fi
grep -q 'start' "$rs/internal.log" || tl_fail "rsyslog: no start message in internal.log"
if grep -i -E 'error|warning' "$TL_DIR/rsyslog.err" >"$rs/stderr.bad"; then
  tl_fail "rsyslog complained on stderr: $(head -n 1 "$rs/stderr.bad")"
fi
tl_pass "rsyslog $(peers_version rsyslog): $count messages parsed as RFC 5424 with the fields sent, no errors"
