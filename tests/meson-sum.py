#!/usr/bin/env python3
"""Reads the last `meson test` run of a build directory (meson-logs/testlog.json) and prints, per
test, the failing TAP lines with their comments and one line "NAME: N passed, N failed" from the
test's own closing comment. A test that printed no count, or failed with no failed check (a crash,
a timeout, a sanitizer report), counts as one failure more. Exit 1 on any failure.
The last line sums them: "TIER: N passed, N failed".
Usage: tests/meson-sum.py BUILD_DIR TIER [--sanitizers]"""
import json
import os
import re
import sys

build, tier = sys.argv[1], sys.argv[2]
sanitizers = "--sanitizers" in sys.argv[3:]
total_p = total_f = 0
COUNT = re.compile(r"^# (\S+): (\d+) passed, (\d+) failed$", re.M)
SAN = re.compile(r"ERROR: (Address|Leak)Sanitizer|runtime error:")
bad = False
for line in open(os.path.join(build, "meson-logs", "testlog.json")):
    t = json.loads(line)
    out = t.get("stdout") or ""
    err = t.get("stderr") or ""
    shown = False
    for block in re.split(r"(?m)^(?=(?:not )?ok \d)", out):
        if block.startswith("not ok"):
            print(block.rstrip("\n")[:4000])
            shown = True
    m = COUNT.findall(out)
    p, f = (int(m[-1][1]), int(m[-1][2])) if m else (0, 1)
    if not m:
        print("# %s printed no count (result %s): counted as 1 failure" % (t["name"], t["result"]))
    elif t["result"] not in ("OK", "EXPECTEDFAIL") and f == 0:
        print("# %s ended %s (exit %s) with no failed check: counted as 1 failure" % (t["name"], t["result"],
                                                                                      t.get("returncode")))
        f += 1
    if sanitizers and SAN.search(out + err):
        print("# %s: a sanitizer reported an error: counted as 1 failure" % t["name"])
        f += 1
    if f and not shown:
        tail = (out + err).strip().splitlines()[-30:]
        print("\n".join("# " + x for x in tail))
    if "/ lab" in t["name"]:
        d = re.findall(r"^# \S+: VM run took \d+ s$", out, re.M)
        if d:
            print(d[-1][2:])
    print("# %s: %d passed, %d failed" % (t["name"], p, f))
    total_p += p
    total_f += f
print("%s: %d passed, %d failed" % (tier, total_p, total_f))
sys.exit(1 if total_f else 0)
