"""A small test harness shared by the fakesys and lab tiers: named checks, exceptions counted as
failures, and the closing line "N passed, N failed" that CI reads."""
import json
import os
import subprocess
import sys
import traceback

VFCTL = os.environ.get("VFCTL", os.path.join(os.path.dirname(__file__), "..", "build", "vfctl"))


class Suite:
    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0

    def check(self, what, cond, detail=""):
        if cond:
            self.passed += 1
            print("ok   %s" % what)
        else:
            self.failed += 1
            print("FAIL %s%s" % (what, (": " + str(detail)) if detail != "" else ""))
        return cond

    def eq(self, what, got, want):
        return self.check(what, got == want, "got %r, want %r" % (got, want))

    def run(self, fn, *args):
        """Runs one test function; an exception fails it, with the traceback shown."""
        try:
            fn(self, *args)
        except Exception:
            self.failed += 1
            print("FAIL %s raised:\n%s" % (fn.__name__, traceback.format_exc()))

    def run_lab(self, lab, tests):
        """lab.setup(), then each test with lab; a failed setup is one failure and ends the run."""
        try:
            lab.setup()
        except Exception as e:
            print("FAIL lab setup: %s" % e)
            self.failed += 1
            self.finish()
        for fn in tests:
            self.run(fn, lab)
        self.finish()

    def finish(self):
        print("%s: %d passed, %d failed" % (self.name, self.passed, self.failed))
        sys.exit(1 if self.failed or not self.passed else 0)


def vfctl(*args, env=None, check_rc=None):
    """Runs vfctl; returns (rc, stdout, stderr)."""
    p = subprocess.run([VFCTL, *args], capture_output=True, text=True, env=env, timeout=120)
    return p.returncode, p.stdout, p.stderr


def vfctl_json(*args, **kw):
    rc, out, err = vfctl(*args, "--json", **kw)
    if rc not in (0, 1):
        raise RuntimeError("vfctl %s --json exited %d: %s" % (" ".join(args), rc, err.strip()))
    return rc, json.loads(out), err
