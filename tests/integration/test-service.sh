#!/usr/bin/env bash
# Service basics: --pidfile and --ready-file (content: the pid; both removed
# at exit), refusal of a second lifeline on a live pid file, a stale pid file
# replaced, sd_notify READY=1 / STOPPING=1 when built with libsystemd, and,
# as root, --user dropping privileges after binding (/proc/PID/status).
set -euo pipefail
here=$(dirname "$0")
source "$here/lib.sh"
source "$here/lifeline.sh"
tl_init

# Waits while NAME runs until FILE exists, non-empty, holding WANT if given.
wait_file() {
  local name=$1 file=$2 want=${3:-} pidvar deadline got
  pidvar="TL_PID_$(_tl_var "$name")"
  deadline=$(($(_tl_now_us) + $(_tl_us 10)))
  while :; do
    got=$(cat "$file" 2>/dev/null || true)
    [[ -n $got && ( -z $want || $got == "$want" ) ]] && break
    _tl_alive "${!pidvar}" || tl_fail "$name exited before writing $file"
    (($(_tl_now_us) < deadline)) || tl_fail "$name: no $file after 10s x $TL_SLOWDOWN"
    sleep 0.02
  done
}

tl_start_collector c 127.0.0.1
ll_config svc <<CONF
@version: 4.0
source s_in { stdin(); };
destination d_net { network("127.0.0.1" port($TL_PORT_c)); };
log { source(s_in); destination(d_net); };
CONF
# Standard input that never ends: a FIFO whose writer stays open until killed.
open_stdin() {
  mkfifo "$TL_DIR/$1.fifo"
  # shellcheck disable=SC2016 # expanded by the inner bash
  tl_spawn "$1_writer" bash -c 'exec 3>"$1"; exec sleep 1000' writer "$TL_DIR/$1.fifo"
  LL_STDIN="$TL_DIR/$1.fifo"
}

# sd_notify's receiving end, as systemd would provide it.
notify_log=
if readelf -d "$TL_LIFELINE" | grep -q 'NEEDED.*libsystemd'; then
  notify_log="$TL_DIR/notify.log"
  tl_spawn notify python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[2] + ".bound", "w").write("bound")
with open(sys.argv[2], "a") as f:
    while True:
        f.write(s.recv(4096).decode() + "\n")
        f.flush()
' "$TL_DIR/notify.sock" "$notify_log"
  wait_file notify "$notify_log.bound"
fi

echo 999999999 >"$TL_DIR/svc.pid" # stale: names no process
echo stale >"$TL_DIR/svc.ready"
open_stdin svc
NOTIFY_SOCKET="$TL_DIR/notify.sock" ll_run svc svc --pidfile "$TL_DIR/svc.pid" --ready-file "$TL_DIR/svc.ready"
wait_file svc "$TL_DIR/svc.ready" "$TL_PID_svc"
[[ $(<"$TL_DIR/svc.ready") == "$TL_PID_svc" ]] || tl_fail "ready file holds '$(<"$TL_DIR/svc.ready")', want $TL_PID_svc"
[[ $(<"$TL_DIR/svc.pid") == "$TL_PID_svc" ]] || tl_fail "pid file holds '$(<"$TL_DIR/svc.pid")', want $TL_PID_svc"
tl_pass "pid file (stale one replaced) and ready file hold the pid"

# A second lifeline on the same pid file refuses before starting anything.
rc=0
"$TL_LIFELINE" -f "$TL_DIR/svc.conf" --module-path "$TL_MODULE_PATH" --pidfile "$TL_DIR/svc.pid" \
  </dev/null >/dev/null 2>"$TL_DIR/second.err" || rc=$?
((rc == 1)) || tl_fail "second lifeline exited $rc, want 1"
grep -q "pid file $TL_DIR/svc.pid is locked by a running process (pid $TL_PID_svc)" "$TL_DIR/second.err" ||
  tl_fail "second lifeline said: $(cat "$TL_DIR/second.err")"
[[ $(<"$TL_DIR/svc.pid") == "$TL_PID_svc" ]] || tl_fail "the refused lifeline changed the pid file"
tl_pass "a second lifeline refuses a pid file locked by a running one, naming its pid"

tl_stop svc
((TL_RC == 0)) || tl_fail "lifeline exited $TL_RC after SIGTERM"
[[ ! -e $TL_DIR/svc.pid && ! -e $TL_DIR/svc.ready ]] || tl_fail "pid file or ready file left after exit"
tl_pass "SIGTERM: exit 0, pid file and ready file removed"

if [[ -n $notify_log ]]; then
  # READY=1 came before STOPPING=1, each once.
  got=$(grep -E '^(READY|STOPPING)=1$' "$notify_log" | tr '\n' ' ')
  [[ $got == "READY=1 STOPPING=1 " ]] || tl_fail "sd_notify messages: '$got'"
  tl_pass "sd_notify: READY=1, then STOPPING=1"
else
  echo "SKIP: built without libsystemd, no sd_notify"
fi

# --user and --group need root; unknown names are command-line errors.
if ((EUID != 0)); then
  rc=0
  "$TL_LIFELINE" -f "$TL_DIR/svc.conf" --user nobody </dev/null >/dev/null 2>"$TL_DIR/user.err" || rc=$?
  ((rc == 2)) && grep -q 'need root' "$TL_DIR/user.err" || tl_fail "--user as non-root: exit $rc, $(cat "$TL_DIR/user.err")"
  tl_pass "--user without root: exit 2"
  echo "SKIP: not root, privilege drop not tested"
  exit 0
fi
for bad in "--user no-such-user-xyz" "--group no-such-group-xyz"; do
  rc=0
  # shellcheck disable=SC2086 # two words
  "$TL_LIFELINE" -f "$TL_DIR/svc.conf" $bad </dev/null >/dev/null 2>"$TL_DIR/bad.err" || rc=$?
  ((rc == 2)) && grep -q 'no such' "$TL_DIR/bad.err" || tl_fail "$bad: exit $rc, $(cat "$TL_DIR/bad.err")"
done
tl_pass "unknown --user/--group: exit 2"

# As root: drop to nobody.  Files written after the drop (the ready file) and
# removed at exit need a directory nobody may write: $TL_DIR/run.
uid=$(id -u nobody)
gid=$(id -g nobody)
chmod 0711 "$TL_DIR"
mkdir "$TL_DIR/run"
chown nobody "$TL_DIR/run"
open_stdin drop
ll_run drop svc --user nobody --pidfile "$TL_DIR/run/pid" --ready-file "$TL_DIR/run/ready" \
  --control "$TL_DIR/run/ctl"
wait_file drop "$TL_DIR/run/ready"
status=/proc/$TL_PID_drop/status
[[ $(awk '/^Uid:/ { print $2, $3, $4, $5 }' "$status") == "$uid $uid $uid $uid" ]] ||
  tl_fail "after --user nobody: $(grep -E '^(Uid|Gid|Groups):' "$status" | tr '\n' ' ')"
[[ $(awk '/^Gid:/ { print $2, $3, $4, $5 }' "$status") == "$gid $gid $gid $gid" ]] ||
  tl_fail "after --user nobody: $(grep -E '^(Uid|Gid|Groups):' "$status" | tr '\n' ' ')"
groups=" $(sed -n 's/^Groups:\s*//p' "$status") "
[[ $groups != *" 0 "* ]] || tl_fail "root's group kept: Groups:$groups"
[[ $(stat -c %u "$TL_DIR/run/ctl") == "$uid" ]] || tl_fail "control socket owned by uid $(stat -c %u "$TL_DIR/run/ctl")"
"$TL_LIFELINECTL" -c "$TL_DIR/run/ctl" status >"$TL_DIR/ctl.out" 2>&1 || tl_fail "lifelinectl status: $(cat "$TL_DIR/ctl.out")"
tl_pass "--user nobody: uid $uid, gid $gid, no root group; the control socket still answers"
tl_stop drop
((TL_RC == 0)) || tl_fail "lifeline --user nobody exited $TL_RC after SIGTERM"
[[ ! -e $TL_DIR/run/pid && ! -e $TL_DIR/run/ready && ! -e $TL_DIR/run/ctl ]] ||
  tl_fail "left after exit: $(ls "$TL_DIR/run")"
tl_pass "--user nobody: SIGTERM exits 0 and removes its files"
