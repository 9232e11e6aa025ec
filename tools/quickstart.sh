#!/usr/bin/env bash
# The quick start: installs what is missing, builds, and forwards a stream of
# numbered lines through lifeline to a primary collector on 127.0.0.1 with a
# backup on 127.0.0.2, while you watch.  Midway the primary goes away:
# lifeline fails over to the backup; then the primary comes back and, after
# three successful probes, lifeline fails back.  The tally at the end shows
# every line arrived exactly once.
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

count=${DEMO_LINES:-30000}
rate=${DEMO_RATE:-2000}

collector() { # NAME ADDR PORT (0: any); sets <NAME>_pid
  rm -f "$work/$1.ready"
  build/tools/lifeline-collector --listen "$2" --port "$3" --ready-file "$work/$1.ready" \
    --stats-file "$work/$1.stats" --output "$work/$1.$(date +%s%N).log" --quiet &
  pids+=("$!")
  printf -v "$1_pid" '%s' "$!"
  until [[ -s $work/$1.ready ]]; do sleep 0.05; done
}
lines() { sed -n 's/.*\blines=\([0-9]*\).*/\1/p' "$work/$1.stats" 2>/dev/null || echo 0; }

collector primary 127.0.0.1 0
collector backup 127.0.0.2 0
export LIFELINE_DEMO_PORT=$(<"$work/primary.ready") LIFELINE_DEMO_BACKUP_PORT=$(<"$work/backup.ready")
echo "== primary collector on 127.0.0.1:$LIFELINE_DEMO_PORT, backup on 127.0.0.2:$LIFELINE_DEMO_BACKUP_PORT"
echo "== lifeline forwards $count lines at $rate lines/s (conf-examples/quickstart.conf); its log follows"

build/tools/lifeline-generator --count "$count" --rate "$rate" |
  build/host/lifeline -f conf-examples/quickstart.conf --module-path build/plugin &
pids+=("$!")
lifeline_pid=$!

phase=0 primary_before=0
while kill -0 "$lifeline_pid" 2>/dev/null; do
  sleep 1
  p=$((primary_before + $(lines primary))) b=$(lines backup)
  echo "   delivered so far: primary $p, backup ${b:-0}"
  if ((phase == 0 && p > count / 4)); then
    phase=1
    echo "== stopping the primary collector; lifeline fails over"
    kill "$primary_pid"; wait "$primary_pid" 2>/dev/null || true
    primary_before=$p
    rm -f "$work/primary.stats"
    down_at=$SECONDS
  elif ((phase == 1 && SECONDS - down_at >= 3)); then
    phase=2
    echo "== the primary is back; lifeline probes it and fails back after 3 successful probes"
    collector primary 127.0.0.1 "$LIFELINE_DEMO_PORT"
  fi
done
wait "$lifeline_pid" && rc=0 || rc=$?
kill "$primary_pid" "$backup_pid" 2>/dev/null || true
wait "$primary_pid" "$backup_pid" 2>/dev/null || true
total=$(cat "$work"/*.log | cut -d' ' -f1 | sort -u | wc -l)
dups=$(cat "$work"/*.log | cut -d' ' -f1 | sort | uniq -d | wc -l)
echo "== lifeline exited $rc; the collectors received $total distinct lines of $count, $dups more than once"
((total == count && dups == 0)) && echo "== nothing lost, nothing duplicated" || echo "== MISMATCH"
