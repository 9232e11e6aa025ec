#!/usr/bin/env bash
# conf-examples/tls-*.conf pass --syntax-only once the files they name exist:
# a PKI is made at test time (tls-certs.sh), each example's /etc/lifeline/tls/
# paths are rewritten into it, and every example must be accepted.  Each
# example as shipped (files absent) must be refused naming a file it reads,
# which proves --syntax-only really opens them; and every file an example
# reads must be listed in its header comment.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/tls-certs.sh"
tl_init

check() { "$TL_LIFELINE" --syntax-only --module-path "$TL_MODULE_PATH" -f "$1"; }

pki=$TL_DIR/pki
tls_certs_make "$pki" >/dev/null
# The examples' names for the files tls-certs.sh makes.
etc=$TL_DIR/etc
mkdir -p "$etc"
for f in ca.pem client.pem client-enc.key crl.pem; do
  cp "$pki/$f" "$etc/$f"
done
cp "$pki/client.key" "$etc/client.key"
cp "$pki/ca2.pem" "$etc/dr-ca.pem"
cp "$pki/client-ca2.pem" "$etc/dr-client.pem"
cp "$pki/client-ca2.key" "$etc/dr-client.key"

n=0
for conf in "$TL_SOURCE_ROOT"/conf-examples/tls-*.conf; do
  name=${conf##*/}
  # Every file it reads is listed in its header, and exists in the PKI.
  while read -r path; do
    grep -q "^#.*${path##*/}" "$conf" || tl_fail "$name reads $path but its header does not list it"
    [[ -r $etc/${path##*/} ]] || tl_fail "$name reads $path, which this test does not provide"
  done < <(grep -v '^[[:space:]]*#' "$conf" | grep -o '/etc/lifeline/tls/[^"]*' | sort -u)

  rc=0
  out=$(check "$conf" 2>&1) || rc=$?
  ((rc == 1)) || tl_fail "$name with its files absent: exit $rc, want 1; output: $out"
  [[ $out == *"/etc/lifeline/tls/"*"cannot read"* ]] || tl_fail "$name with its files absent: $out"

  sed "s|/etc/lifeline/tls/|$etc/|g" "$conf" >"$TL_DIR/$name"
  out=$(check "$TL_DIR/$name" 2>&1) || tl_fail "$name rejected with its files present: $out"
  n=$((n + 1))
done
((n >= 4)) || tl_fail "only $n conf-examples/tls-*.conf found, want at least 4"
tl_pass "$n TLS conf-examples accepted with their files, refused without them"
