#!/bin/bash
# shellcheck disable=SC2154  # TL_PORT_<name>, TL_PID_<name> are set by lib.sh (printf -v)
# Self-test of the TLS test kit: the certificates of tls-certs.sh (checked
# with `openssl verify`) and lifeline-collector's TLS listener (driven by
# `openssl s_client`).
# Usage: test-tls-tools.sh BUILD_DIR   (TL_COLLECTOR / TL_GENERATOR override the paths)
set -euo pipefail

BUILD_DIR=${1:?usage: $0 BUILD_DIR}
: "${TL_COLLECTOR:=$BUILD_DIR/tools/lifeline-collector}"
: "${TL_GENERATOR:=$BUILD_DIR/tools/lifeline-generator}"
HERE=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=tests/integration/lib.sh
source "$HERE/lib.sh"
# shellcheck source=tests/integration/tls-certs.sh
source "$HERE/tls-certs.sh"
tl_init
K=$TL_DIR/certs

# verify WANT CERT ARGS...: `openssl verify ARGS CERT` succeeds (WANT=OK) or
# fails with a message containing WANT.
verify() {
  local want=$1 cert=$2 out
  shift 2
  out=$(openssl verify "$@" "$K/$cert" 2>&1) && [[ $want == OK ]] && return 0
  [[ $want != OK && $out == *"$want"* ]] || tl_fail "openssl verify $* $cert: want '$want', got: $out"
}

tls_collector() {
  local name=$1
  shift
  tl_start_collector "$name" 127.0.0.1 --tls-cert "$K/primary.pem" --tls-key "$K/primary.key" "$@"
}

# Closes fd 5, the test's write end of a FIFO input, so closing it gives EOF.
_s_client_exec() {
  local input=$1
  shift
  exec openssl s_client -quiet -no_ign_eof "$@" <"$input" 5>&-
}

# s_client NAME PORT INPUT ARGS...: openssl s_client to 127.0.0.1:PORT with
# INPUT on stdin (it sends close_notify at the end of INPUT); exit code in TL_RC.
s_client() {
  local name=$1 port=$2 input=$3
  shift 3
  tl_spawn "$name" _s_client_exec "$input" -connect "127.0.0.1:$port" -CAfile "$K/ca.pem" "$@"
  tl_wait_exit "$!" 10 "$TL_DIR"/*.stats
}

# s_client_ok / s_client_refused NAME PORT INPUT ARGS... (refused: WANT in its stderr)
s_client_ok() {
  s_client "$@"
  ((TL_RC == 0)) || tl_fail "s_client $1 exited with $TL_RC: $(tail -n 3 "$TL_DIR/$1.err")"
}

# Its stdin stays open until it exits: with TLS 1.3 the client's handshake
# completes before the server refuses its certificate, and a client at the
# end of its input could close before it reads the alert.
s_client_refused() {
  local want=$1 name=$2 port=$3 input=$4
  shift 4
  mkfifo "$TL_DIR/$name.in"
  exec 5<>"$TL_DIR/$name.in"
  cat "$input" >&5
  tl_spawn "$name" _s_client_exec "$TL_DIR/$name.in" -connect "127.0.0.1:$port" -CAfile "$K/ca.pem" "$@"
  tl_wait_exit "$!" 10 "$TL_DIR"/*.stats
  exec 5>&-
  ((TL_RC != 0)) || tl_fail "s_client $name was not refused"
  grep -q -- "$want" "$TL_DIR/$name.err" || tl_fail "s_client $name: no '$want' in: $(tail -n 3 "$TL_DIR/$name.err")"
}

stop_ok() {
  tl_stop "$1"
  ((TL_RC == 0)) || tl_fail "collector $1 exited with $TL_RC after SIGTERM"
}

# Waits (progress watchdog: none for 10 s x slowdown) until FILE exists.
wait_file() {
  local file=$1 pid=$2 since
  since=$(_tl_now_us)
  until [[ -s $file ]]; do
    _tl_alive "$pid" || tl_fail "pid $pid exited before $file appeared"
    (($(_tl_now_us) - since < $(_tl_us 10))) || tl_fail "$file did not appear"
    sleep 0.02
  done
}

# 1. The certificates: fast, idempotent, and each one good or bad as named.
t0=${EPOCHREALTIME/[.,]/}
tls_certs_make "$K" || tl_fail "tls_certs_make failed"
ms=$(((${EPOCHREALTIME/[.,]/} - t0) / 1000))
first_pin=$(sed -n 's/^primary \([^ ]*\) .*/\1/p' "$K/pins.txt")
bash "$HERE/tls-certs.sh" "$K" || tl_fail "tls-certs.sh failed on its own output directory"
[[ $(wc -l <"$K/pins.txt") == 9 ]] || tl_fail "pins.txt: want 9 lines after a second run, got $(cat "$K/pins.txt")"
[[ $(sed -n 's/^primary \([^ ]*\) .*/\1/p' "$K/pins.txt") != "$first_pin" ]] || tl_fail "second run kept the old keys"
tl_pass "certificates generated in ${ms} ms; a second run into the same directory replaces them"

for c in primary backup wildcard client revoked; do
  verify OK "$c.pem" -CAfile "$K/ca.pem"
done
verify OK primary.pem -CApath "$K/ca-dir"
verify OK dr.pem -CAfile "$K/ca2.pem"
verify OK client-ca2.pem -CAfile "$K/ca2.pem"
verify 'unable to get local issuer certificate' dr.pem -CAfile "$K/ca.pem"
verify 'unable to get local issuer certificate' client-ca2.pem -CAfile "$K/ca.pem"
verify 'certificate has expired' expired.pem -CAfile "$K/ca.pem"
verify 'certificate is not yet valid' notyet.pem -CAfile "$K/ca.pem"
verify 'certificate revoked' revoked.pem -CAfile "$K/ca.pem" -crl_check -CRLfile "$K/crl.pem"
verify OK primary.pem -CAfile "$K/ca.pem" -crl_check -CRLfile "$K/crl.pem"
verify 'certificate revoked' revoked.pem -CAfile "$K/ca.pem" -crl_check -CRLfile "$K/crl-dir/$(openssl crl -hash -noout -in "$K/crl.pem").r0"
verify 'unsuitable certificate purpose' client.pem -CAfile "$K/ca.pem" -purpose sslserver
for want in 'primary DNS:primary.test, DNS:localhost, IP Address:127.0.0.1' 'backup DNS:backup.test, IP Address:127.0.0.2' \
  'dr DNS:dr.test, IP Address:127.0.0.3' 'wildcard DNS:\*.logs.test'; do
  openssl x509 -in "$K/${want%% *}.pem" -noout -ext subjectAltName | grep -qx "    ${want#* }" ||
    tl_fail "${want%% *}.pem: SAN is not ${want#* }"
done
openssl x509 -in "$K/client.pem" -noout -subject | grep -q 'CN = lifeline-client' || tl_fail "client.pem: CN"
openssl pkey -in "$K/client-enc.key" -passin pass:s3cret -noout || tl_fail "client-enc.key: password s3cret"
openssl pkey -in "$K/client-enc.key" -passin pass:wrong -noout 2>/dev/null && tl_fail "client-enc.key opens with any password"
pin=$(openssl pkey -in "$K/backup.key" -pubout -outform DER | openssl dgst -sha256 -binary | base64)
grep -q "^backup $pin [0-9a-f]\{64\}\$" "$K/pins.txt" || tl_fail "pins.txt: backup is not $pin"
tl_pass "openssl verify: good chains, CA2 untrusted by CA1, expired, not yet valid, revoked; SANs, pins, key password"

# 2. 100,000 lines over TLS, counted exactly and byte for byte; SNI per ClientHello.
"$TL_GENERATOR" --count 100000 >"$TL_DIR/lines.txt"
tls_collector bulk --sni-file "$TL_DIR/bulk.sni"
s_client_ok c-bulk "$TL_PORT_bulk" "$TL_DIR/lines.txt" -servername primary.test -verify_return_error
s_client_ok c-nosni "$TL_PORT_bulk" /dev/null
s_client_ok c-backup "$TL_PORT_bulk" /dev/null -servername backup.test
tl_wait_stat bulk tls_handshakes 3
tl_expect bulk lines=100000 distinct=100000 duplicates=0 out_of_order=0 torn=0 framing_errors=0 \
  tls_handshakes=3 tls_failures=0 connections=3
stop_ok bulk
cmp "$TL_DIR/lines.txt" "$TL_DIR/bulk.out.log" || tl_fail "TLS: collector output differs from the lines sent"
cmp <(printf 'primary.test\n-\nbackup.test\n') "$TL_DIR/bulk.sni" || tl_fail "SNI file: $(cat "$TL_DIR/bulk.sni")"
grep -q 'reason=close-notify lines=100000 ' "$TL_DIR/bulk.err" || tl_fail "bulk: no close-notify end of stream"
tl_pass "TLS: 100000 lines exact and identical; SNI file primary.test, -, backup.test"

# 3. --tls-verify-client: no certificate (TLS 1.2 and 1.3) or one from CA2 is refused and
# counted; the CA1 client certificate (also with the encrypted key) is accepted.
printf '0000000001 x\n' >"$TL_DIR/one.txt"
tls_collector mtls --tls-ca "$K/ca.pem" --tls-verify-client
s_client_refused 'handshake failure' c-none12 "$TL_PORT_mtls" "$TL_DIR/one.txt" -tls1_2
s_client_refused 'certificate required' c-none13 "$TL_PORT_mtls" "$TL_DIR/one.txt" -tls1_3
s_client_refused 'unknown ca' c-ca2 "$TL_PORT_mtls" "$TL_DIR/one.txt" -cert "$K/client-ca2.pem" -key "$K/client-ca2.key"
tl_wait_stat mtls tls_failures 3
s_client_ok c-cert "$TL_PORT_mtls" "$TL_DIR/one.txt" -cert "$K/client.pem" -key "$K/client.key"
s_client_ok c-enc "$TL_PORT_mtls" "$TL_DIR/one.txt" -cert "$K/client.pem" -key "$K/client-enc.key" -pass pass:s3cret
tl_wait_stat mtls lines 2
tl_expect mtls lines=2 tls_handshakes=2 tls_failures=3 connections=5
stop_ok mtls
n=$(grep -c 'TLS handshake failed.*peer did not return a certificate' "$TL_DIR/mtls.err" || true)
((n == 2)) || tl_fail "mtls: want 2 'peer did not return a certificate', got $n"
grep -q 'client certificate: unable to get local issuer certificate' "$TL_DIR/mtls.err" || tl_fail "mtls: no CA2 reason"
grep -q 'client=/CN=lifeline-client' "$TL_DIR/mtls.err" || tl_fail "mtls: client certificate not logged"
tl_pass "--tls-verify-client: missing (TLS 1.2, 1.3) and CA2 certificates refused and counted; CA1 accepted"

# 4. --tls-max-version 1.1: the server really offers TLS 1.1 (a 1.1 client gets it), and
# a client with lifeline's default minimum (TLS 1.2) fails naming the protocol version.
tls_collector old --tls-max-version 1.1
s_client_ok c-old11 "$TL_PORT_old" "$TL_DIR/one.txt" -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'
s_client_refused 'protocol version' c-old12 "$TL_PORT_old" "$TL_DIR/one.txt" -min_protocol TLSv1.2
# With no minimum at all, OpenSSL 3.0 negotiates TLS 1.1 and then refuses its
# SHA-1 signature: refused, but not for the protocol version (see the report).
s_client c-olddef "$TL_PORT_old" "$TL_DIR/one.txt"
((TL_RC != 0)) || tl_fail "a default OpenSSL client accepted a TLS 1.1 server"
tl_wait_stat old tls_failures 2
tl_expect old lines=1 tls_handshakes=1 tls_failures=2
stop_ok old
grep -q 'TLS handshake done;.* version=TLSv1.1 ' "$TL_DIR/old.err" || tl_fail "old: no TLSv1.1 handshake logged"
tl_pass "--tls-max-version 1.1: TLS 1.1 works; a TLS 1.2+ client fails with 'protocol version'"

# 5. Session tickets: sent by default (a second connection resumes), none with --tls-no-tickets.
# s_client writes -sess_out when a ticket arrives; the collector's close_notify on SIGTERM
# comes after any ticket, so once the client has exited the file tells.
tls_collector tick
mkfifo "$TL_DIR/tick.in"
exec 5<>"$TL_DIR/tick.in"
tl_spawn c-tick1 _s_client_exec "$TL_DIR/tick.in" -connect "127.0.0.1:$TL_PORT_tick" -CAfile "$K/ca.pem" \
  -sess_out "$TL_DIR/tick.sess"
wait_file "$TL_DIR/tick.sess" "$TL_PID_c_tick1"
exec 5>&-
tl_wait_exit "$TL_PID_c_tick1" 10
s_client_ok c-tick2 "$TL_PORT_tick" "$TL_DIR/one.txt" -sess_in "$TL_DIR/tick.sess"
tl_wait_stat tick lines 1
tl_expect tick tls_handshakes=2 tls_resumed=1
stop_ok tick

tls_collector notick --tls-no-tickets
mkfifo "$TL_DIR/notick.in"
exec 5<>"$TL_DIR/notick.in"
tl_spawn c-notick _s_client_exec "$TL_DIR/notick.in" -connect "127.0.0.1:$TL_PORT_notick" -CAfile "$K/ca.pem" \
  -sess_out "$TL_DIR/notick.sess"
printf '0000000001 x\n' >&5
tl_wait_stat notick lines 1
# 6. ... which is also SIGTERM with an open TLS connection: close_notify, exit 0, lines kept.
stop_ok notick
tl_wait_exit "$TL_PID_c_notick" 10
exec 5>&-
((TL_RC == 0)) || tl_fail "s_client did not end cleanly on the collector's close_notify (rc=$TL_RC)"
[[ ! -e $TL_DIR/notick.sess ]] || tl_fail "--tls-no-tickets: the client got a session ticket"
grep -q 'reason=close-notify lines=1 ' "$TL_DIR/notick.err" || tl_fail "notick: no close-notify at shutdown"
tl_pass "tickets: resumed with the default, none with --tls-no-tickets; SIGTERM sends close_notify"

# 7. Usage and file errors: exit 2 before listening, exit 1 naming a bad file.
start_refused() {
  local want=$1 pattern=$2 rc=0
  shift 2
  "$TL_COLLECTOR" --listen 127.0.0.1 --ready-file "$TL_DIR/bad.ready" "$@" 2>"$TL_DIR/bad.log" || rc=$?
  if ((rc != want)) || [[ -e $TL_DIR/bad.ready ]] || ! grep -q -- "$pattern" "$TL_DIR/bad.log"; then
    tl_fail "collector $*: rc=$rc, want $want before the ready file, saying '$pattern': $(cat "$TL_DIR/bad.log")"
  fi
}
P=(--tls-cert "$K/primary.pem" --tls-key "$K/primary.key")
start_refused 2 'go together' --tls-key "$K/primary.key"
start_refused 2 'go together' --tls-cert "$K/primary.pem"
start_refused 2 'need --tls-cert' --sni-file "$TL_DIR/x"
start_refused 2 'needs --tls-ca' "${P[@]}" --tls-verify-client
start_refused 2 'value=1.4' "${P[@]}" --tls-max-version 1.4
start_refused 2 'above' "${P[@]}" --tls-min-version 1.3 --tls-max-version 1.2
start_refused 1 'file=.*missing.pem' --tls-cert "$K/missing.pem" --tls-key "$K/primary.key"
start_refused 1 'file=.*backup.key.*key values mismatch' --tls-cert "$K/primary.pem" --tls-key "$K/backup.key"
tl_pass "TLS usage errors exit 2; a missing certificate or a wrong key exits 1 naming it"

echo "PASS"
