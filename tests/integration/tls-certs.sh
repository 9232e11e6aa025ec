# shellcheck shell=bash
# Test certificates for the TLS tests, generated at test time with the openssl
# CLI, so nothing committed can expire.
#
#   tls_certs_make DIR       (sourced)   or   bash tls-certs.sh DIR
#
# Writes into DIR (created if needed; what an earlier run wrote is replaced):
#   ca.pem ca.key            CA "lifeline test CA 1"
#   ca2.pem ca2.key          CA "lifeline test CA 2", unrelated to CA 1
#   primary.pem/.key         CA1; DNS:primary.test, DNS:localhost, IP:127.0.0.1
#   backup.pem/.key          CA1; DNS:backup.test, IP:127.0.0.2
#   dr.pem/.key              CA2; DNS:dr.test, IP:127.0.0.3
#   wildcard.pem/.key        CA1; DNS:*.logs.test
#   expired.pem/.key         CA1; SAN as primary; notAfter one hour ago
#   notyet.pem/.key          CA1; SAN as primary; notBefore tomorrow
#   revoked.pem/.key + crl.pem   CA1; SAN as primary; listed in CA1's CRL
#   crl-dir/ ca-dir/         crl.pem and ca.pem under their `openssl rehash` names
#   client.pem/.key          CA1; clientAuth; CN lifeline-client
#   client-ca2.pem/.key      the same from CA2 (a client certificate from the wrong CA)
#   client-enc.key           client.key encrypted with the password "s3cret"
#   pins.txt                 "NAME BASE64 HEX" per leaf: SHA-256 of its
#                            SubjectPublicKeyInfo (DER), as pinned-sha256() takes it
#   openssl.cnf, ca1-db/, ca2-db/, openssl.log: the CAs' working files
#
# Validity is "now - 1 day" to "now + 30 days" (times from `date -u`), except
# for expired and notyet.  Keys are EC P-256: the whole set takes well under
# a second.  OpenSSL 3.0's `x509 -req` cannot set notBefore, hence `openssl ca`.
# Returns (or exits) non-zero with openssl's messages on stderr on failure.

# The leaves: NAME CA EXTENSIONS SAN ("-": none).  SAN as primary for the bad
# ones, so a test can tell "expired" from "name mismatch".
_TLS_CERTS_PRIMARY_SAN='DNS:primary.test,DNS:localhost,IP:127.0.0.1'
_TLS_CERTS_LEAVES=(
  "primary ca1 server $_TLS_CERTS_PRIMARY_SAN"
  "backup ca1 server DNS:backup.test,IP:127.0.0.2"
  "dr ca2 server DNS:dr.test,IP:127.0.0.3"
  "wildcard ca1 server DNS:*.logs.test"
  "expired ca1 server $_TLS_CERTS_PRIMARY_SAN"
  "notyet ca1 server $_TLS_CERTS_PRIMARY_SAN"
  "revoked ca1 server $_TLS_CERTS_PRIMARY_SAN"
  "client ca1 client -"
  "client-ca2 ca2 client -"
)

# Runs openssl quietly; on failure shows what it said and leaves the subshell
# of tls_certs_make (errexit alone would not: callers may test our status).
_tls_certs_openssl() {
  if ! openssl "$@" >>openssl.log 2>&1; then
    echo "tls-certs: openssl $1 failed:" >&2
    tail -n 20 openssl.log >&2
    exit 1
  fi
}

# YYYYMMDDHHMMSSZ of the epoch second $1, as openssl ca takes it.
_tls_certs_time() {
  date -u -d "@$1" +%Y%m%d%H%M%SZ
}

_tls_certs_config() {
  local ca
  cat <<'EOF'
# Written by tests/integration/tls-certs.sh.
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused
EOF
  for ca in ca1 ca2; do
    cat <<EOF
[ $ca ]
dir = $ca-db
database = \$dir/index.txt
new_certs_dir = \$dir
serial = \$dir/serial
crlnumber = \$dir/crlnumber
private_key = ${ca/ca1/ca}.key
certificate = ${ca/ca1/ca}.pem
default_md = sha256
policy = policy_cn
unique_subject = no
copy_extensions = none
EOF
  done
  cat <<'EOF'
[ policy_cn ]
commonName = supplied
[ ext_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ ext_server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = $ENV::TLS_CERTS_SAN
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ ext_client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
}

# _tls_certs_issue CA NAME CN EXTENSIONS NOT_BEFORE NOT_AFTER [SELFSIGN]
_tls_certs_issue() {
  local ca=$1 name=$2 cn=$3 ext=$4 from=$5 to=$6 selfsign=${7:-}
  _tls_certs_openssl req -new -config openssl.cnf -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
    -nodes -keyout "$name.key" -subj "/CN=$cn" -out "$name.csr"
  _tls_certs_openssl ca -config openssl.cnf -name "$ca" -batch -notext ${selfsign:+-selfsign} \
    ${selfsign:+-keyfile "$name.key"} -extensions "ext_$ext" -startdate "$from" -enddate "$to" \
    -in "$name.csr" -out "$name.pem"
  rm -f "$name.csr"
}

# Appends "NAME BASE64 HEX" for NAME.key to pins.txt (the key's public half
# is the certificate's SubjectPublicKeyInfo).  One openssl process: the set
# is made for every test run.
_tls_certs_pin() {
  local name=$1 hex esc='' i
  hex=$(openssl pkey -in "$name.key" -pubout -outform DER | sha256sum) || exit 1
  hex=${hex%% *}
  for ((i = 0; i < 64; i += 2)); do
    esc+="\\x${hex:i:2}"
  done
  # shellcheck disable=SC2059  # ESC is the format: \xHH escapes only
  echo "$name $(printf "$esc" | base64 -w0) $hex" >>pins.txt
}

tls_certs_make() (
  local dir=${1:?usage: tls_certs_make DIR} now from to leaf name ca ext san key
  set -o pipefail             # this function runs in a subshell: the caller keeps its options
  mkdir -p "$dir" && cd "$dir" || exit 1
  rm -rf ca1-db ca2-db crl-dir ca-dir pins.txt openssl.log
  mkdir -p ca1-db ca2-db crl-dir ca-dir || exit 1
  for ca in ca1 ca2; do
    : >"$ca-db/index.txt"
    echo "${ca#ca}000" >"$ca-db/serial" # CA1 serials 1000.., CA2 2000..: never the same pair
    echo 1000 >"$ca-db/crlnumber"
  done
  _tls_certs_config >openssl.cnf

  now=$(date -u +%s)
  from=$(_tls_certs_time $((now - 86400)))
  to=$(_tls_certs_time $((now + 30 * 86400)))
  export TLS_CERTS_SAN=DNS:unused
  _tls_certs_issue ca1 ca "lifeline test CA 1" ca "$from" "$to" selfsign
  _tls_certs_issue ca2 ca2 "lifeline test CA 2" ca "$from" "$to" selfsign

  for leaf in "${_TLS_CERTS_LEAVES[@]}"; do
    read -r name ca ext san <<<"$leaf"
    TLS_CERTS_SAN=$san
    case $name in
      expired) _tls_certs_issue "$ca" "$name" "$name.test" "$ext" "$from" "$(_tls_certs_time $((now - 3600)))" ;;
      notyet) _tls_certs_issue "$ca" "$name" "$name.test" "$ext" "$(_tls_certs_time $((now + 86400)))" "$to" ;;
      client | client-ca2) _tls_certs_issue "$ca" "$name" lifeline-client "$ext" "$from" "$to" ;;
      *) _tls_certs_issue "$ca" "$name" "$name.test" "$ext" "$from" "$to" ;;
    esac
    _tls_certs_pin "$name"
  done

  _tls_certs_openssl ca -config openssl.cnf -name ca1 -revoke revoked.pem -crl_reason keyCompromise
  _tls_certs_openssl ca -config openssl.cnf -name ca1 -gencrl -crl_lastupdate "$from" \
    -crl_nextupdate "$to" -out crl.pem
  _tls_certs_openssl pkey -in client.key -aes256 -passout pass:s3cret -out client-enc.key
  cp crl.pem crl-dir/ && cp ca.pem ca-dir/ || exit 1
  _tls_certs_openssl rehash crl-dir ca-dir
  for key in ./*.key; do
    chmod 600 "$key"
  done
)

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  tls_certs_make "${1:?usage: $0 DIR}"
fi
