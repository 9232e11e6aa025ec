#!/usr/bin/env bash
# SIGHUP reload of hostile configurations: for each case a fresh lifeline runs
# a good configuration (a tcp() source forwarding to a collector, a control
# socket), the file behind -f is replaced by a hostile one (or by a FIFO, a
# link to /dev/zero, a directory), and SIGHUP is sent.  The reload must fail
# with "Reload failed" naming the file; the running configuration keeps
# running: `lifelinectl status` answers, 1000 lines sent after the reload all
# arrive, and SIGTERM still ends lifeline in bounded time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$TL_SOURCE_ROOT/tests/integration/lib.sh"
source "$TL_SOURCE_ROOT/tests/integration/lifeline.sh"
source "$here/hostile-lib.sh"
: "${TL_LIFELINECTL:?set by meson}"

STOP=2

# Sends lines FIRST..FIRST+N-1 through the tcp() source; they must all arrive.
send_and_expect() { # FIRST N
  tl_spawn "gen$1" "$TL_GENERATOR" --count "$2" --start "$1" --size 100 --connect "127.0.0.1:$port"
  local pidvar="TL_PID_gen$1"
  tl_wait_exit "${!pidvar}" 10 "$TL_DIR/c.stats"
  ((TL_RC == 0)) || tl_fail "generator exited $TL_RC"
  tl_wait_stat c distinct $(($1 + $2 - 1))
}

reload_case() { # HOW ARG: conf NAME (from configs/), or main fifo|dev-zero|directory
  local how=$1 arg=$2 conf
  # -f naming /dev/zero must not take the machine's memory with it.
  hl_limit_memory 1024
  # The collector listens before the probe closes: it cannot get that port.
  tl_start_collector c 127.0.0.1 --quiet
  tl_start_collector portprobe 127.0.0.1 --quiet
  port=$TL_PORT_portprobe
  tl_stop portprobe
  # The running file sits next to the hostile configs, so that their relative
  # includes resolve as they do under --syntax-only.
  mkdir -p "$TL_DIR/configs"
  cp -R "$here/configs/." "$TL_DIR/configs/"
  conf=$TL_DIR/configs/run.conf
  cat >"$conf" <<CONF
@version: 4.0
options { stop-timeout($STOP); };
source s { tcp(ip("127.0.0.1") port($port)); };
destination d { network("127.0.0.1" port($TL_PORT_c)); };
log { source(s); destination(d); };
CONF
  ll_run ll configs/run -c "$TL_DIR/ctl"
  ll_wait_log ll "Listening" 1
  send_and_expect 1 1000

  case $how in
    conf)
      local src=$TL_DIR/configs/$arg
      if [[ $arg == *.gen ]]; then
        (cd "$TL_DIR/configs" && bash "$arg" "${arg%.gen}.conf")
        src=$TL_DIR/configs/${arg%.gen}.conf
      fi
      cp "$src" "$conf.new"
      mv "$conf.new" "$conf"
      ;;
    main)
      rm -f "$conf"
      case $arg in
        fifo) mkfifo "$conf" ;;
        dev-zero) ln -s /dev/zero "$conf" ;;
        directory) mkdir "$conf" ;;
      esac
      ;;
  esac
  kill -HUP "$TL_PID_ll"
  ll_wait_log ll "Reload failed; the running configuration stays" 1
  grep -q "Configuration reloaded" "$TL_DIR/ll.err" && tl_fail "a hostile configuration was loaded"
  (($(grep -c "Reload failed" "$TL_DIR/ll.err") <= 3)) || tl_fail "reload failure logged more than 3 times"
  hl_ctl_status
  grep -qx 'destination d' "$TL_DIR/ctl.out" || tl_fail "status after the reload: $(head -c 300 "$TL_DIR/ctl.out")"
  send_and_expect 1001 1000
  hl_term ll "$STOP"
  ((TL_RC == 0)) || tl_fail "lifeline exited $TL_RC"
  tl_stop c
  tl_expect c duplicates=0 distinct=2000
  tl_pass "$how $arg: reload refused, still forwarding"
}

# A representative subset of configs/expected.tsv: one per kind of hostility.
for name in deep-parens.gen huge-string-unterminated.gen include-loop.conf include-fifo.gen \
  define-laughs.gen nul-in-string.gen invalid-utf8-name.gen bom-only.gen empty.conf \
  tls-ca-file-number.conf port-overflow-u64.conf include-fanout.gen; do
  # shellcheck disable=SC2317 # called through hl_case
  case_fn() { reload_case conf "$name"; }
  hl_case "reload $name" case_fn
done
for what in directory fifo dev-zero; do
  # shellcheck disable=SC2317 # called through hl_case
  case_fn() { reload_case main "$what"; }
  hl_case "reload -f $what" case_fn
done
hl_finish
