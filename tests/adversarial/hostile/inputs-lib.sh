# shellcheck shell=bash disable=SC2154 # TL_PID_*, TL_PORT_*: set by lib.sh
# One lifeline per case: a hostile source s_bad (the case's driver) next to a
# well-behaved tcp() source s_good; both forward to collector c.
#
#   hi_start DECL [OPTIONS]  start lifeline with `source s_bad { DECL };`;
#                            $bad_port is free for a tcp() s_bad, $sock for a
#                            unix-stream() one; OPTIONS go into options { }
#   hi_good_start            20000 sequenced lines to s_good, at 20000/s
#   hi_good_finish           they must all have arrived
#   hi_memory_below MIB      lifeline's peak RSS must stay below MIB (not under ASan)
#   hi_finish                status answers, SIGTERM ends lifeline (exit 0),
#                            the collector has every good line once

HI_GOOD=20000
HI_STOP=2

# Two free ports: both probes listen at once, so the kernel cannot hand the
# same ephemeral port out twice (it did, under ASan's slower start).
hi_free_ports() {
  tl_start_collector portprobe1 127.0.0.1 --quiet
  tl_start_collector portprobe2 127.0.0.1 --quiet
  good_port=$TL_PORT_portprobe1
  bad_port=$TL_PORT_portprobe2
  tl_stop portprobe1
  tl_stop portprobe2
}

hi_start() {
  local decl=$1 opts=${2:-}
  hi_free_ports
  sock=$TL_DIR/in.sock
  decl=${decl//BAD_PORT/$bad_port}
  decl=${decl//BAD_SOCK/$sock}
  decl=${decl//BAD_FILE/$TL_DIR\/in.txt}
  tl_start_collector c 127.0.0.1 --quiet
  ll_config hi <<CONF
@version: 4.0
options { stop-timeout($HI_STOP); $opts };
source s_good { tcp(ip("127.0.0.1") port($good_port)); };
source s_bad { $decl };
destination d { network("127.0.0.1" port($TL_PORT_c)); };
log { source(s_good); source(s_bad); destination(d); };
CONF
  ll_run ll hi -c "$TL_DIR/ctl"
  ll_wait_log ll "Listening; source=s_good" 1
}

hi_good_start() {
  tl_spawn good "$TL_GENERATOR" --count "$HI_GOOD" --size 100 --rate 20000 --connect "127.0.0.1:$good_port"
}

hi_good_finish() {
  tl_wait_exit "$TL_PID_good" 10 "$TL_DIR/c.stats"
  ((TL_RC == 0)) || tl_fail "the well-behaved generator exited $TL_RC"
  tl_wait_stat c distinct "$HI_GOOD"
}

hi_memory_below() {
  local mib=$1 kib
  hl_is_asan && return 0
  kib=$(sed -n 's/^VmHWM: *\([0-9]*\) kB/\1/p' "/proc/$TL_PID_ll/status")
  ((kib < mib * 1024)) || tl_fail "lifeline's peak RSS is $((kib / 1024)) MiB, want below $mib MiB"
}

hi_finish() {
  hl_ctl_status
  hl_term ll "$HI_STOP"
  ((TL_RC == 0)) || tl_fail "lifeline exited $TL_RC after SIGTERM"
  tl_stop c
  tl_expect c duplicates=0 distinct="$HI_GOOD"
}

# Prints N bytes of fixed pseudo-random garbage: NULs and every other byte
# except the digits (a line starting with digits would count as a sequence
# number at the collector).
hi_garbage() {
  python3 -c 'import random, sys
r = random.Random(11)
ok = [b for b in range(256) if not 48 <= b <= 57]
sys.stdout.buffer.write(bytes(r.choice(ok) for _ in range(int(sys.argv[1]))))' "$1"
}
