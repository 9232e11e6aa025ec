# shellcheck shell=bash disable=SC2034  # SS_CLIENT, SS_TICKS: for the sourcing script
# Shared by the stream-source adversarial cases (source lib.sh and
# lifeline.sh first).  Every case runs lifeline with a control socket, a
# file() source "other" sending to its own collector "co", and checks that
# `lifelinectl status` answers, that other's lines arrive and that SIGTERM ends
# lifeline.
#
#   ss_free_port VAR              a free loopback TCP port (a collector binds
#                                 port 0; we take its port after it stops)
#   ss_start NAME CONF [ARGS...]  lifeline NAME on CONF with a control socket
#                                 and a ready file; waits until it is ready
#   ss_status NAME                `lifelinectl status` answers within 5 s x
#                                 TL_SLOWDOWN
#   ss_other_lines N              appends N lines to $TL_DIR/other.log and
#                                 waits until co counted them all
#   ss_wait_file PATH             waits (10 s x TL_SLOWDOWN at most) for PATH
#   ss_stop NAME                  SIGTERM ends NAME within 10 s x TL_SLOWDOWN,
#                                 with exit code 0
#   ss_cpu_ticks PID              SS_TICKS: utime + stime of PID in clock
#                                 ticks; fails if PID died
#   SS_CLIENT                     the socket client (ss-client.py)

SS_OTHER_SENT=0
SS_CLIENT="$(dirname "${BASH_SOURCE[0]}")/ss-client.py"
: "${TL_LIFELINECTL:?set by tests/integration/meson.build}"

ss_secs() {
  awk -v s="$1" -v f="$TL_SLOWDOWN" 'BEGIN { printf "%g", s * f }'
}

ss_free_port() {
  local probe="portprobe$RANDOM" var
  tl_start_collector "$probe" 127.0.0.1 --quiet
  var="TL_PORT_$(_tl_var "$probe")"
  printf -v "$1" '%s' "${!var}"
  tl_stop "$probe"
}

ss_start() {
  local name=$1 conf=$2 ready=$TL_DIR/$1.ready deadline pidvar
  shift 2
  ll_run "$name" "$conf" -c "$TL_DIR/$name.ctl" --ready-file "$ready" "$@"
  pidvar="TL_PID_$(_tl_var "$name")"
  deadline=$(($(_tl_now_us) + $(_tl_us 10)))
  until [[ -s $ready ]]; do
    _tl_alive "${!pidvar}" || tl_fail "$name exited before it was ready: $(tail -n 3 "$TL_DIR/$name.err")"
    (($(_tl_now_us) < deadline)) || tl_fail "$name not ready after 10 s x $TL_SLOWDOWN"
    sleep 0.02
  done
}

ss_status() {
  local name=$1 rc=0
  "$TL_LIFELINECTL" -c "$TL_DIR/$name.ctl" -t "$(ss_secs 5)" status >"$TL_DIR/$name.status" 2>&1 || rc=$?
  ((rc == 0)) || tl_fail "$name: lifelinectl status exited $rc: $(cat "$TL_DIR/$name.status")"
}

ss_other_lines() {
  local n=$1
  "$TL_GENERATOR" --size 100 --count "$n" --start $((900000000 + SS_OTHER_SENT + 1)) >>"$TL_DIR/other.log"
  SS_OTHER_SENT=$((SS_OTHER_SENT + n))
  tl_wait_stat co lines $((SS_EXPECT_CO + SS_OTHER_SENT))
}

ss_wait_file() {
  local deadline
  deadline=$(($(_tl_now_us) + $(_tl_us 10)))
  until [[ -e $1 ]]; do
    (($(_tl_now_us) < deadline)) || tl_fail "$1 did not appear within 10 s x $TL_SLOWDOWN"
    sleep 0.02
  done
}

ss_stop() {
  tl_stop "$1"
  ((TL_RC == 0)) || tl_fail "$1 exited $TL_RC after SIGTERM"
}

ss_cpu_ticks() {
  # Fields 14 and 15 of /proc/PID/stat, counted after the command name's ')'.
  # A process that died (a zombie until reaped) keeps its last counts: fail.
  local stat=Z
  [[ -r /proc/$1/stat ]] && stat=$(<"/proc/$1/stat")
  stat=${stat##*) }
  [[ $stat != [ZX]* ]] || tl_fail "pid $1 died: $(tail -n 3 "$TL_DIR"/*.err)"
  SS_TICKS=$(awk '{ print $12 + $13 }' <<<"$stat")
}

# The tests' own lines to co (from stream clients) are added here, so
# ss_other_lines waits for the right total.
SS_EXPECT_CO=0
