# shellcheck shell=bash
# Shared by the file-source adversarial cases (source lib.sh and lifeline.sh
# first).
#
#   fs_start NAME CONF [ARGS...]  lifeline NAME on CONF with a control socket
#                                 and a ready file; waits until it is ready
#   fs_status NAME                `lifelinectl status` must answer within 5 s
#                                 x TL_SLOWDOWN (it gets no reply while the
#                                 loop is starved)
#   fs_other_lines N              appends N lines to $TL_DIR/other.log (a file
#                                 source every case has, sending to its own
#                                 collector "co") and waits until co counted
#                                 them all
#   fs_secs N                     N x TL_SLOWDOWN seconds, for timeout(1)
#   fs_stop NAME [undelivered-ok] SIGTERM must end NAME within 10 s x
#                                 TL_SLOWDOWN, with exit code 0 (or 1, "not
#                                 all delivered within stop-timeout()", with
#                                 undelivered-ok)

FS_OTHER_SENT=0

fs_secs() {
  awk -v s="$1" -v f="$TL_SLOWDOWN" 'BEGIN { printf "%g", s * f }'
}

fs_start() {
  local name=$1 conf=$2 ready=$TL_DIR/$1.ready deadline pidvar
  shift 2
  ll_run "$name" "$conf" -c "$TL_DIR/$name.ctl" --ready-file "$ready" "$@"
  pidvar="TL_PID_$(_tl_var "$name")"
  deadline=$(($(_tl_now_us) + $(_tl_us 10)))
  until [[ -s $ready ]]; do
    _tl_alive "${!pidvar}" || tl_fail "$name exited before it was ready"
    (($(_tl_now_us) < deadline)) || tl_fail "$name not ready after 10 s x $TL_SLOWDOWN"
    sleep 0.02
  done
}

fs_status() {
  local name=$1 rc=0
  "$TL_LIFELINECTL" -c "$TL_DIR/$name.ctl" -t "$(fs_secs 5)" status >"$TL_DIR/$name.status" 2>&1 || rc=$?
  ((rc == 0)) || tl_fail "$name: lifelinectl status exited $rc: $(cat "$TL_DIR/$name.status")"
}

fs_other_lines() {
  local n=$1
  "$TL_GENERATOR" --size 100 --count "$n" --start $((FS_OTHER_SENT + 1)) >>"$TL_DIR/other.log"
  FS_OTHER_SENT=$((FS_OTHER_SENT + n))
  tl_wait_stat co lines "$FS_OTHER_SENT"
}

fs_stop() {
  tl_stop "$1"
  ((TL_RC == 0)) || [[ ${2:-} == undelivered-ok && $TL_RC == 1 ]] || tl_fail "$1 exited $TL_RC after SIGTERM"
}
