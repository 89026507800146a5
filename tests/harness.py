"""A small test harness shared by the fakesys and lab tiers: named checks printed as TAP ("ok N - what",
"not ok N - what", the plan "1..N" at the end, anything else as "# " comments), exceptions counted
as failures, and a closing comment "# NAME: N passed, N failed" that make check sums."""
import json
import os
import subprocess
import sys
import traceback

VFCTL = os.environ.get("VFCTL", os.path.join(os.path.dirname(__file__), "..", "build", "vfctl"))
# The same command with the test hooks (VFCTL_TEST_FAIL_STEP, VFCTL_RUNDIR): the installed vfctl
# ignores them (a root-run binary must not be steered by its environment), so fault injection runs
# this build.
VFCTL_TEST = os.path.join(os.path.dirname(VFCTL), "tests", "hooks", "vfctl-test")


def test_binary(env):
    """vfctl-test when env asks for a test hook, else vfctl."""
    return VFCTL_TEST if env and ("VFCTL_TEST_FAIL_STEP" in env or "VFCTL_RUNDIR" in env) else VFCTL


class Suite:
    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0

    def check(self, what, cond, detail=""):
        n = self.passed + self.failed + 1
        if cond:
            self.passed += 1
            print("ok %d - %s" % (n, one_line(what)))
        else:
            self.failed += 1
            print("not ok %d - %s" % (n, one_line(what)))
            if detail != "":
                comment(str(detail))
        return cond

    def eq(self, what, got, want):
        return self.check(what, got == want, "got %r, want %r" % (got, want))

    def run(self, fn, *args, fixture=None):
        """Runs one test function, after its fixture (which brings the host to the state the test
        starts from); an exception in either fails it, with the traceback shown."""
        try:
            if fixture:
                fixture(*args)
            fn(self, *args)
        except Exception:
            self.check("%s raised no exception" % fn.__name__, False, traceback.format_exc())

    def run_lab(self, lab, tests):
        """lab.setup(), then each test with lab; a failed setup is one failure and ends the run.
        A test given as (fn, fixture) runs after fixture(lab) brings the lab to its starting state."""
        try:
            lab.setup()
        except Exception as e:
            self.check("lab setup", False, e)
            self.finish()
        for t in tests:
            fn, fixture = t if isinstance(t, tuple) else (t, None)
            self.run(fn, lab, fixture=fixture)
        self.finish()

    def note(self, text):
        comment(text)

    def finish(self):
        if not self.passed and not self.failed:
            self.check("%s ran a test" % self.name, False)
        print("1..%d" % (self.passed + self.failed))
        print("# %s: %d passed, %d failed" % (self.name, self.passed, self.failed))
        sys.exit(1 if self.failed or not self.passed else 0)


def one_line(text):
    return " ".join(str(text).split())


def comment(text):
    """Free text as TAP comments, so a TAP reader never takes it for a result."""
    for line in str(text).splitlines() or [""]:
        print("# " + line)


def vfctl(*args, env=None, check_rc=None):
    """Runs vfctl; returns (rc, stdout, stderr)."""
    p = subprocess.run([test_binary(env), *args], capture_output=True, text=True, env=env, timeout=120)
    return p.returncode, p.stdout, p.stderr


def vfctl_json(*args, **kw):
    rc, out, err = vfctl(*args, "--json", **kw)
    if rc not in (0, 1):
        raise RuntimeError("vfctl %s --json exited %d: %s" % (" ".join(args), rc, err.strip()))
    return rc, json.loads(out), err
