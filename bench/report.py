#!/usr/bin/env python3
"""Writes docs/performance.md from one bench/run: medians with min and max per
scenario and forwarder, lifeline's ratios, the issue's targets, versions and
configs.  Input: results.txt (one "scenario=S forwarder=F rep=N key=value..."
line per measurement) and meta.txt (key=value lines about the machine).

Values that are not numbers ("never", "n/a", "yes") are kept: a column whose
repetitions mix them shows how many repetitions had which."""
import argparse
import os
import statistics
import sys

PEERS = ["syslog-ng", "rsyslog"]
ORDER = ["lifeline", "syslog-ng", "rsyslog", "raw"]
NEVER = float("inf")

# The parameters the targets depend on, as set in bench/configs/.
STALL_TIMEOUT_S = 3          # lifeline-failover.conf: send-stall-timeout(3)
PROBES, PROBE_INTERVAL_S = 3, 1
BACKOFF_MAX_S = 60           # lifeline's default reconnect-backoff-max()
FLEET_JITTER_S = 5           # lifeline-fleet.conf: failover-jitter(5)

# The scenarios' sections: (scenario, title, what was done and measured, columns).
SECTIONS = [
    ("a", "Throughput",
     "1,000,000 lines flat out to one live collector; time from the load's start to the "
     "collector's millionth line. CPU is the forwarder's user + system seconds over that time "
     "(the raw client's is not measured); RSS is its peak (VmHWM).",
     [("lines_per_s", "lines/s"), ("mb_per_s", "MB/s"), ("cpu_s", "CPU s"), ("rss_mb", "peak RSS MB"),
      ("duplicates", "duplicates")]),
    ("b", "Hard kill of the primary",
     "20,000 lines/s; after one second of traffic the primary SIGKILLs itself (`bench/tap.c` on "
     "SIGUSR1: once all it read is on disk, it notes the bytes its kernel acknowledged and it never "
     "read, acked-unread, then raises SIGKILL). Gap: from that kill to the first data at a backup. "
     "The kill gap target allows losing the acked-unread lines.",
     [("gap_ms", "gap ms"), ("lost", "lost"), ("acked_unread", "acked-unread"), ("duplicates", "duplicated")]),
    ("c", "Failback",
     "20,000 lines/s; the primary is down at the start; after one second of traffic at the first "
     "backup the primary comes up. Failback: from the primary listening to the first data on it. "
     "Connections: those the primary accepted up to then (lifeline promotes its last probe to the "
     "data connection; syslog-ng probes, then connects anew; rsyslog does not probe).",
     [("failback_ms", "failback ms"), ("primary_connections", "connections"), ("lost", "lost"),
      ("duplicates", "duplicated")]),
    ("d", "Black hole (primary SIGSTOPped)",
     "20,000 lines/s; after one second the primary is SIGSTOPped. Its window counts as closed once "
     "its Recv-Q stops growing for 100 ms. Failover: from the window closing to the first data at a "
     "backup (`never`: not within 8 s); then the primary is resumed (SIGCONT) and every line counted.",
     [("failover_ms", "failover ms"), ("window_closed_ms", "window closed ms after STOP"), ("lost", "lost"),
      ("duplicates", "duplicated")]),
    ("e", "All down, then the primary comes up",
     "20,000 lines/s for 6 s; no server for the first 2 s; then the primary comes up. First "
     "delivery: from the primary listening to its first data.",
     [("first_delivery_ms", "first delivery ms"), ("lost", "lost"), ("duplicates", "duplicated")]),
    ("f", "Hung primary (back, listening, never reading)",
     "As c, but the primary comes back as a server that accepts connections and never reads. "
     "Failed back: data waited in the hung primary's Recv-Q. Flowing again: from the failback to "
     "new data at a backup (`never`: not within 8 s). Lost here includes what the hung primary's "
     "kernel acknowledged and nobody read.",
     [("failed_back", "failed back"), ("failback_ms", "failback ms"), ("flowing_again_ms", "flowing again ms"),
      ("quarantine_logged", "quarantine logged"), ("lost", "lost"), ("duplicates", "duplicated")]),
    ("g", "TLS", None, None),   # two tables: tls_section()
    ("h", "Instructions per forwarded line (callgrind)",
     "Each forwarder under `valgrind --tool=callgrind`, flat out into a collector; the instruction "
     "total of a 22,000-line run minus that of a 2,000-line run, divided by 20,000.",
     [("instructions_per_line", "instructions/line")]),
    ("i", "Fleet: 1,000 destinations lose their primary together",
     "One lifeline process, 1,000 `network()` destinations (primary 127.0.0.1, backup 127.0.0.2, "
     "`failover-jitter(5)`), 20 lines/s each to every destination. When every destination delivers, "
     "the primary is SIGKILLed. Reconnects: times of the backup's accepts after the kill. CPU: "
     "lifeline's seconds from the kill until all reconnected + 1 s.",
     [("reconnected", "reconnected"), ("first_ms", "first ms"), ("p10_ms", "p10 ms"), ("p50_ms", "p50 ms"),
      ("p90_ms", "p90 ms"), ("last_ms", "last ms"), ("cpu_s", "CPU s"), ("rss_mb", "peak RSS MB"),
      ("copies_missing", "copies missing")]),
]


def parse_results(path):
    rows = []
    with open(path) as f:
        for line in f:
            kv = dict(p.split("=", 1) for p in line.split() if "=" in p)
            if "scenario" in kv:
                rows.append(kv)
    return rows


def parse_meta(path):
    meta = {}
    with open(path) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                meta[k] = v
    return meta


def as_number(v):
    if v == "never":
        return NEVER
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def values(rows, scenario, fwd, key):
    return [r[key] for r in rows if r["scenario"] == scenario and r["forwarder"] == fwd and key in r]


def median(rows, scenario, fwd, key):
    nums = [as_number(v) for v in values(rows, scenario, fwd, key)]
    nums = [n for n in nums if n is not None]
    return statistics.median(nums) if nums else None


def fmt_num(x):
    if x == NEVER:
        return "never"
    if abs(x) >= 100 or x == int(x):
        return f"{x:,.0f}"
    return f"{x:.1f}" if abs(x) >= 10 else f"{x:.2f}"


def cell(rows, scenario, fwd, key):
    """median (min-max) over the repetitions, or the words and their counts."""
    vals = values(rows, scenario, fwd, key)
    if not vals:
        return "–"
    nums = [as_number(v) for v in vals]
    if all(n is not None for n in nums):
        med, lo, hi = statistics.median(nums), min(nums), max(nums)
        text = fmt_num(med) if lo == hi else f"{fmt_num(med)} ({fmt_num(lo)}–{fmt_num(hi)})"
        never = sum(1 for n in nums if n == NEVER)
        if 0 < never < len(nums):
            text += f", never in {never}/{len(nums)}"
        return text
    counts = {}
    for v in vals:
        counts[v] = counts.get(v, 0) + 1
    if len(counts) == 1:
        return vals[0]
    return ", ".join(f"{v} ×{n}" for v, n in sorted(counts.items()))


def table(rows, scenario, columns, forwarders=None):
    fwds = [f for f in (forwarders or ORDER)
            if any(r["scenario"] == scenario and r["forwarder"] == f for r in rows)]
    if not fwds:
        return ["_Not run._", ""]
    out = ["| forwarder | " + " | ".join(title for _, title in columns) + " |",
           "|---" * (len(columns) + 1) + "|"]
    for f in fwds:
        out.append(f"| {f} | " + " | ".join(cell(rows, scenario, f, k) for k, _ in columns) + " |")
    return out + [""]


def all_values(rows, scenario, fwd, key):
    return [as_number(v) for v in values(rows, scenario, fwd, key)]


def verdict(ok):
    return "met" if ok else "**missed**"


def targets(rows):
    """The issue's targets, judged on every repetition (not only the median)."""
    out = ["| target | measured (lifeline) | |", "|---|---|---|"]

    def add(name, measured, ok):
        if ok is None:
            out.append(f"| {name} | not run | |")
        else:
            out.append(f"| {name} | {measured} | {verdict(ok)} |")

    ll = median(rows, "a", "lifeline", "lines_per_s")
    peers = [m for m in (median(rows, "a", p, "lines_per_s") for p in PEERS) if m]
    raw = median(rows, "a", "raw", "lines_per_s")
    if ll and peers:
        add("throughput ≥ 3× the best peer", f"{ll / max(peers):.1f}×", ll >= 3 * max(peers))
    else:
        add("throughput ≥ 3× the best peer", "", None)
    if ll and raw:
        add("throughput ≥ 30% of the raw ceiling", f"{100 * ll / raw:.0f}%", ll >= 0.3 * raw)
    else:
        add("throughput ≥ 30% of the raw ceiling", "", None)
    tls = median(rows, "g-a", "lifeline", "lines_per_s")
    tls_peers = [m for m in (median(rows, "g-a", p, "lines_per_s") for p in PEERS) if m]
    if tls and tls_peers:
        add("throughput over TLS ≥ 3× the best peer over TLS", f"{tls / max(tls_peers):.1f}×",
            tls >= 3 * max(tls_peers))
    else:
        add("throughput over TLS ≥ 3× the best peer over TLS", "", None)

    # The kill targets hold over TLS too (scenario g's second part).
    for scenario, kill in (("b", "kill"), ("g-b", "kill over TLS")):
        gaps = all_values(rows, scenario, "lifeline", "gap_ms")
        if not gaps:
            add(kill, "", None)
            continue
        add(f"{kill}: gap under 10 ms", f"max {fmt_num(max(gaps))} ms", max(gaps) < 10)
        b = [r for r in rows if r["scenario"] == scenario and r["forwarder"] == "lifeline"]
        extra = sum(max(0, int(r["lost"]) - int(r["acked_unread"])) for r in b)
        add(f"{kill}: lost only what the dead collector's kernel acknowledged",
            f"{sum(int(r['lost']) for r in b)} lost, {extra} beyond acknowledged-unread", extra == 0)
        add(f"{kill}: zero duplicates", str(sum(int(r["duplicates"]) for r in b)),
            all(int(r["duplicates"]) == 0 for r in b))

    d = all_values(rows, "d", "lifeline", "failover_ms")
    if d:
        limit = (STALL_TIMEOUT_S + 1) * 1000
        dr = [r for r in rows if r["scenario"] == "d" and r["forwarder"] == "lifeline"]
        add(f"black hole left within send-stall-timeout + 1 s ({limit} ms) of the window closing",
            f"max {fmt_num(max(d))} ms", max(d) <= limit)
        add("black hole: zero lost, zero duplicated after resume",
            f"{sum(int(r['lost']) for r in dr)} lost, {sum(int(r['duplicates']) for r in dr)} duplicated",
            all(int(r["lost"]) == 0 and int(r["duplicates"]) == 0 for r in dr))
    else:
        add("black hole", "", None)

    c = all_values(rows, "c", "lifeline", "failback_ms")
    if c:
        limit = PROBES * PROBE_INTERVAL_S * 1000 + 200
        cr = [r for r in rows if r["scenario"] == "c" and r["forwarder"] == "lifeline"]
        add(f"failback within required × interval + 0.2 s ({limit} ms)", f"max {fmt_num(max(c))} ms",
            max(c) <= limit)
        add("failback: zero lost, zero duplicated",
            f"{sum(int(r['lost']) for r in cr)} lost, {sum(int(r['duplicates']) for r in cr)} duplicated",
            all(int(r["lost"]) == 0 and int(r["duplicates"]) == 0 for r in cr))
    else:
        add("failback", "", None)

    fr = [r for r in rows if r["scenario"] == "f" and r["forwarder"] == "lifeline"]
    if fr:
        left = all(r["flowing_again_ms"] != "never" for r in fr if r["failed_back"] == "yes")
        quarantined = all(as_number(r.get("quarantine_logged")) not in (None, 0) for r in fr)
        flows = [as_number(r["flowing_again_ms"]) for r in fr if r["failed_back"] == "yes"]
        add("hung primary left again", f"max {fmt_num(max(flows))} ms after failing back" if flows else "never failed back",
            left)
        add("hung primary quarantined", f"logged in {sum(1 for r in fr if as_number(r.get('quarantine_logged')))}/{len(fr)}",
            quarantined)
    else:
        add("hung primary", "", None)

    e = all_values(rows, "e", "lifeline", "first_delivery_ms")
    if e:
        er = [r for r in rows if r["scenario"] == "e" and r["forwarder"] == "lifeline"]
        limit = BACKOFF_MAX_S * 1000 + 500
        add(f"all down, primary up: first delivery within reconnect-backoff-max + 0.5 s ({limit} ms)",
            f"max {fmt_num(max(e))} ms", max(e) <= limit)
        add("all down: nothing lost", str(sum(int(r["lost"]) for r in er)),
            all(int(r["lost"]) == 0 for r in er))
    else:
        add("all down", "", None)

    ir = [r for r in rows if r["scenario"] == "i"]
    if ir:
        spreads = [float(r["last_ms"]) - float(r["first_ms"]) for r in ir if "last_ms" in r]
        add(f"fleet: reconnects spread over ≥ 90% of failover-jitter({FLEET_JITTER_S})",
            f"min {fmt_num(min(spreads))} ms" if spreads else "no reconnects",
            bool(spreads) and min(spreads) >= 0.9 * FLEET_JITTER_S * 1000)
    else:
        add("fleet", "", None)
    return out + [""]


def ratio_lines(rows):
    ll = median(rows, "a", "lifeline", "lines_per_s")
    peers = {p: median(rows, "a", p, "lines_per_s") for p in PEERS}
    peers = {p: m for p, m in peers.items() if m}
    raw = median(rows, "a", "raw", "lines_per_s")
    out = []
    if ll and peers:
        best = max(peers, key=peers.get)
        out.append(f"lifeline's median throughput is **{ll / peers[best]:.1f}×** the best peer's ({best}).")
    if ll and raw:
        out.append(f"It is **{100 * ll / raw:.0f}%** of the raw ceiling (a C client writing straight into the collector).")
    return [" ".join(out), ""] if out else []


def tls_section(rows):
    """Scenario g: a's and b's tables again, measured over TLS (g-a, g-b)."""
    a_columns = next(c for s, _, _, c in SECTIONS if s == "a")
    b_columns = next(c for s, _, _, c in SECTIONS if s == "b")
    out = ["Scenarios a and b again with every collector speaking TLS (OpenSSL's defaults on both ends; "
           "certificates made for the run by `tests/integration/tls-certs.sh`, one per collector "
           "address, EC P-256) and each forwarder verifying the collector's certificate: chain and "
           "name (`bench/configs/*-tls.conf`). No raw ceiling: the raw client speaks plain TCP only. "
           "The collectors are `lifeline-collector --tls-cert` and `bench/tap.c --tls-cert`; the tap "
           "writes decrypted bytes, its `data` event is the first decrypted byte, so the kill gap "
           "includes the new connection's handshake, and acked-unread also counts a TLS record it had "
           "taken from its kernel but not finished decrypting when it was killed.", "",
           "### Throughput over TLS", ""] + table(rows, "g-a", a_columns)
    ll = median(rows, "g-a", "lifeline", "lines_per_s")
    sng = median(rows, "g-a", "syslog-ng", "lines_per_s")
    words = []
    if ll and sng:
        words.append(f"Over TLS lifeline's median throughput is **{ll / sng:.1f}×** syslog-ng's.")
    rsl = median(rows, "g-a", "rsyslog", "lines_per_s")
    if ll and rsl:
        words.append(f"It is {ll / rsl:.1f}× rsyslog's.")
    plain = median(rows, "a", "lifeline", "lines_per_s")
    if ll and plain:
        words.append(f"TLS keeps {100 * ll / plain:.0f}% of lifeline's plain-TCP throughput (scenario a).")
    out += [" ".join(words), ""] if words else []
    out += ["### Hard kill of the primary over TLS", ""] + table(rows, "g-b", b_columns)
    gap = median(rows, "g-b", "lifeline", "gap_ms")
    sgap = median(rows, "g-b", "syslog-ng", "gap_ms")
    if gap and sgap and gap != NEVER and sgap != NEVER:
        out += [f"lifeline's median kill gap over TLS is {fmt_num(gap)} ms, syslog-ng's {fmt_num(sgap)} ms "
                f"(**{sgap / gap:.0f}×** lifeline's).", ""]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--meta", required=True)
    ap.add_argument("--configs", required=True)
    ap.add_argument("--notes", help="hand-written notes appended as they are")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    rows = parse_results(args.results)
    meta = parse_meta(args.meta)
    docdir = os.path.dirname(os.path.abspath(args.out))
    rel = lambda p: os.path.relpath(p, docdir)

    doc = ["# Performance: lifeline against syslog-ng and rsyslog", "",
           "<!-- Generated by bench/run (bench/report.py): edit bench/, not this file. -->", "",
           f"Measured by `bench/run` on {meta.get('date', '?')}: every forwarder on the same machine, "
           f"in the same run, {meta.get('reps', '?')} repetitions of each scenario, repetitions "
           "interleaved across forwarders. Cells are **median (min–max)** over the repetitions; "
           "words (`never`, `yes`) are counted instead.", "",
           f"Load average (1, 5, 15 min) at the start: {meta.get('load.start', '?')}; at the end: "
           f"{meta.get('load.end', '?')}. Other work on the machine shows as spread between repetitions.", "",
           "Run it yourself with `bench/run` (about 20 minutes on 2 cores; `BENCH_REPS=1 "
           "BENCH_SCENARIOS=\"a b\" bench/run` for a quick look). It installs its build dependencies, "
           "builds lifeline with `buildtype=release` in `build-bench/`, unpacks Debian's syslog-ng and "
           "rsyslog without installing them, and rewrites this file.", "",
           "## Machine and versions", "",
           f"- {meta.get('host', '?')}"]
    for k in sorted(meta):
        if k.startswith("version."):
            doc.append(f"- {meta[k]}")
    doc.append(f"- {meta.get('valgrind', 'valgrind: none')} (scenario h)")
    doc += ["", "Setup, the same for every forwarder: sequence-numbered 200-byte lines (+ newline) go to "
            "the forwarder's TCP input on 127.0.0.1:20601, from `bench/raw-client.c` flat out (throughput: "
            "`tools/generator.c` tops out near 3M lines/s here and would cap the fastest forwarder) or from "
            "`tools/generator.c` at a fixed rate (every other scenario); "
            "the forwarder sends each line unchanged, newline-framed, to 127.0.0.1:20514 "
            "(primary), and in the failover scenarios to 127.0.0.2:20514 and 127.0.0.3:20514 (backups). "
            "Throughput is received by `lifeline-collector` (`tools/collector.c`); the failover "
            "scenarios by `bench/tap.c`, which writes every read to disk at once and records when each "
            "connection was accepted and first carried data, so that a SIGKILLed server's files hold "
            "exactly what it read. Lost = sequence numbers no server read, including lines a forwarder "
            "still held when it was stopped at the end of the scenario; duplicated = lines read more "
            "than once. Other processes may share the machine: the spread (min–max) shows how much.", "", "Configurations:", ""]
    for name in sorted(os.listdir(args.configs)):
        doc.append(f"- [`bench/configs/{name}`]({rel(os.path.join(args.configs, name))})")
    doc += ["", "## Targets (issue 7)", ""] + targets(rows)

    for scenario, title, text, columns in SECTIONS:
        if columns is None:
            doc += [f"## {scenario}. {title}", ""] + tls_section(rows)
            continue
        doc += [f"## {scenario}. {title}", "", text, ""] + table(rows, scenario, columns)
        if scenario == "a":
            doc += ratio_lines(rows)
    if args.notes and os.path.exists(args.notes):
        with open(args.notes) as f:
            doc += [f.read().rstrip("\n"), ""]
    with open(args.out, "w") as f:
        f.write("\n".join(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
