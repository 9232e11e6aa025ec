#!/usr/bin/env bash
# --persist-file: a file() source continues after the last delivered line.
# (a) SIGKILL mid-stream, restart with the same persist file: every line
#     arrives at least once, in order on each connection; the duplicates are
#     the lines in flight (and delivered since the last write, at most
#     200 ms' worth), counted and reported.
# (b) SIGTERM mid-stream, restart: zero duplicates, zero lost.
# (c) The file replaced by another one (another inode): read from its start,
#     and logged; a file shorter than its stored position likewise.
# (d) Reloads mid-stream: with only the destination changed, the file()
#     source keeps running (nothing repeated); with the source changed
#     (follow-freq()), the new one continues after the last delivered line.
set -euo pipefail
here=$(dirname "$0")
source "$here/lib.sh"
source "$here/lifeline.sh"
tl_init

N=200000
RATE=50000 # lines/s appended by the writer: 4 s for N

write_config() { # NAME LOG COLLECTOR_PORT [FOLLOW_FREQ [TIME_REOPEN]]
  ll_config "$1" <<CONF
@version: 4.0
source s_file { file("$2" follow-freq(${4:-0.05})); };
destination d_net { network("127.0.0.1" port($3) time-reopen(${5:-1})); };
log { source(s_file); destination(d_net); };
CONF
}

# Waits until collector NAME has no connection open (after lifeline died),
# so that a new connection's lines follow the old one's in its output.
wait_closed() {
  local name=$1 deadline
  deadline=$(($(_tl_now_us) + $(_tl_us 10)))
  until (($(tl_stat "$name" open) == 0)); do
    (($(_tl_now_us) < deadline)) || tl_fail "$name still has a connection open: $(cat "$TL_DIR/$name.stats")"
    sleep 0.02
  done
}

# The collector's output holds connection after connection: the sequence
# numbers rise by one within each, and drop back at most RESTARTS times, each
# time to a line already seen (nothing skipped).  Prints the number of drops.
check_order() { # NAME RESTARTS
  awk -v restarts="$2" '
    { seq = $1 + 0 }
    NR > 1 && seq != prev + 1 {
      if (seq > prev + 1) { print "line " NR ": " prev " then " seq ": lines skipped"; bad = 1; exit 1 }
      if (++drops > restarts) { print "line " NR ": " prev " then " seq ": out of order"; bad = 1; exit 1 }
    }
    { prev = seq }
    END { if (!bad) print drops + 0 }' "$TL_DIR/$1.out.log"
}

expect_clean() { # NAME: no torn, unsequenced or framing errors
  local key
  for key in torn unsequenced framing_errors; do
    [[ $(tl_stat "$1" $key) == 0 ]] || tl_fail "$1: $key=$(tl_stat "$1" $key): $(cat "$TL_DIR/$1.stats")"
  done
}

# Collector c$1, lifeline ll$1 following $1.log with persist file $1.persist,
# and a writer appending N lines at RATE; returns after 40000 lines arrived.
start_stream() { # X
  local x=$1 c="c$1"
  tl_start_collector "$c" 127.0.0.1 --quiet
  local port="TL_PORT_$c"
  write_config "$x" "$TL_DIR/$x.log" "${!port}"
  : >"$TL_DIR/$x.log"
  tl_spawn "writer_$x" bash -c '"$1" --size 100 --count "$2" --rate "$3" >>"$4"' _ "$TL_GENERATOR" "$N" "$RATE" \
    "$TL_DIR/$x.log"
  ll_run "ll$x" "$x" --persist-file "$TL_DIR/$x.persist"
  tl_wait_stat "$c" lines 40000
}

# After ll$1 ended: a new lifeline with the same persist file resumes, and
# runs until the writer finished and every line arrived.  Sets AT_END to the
# lines that had arrived when ll$1 ended.
restart_and_finish() { # X
  local x=$1 c="c$1" writer="TL_PID_writer_$1"
  AT_END=$(tl_stat "$c" lines)
  ((AT_END < N)) || tl_fail "every line had arrived before lifeline ended: not mid-stream"
  wait_closed "$c"
  [[ -s $TL_DIR/$x.persist ]] || tl_fail "no persist file after $AT_END lines"
  ll_run "ll${x}2" "$x" --persist-file "$TL_DIR/$x.persist"
  ll_wait_log "ll${x}2" "Resuming file after the last delivered line" 1
  tl_wait_exit "${!writer}" 20 "$TL_DIR/$c.stats"
  ((TL_RC == 0)) || tl_fail "writer exited $TL_RC"
  tl_wait_stat "$c" distinct "$N"
  tl_stop "ll${x}2"
  ((TL_RC == 0)) || tl_fail "lifeline exited $TL_RC after SIGTERM"
  expect_clean "$c"
  [[ $(tl_stat "$c" distinct) == "$N" && $(tl_stat "$c" max_seq) == "$N" ]] || tl_fail "$c: $(cat "$TL_DIR/$c.stats")"
}

# ---- (a) SIGKILL mid-stream ----
start_stream k
# shellcheck disable=SC2154 # TL_PID_llk: set by ll_run
kill -KILL "$TL_PID_llk"
tl_wait_exit "$TL_PID_llk" 10
((TL_RC == 137)) || tl_fail "lifeline exited $TL_RC after SIGKILL, want 137"
restart_and_finish k
dups=$(tl_stat ck duplicates)
((dups < N)) || tl_fail "$dups duplicates: the restart did not continue where delivery stopped"
((dups == $(tl_stat ck lines) - N)) || tl_fail "ck: $(cat "$TL_DIR/ck.stats")"
drops=$(check_order ck 1) || tl_fail "ck order: $drops"
tl_pass "SIGKILL after $AT_END of $N lines, restart: all $N lines, $dups duplicates (re-sent from the last stored position), order kept per connection"

# ---- (b) SIGTERM mid-stream ----
start_stream t
tl_stop llt
((TL_RC == 0)) || tl_fail "lifeline exited $TL_RC after SIGTERM"
restart_and_finish t
for key in duplicates out_of_order; do
  [[ $(tl_stat ct $key) == 0 ]] || tl_fail "ct: $key=$(tl_stat ct $key) after a clean stop"
done
[[ $(tl_stat ct lines) == "$N" ]] || tl_fail "ct: $(cat "$TL_DIR/ct.stats")"
check_order ct 0 >/dev/null || tl_fail "ct order: $(check_order ct 0)"
tl_pass "SIGTERM at $AT_END lines, restart: all $N lines exactly once, in order"

# ---- (c) a file replaced, then one shorter than its stored position ----
# The new file exists before the old one goes, so it has another inode.
log_t=$TL_DIR/t.log
"$TL_GENERATOR" --size 100 --count 1000 --start $((N + 1)) >"$log_t.new"
mv "$log_t.new" "$log_t"
ll_run llt3 t --persist-file "$TL_DIR/t.persist"
ll_wait_log llt3 "File was replaced since its position was stored; reading it from its start" 1
tl_wait_stat ct distinct $((N + 1000))
tl_stop llt3
((TL_RC == 0)) || tl_fail "lifeline exited $TL_RC after SIGTERM"
tl_pass "a replaced file is read from its start"

# Same inode, shorter than the stored position (truncated while stopped).
"$TL_GENERATOR" --size 100 --count 500 --start $((N + 1001)) >"$log_t"
ll_run llt4 t --persist-file "$TL_DIR/t.persist"
ll_wait_log llt4 "File is shorter than its stored position; reading it from its start" 1
tl_wait_stat ct distinct $((N + 1500))
tl_stop llt4
((TL_RC == 0)) || tl_fail "lifeline exited $TL_RC after SIGTERM"
tl_stop ct
[[ $(tl_stat ct lines) == $((N + 1500)) && $(tl_stat ct duplicates) == 0 ]] || tl_fail "ct: $(cat "$TL_DIR/ct.stats")"
check_order ct 0 >/dev/null || tl_fail "ct order: $(check_order ct 0)"
tl_pass "a file shorter than its stored position is read from its start; $((N + 1500)) lines exactly once"

# ---- (d) reloads mid-stream ----
start_stream r
# shellcheck disable=SC2154 # TL_PORT_cr, TL_PID_writer_r: set by start_stream
write_config r "$TL_DIR/r.log" "$TL_PORT_cr" 0.05 2
# shellcheck disable=SC2154 # TL_PID_llr: set by ll_run
kill -HUP "$TL_PID_llr"
ll_wait_log llr "Configuration reloaded" 1
grep -q "Source unchanged; keeping it running; source=s_file" "$TL_DIR/llr.err" || tl_fail "s_file not kept"
tl_wait_stat cr lines $(($(tl_stat cr lines) + 20000))
write_config r "$TL_DIR/r.log" "$TL_PORT_cr" 0.1 2
kill -HUP "$TL_PID_llr"
ll_wait_log llr "Configuration reloaded" 2
ll_wait_log llr "Resuming file after the last delivered line" 1
# shellcheck disable=SC2154
tl_wait_exit "$TL_PID_writer_r" 20 "$TL_DIR/cr.stats"
((TL_RC == 0)) || tl_fail "writer exited $TL_RC"
tl_wait_stat cr distinct "$N"
tl_stop llr
((TL_RC == 0)) || tl_fail "lifeline exited $TL_RC"
tl_stop cr
expect_clean cr
dups=$(tl_stat cr duplicates)
[[ $(tl_stat cr distinct) == "$N" && $(tl_stat cr max_seq) == "$N" ]] || tl_fail "cr: $(cat "$TL_DIR/cr.stats")"
((dups < N && dups == $(tl_stat cr lines) - N)) || tl_fail "cr: $(cat "$TL_DIR/cr.stats")"
(($(tl_stat cr connections) == 2)) || tl_fail "cr: $(tl_stat cr connections) connections, want 2"
drops=$(check_order cr 1) || tl_fail "cr order: $drops"
tl_pass "two reloads mid-stream: all $N lines; $dups repeated by the changed source, none by the kept one"
