# shellcheck shell=bash
# Helpers shared by the failover tests (source lib.sh and lifeline.sh first).

# A collector NAME on ADDR and a given PORT (restarts, same-port backups).
fo_start_on() {
  local name=$1 addr=$2 port=$3 n=0
  rm -f "$TL_DIR/$name.ready" "$TL_DIR/$name.stats"
  tl_spawn "$name" "$TL_COLLECTOR" --listen "$addr" --port "$port" --ready-file "$TL_DIR/$name.ready" \
    --stats-file "$TL_DIR/$name.stats" --output "$TL_DIR/$name.out.log" --quiet
  printf -v "TL_PORT_$name" '%s' "$port"
  local pidvar="TL_PID_$name"
  until [[ -s $TL_DIR/$name.ready ]]; do
    _tl_alive "${!pidvar}" || tl_fail "collector $name exited before it was ready (port $port taken?)"
    ((n++ < 500 * ${TL_SLOWDOWN%.*})) || tl_fail "collector $name not ready"
    sleep 0.02
  done
}

# Every sequence number 1..COUNT exactly once across the given collector
# outputs, and each output in order.
fo_check_exactly_once() {
  local count=$1 f
  shift
  fo_check_once "$count" "$@"
  for f in "$@"; do
    fo_check_ordered "$f"
  done
}

# Every sequence number 1..COUNT exactly once across the given outputs.
fo_check_once() {
  local count=$1 distinct dups
  shift
  distinct=$(cat "$@" | cut -d' ' -f1 | sort -u | wc -l)
  dups=$(cat "$@" | cut -d' ' -f1 | sort | uniq -d | wc -l)
  ((distinct == count)) || tl_fail "$distinct distinct lines across collectors, want $count"
  ((dups == 0)) || tl_fail "$dups lines arrived more than once"
}

# One collector output in sequence order.  Only meaningful for a collector
# that read one connection at a time: one that was stopped and resumed reads
# its connections side by side.
fo_check_ordered() {
  sort -c <(cut -d' ' -f1 "$1") 2>/dev/null || tl_fail "${1##*/}: lines out of order"
}

# Generator at RATE into a FIFO that the next ll_run reads.
fo_feed() { # NAME COUNT RATE
  mkfifo "$TL_DIR/$1.fifo"
  tl_spawn "gen_$1" "$TL_GENERATOR" --count "$2" --rate "$3" --output "$TL_DIR/$1.fifo"
  LL_STDIN="$TL_DIR/$1.fifo"
}

# SIGTERM a collector and keep its output as NAME.kept-*.log.
fo_stop_and_keep() {
  tl_stop "$1"
  mv "$TL_DIR/$1.out.log" "$TL_DIR/$1.kept-$(date +%s%N).log"
}

# A port free on 127.0.0.1, .2 and .3 alike, with no collector on it now.
fo_free_port() {
  tl_start_collector portprobe 127.0.0.1 --quiet
  REPLY=$TL_PORT_portprobe
  tl_stop portprobe
}

# Waits for a file to appear (e.g. a control socket), 10 s x TL_SLOWDOWN.
fo_wait_file() {
  local f=$1 limit start
  limit=$(_tl_us 10)
  start=$(_tl_now_us)
  until [[ -e $f ]]; do
    (($(_tl_now_us) - start < limit)) || tl_fail "$f did not appear"
    sleep 0.02
  done
}

# TL_TRANSPORT=tls runs a failover test over TLS: fo_tls_setup makes a PKI
# (tls-certs.sh) and sets FO_TLS (the options for network()); fo_tls_args
# ADDR prints the collector options for the certificate of ADDR (127.0.0.1:
# primary, .2: backup, .3: dr, which a CA 2 also in FO_TLS trusts).  With
# plain TCP both are empty.
FO_TLS=
fo_tls_setup() {
  [[ ${TL_TRANSPORT:-tcp} == tls ]] || return 0
  source "$(dirname "${BASH_SOURCE[0]}")/tls-certs.sh"
  tls_certs_make "$TL_DIR/pki" >/dev/null
  cat "$TL_DIR/pki/ca.pem" "$TL_DIR/pki/ca2.pem" >"$TL_DIR/pki/both-cas.pem"
  FO_TLS="transport(\"tls\") tls(ca-file(\"$TL_DIR/pki/both-cas.pem\"))"
}
fo_tls_args() {
  [[ ${TL_TRANSPORT:-tcp} == tls ]] || return 0
  local cert
  case $1 in
    127.0.0.1) cert=primary ;;
    127.0.0.2) cert=backup ;;
    *) cert=dr ;;
  esac
  echo "--tls-cert $TL_DIR/pki/$cert.pem --tls-key $TL_DIR/pki/$cert.key"
}

# fo_hold NAME: keeps the write end of NAME's feed FIFO open (a process of
# its own, so nothing else inherits it), so the reader sees the end of input
# only at fo_release NAME, not when the generator finishes (which, under
# valgrind, may come before the events a test waits for).
fo_hold() {
  sleep 3600 >"$TL_DIR/$1.fifo" &
  TL_PIDS+=("$!")
  printf -v "FO_HOLD_$(_tl_var "$1")" '%s' "$!"
}
fo_release() {
  local pidvar="FO_HOLD_$(_tl_var "$1")"
  kill "${!pidvar}" 2>/dev/null || true
  wait "${!pidvar}" 2>/dev/null || true
  _tl_forget "${!pidvar}"
}
