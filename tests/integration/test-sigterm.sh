#!/usr/bin/env bash
# SIGTERM mid-stream: every line read gets exactly one fate and the counts add
# up.  Once with a live collector (everything queued is delivered, exit 0),
# once with a stopped one and a short stop-timeout (the rest is reported as not
# delivered, exit 1, and the collector holds exactly what was acknowledged).
set -euo pipefail
here=$(dirname "$0")
source "$here/lib.sh"
source "$here/lifeline.sh"
tl_init

run_case() { # $1 = live|stalled
  local mode=$1
  tl_start_collector "c_$mode" 127.0.0.1 --quiet
  local port_var="TL_PORT_c_$mode" pid_var="TL_PID_c_$mode"
  ll_config "$mode" <<CONF
@version: 4.0
options { stop-timeout(${2}); };
source s_in { stdin(); };
destination d_net { network("127.0.0.1" port(${!port_var}) log-fifo-size(400000) queue-max-bytes(128M)); };
log { source(s_in); destination(d_net); };
CONF
  mkfifo "$TL_DIR/fifo_$mode"
  # The writer first: opening a FIFO blocks until both ends are open.
  tl_spawn "gen_$mode" "$TL_GENERATOR" --count 5000000 --size 200 --rate "$3" --output "$TL_DIR/fifo_$mode"
  LL_STDIN="$TL_DIR/fifo_$mode"
  ll_run "ll_$mode" "$mode"
  tl_wait_stat "c_$mode" lines 20000
  local ll_pid_var="TL_PID_ll_$mode"
  if [[ $mode == stalled ]]; then
    kill -STOP "${!pid_var}"
    # The queue (80 MB) is larger than what the stopped collector's kernel
    # can absorb, so lifeline ends up blocked: wait until it stops reading.
    ll_wait_reading_stops "${!ll_pid_var}"
  fi
  kill -TERM "${!ll_pid_var}"
  tl_wait_exit "${!ll_pid_var}" 10 "$TL_DIR/c_$mode.stats" "$TL_DIR/ll_$mode.err"
  local rc=$TL_RC
  [[ $mode == stalled ]] && kill -CONT "${!pid_var}"

  local forwarded unaccepted accepted delivered not_delivered dropped
  forwarded=$(ll_total "ll_$mode" Source forwarded)
  unaccepted=$(ll_total "ll_$mode" Source unaccepted)
  accepted=$(ll_total "ll_$mode" Destination accepted)
  delivered=$(ll_total "ll_$mode" Destination delivered)
  not_delivered=$(ll_total "ll_$mode" Destination not_delivered)
  dropped=$(ll_total "ll_$mode" Destination dropped)
  [[ -n $accepted && -n $delivered ]] || tl_fail "$mode: no exit summary"
  ((forwarded == accepted)) || tl_fail "$mode: forwarded=$forwarded accepted=$accepted"
  ((accepted == delivered + not_delivered + dropped)) ||
    tl_fail "$mode: accepted=$accepted != delivered=$delivered + not_delivered=$not_delivered + dropped=$dropped"
  ((dropped == 0)) || tl_fail "$mode: dropped=$dropped with no drop policy"
  if ((not_delivered + unaccepted > 0)); then
    ((rc == 1)) || tl_fail "$mode: $not_delivered not delivered but exit code $rc"
  else
    ((rc == 0)) || tl_fail "$mode: everything delivered but exit code $rc"
  fi

  # The collector keeps what its kernel acknowledged: at least every line
  # lifeline called delivered, never one it did not send, never twice.
  tl_wait_stat "c_$mode" lines "$delivered"
  tl_stop "c_$mode"
  local lines dups
  lines=$(tl_stat "c_$mode" lines)
  dups=$(tl_stat "c_$mode" duplicates)
  ((lines >= delivered && lines <= accepted && dups == 0)) ||
    tl_fail "$mode: collector lines=$lines duplicates=$dups, lifeline delivered=$delivered accepted=$accepted"
  if [[ $mode == live ]]; then
    ((not_delivered == 0 && lines == accepted)) || tl_fail "live: not_delivered=$not_delivered lines=$lines accepted=$accepted"
  fi
  tl_pass "$mode: exit $rc; accepted=$accepted delivered=$delivered not_delivered=$not_delivered unaccepted=$unaccepted collector=$lines"
}

run_case live 30 20000
# Flat out into a stopped collector, SIGTERM once lifeline's queue is full.
run_case stalled 1 0
