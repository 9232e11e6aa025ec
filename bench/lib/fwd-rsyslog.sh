# shellcheck shell=bash disable=SC2034  # FWD_*: read by forwarders.sh
# rsyslog from Debian's rsyslog package, unpacked by
# tests/integration/peers.sh (never installed), in the foreground (-n) with
# its own pid file and work directory; imptcp in, omfwd out (over TLS: the
# ossl netstream driver from Debian rsyslog-openssl, unpacked alongside).
FWD_RSYSLOG_TRANSPORTS="tcp tls"

fwd_rsyslog_start() {
  local dir=$1 mode=$2
  fwd_render "$(fwd_config_template rsyslog "$mode")" "$dir/rsyslog.conf" "$dir"
  rm -f "$dir/rsyslog.pid"
  peers_rsyslogd -n -f "$dir/rsyslog.conf" -i "$dir/rsyslog.pid"
  fwd_spawn "$dir/rsyslog.log" "${PEERS_CMD[@]}"
  fwd_wait_input "$dir/rsyslog.log"
}

fwd_rsyslog_version() {
  echo "rsyslog $(peers_version rsyslog) (Debian rsyslog; TLS: rsyslog-openssl $(peers_version rsyslog-openssl))"
}
