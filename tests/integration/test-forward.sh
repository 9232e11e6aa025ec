#!/usr/bin/env bash
# 1,000,000 lines of 200 bytes from stdin through the host and the network()
# module to a collector: byte-exact and in order, once from a pipe and once
# from a regular file redirected to stdin (which ivykis cannot poll).
set -euo pipefail
here=$(dirname "$0")
source "$here/lib.sh"
source "$here/lifeline.sh"
tl_init

count=${LL_FORWARD_COUNT:-1000000}
"$TL_GENERATOR" --count "$count" --size 200 --output "$TL_DIR/input.txt"

for mode in pipe file; do
  tl_start_collector "c_$mode" 127.0.0.1 --quiet
  port_var="TL_PORT_c_$mode"
  ll_config "$mode" <<CONF
@version: 4.0
source s_in { stdin(); };
destination d_net { network("127.0.0.1" port(${!port_var})); };
log { source(s_in); destination(d_net); };
CONF
  if [[ $mode == pipe ]]; then
    mkfifo "$TL_DIR/fifo"
    LL_STDIN="$TL_DIR/fifo"
    # The writer first: opening a FIFO blocks until both ends are open, and
    # ll_run opens the reading end in this shell.
    tl_spawn feeder bash -c 'cat "$1" >"$2"' feeder "$TL_DIR/input.txt" "$TL_DIR/fifo"
    ll_run "ll_$mode" "$mode"
  else
    LL_STDIN="$TL_DIR/input.txt"
    ll_run "ll_$mode" "$mode"
  fi
  pid_var="TL_PID_ll_$mode"
  tl_wait_exit "${!pid_var}" 10 "$TL_DIR/c_$mode.stats"
  ((TL_RC == 0)) || tl_fail "$mode: lifeline exited $TL_RC"
  tl_wait_stat "c_$mode" lines "$count"
  ll_expect_total "ll_$mode" Destination delivered "$count"
  ll_expect_total "ll_$mode" Source forwarded "$count"
  tl_stop "c_$mode"
  for key in duplicates out_of_order torn; do
    [[ $(tl_stat "c_$mode" $key) == 0 ]] || tl_fail "$mode: collector $key=$(tl_stat "c_$mode" $key)"
  done
  cmp "$TL_DIR/input.txt" "$TL_DIR/c_$mode.out.log" || tl_fail "$mode: collector output differs from the input"
  tl_pass "$mode: $count lines byte-exact and in order"
done
