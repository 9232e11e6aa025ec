# shellcheck shell=bash disable=SC2034  # FWD_*: read by forwarders.sh
# The raw ceiling: no forwarder.  bench/raw-client.c writes into the sink
# directly; only the throughput scenario uses it.
FWD_RAW_TRANSPORTS="tcp"

fwd_raw_start() {
  FWD_PID=
}

fwd_raw_version() {
  echo "lifeline-bench-raw-client (bench/raw-client.c, a C client straight into the collector)"
}
