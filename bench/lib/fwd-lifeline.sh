# shellcheck shell=bash disable=SC2034  # FWD_*: read by forwarders.sh
# lifeline, built by bench/run (release) from this tree: tcp() source in,
# network() out.  Ready when it wrote its --ready-file (every source listens).
FWD_LIFELINE_TRANSPORTS="tcp tls"

fwd_lifeline_start() {
  local dir=$1 mode=$2
  fwd_render "$(fwd_config_template lifeline "$mode")" "$dir/lifeline.conf" "$dir"
  rm -f "$dir/lifeline.ready"
  fwd_spawn "$dir/lifeline.log" "$BENCH_BIN/host/lifeline" -f "$dir/lifeline.conf" \
    --module-path "$BENCH_BIN/plugin" -v --ready-file "$dir/lifeline.ready"
  bench_wait_file "$dir/lifeline.ready" "$FWD_READY_SECONDS" || bench_die "lifeline not ready: $(tail -n 5 "$dir/lifeline.log")"
}

fwd_lifeline_version() {
  echo "$("$BENCH_BIN/host/lifeline" --version 2>&1 | head -n 1), commit $(git -C "$BENCH_SRC" describe --always --dirty 2>/dev/null || echo unknown), buildtype=release"
}
