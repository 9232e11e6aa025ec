#!/usr/bin/env bash
# The quick start: installs what is missing, builds, starts a collector on
# loopback and forwards a stream of lines through lifeline while you watch.
# Midway the collector is restarted: lifeline reconnects and re-sends what the
# old one never acknowledged, and the tally at the end shows nothing was lost.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash tools/install-deps.sh
[[ -d build ]] || meson setup build >/dev/null
ninja -C build >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/lifeline-demo.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

count=${DEMO_LINES:-20000}
rate=${DEMO_RATE:-2000}
collector() { # $1 = port (0: any)
  build/tools/lifeline-collector --listen 127.0.0.1 --port "$1" --ready-file "$work/ready" \
    --stats-file "$work/stats" --output "$work/received.log" --quiet &
  pids+=("$!")
  collector_pid=$!
  until [[ -s $work/ready ]]; do sleep 0.05; done
}
stat() { sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" "$work/stats" 2>/dev/null || echo 0; }

collector 0
export LIFELINE_DEMO_PORT=$(<"$work/ready")
echo "== collector listening on 127.0.0.1:$LIFELINE_DEMO_PORT"
echo "== lifeline forwards $count lines at $rate lines/s (conf-examples/quickstart.conf)"

build/tools/lifeline-generator --count "$count" --rate "$rate" |
  build/host/lifeline -f conf-examples/quickstart.conf --module-path build/plugin &
pids+=("$!")
lifeline_pid=$!

restarted=0
before=0
while kill -0 "$lifeline_pid" 2>/dev/null; do
  sleep 1
  got=$(stat lines)
  echo "   collector has $((before + ${got:-0})) lines; last: $(tail -c 300 "$work/received.log" 2>/dev/null | tail -n 1 | cut -c1-60)"
  if ((restarted == 0 && ${got:-0} > count / 3)); then
    restarted=1
    echo "== restarting the collector (SIGTERM, back in 2 s); lifeline keeps the lines queued"
    kill "$collector_pid"; wait "$collector_pid" 2>/dev/null || true
    cp "$work/received.log" "$work/received-1.log"
    before=$(stat lines)
    sleep 2
    rm -f "$work/ready" "$work/stats"
    collector "$LIFELINE_DEMO_PORT"
  fi
done
wait "$lifeline_pid" && rc=0 || rc=$?
sleep 0.2
kill "$collector_pid"; wait "$collector_pid" 2>/dev/null || true
total=$(cat "$work"/received-1.log "$work/received.log" 2>/dev/null | cut -d' ' -f1 | sort -u | wc -l)
echo "== lifeline exited $rc; the collector received $total distinct lines of $count"
((total == count)) && echo "== nothing lost" || echo "== MISSING $((count - total)) lines"
