#!/usr/bin/env bash
# shellcheck disable=SC2154  # TL_PID_*: set by tl_spawn
# TLS interop: a real syslog-ng (Debian's syslog-ng-core) is the TLS server and
# lifeline the client, with certificates made at test time (tls-certs.sh;
# syslog-ng presents primary.pem, which names 127.0.0.1).
#  1. network(transport("tls")) into a network() TLS source with
#     peer-verify(optional-untrusted);
#  2. syslog(transport("tls")) (RFC 5425) into a syslog() TLS source;
#  3. mutual TLS: a network() source with peer-verify(required-trusted) and
#     ca-dir(): lifeline with cert-file()/key-file() is accepted, and syslog-ng
#     saw the client certificate's CN;
#  4. the same source and no client certificate, then a client certificate
#     from another CA: lifeline logs that the server requires / rejected the
#     client certificate, delivers nothing and exits 1 at stop-timeout().
# Each accepted run: lifeline exits 0 at the end of its input with every line
# delivered, and syslog-ng wrote every line intact, exactly once, in order.
#
# syslog-ng is unpacked (never installed) into $BUILD/peers by peers.sh;
# without apt access the test is skipped (77).  It runs with -e: its own
# messages go to its stderr, which is how the test sees it ready (it logs
# "syslog-ng starting up" after every source listens) and what it refused.
# Loopback only; only processes started here are stopped.
set -euo pipefail
here=$(dirname "$0")
build=${1:?usage: $0 BUILD_DIR}
source "$here/lib.sh"
source "$here/lifeline.sh"
source "$here/failover-lib.sh"
source "$here/peers.sh"
source "$here/tls-certs.sh"

if ! peers_fetch "$build/peers"; then
  echo "SKIP: $PEERS_SKIP"
  exit 77
fi
tl_init
echo "receiver: syslog-ng-core $(peers_version syslog-ng-core)"

pki=$TL_DIR/pki
tls_certs_make "$pki" >/dev/null
count=5000
"$TL_GENERATOR" --count "$count" --output "$TL_DIR/input.txt"

# --- syslog-ng: three TLS sources, one output file each ---------------------------
# Three different free ports: a port just freed is often handed out again.
ports=()
tries=0
while ((${#ports[@]} < 3)); do
  ((tries++ < 20)) || tl_fail "no three different free ports in 20 tries: ${ports[*]}"
  fo_free_port
  [[ " ${ports[*]} " == *" $REPLY "* ]] || ports+=("$REPLY")
done
p_net=${ports[0]} p_sys=${ports[1]} p_mut=${ports[2]}

# The output files are NAME.err under TL_DIR so that ll_wait_log can watch
# them (and tl_fail shows their tails).  flags(no-parse): the whole line is
# $MSG, so what arrives is compared byte for byte.  ${.tls.x509_cn}: the CN of
# the client certificate syslog-ng verified ("-" without one).
server_tls="key-file(\"$pki/primary.key\") cert-file(\"$pki/primary.pem\")"
cat >"$TL_DIR/syslog-ng.conf" <<CONF
@version: 3.38
options { use-dns(no); dns-cache(no); stats-freq(0); };
source s_net {
  network(ip("127.0.0.1") port($p_net) transport("tls") flags(no-parse)
          tls($server_tls peer-verify(optional-untrusted)));
};
source s_sys {
  syslog(ip("127.0.0.1") port($p_sys) transport("tls")
         tls($server_tls peer-verify(optional-untrusted)));
};
source s_mut {
  network(ip("127.0.0.1") port($p_mut) transport("tls") flags(no-parse)
          tls($server_tls ca-dir("$pki/ca-dir") peer-verify(required-trusted)));
};
destination d_net { file("$TL_DIR/sng-net.err" template("\${MSG}\n") template-escape(no)); };
destination d_sys { file("$TL_DIR/sng-sys.err" template("\${MSG}\n") template-escape(no)); };
destination d_mut { file("$TL_DIR/sng-mut.err" template("\${MSG}\n") template-escape(no)); };
destination d_cn {
  file("$TL_DIR/sng-cn.log" template("\$(if (\"\${.tls.x509_cn}\" ne \"\") \"\${.tls.x509_cn}\" \"-\")\n"));
};
log { source(s_net); destination(d_net); };
log { source(s_sys); destination(d_sys); };
log { source(s_mut); destination(d_mut); destination(d_cn); };
CONF
peers_syslog_ng -F -e --no-caps --cfgfile "$TL_DIR/syslog-ng.conf" --persist-file "$TL_DIR/syslog-ng.persist" \
  --pidfile "$TL_DIR/syslog-ng.pid" --control "$TL_DIR/syslog-ng.ctl"
tl_spawn syslog_ng "${PEERS_CMD[@]}"
ll_wait_log syslog_ng 'syslog-ng starting up' 1

# Waits until syslog-ng's output NAME.err has WANT lines (ll_wait_log's
# progress watchdog, on syslog-ng's pid).
sng_wait_lines() {
  printf -v "TL_PID_$(_tl_var "$1")" '%s' "$TL_PID_syslog_ng"
  ll_wait_log "$1" '^' "$2"
}

# Every line of input.txt, intact, exactly once and in order, in FILE.
check_intact() {
  local label=$1 file=$2
  fo_check_exactly_once "$count" "$file"
  cmp -s "$TL_DIR/input.txt" "$file" || tl_fail "$label: ${file##*/} differs from what was sent:" \
    "$(cmp "$TL_DIR/input.txt" "$file" 2>&1 | head -n 1)"
}

# lifeline NAME sends input.txt with DESTINATION (a destination body); it must
# exit 0 at the end of its input with every line delivered.
send_lines() {
  local name=$1 dest=$2 pidvar
  ll_config "$name" <<CONF
@version: 4.0
source s { stdin(); };
destination d { $dest };
log { source(s); destination(d); };
CONF
  LL_STDIN="$TL_DIR/input.txt"
  ll_run "$name" "$name"
  pidvar="TL_PID_$(_tl_var "$name")"
  tl_wait_exit "${!pidvar}" 10 "$TL_DIR/$name.err"
  ((TL_RC == 0)) || tl_fail "$name: lifeline exited $TL_RC"
  ll_expect_total "$name" Destination delivered "$count"
}

# syslog-ng's stderr has no error or warning (it prints no level with -e).
check_quiet() {
  if grep -i -E 'error|warning|fail' "$TL_DIR/syslog_ng.err" >"$TL_DIR/sng.bad"; then
    tl_fail "$1: syslog-ng complained: $(head -n 1 "$TL_DIR/sng.bad")"
  fi
}

ca="ca-file(\"$pki/ca.pem\")"

# --- 1. network() over TLS ---------------------------------------------------------
send_lines net "network(\"127.0.0.1\" port($p_net) transport(\"tls\") tls($ca));"
sng_wait_lines sng-net "$count"
check_intact network "$TL_DIR/sng-net.err"
check_quiet network
tl_pass "network(transport(tls)) -> syslog-ng network() TLS source: $count lines intact, exactly once, in order"

# --- 2. syslog() over TLS (RFC 5425) -----------------------------------------------
send_lines sys "syslog(\"127.0.0.1\" port($p_sys) transport(\"tls\") tls($ca));"
sng_wait_lines sng-sys "$count"
check_intact syslog "$TL_DIR/sng-sys.err"
check_quiet syslog
tl_pass "syslog(transport(tls)) -> syslog-ng syslog() TLS source: $count messages, MSG intact, exactly once, in order"

# --- 3. Mutual TLS: accepted with a client certificate -----------------------------
send_lines mut "network(\"127.0.0.1\" port($p_mut) transport(\"tls\")
  tls($ca cert-file(\"$pki/client.pem\") key-file(\"$pki/client.key\")));"
sng_wait_lines sng-mut "$count"
check_intact mutual "$TL_DIR/sng-mut.err"
check_quiet mutual
cns=$(sort "$TL_DIR/sng-cn.log" | uniq -c | awk '{ printf "%s%s x%s", sep, $2, $1; sep = ", " }')
[[ $cns == "lifeline-client x$count" ]] || tl_fail "mutual: the client CNs syslog-ng saw: $cns"
tl_pass "mutual TLS (peer-verify(required-trusted), ca-dir()): $count lines, client CN lifeline-client verified by syslog-ng"

# --- 4. Mutual TLS: refused without an acceptable client certificate ---------------
# refused NAME TLS_OPTIONS KIND WORDS SNG_WORDS: lifeline reads a few lines
# from a FIFO held open until it has logged the refusal (with TLS 1.3 it
# comes after lifeline's handshake returned), then reaches the end of its
# input and gives up after stop-timeout(1): exit 1, nothing delivered, and
# syslog-ng got nothing.
few=100
head -n "$few" "$TL_DIR/input.txt" >"$TL_DIR/few.txt"
refused() {
  local name=$1 tls=$2 kind=$3 words=$4 sng_words=$5 pidvar
  ll_config "$name" <<CONF
@version: 4.0
options { stop-timeout(1); };
source s { stdin(); };
destination d { network("127.0.0.1" port($p_mut) transport("tls") time-reopen(0.2) tls($tls)); };
log { source(s); destination(d); };
CONF
  mkfifo "$TL_DIR/$name.fifo"
  LL_STDIN="$TL_DIR/$name.fifo"
  ll_run "$name" "$name"
  pidvar="TL_PID_$(_tl_var "$name")"
  # Blocks until lifeline opened the FIFO; the lines fit in the pipe.
  exec 7>"$TL_DIR/$name.fifo"
  cat "$TL_DIR/few.txt" >&7
  # Bounded in attempts: syslog-ng's RST after its alert can reach lifeline
  # first, and that attempt is logged as connection-reset only.
  local refusal="TLS connection to server failed; destination=d server=127.0.0.1:$p_mut role=live kind=$kind reason=\"$words"
  local n=1
  until grep -q -- "$refusal" "$TL_DIR/$name.err"; do
    ((n <= 50)) || tl_fail "$name: 50 connection attempts, none logged as '$kind: $words'"
    ll_wait_log "$name" 'Connection failed; destination=d' "$n"
    n=$((n + 1))
  done
  exec 7>&-
  tl_wait_exit "${!pidvar}" 10 "$TL_DIR/$name.err"
  ((TL_RC == 1)) || tl_fail "$name: lifeline exited $TL_RC, want 1 (lines not delivered)"
  ll_expect_total "$name" Destination delivered 0
  ll_expect_total "$name" Destination not_delivered "$few"
  grep -q 'Messages were read but not delivered' "$TL_DIR/$name.err" || tl_fail "$name: no 'not delivered' error logged"
  grep -q -i -- "$sng_words" "$TL_DIR/syslog_ng.err" || tl_fail "$name: syslog-ng did not log '$sng_words'"
  (($(wc -l <"$TL_DIR/sng-mut.err") == count)) || tl_fail "$name: syslog-ng wrote lines from a refused client"
  local attempts worded
  attempts=$(grep -c 'Connection failed; destination=d' "$TL_DIR/$name.err" || true)
  worded=$(grep -c -- "$refusal" "$TL_DIR/$name.err" || true)
  tl_pass "$name: refused ($kind: $words; $worded of $attempts attempts worded so)," \
    "$few lines not delivered, lifeline exited 1"
}
refused no-client-cert "$ca" client-certificate-required "the server requires a client certificate" \
  "peer did not return a certificate"
refused wrong-ca-client-cert "$ca cert-file(\"$pki/client-ca2.pem\") key-file(\"$pki/client-ca2.key\")" \
  client-certificate-rejected "the server rejected the client certificate" "certificate verify failed"

tl_stop syslog_ng
check_intact "mutual, after the refusals" "$TL_DIR/sng-mut.err"
