#!/usr/bin/env bash
# Certificate rotation: SIGHUP with an unchanged configuration keeps the
# destination (queue and connection) and re-reads its TLS files for new
# connections.  The CA file is replaced by one that does not trust the
# collector: after a reload the next connection is refused (untrusted
# issuer), which only happens if the file was read again; after the file
# trusts it again and another reload, delivery resumes, every line once.
set -euo pipefail
here=$(dirname "$0")
source "$here/lib.sh"
source "$here/lifeline.sh"
source "$here/failover-lib.sh"
source "$here/tls-certs.sh"
tl_init

pki=$TL_DIR/pki
tls_certs_make "$pki" >/dev/null
cp "$pki/ca.pem" "$TL_DIR/ca-current.pem"

fo_free_port
port=$REPLY
start_p() { # NAME: the collector on 127.0.0.1:$port with the primary's CA 1 certificate
  rm -f "$TL_DIR/$1.ready"
  tl_spawn "$1" "$TL_COLLECTOR" --listen 127.0.0.1 --port "$port" --ready-file "$TL_DIR/$1.ready" \
    --stats-file "$TL_DIR/$1.stats" --output "$TL_DIR/$1.out.log" --quiet \
    --tls-cert "$pki/primary.pem" --tls-key "$pki/primary.key"
  fo_wait_file "$TL_DIR/$1.ready"
}
start_p p1

ll_config rot <<CONF
@version: 4.0
source s { stdin(); };
destination d {
  network("127.0.0.1" port($port) transport("tls") time-reopen(0.1) reconnect-backoff-max(0.2)
          tls(ca-file("$TL_DIR/ca-current.pem")));
};
log { source(s); destination(d); };
CONF
count=30000
fo_feed rot "$count" 5000
ll_run ll rot -v
tl_wait_stat p1 lines 2000

# 1. The CA file now trusts only CA 2; reload; the collector restarts.
cp "$pki/ca2.pem" "$TL_DIR/ca-current.pem"
kill -HUP "$TL_PID_ll"
ll_wait_log ll "TLS files read again for new connections; destination=d" 1
grep -q "Destination unchanged; keeping its queue and connection; destination=d" "$TL_DIR/ll.err" ||
  tl_fail "the unchanged destination was not kept across the reload"
tl_stop p1
start_p p2
ll_wait_log ll "TLS connection to server failed; destination=d server=127.0.0.1:$port role=live kind=untrusted-issuer" 1
((10#$(tl_stat p2 lines) == 0)) || tl_fail "lines went to a collector the rotated CA file does not trust"

# 2. Both CAs; reload; delivery resumes.
cat "$pki/ca.pem" "$pki/ca2.pem" >"$TL_DIR/ca-current.pem"
kill -HUP "$TL_PID_ll"
ll_wait_log ll "TLS files read again for new connections; destination=d" 2
tl_wait_exit "$TL_PID_ll" 10 "$TL_DIR/p2.stats"
((TL_RC == 0)) || tl_fail "lifeline exited $TL_RC"
tl_stop p2
fo_check_once "$count" "$TL_DIR/p1.out.log" "$TL_DIR/p2.out.log"
tl_pass "rotation: reloads re-read the CA file (refused after the first, delivering after the second); $count lines exactly once"
