#!/usr/bin/env python3
"""Counts the lines that bench/tap.c recorded in a scenario's tap folders.

Every line a forwarder delivered starts with a 10-digit sequence number (the
generator's format).  Prints one line of key=value:

  lines       lines read by all taps together
  distinct    distinct sequence numbers among them
  duplicates  lines - distinct (a number that arrived twice counts once here)
  lost        numbers of 1..EXPECT that no tap read
  lost_from   with --split SEQ: of those, the ones >= SEQ
  torn        connections whose last line was cut off (its bytes are not a line)
  other       lines without a sequence number (a forwarder's own message)
"""
import argparse
import glob
import os
import sys


def count(dirs, expect, split):
    seen = bytearray(expect + 2)
    lines = distinct = torn = other = 0
    for d in dirs:
        for path in glob.glob(os.path.join(d, "conn-*.raw")):
            with open(path, "rb") as f:
                data = f.read()
            parts = data.split(b"\n")
            if parts and parts[-1]:
                torn += 1
            for line in parts[:-1]:
                head = line[:10]
                if len(head) != 10 or not head.isdigit():
                    other += 1
                    continue
                lines += 1
                seq = int(head)
                if 1 <= seq <= expect:
                    if not seen[seq]:
                        distinct += 1
                    seen[seq] = 1
    lost = expect - distinct
    out = {"lines": lines, "distinct": distinct, "duplicates": lines - distinct,
           "lost": lost, "torn": torn, "other": other}
    if split is not None:
        out["lost_from"] = sum(1 for s in range(max(split, 1), expect + 1) if not seen[s])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--expect", type=int, required=True, help="lines sent: 1..EXPECT")
    ap.add_argument("--split", type=int, help="also count the lost numbers >= SPLIT")
    ap.add_argument("dirs", nargs="+")
    args = ap.parse_args()
    res = count(args.dirs, args.expect, args.split)
    print(" ".join(f"{k}={v}" for k, v in res.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
