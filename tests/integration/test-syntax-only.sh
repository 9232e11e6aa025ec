#!/usr/bin/env bash
# --syntax-only accepts every file in conf-examples/ and rejects each broken
# config in bad-configs/ with exactly the located error listed in
# bad-configs/expected.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
tl_init

check() { "$TL_LIFELINE" --syntax-only --module-path "$TL_MODULE_PATH" -f "$@"; }

export LIFELINE_DEMO_PORT=5140 LIFELINE_DEMO_BACKUP_PORT=5141
n=0
for conf in "$TL_SOURCE_ROOT"/conf-examples/*.conf; do
  # The TLS examples read certificates under /etc/lifeline/tls/:
  # test-conf-examples-tls checks them with a generated PKI.
  [[ ${conf##*/} == tls-* ]] && continue
  out=$(check "$conf" 2>&1) || tl_fail "conf-examples/${conf##*/} rejected: $out"
  n=$((n + 1))
done
((n > 0)) || tl_fail "no conf-examples found"
tl_pass "$n conf-examples accepted"

cd "$here"
bad=0
while IFS=$'\t' read -r file want; do
  [[ -z $file || $file == \#* ]] && continue
  rc=0
  out=$(check "bad-configs/$file" 2>&1) || rc=$?
  ((rc == 1)) || tl_fail "bad-configs/$file: exit $rc, want 1; output: $out"
  [[ $out == *"lifeline: bad-configs/$want"* ]] || tl_fail "bad-configs/$file: got '$out', want '$want'"
  bad=$((bad + 1))
done <bad-configs/expected.txt
listed=$(grep -c -v -e '^#' -e '^$' bad-configs/expected.txt)
present=$(find bad-configs -name '*.conf' | wc -l)
((listed == present)) || tl_fail "bad-configs/: $present files but $listed expectations"
tl_pass "$bad broken configs rejected with their locations"
