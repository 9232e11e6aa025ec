#!/usr/bin/env bash
# Hostile input on every source driver (stdin(), file(), tcp(), unix-stream()),
# each case while a well-behaved tcp() source feeds 20000 lines that must all
# arrive: 100 MB without a newline (cut at log-msg-size(), counted, memory
# bounded), binary garbage with NULs (framed by newline, forwarded byte for
# byte), 2000 short connections (no fd left behind), slow clients (one byte
# per 10 ms; their lines arrive whole) and 50 idle clients.  Every case: no
# sanitizer report, `lifelinectl status` answers, SIGTERM ends lifeline within
# stop-timeout() + 10 s (x LIFELINE_TEST_SLOWDOWN), exit code 0.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$TL_SOURCE_ROOT/tests/integration/lib.sh"
source "$TL_SOURCE_ROOT/tests/integration/lifeline.sh"
source "$here/hostile-lib.sh"
source "$here/inputs-lib.sh"
: "${TL_LIFELINECTL:?set by meson}"
client() { python3 "$here/client.py" "$@"; }
MB100=$((100 * 1024 * 1024))

# stdin() reads a FIFO; a writer process that we start holds it open so that
# lifeline sees end of input only when stdin_close ends that writer.  With
# another source configured, lifeline keeps running after end of input, so
# each case ends with SIGTERM.
stdin_fifo() {
  LL_STDIN=$TL_DIR/stdin.fifo
  mkfifo "$LL_STDIN"
  tl_spawn holder bash -c "exec sleep 3600 >'$LL_STDIN'"
}
stdin_close() {
  kill -TERM "$TL_PID_holder"
  tl_wait_exit "$TL_PID_holder" 10
}

# ---- 100 MB without a newline ----
no_newline_stdin() {
  stdin_fifo
  hi_start 'stdin();'
  hi_good_start
  head -c "$MB100" /dev/zero | tr '\0' x >"$LL_STDIN"
  hi_good_finish
  ll_wait_log ll "Line longer than log-msg-size() truncated" 1
  hi_memory_below 256
  hl_ctl_status
  printf '\n' >"$LL_STDIN"
  stdin_close
  tl_wait_stat c lines $((HI_GOOD + 1))
  hi_finish
  [[ $(hl_src_total ll s_bad truncated) == 1 && $(hl_src_total ll s_bad forwarded) == 1 ]] ||
    tl_fail "s_bad totals: $(grep 'source=s_bad' "$TL_DIR/ll.err")"
  tl_expect c lines=$((HI_GOOD + 1))
  grep -qx "$(head -c 65536 /dev/zero | tr '\0' x)" "$TL_DIR/c.out.log" || tl_fail "the cut line is not 64 KiB of x"
}

no_newline_stream() { # DECL ADDR-VAR
  hi_start "$1"
  local addr=${!2}
  hi_good_start
  head -c "$MB100" /dev/zero | tr '\0' x | client stream "$addr" || tl_fail "sending 100 MB failed"
  hi_good_finish
  tl_wait_stat c lines $((HI_GOOD + 1))
  hi_memory_below 256
  hi_finish
  [[ $(hl_src_total ll s_bad truncated) == 1 && $(hl_src_total ll s_bad forwarded) == 1 ]] ||
    tl_fail "s_bad totals: $(grep 'source=s_bad' "$TL_DIR/ll.err")"
}
no_newline_tcp() { no_newline_stream 'tcp(ip("127.0.0.1") port(BAD_PORT));' bad_port; }
no_newline_unix() { no_newline_stream 'unix-stream("BAD_SOCK");' sock; }

no_newline_file() {
  : >"$TL_DIR/in.txt"
  hi_start 'file("BAD_FILE" follow-freq(0.05));'
  hi_good_start
  head -c "$MB100" /dev/zero | tr '\0' x >>"$TL_DIR/in.txt"
  printf '\n' >>"$TL_DIR/in.txt"
  hi_good_finish
  tl_wait_stat c lines $((HI_GOOD + 1))
  hi_memory_below 256
  hi_finish
  [[ $(hl_src_total ll s_bad truncated) == 1 && $(hl_src_total ll s_bad forwarded) == 1 ]] ||
    tl_fail "s_bad totals: $(grep 'source=s_bad' "$TL_DIR/ll.err")"
}

# ---- binary garbage with NULs: 1 MiB, framed by newline ----
garbage_check() { # LINES-EXPECTED
  tl_wait_stat c lines $((HI_GOOD + $1))
  hi_finish
  [[ $(hl_src_total ll s_bad forwarded) == "$1" ]] ||
    tl_fail "s_bad totals: $(grep 'source=s_bad' "$TL_DIR/ll.err"), want forwarded=$1"
}
garbage_lines() { # FILE: lines as a newline framer sees them (a last partial line counts)
  python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); print(d.count(b"\n") + (0 if d.endswith(b"\n") else 1))' "$1"
}
garbage_stream() { # DECL ADDR-VAR
  hi_garbage 1048576 >"$TL_DIR/garbage"
  hi_start "$1 log-msg-size(1M));"
  hi_good_start
  client stream "${!2}" <"$TL_DIR/garbage" || tl_fail "sending garbage failed"
  hi_good_finish
  garbage_check "$(garbage_lines "$TL_DIR/garbage")"
}
garbage_tcp() { garbage_stream 'tcp(ip("127.0.0.1") port(BAD_PORT)' bad_port; }
garbage_unix() { garbage_stream 'unix-stream("BAD_SOCK"' sock; }
garbage_file() {
  { hi_garbage 1048576; printf '\n'; } >"$TL_DIR/garbage"
  cp "$TL_DIR/garbage" "$TL_DIR/in.txt"
  hi_start 'file("BAD_FILE" follow-freq(0.05) log-msg-size(1M));'
  hi_good_start
  hi_good_finish
  garbage_check "$(garbage_lines "$TL_DIR/garbage")"
}
garbage_stdin() {
  { hi_garbage 1048576; printf '\n'; } >"$TL_DIR/garbage"
  stdin_fifo
  hi_start 'stdin(log-msg-size(1M));'
  hi_good_start
  cat "$TL_DIR/garbage" >"$LL_STDIN"
  hi_good_finish
  local n
  n=$(garbage_lines "$TL_DIR/garbage")
  tl_wait_stat c lines $((HI_GOOD + n))
  stdin_close
  hi_finish
  [[ $(hl_src_total ll s_bad forwarded) == "$n" ]] || tl_fail "s_bad totals: $(grep 'source=s_bad' "$TL_DIR/ll.err")"
}

# ---- 2000 short connections: none refused for long, no fd left behind ----
short_connections() { # DECL ADDR-VAR
  hi_start "$1"
  local before after deadline
  ll_wait_log ll "Connected; destination=d" 1
  before=$(find "/proc/$TL_PID_ll/fd" -mindepth 1 | wc -l)
  hi_good_start
  client short "${!2}" 2000 || tl_fail "2000 short connections failed"
  hi_good_finish
  hl_ctl_status
  # Closed clients are reaped as lifeline sees their EOF.  Two fds of slack:
  # lifeline may open a descriptor or two lazily at its first client; a leak
  # per connection would show as hundreds.
  deadline=$(($(_tl_now_us) + $(_tl_us 10)))
  while after=$(find "/proc/$TL_PID_ll/fd" -mindepth 1 | wc -l); ((after > before + 2)); do
    (($(_tl_now_us) < deadline)) || tl_fail "lifeline holds $after fds, $before before 2000 short connections"
    sleep 0.02
  done
  hi_finish
}
short_tcp() { short_connections 'tcp(ip("127.0.0.1") port(BAD_PORT) max-connections(100000));' bad_port; }
short_unix() { short_connections 'unix-stream("BAD_SOCK" max-connections(100000));' sock; }

# ---- 5 slow clients, one byte per 10 ms: every line arrives whole ----
slow_clients() { # DECL ADDR-VAR
  hi_start "$1"
  hi_good_start
  client slow "${!2}" 5 slowline || tl_fail "slow clients failed"
  hi_good_finish
  tl_wait_stat c lines $((HI_GOOD + 15))
  local i
  for i in 0 1 2 3 4; do
    (($(grep -cx "slowline-$i" "$TL_DIR/c.out.log") == 3)) || tl_fail "slow client $i: lines not whole"
  done
  hi_finish
}
slow_tcp() { slow_clients 'tcp(ip("127.0.0.1") port(BAD_PORT));' bad_port; }
slow_unix() { slow_clients 'unix-stream("BAD_SOCK");' sock; }

# ---- 50 idle clients on a source allowing 100: nothing else is held up ----
idle_clients() { # DECL ADDR-VAR
  hi_start "$1"
  tl_spawn hold bash -c "exec python3 '$here/client.py' hold '${!2}' 50 '$TL_DIR/held' < <(sleep 3600)"
  local deadline
  deadline=$(($(_tl_now_us) + $(_tl_us 10)))
  until [[ -s $TL_DIR/held ]]; do
    (($(_tl_now_us) < deadline)) || tl_fail "idle clients did not connect"
    sleep 0.02
  done
  grep -qx 'opened=50 failed=0' "$TL_DIR/held" || tl_fail "idle clients: $(cat "$TL_DIR/held")"
  hi_good_start
  hi_good_finish
  hi_finish
}
idle_tcp() { idle_clients 'tcp(ip("127.0.0.1") port(BAD_PORT) max-connections(100));' bad_port; }
idle_unix() { idle_clients 'unix-stream("BAD_SOCK" max-connections(100));' sock; }

for c in no_newline_stdin no_newline_tcp no_newline_unix no_newline_file \
  garbage_stdin garbage_tcp garbage_unix garbage_file \
  short_tcp short_unix slow_tcp slow_unix idle_tcp idle_unix; do
  hl_case "$c" "$c"
done
hl_finish
