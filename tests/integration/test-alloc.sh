#!/usr/bin/env bash
# The per-message path allocates nothing: under valgrind, the whole host +
# module process makes the same number of heap allocations for 20,000 lines
# as for 200,000 (ring buffers, reused frames, a TLS ack map that only grows
# by doubling).  Over TLS, OpenSSL 3.0 itself allocates (and frees) 40 bytes
# inside every SSL_write, i.e. per record of up to 16 KiB (measured: ~27
# lines per write on average here, as a flush writes what is queued); the
# bound there is 0.1 allocation per line, ten times below "one per message".
# Skips (77) without valgrind.
set -euo pipefail
here=$(dirname "$0")
source "$here/lib.sh"
source "$here/lifeline.sh"
source "$here/tls-certs.sh"
tl_init
command -v valgrind >/dev/null || { echo "SKIP: valgrind not installed"; exit 77; }
# valgrind cannot run an AddressSanitizer build (the ASan CI pass).
if tl_is_asan; then
  echo "SKIP: lifeline is built with AddressSanitizer"
  exit 77
fi

pki=$TL_DIR/pki
tls_certs_make "$pki" >/dev/null
tl_start_collector tcp 127.0.0.1 --quiet
tl_start_collector tls 127.0.0.1 --quiet --tls-cert "$pki/primary.pem" --tls-key "$pki/primary.key"

allocs() { # TRANSPORT COUNT -> allocations of one run
  local transport=$1 n=$2 opts=''
  [[ $transport == tls ]] && opts="transport(\"tls\") tls(ca-file(\"$pki/ca.pem\"))"
  local port_var="TL_PORT_$transport"
  ll_config "$transport-$n" <<CONF
@version: 4.0
source s { stdin(); };
destination d { network("127.0.0.1" port(${!port_var}) $opts); };
log { source(s); destination(d); };
CONF
  "$TL_GENERATOR" --count "$n" --output "$TL_DIR/in-$n.txt"
  valgrind --tool=memcheck --log-file="$TL_DIR/vg-$transport-$n.txt" "$TL_LIFELINE" -f "$TL_DIR/$transport-$n.conf" \
    --module-path "$TL_MODULE_PATH" <"$TL_DIR/in-$n.txt" 2>"$TL_DIR/$transport-$n.err" ||
    tl_fail "$transport $n: lifeline failed under valgrind"
  ll_expect_total "$transport-$n" Destination delivered "$n"
  sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' "$TL_DIR/vg-$transport-$n.txt" | tr -d ,
}

for transport in tcp tls; do
  small=$(allocs "$transport" 20000)
  large=$(allocs "$transport" 200000)
  [[ -n $small && -n $large ]] || tl_fail "$transport: no heap summary from valgrind"
  # Growth of buffers sized by the traffic (a doubling ring) may add a few.
  limit=16
  [[ $transport == tls ]] && limit=$((180000 / 10))
  ((large - small <= limit)) || tl_fail "$transport: $small allocations for 20,000 lines but $large for 200,000 (limit +$limit)"
  tl_pass "$transport: $small heap allocations for 20,000 lines, $large for 200,000 (limit +$limit): none per message"
done
