#!/usr/bin/env python3
"""The shipped units' sandboxes, scored by systemd-analyze security --offline as systemd's own
services are: the read-only metrics service no more exposed than systemd-networkd (2.8), the apply
units (which write sysfs, load modules and change netlink state) no more than 3.8, between
systemd-logind (3.0) and systemd-journald (4.3); every unit bounds its start. Reads the units configured in the build directory.
Ends "# units: N passed, N failed" (TAP)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

build = sys.argv[1] if len(sys.argv) > 1 else "build"
LIMITS = {"vfctl-metrics.service": 2.8, "vfctl.service": 3.8, "vfctl-device@.service": 3.8}
results = []


def tap(ok, text, detail=""):
    results.append(ok)
    print("%s %d - %s" % ("ok" if ok else "not ok", len(results), text))
    for line in (detail.splitlines()[-15:] if not ok else []):
        print("# " + line)


tmp = tempfile.mkdtemp(prefix="vfctl-units-")
for unit, limit in LIMITS.items():
    src = os.path.join(build, unit)
    if not os.path.exists(src):
        tap(False, "%s is configured in %s" % (unit, build))
        continue
    # A template is scored as an instance of it.
    dst = os.path.join(tmp, unit.replace("@.", "@x."))
    shutil.copy(src, dst)
    text = open(src).read()
    p = subprocess.run(["systemd-analyze", "security", "--offline=true", "--no-pager", dst], capture_output=True,
                       text=True)
    m = re.search(r"Overall exposure level for \S+: ([0-9.]+)", p.stdout + p.stderr)
    score = float(m.group(1)) if m else None
    tap(score is not None and score <= limit, "%s: exposure %s <= %.1f" % (unit, score, limit), p.stdout + p.stderr)
    tap(re.search(r"^TimeoutStartSec=", text, re.M) is not None, "%s bounds its start (TimeoutStartSec=)" % unit)
shutil.rmtree(tmp, ignore_errors=True)
failed = results.count(False)
print("1..%d" % len(results))
print("# units: %d passed, %d failed" % (len(results) - failed, failed))
sys.exit(1 if failed else 0)
