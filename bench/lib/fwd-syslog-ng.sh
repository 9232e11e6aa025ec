# shellcheck shell=bash disable=SC2034  # FWD_*: read by forwarders.sh
# syslog-ng from Debian's syslog-ng-core, unpacked by
# tests/integration/peers.sh (never installed), in the foreground with its
# own persist, pid and control files.
FWD_SYSLOG_NG_TRANSPORTS="tcp tls"

fwd_syslog_ng_start() {
  local dir=$1 mode=$2
  fwd_render "$(fwd_config_template syslog-ng "$mode")" "$dir/syslog-ng.conf" "$dir"
  rm -f "$dir/syslog-ng.persist" "$dir/syslog-ng.pid"
  peers_syslog_ng -F --no-caps --cfgfile "$dir/syslog-ng.conf" --persist-file "$dir/syslog-ng.persist" \
    --pidfile "$dir/syslog-ng.pid" --control "$dir/syslog-ng.ctl"
  fwd_spawn "$dir/syslog-ng.log" "${PEERS_CMD[@]}"
  fwd_wait_input "$dir/syslog-ng.log"
}

fwd_syslog_ng_version() {
  echo "syslog-ng $(peers_version syslog-ng-core) (Debian syslog-ng-core)"
}
