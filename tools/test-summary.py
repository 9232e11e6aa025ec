#!/usr/bin/env python3
"""Sums meson test logs (testlog.json files) into one line: 'N passed, N failed, N skipped'.

Criterion suites count their individual tests (from the 'Synthesis' line);
every other meson test counts as one.  Exit status 1 when anything failed or
when no test ran at all."""
import json
import re
import sys

# A sanitizer report or a valgrind error in a test's output is a failure even
# when the test passed: Criterion runs tests in child processes and does not
# look at how a child's leak check ended.
SANITIZER = re.compile(r"ERROR: (LeakSanitizer|AddressSanitizer)|runtime error: |==\d+== ERROR SUMMARY: [1-9]")
SYNTHESIS = re.compile(r"Synthesis: Tested: (\d+) \| Passing: (\d+) \| Failing: (\d+) \| Crashing: (\d+)")

passed = failed = skipped = 0
for build in sys.argv[1:]:
    with open(build) as f:
        for line in f:
            t = json.loads(line)
            result = t["result"]
            out = (t.get("stdout") or "") + (t.get("stderr") or "")
            m = SYNTHESIS.search(out)
            if result != "SKIP" and SANITIZER.search(out):
                failed += 1
                print(f"{build}: {t['name']}: sanitizer or valgrind report in a passing test:",
                      SANITIZER.search(out).group(0), file=sys.stderr)
                continue
            if result == "SKIP":
                skipped += 1
            elif m and result in ("OK", "FAIL"):
                tested, passing, failing, crashing = map(int, m.groups())
                passed += passing
                failed += failing + crashing
                if result == "FAIL" and failing + crashing == 0:
                    failed += 1  # the binary failed outside any test (e.g. a sanitizer abort)
            elif result == "OK":
                passed += 1
            else:
                failed += 1
                print(f"{build}: {t['name']}: {result}", file=sys.stderr)

print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or passed == 0 else 0)
