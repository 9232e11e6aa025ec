#!/usr/bin/env bash
# transport("tls") against lifeline-collector's TLS server on loopback, with
# certificates made at test time (tls-certs.sh).  Every case counts lines:
#  - a good chain, by address (no SNI) and by name (SNI = that name);
#  - a primary whose certificate is bad (expired, not yet valid, revoked,
#    untrusted issuer, another server's name, a protocol version lifeline
#    refuses, a key that does not match the pin, a name given by
#    verify-name()) is left for the backup with the reason in words, and
#    every line arrives exactly once at the backup;
#  - a server that demands a client certificate: refused without one (TLS 1.3,
#    where the refusal comes after lifeline's handshake returned, and 1.2),
#    nothing lost; accepted with one (also with an encrypted key);
#  - a failover server with its own CA and verify-name(): its own name as SNI;
#  - failback(probe(tls)) never fails back onto a primary whose port is open
#    but whose certificate is bad, and does once it is good; the probes
#    resume the TLS session;
#  - an unreadable ca-file() is a config error naming the file and the option;
#    peer-verify(no) warns at start.
set -euo pipefail
here=$(dirname "$0")
source "$here/lib.sh"
source "$here/lifeline.sh"
source "$here/failover-lib.sh"
source "$here/tls-certs.sh"
tl_init

pki=$TL_DIR/pki
tls_certs_make "$pki" >/dev/null

count=5000
"$TL_GENERATOR" --count "$count" --output "$TL_DIR/input.txt"

# tls_collector NAME ADDR CERT [collector options...]
tls_collector() {
  local name=$1 addr=$2 cert=$3
  shift 3
  rm -f "$TL_DIR/$name.sni" "$TL_DIR/$name.out.log" "$TL_DIR/$name.ready" "$TL_DIR/$name.stats"
  tl_start_collector "$name" "$addr" --quiet --tls-cert "$pki/$cert.pem" --tls-key "$pki/$cert.key" \
    --sni-file "$TL_DIR/$name.sni" "$@"
}

# run_lines NAME: lifeline on $TL_DIR/NAME.conf with input.txt; must deliver
# everything and exit 0.
run_lines() {
  local pidvar="TL_PID_$(_tl_var "$1")"
  LL_STDIN="$TL_DIR/input.txt"
  ll_run "$1" "$1"
  tl_wait_exit "${!pidvar}" 10 "$TL_DIR/$1.err"
  ((TL_RC == 0)) || tl_fail "$1: lifeline exited $TL_RC"
  ll_expect_total "$1" Destination delivered "$count"
}

pin_of() {
  awk -v n="$1" '$1 == n { print $2 }' "$pki/pins.txt"
}

# 1. Good chain by address: no SNI; by name: SNI is the name.
tls_collector p 127.0.0.1 primary
ll_config by-ip <<CONF
@version: 4.0
source s { stdin(); };
destination d { network("127.0.0.1" port($TL_PORT_p) transport("tls") tls(ca-file("$pki/ca.pem"))); };
log { source(s); destination(d); };
CONF
run_lines by-ip
tl_wait_stat p lines "$count"
[[ $(sort -u "$TL_DIR/p.sni") == "-" ]] || tl_fail "SNI for an address: $(cat "$TL_DIR/p.sni"), want none"
fo_check_exactly_once "$count" "$TL_DIR/p.out.log"
rm -f "$TL_DIR/p.out.log"
ll_config by-name <<CONF
@version: 4.0
source s { stdin(); };
destination d { network("localhost" port($TL_PORT_p) ip-protocol(4) transport("tls") tls(ca-file("$pki/ca.pem"))); };
log { source(s); destination(d); };
CONF
run_lines by-name
tl_wait_stat p lines $((2 * count))
grep -qx localhost "$TL_DIR/p.sni" || tl_fail "SNI by name: $(cat "$TL_DIR/p.sni"), want localhost"
tl_stop p
tl_pass "good chain: $count lines by address (no SNI) and by name (SNI localhost), verified"

# 2. A bad primary is left for the backup, with the reason in words.
# bad_primary LABEL CERT KIND WORDS [tls() options] [collector options]
bad_primary() {
  local label=$1 cert=$2 kind=$3 words=$4 extra=${5:-} copts=${6:-}
  # shellcheck disable=SC2086 # copts: collector options, word-split on purpose
  tls_collector p 127.0.0.1 "$cert" $copts
  tls_collector b 127.0.0.2 backup
  ll_config "bad-$label" <<CONF
@version: 4.0
source s { stdin(); };
destination d {
  network("127.0.0.1" port($TL_PORT_p) transport("tls") time-reopen(0.1)
          tls(ca-file("$pki/ca.pem") $extra)
          failover(servers(server("127.0.0.2" port($TL_PORT_b)))));
};
log { source(s); destination(d); };
CONF
  run_lines "bad-$label"
  grep -q "TLS connection to server failed; destination=d server=127.0.0.1:$TL_PORT_p role=live kind=$kind reason=\"$words" \
    "$TL_DIR/bad-$label.err" || tl_fail "$label: no '$kind: $words' in the log: $(grep TLS "$TL_DIR/bad-$label.err" | head -3)"
  grep -q "Connection failed; destination=d server=127.0.0.1:$TL_PORT_p reason=tls-rejected" "$TL_DIR/bad-$label.err" ||
    tl_fail "$label: the policy did not hear tls-rejected"
  grep -q "Connected; destination=d server=127.0.0.2:$TL_PORT_b role=failover" "$TL_DIR/bad-$label.err" ||
    tl_fail "$label: no failover to the backup"
  tl_wait_stat b lines "$count"
  ((10#$(tl_stat p lines) == 0)) || tl_fail "$label: the refused primary got $(tl_stat p lines) lines"
  tl_stop p
  tl_stop b
  fo_check_exactly_once "$count" "$TL_DIR/b.out.log"
  tl_pass "$label: refused ($words), $count lines exactly once at the backup"
}

bad_primary expired expired expired "certificate expired"
bad_primary not-yet-valid notyet not-yet-valid "certificate not yet valid"
bad_primary revoked revoked revoked "certificate revoked" "crl-file(\"$pki/crl.pem\")"
bad_primary untrusted dr untrusted-issuer "untrusted issuer"
bad_primary other-servers-cert backup name-mismatch "name mismatch: the certificate is not for the expected name \\\\\"127.0.0.1\\\\\""
bad_primary verify-name primary name-mismatch "name mismatch: the certificate is not for the expected name \\\\\"backup.test\\\\\"" \
  'verify-name("backup.test")'
bad_primary pin primary pin-mismatch "public key pin mismatch" "pinned-sha256(\"$(pin_of backup)\")"
bad_primary old-protocol primary protocol-version "protocol version" "" "--tls-max-version 1.1"
# A server that wants a client certificate lifeline does not have: with TLS
# 1.3 the refusal arrives after lifeline's handshake returned; whatever was
# written before it must not count as delivered.
bad_primary client-cert-tls13 primary client-certificate-required "the server requires a client certificate" "" \
  "--tls-ca $pki/ca.pem --tls-verify-client --tls-min-version 1.3"
bad_primary client-cert-tls12 primary handshake-failure "handshake failure" "" \
  "--tls-ca $pki/ca.pem --tls-verify-client --tls-max-version 1.2"

# 3. Mutual TLS and a correct pin: accepted.
for v in 1.2 1.3; do
  tls_collector p 127.0.0.1 primary --tls-ca "$pki/ca.pem" --tls-verify-client --tls-min-version "$v" --tls-max-version "$v"
  ll_config "mutual-$v" <<CONF
@version: 4.0
source s { stdin(); };
destination d {
  network("127.0.0.1" port($TL_PORT_p) transport("tls")
          tls(ca-file("$pki/ca.pem") cert-file("$pki/client.pem") key-file("$pki/client-enc.key")
              key-password("s3cret") pinned-sha256("$(pin_of primary)")));
};
log { source(s); destination(d); };
CONF
  run_lines "mutual-$v"
  tl_wait_stat p lines "$count"
  ((10#$(tl_stat p tls_failures) == 0)) || tl_fail "mutual TLS $v: $(tl_stat p tls_failures) failed handshakes"
  tl_stop p
  fo_check_exactly_once "$count" "$TL_DIR/p.out.log"
done
tl_pass "mutual TLS 1.2 and 1.3 with an encrypted key and a matching pin: $count lines each"

# 4. A failover server with its own CA and name: verified against them, and
# its own name as SNI (never the primary's).
tls_collector b 127.0.0.3 dr
fo_free_port
dead=$REPLY
ll_config override <<CONF
@version: 4.0
source s { stdin(); };
destination d {
  network("localhost" port($dead) ip-protocol(4) transport("tls") time-reopen(0.1)
          tls(ca-file("$pki/ca.pem"))
          failover(servers(server("127.0.0.3" port($TL_PORT_b) tls(ca-file("$pki/ca2.pem") verify-name("dr.test"))))));
};
log { source(s); destination(d); };
CONF
run_lines override
tl_wait_stat b lines "$count"
[[ $(sort -u "$TL_DIR/b.sni") == "dr.test" ]] || tl_fail "the failover server saw SNI '$(sort -u "$TL_DIR/b.sni")', want dr.test"
tl_stop b
fo_check_exactly_once "$count" "$TL_DIR/b.out.log"
tl_pass "per-server tls(): CA 2 and verify-name(dr.test) for the failover server, SNI dr.test, $count lines"

# 5. failback(probe(tls)): no failback onto a primary with a bad certificate.
fo_free_port
pport=$REPLY
tls_collector b 127.0.0.2 backup
ll_config probe <<CONF
@version: 4.0
source s { stdin(); };
destination d {
  network("127.0.0.1" port($pport) transport("tls") time-reopen(0.1)
          tls(ca-file("$pki/ca.pem"))
          failover(servers(server("127.0.0.2" port($TL_PORT_b)))
                   failback(tcp-probe-interval(0.1) successful-probes-required(3) probe(tls))));
};
log { source(s); destination(d); };
CONF
total=40000
fo_feed pr "$total" 5000
ll_run probe probe -v -c "$TL_DIR/ctl"
fo_hold pr
tl_wait_stat b lines 1000
rm -f "$TL_DIR/p.ready"
tl_spawn p "$TL_COLLECTOR" --listen 127.0.0.1 --port "$pport" --ready-file "$TL_DIR/p.ready" \
  --stats-file "$TL_DIR/p.stats" --output "$TL_DIR/p.out.log" --quiet \
  --tls-cert "$pki/expired.pem" --tls-key "$pki/expired.key"
tl_wait_stat p tls_failures 5
((10#$(tl_stat p lines) == 0)) || tl_fail "probe(tls): $(tl_stat p lines) lines went to the primary with an expired certificate"
grep -q "Failing back" "$TL_DIR/probe.err" && tl_fail "probe(tls) failed back onto an expired certificate"
status=$("$TL_LIFELINECTL" -c "$TL_DIR/ctl" status)
grep -q "transport: tls" <<<"$status" || tl_fail "status does not say transport tls: $status"
grep -q "server.0.tls_last_error: expired" <<<"$status" || tl_fail "status does not name the primary's TLS error: $status"
tl_stop p
mv "$TL_DIR/p.out.log" "$TL_DIR/p.kept-expired.log"
rm -f "$TL_DIR/p.stats"
tl_spawn p "$TL_COLLECTOR" --listen 127.0.0.1 --port "$pport" --ready-file "$TL_DIR/p.ready" \
  --stats-file "$TL_DIR/p.stats" --output "$TL_DIR/p.out.log" --quiet \
  --tls-cert "$pki/primary.pem" --tls-key "$pki/primary.key"
ll_wait_log probe "Failing back to the primary" 1
tl_wait_exit "$TL_PID_gen_pr" 10 "$TL_DIR/p.stats" "$TL_DIR/b.stats"
fo_release pr
tl_wait_exit "$TL_PID_probe" 10 "$TL_DIR/p.stats" "$TL_DIR/b.stats"
((TL_RC == 0)) || tl_fail "probe: lifeline exited $TL_RC"
tl_wait_stat p lines 1
resumed=$(tl_stat p tls_resumed)
tl_stop p
tl_stop b
fo_check_exactly_once "$total" "$TL_DIR/p.out.log" "$TL_DIR/b.out.log" "$TL_DIR/p.kept-expired.log"
((10#$resumed >= 1)) || tl_fail "probe(tls): no probe resumed the TLS session (tls_resumed=$resumed)"
tl_pass "probe(tls): no failback onto an expired certificate; failback once valid; $total lines exactly once; $resumed resumed handshakes"

# 5b. The default probe(tcp) on a TLS destination: the promoted probe does
# its handshake when it becomes live.  Onto a good primary: seamless; onto
# one with a bad certificate: a break, back to the backup, nothing lost.
for cert in primary expired; do
  fo_free_port
  pport=$REPLY
  tls_collector b 127.0.0.2 backup
  ll_config "tcp-probe-$cert" <<CONF
@version: 4.0
source s { stdin(); };
destination d {
  network("127.0.0.1" port($pport) transport("tls") time-reopen(0.1)
          tls(ca-file("$pki/ca.pem"))
          failover(servers(server("127.0.0.2" port($TL_PORT_b)))
                   failback(tcp-probe-interval(0.1) successful-probes-required(2))));
};
log { source(s); destination(d); };
CONF
  total=20000
  fo_feed "tp$cert" "$total" 5000
  ll_run "tcp-probe-$cert" "tcp-probe-$cert" -v
  fo_hold "tp$cert"
  tl_wait_stat b lines 1000
  rm -f "$TL_DIR/p.ready" "$TL_DIR/p.stats" "$TL_DIR/p.out.log"
  tl_spawn p "$TL_COLLECTOR" --listen 127.0.0.1 --port "$pport" --ready-file "$TL_DIR/p.ready" \
    --stats-file "$TL_DIR/p.stats" --output "$TL_DIR/p.out.log" --quiet \
    --tls-cert "$pki/$cert.pem" --tls-key "$pki/$cert.key"
  if [[ $cert == expired ]]; then
    ll_wait_log "tcp-probe-$cert" "Server left again soon after failing back to it" 1
  else
    ll_wait_log "tcp-probe-$cert" "Failing back to the primary" 1
  fi
  pidvar="TL_PID_gen_tp$cert"
  tl_wait_exit "${!pidvar}" 10 "$TL_DIR/b.stats" "$TL_DIR/p.stats"
  fo_release "tp$cert"
  pidvar="TL_PID_tcp_probe_$cert"
  tl_wait_exit "${!pidvar}" 10 "$TL_DIR/b.stats" "$TL_DIR/p.stats"
  ((TL_RC == 0)) || tl_fail "tcp-probe-$cert: lifeline exited $TL_RC"
  ll_expect_total "tcp-probe-$cert" Destination delivered "$total"
  tl_stop p
  tl_stop b
  touch "$TL_DIR/p.out.log"
  fo_check_exactly_once "$total" "$TL_DIR/p.out.log" "$TL_DIR/b.out.log"
  grep -q "Failing back to the primary" "$TL_DIR/tcp-probe-$cert.err" || tl_fail "tcp-probe-$cert: no failback"
  if [[ $cert == expired ]]; then
    grep -q "TLS connection to server failed; destination=d server=127.0.0.1:$pport role=live kind=expired" \
      "$TL_DIR/tcp-probe-$cert.err" || tl_fail "tcp-probe-expired: the failed handshake after the promotion was not logged"
    grep -q "Server left again soon after failing back to it" "$TL_DIR/tcp-probe-$cert.err" ||
      tl_fail "tcp-probe-expired: the primary was not quarantined"
  fi
done
tl_pass "probe(tcp) on TLS: failback onto a good primary and onto an expired one (handshake after promotion fails, quarantined); $total lines exactly once each"

# 6. Config errors and warnings.
LL_STDIN=/dev/null
ll_config bad-ca <<CONF
@version: 4.0
source s { stdin(); };
destination d { network("127.0.0.1" port(1) transport("tls") tls(ca-file("$TL_DIR/missing-ca.pem"))); };
log { source(s); destination(d); };
CONF
ll_run bad-ca bad-ca --syntax-only
tl_wait_exit "$TL_PID_bad_ca" 10
((TL_RC != 0)) || tl_fail "a missing ca-file() was accepted"
grep -q "bad-ca.conf:3:.*ca-file(\"$TL_DIR/missing-ca.pem\"): cannot read: No such file or directory" "$TL_DIR/bad-ca.err" ||
  tl_fail "missing ca-file(): $(cat "$TL_DIR/bad-ca.err")"
ll_config bad-key <<CONF
@version: 4.0
source s { stdin(); };
destination d { network("127.0.0.1" port(1) transport("tls")
  tls(ca-file("$pki/ca.pem") cert-file("$pki/client.pem") key-file("$pki/client-enc.key") key-password("wrong"))); };
log { source(s); destination(d); };
CONF
ll_run bad-key bad-key --syntax-only
tl_wait_exit "$TL_PID_bad_key" 10
((TL_RC != 0)) || tl_fail "a wrong key-password() was accepted"
grep -q "bad-key.conf:4:.*key-file(\"$pki/client-enc.key\"): cannot read the key (is key-password() right?)" "$TL_DIR/bad-key.err" ||
  tl_fail "wrong key-password(): $(cat "$TL_DIR/bad-key.err")"
tls_collector p 127.0.0.1 dr
ll_config noverify <<CONF
@version: 4.0
source s { stdin(); };
destination d { network("127.0.0.1" port($TL_PORT_p) transport("tls") tls(peer-verify(no))); };
log { source(s); destination(d); };
CONF
run_lines noverify
grep -q "warning: TLS peer verification is off.*destination=d server=127.0.0.1:$TL_PORT_p" "$TL_DIR/noverify.err" ||
  tl_fail "peer-verify(no) did not warn"
tl_stop p
tl_pass "config errors name file, line and option (missing ca-file, wrong key-password); peer-verify(no) warns"
