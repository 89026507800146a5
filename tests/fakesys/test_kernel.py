#!/usr/bin/env python3
"""Fake-kernel tier: apply, rollback and bind run against fake trees with tests/fakekernel behind
vfctl's seams (build/tests/fakekernel/vfctl-fake), so their effects can be asserted in seconds,
unprivileged. The lab proves the same on a real kernel."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
import fakesys  # noqa: E402
from fakesys import tree_digest  # noqa: E402
from harness import Suite  # noqa: E402

FIX = os.path.join(os.path.dirname(__file__), "fixtures")
FAKE = os.environ.get("VFCTL_FAKE", os.path.join(os.path.dirname(__file__), "..", "..", "build", "tests",
                                                  "fakekernel", "vfctl-fake"))
TMP = tempfile.mkdtemp(prefix="vfctl-fakekernel-")

HANDMADE = """# a hand-written SR-IOV unit as a configuration: VFs with MACs, one VLAN, one on vfio-pci
[PF]
Match=pci:0000:01:00.0
NumVFs=3

[VF:0]
MACAddress=02:00:00:00:01:00
VLANId=42
QualityOfService=2

[VF:1]
MACSpoofCheck=no
Trust=yes

[VF:2]
MaxTxRate=200
Driver=vfio-pci
"""


class Host:
    """One fake tree and its run directory; run() calls vfctl-fake on it."""

    def __init__(self, name, fixture="igb-lab"):
        self.root = os.path.join(TMP, name)
        shutil.rmtree(self.root, ignore_errors=True)
        fakesys.build(os.path.join(FIX, fixture + ".sys"), self.root)
        self.run_dir = os.path.join(self.root, "run")
        os.makedirs(self.run_dir)
        self.args = ["--sysfs", self.root + "/sys", "--procfs", self.root + "/proc", "--modules",
                     self.root + "/modules"]

    def run(self, *args, fail_step=None, kill_step=None):
        env = dict(os.environ, VFCTL_RUNDIR=self.run_dir)
        if fail_step:
            env["VFCTL_TEST_FAIL_STEP"] = str(fail_step)
        if kill_step:
            env["VFCTL_TEST_KILL_STEP"] = str(kill_step)
        p = subprocess.run([FAKE, *self.args, *args], capture_output=True, text=True, env=env, timeout=120)
        return p.returncode, p.stdout, p.stderr

    def conf(self, name, text):
        path = os.path.join(self.root, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o644)
        return path

    def status(self):
        rc, out, err = self.run("status", "--json")
        if rc != 0:
            raise RuntimeError("status: %s" % err)
        return json.loads(out)

    def state(self):
        """What a host looks like to an admin, without what the kernel renumbers (ifindex)."""
        doc = self.status()
        for d in doc["devices"]:
            for n in d.get("netdevs") or []:
                n.pop("ifindex", None)
        return doc["devices"]


def pf_of(doc_devices, pf="0000:01:00.0"):
    return next(d for d in doc_devices if d["id"] == pf)


def vf_view(v):
    return (v["driver"], v["mac"], v["vlan"], v["qos"], v["spoofchk"], v["trust"], v["max_tx_rate"])


def test_apply(s):
    h = Host("apply")
    path = h.conf("a.conf", HANDMADE)
    rc, out, err = h.run("apply", "--json", "-c", path)
    s.eq("apply: exit 0", rc, 0)
    s.eq("apply: the unit changed", outcomes(out), [("0000:01:00.0", "changed")])
    pf = pf_of(h.state())
    s.eq("apply: 3 VFs, autoprobe back on", (pf["sriov"]["num_vfs"], pf["sriov"]["autoprobe"]), (3, True))
    s.eq("apply: every VF setting and driver", [vf_view(v) for v in pf["vfs"]], [
        ("igbvf", "02:00:00:00:01:00", 42, 2, True, False, 0),
        ("igbvf", "00:00:00:00:00:00", 0, 0, False, True, 0),
        ("vfio-pci", "00:00:00:00:00:00", 0, 0, True, False, 200)])
    s.eq("apply: VF netdevs from igbvf, none on vfio-pci", [v["netdev"] for v in pf["vfs"]],
         ["enp1s0v0", "enp1s0v1", None])
    s.eq("apply: igbvf got the admin MAC at its load", pf_of(h.state(), "0000:01:10.0")["netdevs"][0]["mac"],
         "02:00:00:00:01:00")
    before = h.state()
    s.eq("apply: a second plan has no step", plan_steps(h, path), [])
    rc, out, err = h.run("apply", "--json", "-c", path)
    s.eq("apply: a second apply is up to date", (rc, outcomes(out)), (0, [("0000:01:00.0", "up-to-date")]))
    s.eq("apply: the second apply changed nothing", h.state(), before)


def test_count_only(s):
    """NumVFs alone: autoprobe stays on, the kernel binds the new VFs inside the one count write
    (what `echo 3 > sriov_numvfs` does); with a MAC to set first it goes off and on again."""
    h = Host("count-only")
    path = h.conf("a.conf", "[PF]\nMatch=pci:0000:01:00.0\nNumVFs=3\n")
    rc, out, err = h.run("plan", "-c", path)
    s.eq("NumVFs alone: one step, the count write", out, "  1. 0000:01:00.0: sriov_numvfs 0 -> 3\n")
    rc, out, err = h.run("apply", "-c", path)
    pf = pf_of(h.state())
    s.check("NumVFs alone: 3 VFs, each bound by the kernel (igbvf), autoprobe on",
            rc == 0 and [v["driver"] for v in pf["vfs"]] == ["igbvf"] * 3 and pf["sriov"]["autoprobe"], out + err)
    path = h.conf("b.conf", "[PF]\nMatch=pci:0000:01:00.0\nNumVFs=2\n\n[VF:1]\nMACAddress=02:00:00:00:07:01\n")
    rc, out, err = h.run("plan", "--json", "-c", path)
    acts = [(x["action"], x["vf"]) for x in json.loads(out)["steps"]] if rc == 0 else []
    s.check("a MAC to set: autoprobe off before the count, on after, VFs probed",
            acts[:2] == [("autoprobe", None), ("numvfs", None)] and ("autoprobe", None) in acts[2:] and
            ("probe", 1) in acts and acts.index(("probe", 1)) > acts.index(("autoprobe", None), 2), out)


def test_bind_pool(s):
    """Six new VFs with a MAC each: their six probes run a few at a time (a meeting point in the
    fake kernel proves several in flight at once, never more than the pool's four), in VF order."""
    h = Host("pool")
    path = h.conf("a.conf", "[PF]\nMatch=pci:0000:01:00.0\nNumVFs=6\n" +
                  "".join("\n[VF:%d]\nMACAddress=02:00:00:00:05:0%d\n" % (i, i) for i in range(6)))
    rv = os.path.join(h.root, "fakekernel-rendezvous-probe")
    with open(rv, "w") as f:
        f.write("2")
    rc, out, err = h.run("apply", "--json", "-c", path)
    os.unlink(rv)
    inflight = open(os.path.join(h.root, "fakekernel-max-inflight")).read().strip()
    probes = [e for e in events(out) if e["event"] == "step-done" and e["action"] == "probe"]
    s.check("bind pool: exit 0, the six probes reported in VF order, each ok", rc == 0 and
            [(e["vf"], e["ok"]) for e in probes] == [(i, True) for i in range(6)], out + err)
    s.check("bind pool: probes in flight at once, at most the pool's four", 2 <= int(inflight) <= 4, inflight)
    pf = pf_of(h.state())
    s.eq("bind pool: every VF on igbvf with its MAC", [(v["driver"], v["mac"]) for v in pf["vfs"]],
         [("igbvf", "02:00:00:00:05:0%d" % i) for i in range(6)])


def test_count_through_zero(s):
    h = Host("count")
    h.run("apply", "-c", h.conf("a.conf", HANDMADE))
    rc, out, err = h.run("apply", "--json", "-c", h.conf("b.conf", HANDMADE.replace("NumVFs=3", "NumVFs=4")))
    counts = [re.search(r"sriov_numvfs (\d+ -> \d+)", e["text"]).group(1) for e in events(out)
              if e["event"] == "step-done" and e["action"] == "numvfs" and e["ok"]]
    s.check("3 -> 4: the count goes through 0", rc == 0 and counts == ["3 -> 0", "0 -> 4"], out + err)
    pf = pf_of(h.state())
    s.eq("3 -> 4: four VFs, the settings set again on the new ones",
         [vf_view(v) for v in pf["vfs"]][:3] + [pf["vfs"][3]["driver"]], [
             ("igbvf", "02:00:00:00:01:00", 42, 2, True, False, 0),
             ("igbvf", "00:00:00:00:00:00", 0, 0, False, True, 0),
             ("vfio-pci", "00:00:00:00:00:00", 0, 0, True, False, 200), "igbvf"])


def test_fault_at_every_step(s):
    """A failure injected at each step of a 13-step plan (3 -> 4 VFs and every knob): each run is
    rolled back to the host as it was before it."""
    h = Host("faults")
    h.run("apply", "-c", h.conf("a.conf", HANDMADE))
    before = h.state()
    path = h.conf("b.conf", HANDMADE.replace("NumVFs=3", "NumVFs=4").replace("VLANId=42", "VLANId=43"))
    rc, out, err = h.run("plan", "--json", "-c", path)
    n = len(json.loads(out)["steps"]) if rc == 0 else 0
    s.check("faults: the plan has steps", n >= 10, out)
    restored = []
    for k in range(1, n + 1):
        rc, out, err = h.run("apply", "--json", "-c", path, fail_step=k)
        ev = events(out)
        failed = [e["step"] for e in ev if e["event"] == "step-done" and not e["ok"]]
        undo = [e for e in ev if e["event"] == "step-done" and e["undo"]]
        # step k failed and nothing else; every step of the rollback succeeded; the result says exit 1
        if (rc == 1 and failed == [k] and all(e["ok"] for e in undo) and ev[-1]["event"] == "result" and
                ev[-1]["exit"] == 1 and h.state() == before):
            restored.append(k)
        else:
            s.note("step %d: exit %d\n%s%s" % (k, rc, out, err))
    s.eq("faults: every one of the %d steps rolled back to the prior host" % n, restored, list(range(1, n + 1)))
    s.eq("faults: no journal left behind", os.listdir(os.path.join(h.run_dir, "vfctl", "journal")), [])


def journals(h):
    d = os.path.join(h.run_dir, "vfctl", "journal")
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def test_kill_matrix(s):
    """vfctl killed (SIGKILL: an OOM kill, a stop past its timeout) before each step of a 3 -> 4 VF
    run: the next apply restores what the dead run changed, then applies; the host then equals a
    clean run's, autoprobe and VF drivers included (they once stayed off / unbound)."""
    change = HANDMADE.replace("NumVFs=3", "NumVFs=4").replace("VLANId=42", "VLANId=43")
    clean = Host("kill-clean")
    clean.run("apply", "-c", clean.conf("a.conf", HANDMADE))
    rc, out, err = clean.run("plan", "-c", clean.conf("b.conf", change))
    n = sum(1 for line in out.splitlines() if line.strip()[:1].isdigit())
    # Binds and probes of several VFs in a row run as one batch (a few at a time): a kill lands
    # before the batch that holds its step, and the journal counts the steps before the batch.
    _, pj, _ = clean.run("plan", "--json", "-c", clean.conf("b.conf", change))
    acts = [x["action"] for x in json.loads(pj)["steps"]]
    done_before = list(range(n))
    for i in range(n):
        b = i
        while b > 0 and acts[b] in ("bind", "probe") and acts[b - 1] in ("bind", "probe"):
            b -= 1
        e = b
        while e + 1 < n and acts[e + 1] in ("bind", "probe"):
            e += 1
        if acts[i] in ("bind", "probe") and e > b:
            done_before[i] = b
    clean.run("apply", "-c", clean.conf("b.conf", change))
    want = clean.state()
    s.check("kill: the plan has steps", n >= 10, out)
    recovered, journaled, reported = [], [], []
    for k in range(1, n + 1):
        h = Host("kill")
        h.run("apply", "-c", h.conf("a.conf", HANDMADE))
        path = h.conf("b.conf", change)
        rc, out, err = h.run("apply", "-c", path, kill_step=k)
        if rc == -9 and journals(h) == ["0000:01:00.0"]:
            journaled.append(k)
        _, doc, _ = h.run("status", "--json")
        runs = json.loads(doc).get("interrupted_runs") or []
        if len(runs) == 1 and runs[0]["device"] == "0000:01:00.0" and runs[0]["steps_done"] == done_before[k - 1]:
            reported.append(k)
        rc, out, err = h.run("apply", "-c", path)
        if rc == 0 and "left 0000:01:00.0 half-done: restoring" in out and h.state() == want and not journals(h):
            recovered.append(k)
        else:
            s.note("kill before step %d: exit %d\n%s%s" % (k, rc, out, err))
    every = list(range(1, n + 1))
    s.eq("kill: each killed run left its journal", journaled, every)
    s.eq("kill: status reports the interrupted run and how far it got (a bind batch counts whole)", reported, every)
    s.check("kill: the plan has a batch of binds (%s)" % acts, any(d != i for i, d in enumerate(done_before)), acts)
    s.eq("kill: after a kill before any of the %d steps, one apply gives the clean run's host" % n, recovered,
         every)


def test_stop_signal(s):
    """SIGTERM during apply: the step in progress finishes, the run is rolled back, exit 1 saying
    it was interrupted; SIGINT the same."""
    for sig, name in ((15, "SIGTERM"), (2, "SIGINT")):
        h = Host("signal")
        h.run("apply", "-c", h.conf("a.conf", HANDMADE))
        before = h.state()
        path = h.conf("b.conf", HANDMADE.replace("NumVFs=3", "NumVFs=4"))
        rc, out, err = h.run("apply", "--json", "-c", path, kill_step="5:%d" % sig)
        ev = events(out)
        ran = [e["step"] for e in ev if e["event"] == "step-done" and not e["undo"]]
        undo = [e for e in ev if e["event"] == "step-done" and e["undo"]]
        s.check("%s before step 5: steps 1-4 ran, step 5 never started, the rollback's steps all ok, exit 1 "
                "interrupted" % name, rc == 1 and ran == [1, 2, 3, 4] and undo and all(e["ok"] for e in undo) and
                ev[-1]["event"] == "result" and "interrupted by a signal" in (ev[-1]["error"] or ""), (rc, out, err))
        s.eq("%s: the host as before the run" % name, h.state(), before)
        s.eq("%s: no journal left" % name, journals(h), [])


def test_kernel_refuses(s):
    """A rate above the PF's link speed is refused at validation with FILE:LINE (it used to fail at
    step 8, after a VF re-creation, and be rolled back). A value the driver refuses that validation
    cannot know (igb: any rate while the link is down) is rolled back, and the last line is that
    step's error, not a stale one."""
    h = Host("refuse")
    h.run("apply", "-c", h.conf("a.conf", HANDMADE))
    before = h.state()
    digest = tree_digest(h.root + "/sys")
    path = h.conf("b.conf", HANDMADE.replace("NumVFs=3", "NumVFs=4").replace("MaxTxRate=200", "MaxTxRate=5000"))
    rc, out, err = h.run("apply", "-c", path)
    s.check("rate above the link: exit 2 with FILE:LINE and the link speed", rc == 2 and
            "%s:16: MaxTxRate=5000 is above the link speed of 0000:01:00.0 (enp1s0, 1000 Mb/s)" % path in err,
            (rc, out, err))
    s.eq("rate above the link: not one file of the tree changed", tree_digest(h.root + "/sys"), digest)
    s.eq("the link speed validation used is in the snapshot: status --json gives it for the PF's netdev",
         [n.get("speed") for n in pf_of(h.status()["devices"])["netdevs"]], [1000])
    # A driver that refuses trust (the manifest's refuse list): nothing vfctl can know beforehand.
    h = Host("refuse-trust")
    base = HANDMADE.replace("Trust=yes\n", "")
    manifest = os.path.join(h.root, "sys/.fakekernel/pf/0000:01:00.0")
    lines = open(manifest).read().splitlines()
    with open(manifest, "w") as f:
        f.write("\n".join(x + " trust" if x.startswith("refuse ") else x for x in lines) + "\n")
    h.run("apply", "-c", h.conf("a.conf", base))
    before = h.state()
    rc, out, err = h.run("apply", "--json", "-c", h.conf("c.conf", base.replace("NumVFs=3", "NumVFs=4") +
                                                         "\n[VF:3]\nTrust=yes\n"))
    s.eq("refused knob: exit 1", rc, 1)
    s.eq("refused knob: failed, then rolled back", outcomes(out),
         [("0000:01:00.0", "failed"), ("0000:01:00.0", "rolled-back")])
    s.eq("refused knob: host as before", h.state(), before)
    last = err.strip().splitlines()[-1] if err.strip() else ""
    s.check("refused knob: the final line names the failing step and the kernel's error",
            "RTM_SETLINK enp1s0 vf 3 IFLA_VF_TRUST" in last and "not supported" in last, last)


def test_invalid_changes_nothing(s):
    h = Host("invalid")
    h.run("apply", "-c", h.conf("a.conf", HANDMADE))
    before = h.state()
    digest = tree_digest(h.root + "/sys")
    rc, out, err = h.run("apply", "-c", h.conf("b.conf", HANDMADE.replace("VLANId=42", "VLANId=4096")))
    s.check("invalid VLAN: exit 2 with FILE:LINE", rc == 2 and "b.conf:8:" in err, (rc, err))
    s.eq("invalid VLAN: the host is unchanged", h.state(), before)
    s.eq("invalid VLAN: not one file of the tree changed", tree_digest(h.root + "/sys"), digest)


def test_boot_skips_a_bad_section(s):
    """At boot a section naming a PF that is gone does not keep the good PF unconfigured; without
    --boot the run changes nothing."""
    h = Host("boot-missing")
    d = os.path.join(h.root, "conf.d")
    os.makedirs(d)
    os.chmod(d, 0o755)
    for name, text in (("a.conf", HANDMADE), ("b-missing.conf", "[PF]\nMatch=pci:0000:09:00.0\nNumVFs=2\n")):
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
        os.chmod(os.path.join(d, name), 0o644)
    before = h.state()
    rc, out, err = h.run("apply", "-c", d)
    s.check("without --boot: exit 2, the missing PF named with FILE:LINE", rc == 2 and
            "b-missing.conf:2: Match=pci:0000:09:00.0 matches no device" in err and "nothing was changed" in err, (rc, err))
    s.eq("without --boot: nothing changed", h.state(), before)
    rc, out, err = h.run("apply", "--boot", "-c", d)
    s.check("--boot: exit 2 naming the missing PF's section", rc == 2 and "b-missing.conf:2: Match=pci:0000:09:00.0 matches no device"
            in err and "skipped" in out + err, (rc, out, err))
    s.eq("--boot: the good PF is configured all the same", pf_of(h.state())["sriov"]["num_vfs"], 3)


def test_boot_skips_a_file_that_is_not_text(s):
    """At boot a file whose comment above [PF] is not UTF-8 (an exported name, once) is skipped as a
    whole; the other files are applied all the same (the error counted for no section and stopped
    the run)."""
    h = Host("boot-not-utf8")
    d = os.path.join(h.root, "conf.d")
    os.makedirs(d)
    os.chmod(d, 0o755)
    for name, text in (("a.conf", HANDMADE.encode()),
                       ("b.conf", b"# enp9s0 \xff\n[PF]\nMatch=pci:0000:09:00.0\nNumVFs=2\n")):
        with open(os.path.join(d, name), "wb") as f:
            f.write(text)
        os.chmod(os.path.join(d, name), 0o644)
    rc, out, err = h.run("apply", "--boot", "-c", d)
    s.check("--boot: exit 2 naming the line that is not UTF-8, its file skipped", rc == 2 and
            "b.conf:1: not valid UTF-8" in err and "b.conf:2: skipped" in out + err, (rc, out, err))
    s.eq("--boot: the valid file is applied all the same", pf_of(h.state())["sriov"]["num_vfs"], 3)


def test_export_warns_duplicate_macs(s):
    """A MAC on VFs of two PFs (set by hand) is exported as it is, with a warning naming both VFs:
    apply would refuse the files together."""
    h = Host("export-dup-mac", "igb-two")
    d = os.path.join(h.root, "conf.d")
    os.makedirs(d)
    os.chmod(d, 0o755)
    for name, pf, mac in (("a.conf", "0000:01:00.0", "02:00:00:00:00:0a"), ("b.conf", "0000:04:00.0", "02:00:00:00:00:0b")):
        with open(os.path.join(d, name), "w") as f:
            f.write("[PF]\nMatch=pci:%s\nNumVFs=1\n[VF:0]\nMACAddress=%s\n" % (pf, mac))
        os.chmod(os.path.join(d, name), 0o644)
    rc, out, err = h.run("apply", "-c", d)
    state = os.path.join(h.root, "sys", ".fakekernel", "vfstate", "0000:04:00.0", "0")
    with open(state) as f:
        fields = f.read().split(" ")
    with open(state, "w") as f:  # as `ip link set enp4s0 vf 0 mac ...` would
        f.write(" ".join(["02:00:00:00:00:0a"] + fields[1:]))
    rc2, out, err = h.run("export")
    s.check("export: both PFs exported with the MAC, a warning naming the other VF, exit 0",
            rc == 0 and rc2 == 0 and out.count("MACAddress=02:00:00:00:00:0a") == 2 and
            "VF 0 has MAC 02:00:00:00:00:0a, as VF 0 of 0000:04:00.0" in err and
            "as VF 0 of 0000:01:00.0" in err, (rc, out, err))


def test_boot_before_the_driver(s):
    """vfctl.service runs after udev's trigger, not after every driver: a PF whose driver has not
    bound is left to the udev rule at boot, and is an error otherwise."""
    h = Host("nodriver", "igb-nodriver")
    # Up= needs the PF's netdev: before the driver binds that is "not yet", not an error
    path = h.conf("a.conf", HANDMADE.replace("NumVFs=3", "NumVFs=3\nUp=yes"))
    rc, out, err = h.run("apply", "--boot", "-c", path)
    s.check("--boot: a PF without its driver is left for the udev rule, exit 0", rc == 0 and
            "90-vfctl.rules applies this PF when its netdev appears" in out, (rc, out, err))
    s.eq("--boot: nothing was written to it", pf_of(h.state())["sriov"]["num_vfs"], 0)
    rc, out, err = h.run("apply", "-c", path)
    s.check("without --boot: the same PF is an error (Up= needs its netdev), nothing changed",
            rc == 2 and "Up= needs the PF's netdev" in err and pf_of(h.state())["sriov"]["num_vfs"] == 0,
            (rc, out, err))


SECOND = """[PF]
Match=pci:0000:04:00.0
NumVFs=2

[VF:1]
MACAddress=02:00:00:00:04:01
Trust=yes
"""


def test_two_pfs_concurrently(s):
    """Two PF sections: one worker each, their count changes in flight together (a meeting point in
    the fake kernel, not a timing); a failure in one rolls both back; at boot the other stays."""
    def conf_dir(h):
        d = os.path.join(h.root, "conf.d")
        os.makedirs(d)
        os.chmod(d, 0o755)
        for name, text in (("a.conf", HANDMADE), ("b.conf", SECOND)):
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
            os.chmod(os.path.join(d, name), 0o644)
        return d
    h = Host("two", "igb-two")
    path = conf_dir(h)
    rv = os.path.join(h.root, "fakekernel-rendezvous")
    with open(rv, "w") as f:
        f.write("2")
    rc, out, err = h.run("apply", "-c", path)
    os.unlink(rv)
    inflight = open(os.path.join(h.root, "fakekernel-max-inflight")).read().strip()
    s.check("two PFs: exit 0, the summary says 2 changed", rc == 0 and "summary: 2 changed" in out, out + err)
    s.eq("two PFs: both sriov_numvfs writes were in flight at once", inflight, "2")
    steps = [ln for ln in out.splitlines() if "[" in ln and "/" in ln]
    s.check("two PFs: every step line is prefixed with its PF",
            steps and all(ln.startswith("0000:01:00.0: [") or ln.startswith("0000:04:00.0: [") for ln in steps), out)
    h2 = Host("two-events", "igb-two")
    rc2, out2, err2 = h2.run("apply", "--json", "-c", conf_dir(h2))
    ev = events(out2)
    by_unit = {}
    for e in ev:
        if e["event"] == "step":
            by_unit.setdefault(e["unit"], []).append(e["step"])
    s.check("two PFs, apply --json: every step event names its PF, each PF's steps numbered 1..n in order",
            rc2 == 0 and set(by_unit) == {"0000:01:00.0", "0000:04:00.0"} and
            all(v == list(range(1, len(v) + 1)) for v in by_unit.values()), (by_unit, err2))
    s.eq("two PFs, apply --json: both changed", sorted(outcomes(out2)),
         [("0000:01:00.0", "changed"), ("0000:04:00.0", "changed")])
    st = h.state()
    s.eq("two PFs: 3 and 2 VFs, the second PF's VF 1 with its MAC and trust",
         (pf_of(st)["sriov"]["num_vfs"], pf_of(st, "0000:04:00.0")["sriov"]["num_vfs"],
          vf_view(pf_of(st, "0000:04:00.0")["vfs"][1])[1:6:4]), (3, 2, ("02:00:00:00:04:01", True)))
    rc, out, err = h.run("apply", "--json", "-c", path)
    s.eq("two PFs: a second apply is up to date", (rc, sorted(outcomes(out))),
         (0, [("0000:01:00.0", "up-to-date"), ("0000:04:00.0", "up-to-date")]))

    # A failure injected in the second PF (numbered as if the PFs ran one after the other).
    h = Host("two-fail", "igb-two")
    path = conf_dir(h)
    before = h.state()
    rc, out, err = h.run("plan", "--json", "-c", path)
    devs = [x["device"] for x in json.loads(out)["steps"]]
    n_first = next(i for i, d in enumerate(devs) if d.startswith("0000:04:"))
    rc, out, err = h.run("apply", "--json", "-c", path, fail_step=n_first + 2)
    failed = [e for e in events(out) if e["event"] == "step-done" and not e["ok"]]
    oc = outcomes(out)
    s.check("failure in one of two concurrent PFs: exit 1, the second PF failed at its injected step, both rolled "
            "back", rc == 1 and [(e["unit"], e["step"], e["errno"]) for e in failed] == [("0000:04:00.0", 2, "EIO")] and
            "injected failure at step %d" % (n_first + 2) in failed[0]["error"] and
            ("0000:04:00.0", "failed") in oc and sorted(u for u, o in oc if o == "rolled-back") ==
            ["0000:01:00.0", "0000:04:00.0"], (out, err))
    s.eq("failure in one of two concurrent PFs: both PFs as before", h.state(), before)
    s.eq("... and no journal left", journals(h), [])

    rc, out, err = h.run("apply", "--boot", "-c", path, fail_step=n_first + 2)
    st = h.state()
    s.check("--boot, failure in the second PF: exit 1, the first PF configured, the second as before",
            rc == 1 and pf_of(st)["sriov"]["num_vfs"] == 3 and pf_of(st, "0000:04:00.0") ==
            pf_of(before, "0000:04:00.0"), out + err)

    # SIGTERM while both workers run: each reads the stop flag the handler sets (the thread
    # sanitizer tier runs this: a plain read of it was a data race).
    h = Host("two-signal", "igb-two")
    path = conf_dir(h)
    before = h.state()
    rc, out, err = h.run("apply", "--json", "-c", path, kill_step="%d:15" % (n_first + 2))
    oc = outcomes(out)
    s.check("SIGTERM during two concurrent PFs: exit 1, interrupted, both PFs rolled back",
            rc == 1 and "interrupted by a signal" in err and
            sorted(u for u, o in oc if o == "rolled-back") == ["0000:01:00.0", "0000:04:00.0"], (rc, oc, err))
    s.eq("SIGTERM during two concurrent PFs: both PFs as before", h.state(), before)


def events(out):
    """apply --json's stdout: one JSON object per line; a line that is not is an error."""
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def outcomes(out):
    """How each unit of an apply --json run ended, in order: [(unit, outcome)]."""
    return [(e["unit"], e["outcome"]) for e in events(out) if e["event"] == "unit-done"]


def plan_steps(h, path):
    """plan --json's steps as (device, action, vf); None when plan failed."""
    rc, out, err = h.run("plan", "--json", "-c", path)
    return [(x["device"], x["action"], x["vf"]) for x in json.loads(out)["steps"]] if rc == 0 else None


def test_apply_events(s):
    """apply --json: the run as data, one JSON object per line (step, step-done, message, then the
    result), so a program needs no prose; a failure and its rollback are events with errno and the
    kernel's message."""
    h = Host("events")
    rc, out, err = h.run("apply", "--json", "-c", h.conf("a.conf", HANDMADE))
    try:
        ev = events(out)
    except ValueError as e:
        ev = []
        s.check("apply --json: every line of stdout is JSON", False, (e, out[-800:]))
    steps = [e for e in ev if e["event"] == "step"]
    done = [e for e in ev if e["event"] == "step-done"]
    s.check("apply --json: a step and a step-done for each of the plan's steps, numbered 1..n, all ok",
            rc == 0 and steps and [e["step"] for e in steps] == list(range(1, steps[0]["steps"] + 1)) and
            [(e["step"], e["action"], e["ok"]) for e in done] == [(e["step"], e["action"], True) for e in steps],
            (rc, out[-1500:], err))
    s.check("apply --json: actions as plan --json names them, VFs as numbers",
            {"numvfs", "vf-mac", "vf-vlan", "vf-trust", "vf-spoofchk"} <= {e["action"] for e in steps} and
            any(e["action"] == "vf-trust" and e["vf"] == 1 for e in steps), [e["action"] for e in steps])
    s.check("apply --json: the last line is the result, ok, exit 0; no prose on stdout",
            ev and ev[-1] == {"event": "result", "ok": True, "exit": 0, "error": None, "config_errors": []} and
            not any(line.startswith("[") for line in out.splitlines()), ev[-1:] if ev else out)
    path = h.conf("b.conf", HANDMADE.replace("NumVFs=3", "NumVFs=4"))
    rc, out, err = h.run("apply", "--json", "-c", path, fail_step=3)
    ev = events(out)
    failed = [e for e in ev if e["event"] == "step-done" and not e["ok"]]
    undo = [e for e in ev if e["event"] == "step" and e["undo"]]
    s.check("apply --json, a step fails: its step-done says EIO and the message, the rollback's steps are undo, "
            "the result is exit 1", rc == 1 and len(failed) == 1 and failed[0]["errno"] == "EIO" and
            "injected failure at step 3" in failed[0]["error"] and undo and ev[-1]["event"] == "result" and
            ev[-1]["exit"] == 1 and not ev[-1]["ok"], (rc, out[-2000:]))


def test_parallel_scan(s):
    """Past 256 functions the PCI scan and the netdev map split their reads between two threads
    (ctx_split); every function is listed once. The thread sanitizer tier runs this too."""
    root = os.path.join(TMP, "parallel-scan")
    shutil.rmtree(root, ignore_errors=True)
    fakesys.bench_tree(root, 2, 150)
    p = subprocess.run([FAKE, "--sysfs", root + "/sys", "--procfs", root + "/proc", "--modules", root + "/modules",
                        "status", "--json"], capture_output=True, text=True, timeout=300)
    try:
        doc = json.loads(p.stdout)
        ids = [d["id"] for d in doc["devices"]]
        vfs = sum(len(d["vfs"]) for d in doc["devices"])
    except ValueError:
        ids, vfs = [], 0
    s.check("302 functions read on two threads: 300 VFs, every function once", p.returncode == 0 and vfs == 300 and
            len(ids) == len(set(ids)) and len(ids) >= 302, (p.returncode, vfs, len(ids), p.stderr[-500:]))


def test_dump_interrupted(s):
    """A link or address dump the kernel marks inconsistent (NLM_F_DUMP_INTR: its table changed
    mid-walk, and this one missed every other netdev) is asked for again, once: status reads every
    netdev and VF, and a plan sees nothing missing. Twice in a row, no third dump: the netdevs the
    dump missed are read from sysfs."""
    h = Host("dump-intr")
    h.run("apply", "-c", h.conf("a.conf", HANDMADE))
    want = h.state()
    flag, count = os.path.join(h.root, "fakekernel-dump-intr"), os.path.join(h.root, "fakekernel-dumps")

    def dumps_for(n, *args):
        with open(flag, "w") as f:
            f.write(str(n))
        with open(count, "w") as f:
            f.write("0")
        res = h.state() if not args else h.run(*args)
        return res, int(open(count).read()), open(flag).read()

    base = dumps_for(0)[1]
    got, dumps, left = dumps_for(1)
    s.check("one interrupted dump: asked once more (%d dumps, %d without), the same host" % (dumps, base),
            got == want and dumps == base + 1 and left == "0", [d["netdevs"] for d in got])
    (rc, out, err), dumps, left = dumps_for(1, "plan", "--json", "-c", h.conf("a.conf", HANDMADE))
    s.check("plan after an interrupted dump: no step (no VF or netdev seen missing)",
            rc == 0 and json.loads(out)["steps"] == [], out + err)
    got, dumps, left = dumps_for(2)
    # Only a dump gives a permanent MAC (best effort): unknown (null) for a netdev both missed.
    strip = lambda doc: [[dict(n, perm_mac=None) for n in d["netdevs"]] for d in doc]
    s.check("interrupted twice: no third dump, the missed netdevs read from sysfs (permanent MAC unknown)",
            strip(got) == strip(want) and dumps == base + 1 and left == "0" and
            any(n["perm_mac"] is None for d in got for n in d["netdevs"]), (dumps, base, strip(got)))


def test_emit_fits_the_host(s):
    """emit libvirt keeps libvirt off what vfctl owns: a VF on vfio-pci is managed='no' (libvirt
    neither rebinds it nor hands it back at stop); a VLAN with a QoS is a plain <hostdev> with the
    reason (libvirt's <vlan> would write QoS 0); a MAC alone is an <interface type='hostdev'>. emit
    proxmox --mapping writes a resource mapping whose every entry carries what qemu-server's
    PVE::Mapping::PCI::assert_valid checks at VM start, and libvirt's own schema takes the XML."""
    h = Host("emit-fit")
    h.run("apply", "-c", h.conf("a.conf", HANDMADE + "\n[VF:1]\nMACAddress=02:00:00:00:01:01\n"))
    vfs = pf_of(h.state())["vfs"]
    rc, out, err = h.run("emit", "libvirt", "enp1s0:vf0", "enp1s0:vf1", "enp1s0:vf2")
    blocks = re.findall(r"<(hostdev|interface)[^>]*managed='(yes|no)'>", out)
    s.eq("emit libvirt: VF 0 (VLAN 42 QoS 2) a plain hostdev, VF 1 (a MAC) an interface, VF 2 (vfio-pci) managed='no'",
         (rc, blocks), (0, [("hostdev", "yes"), ("interface", "yes"), ("hostdev", "no")]))
    s.check("... each with its reason: the QoS libvirt would drop, the binding it would not touch",
            "VLAN 42 with a QoS: libvirt's <vlan> would write QoS 0" in out and
            "%s stays on vfio-pci (managed='no')" % vfs[2]["id"] in out and
            "<mac address='02:00:00:00:01:01'/>" in out and "<vlan>\n" not in out, out)
    path = os.path.join(h.root, "domain.xml")
    with open(path, "w") as f:
        f.write("<domain type='kvm'><name>t</name><memory>131072</memory><os><type arch='x86_64' machine='q35'>hvm"
                "</type></os><devices>%s</devices></domain>\n" % out)
    v = subprocess.run(["virt-xml-validate", path, "domain"], capture_output=True, text=True)
    s.check("emit libvirt: valid per libvirt's schema (virt-xml-validate)", v.returncode == 0, v.stdout + v.stderr)

    rc, out, err = h.run("emit", "libvirt", "--failover", "enp1s0:vf1")
    with open(path, "w") as f:
        f.write("<domain type='kvm'><name>t</name><memory>131072</memory><os><type arch='x86_64' machine='q35'>hvm"
                "</type></os><devices>%s</devices></domain>\n" % out)
    v = subprocess.run(["virt-xml-validate", path, "domain"], capture_output=True, text=True)
    s.check("emit libvirt --failover: the virtio and VF interfaces paired on one MAC, valid per libvirt's schema",
            rc == 0 and out.count("<mac address='02:00:00:00:01:01'/>") == 2 and "<teaming type='persistent'/>" in out
            and "persistent='ua-vfctl-failover0'" in out and v.returncode == 0, out + err + v.stderr)
    for dev in ("enp1s0:vf0", "enp1s0"):
        rc, out, err = h.run("emit", "libvirt", "--failover", dev)
        s.check("emit libvirt --failover %s (a VLAN; not a VF): a usage error saying why" % dev,
                rc == 2 and "a VF with a MAC" in err and not out, (rc, out, err))
    rc, out, err = h.run("emit", "libvirt", "--network", "pool0", "enp1s0")
    net = os.path.join(h.root, "net.xml")
    with open(net, "w") as f:
        f.write(out)
    v = subprocess.run(["virt-xml-validate", net, "network"], capture_output=True, text=True)
    pool = re.findall(r"<address type='pci' domain='0x0000' bus='0x01' slot='0x10' function='0x(\d)'/>", out)
    s.check("emit libvirt --network: a hostdev pool of VFs 1 and 2 (VF 0 left out for its VLAN, said so), "
            "managed='yes' (VF 1 is on igbvf), valid per libvirt's network schema",
            rc == 0 and pool == ["2", "4"] and "%s left out: its PF holds VLAN 42" % vfs[0]["id"] in out and
            "<forward mode='hostdev' managed='yes'>" in out and v.returncode == 0, out + err + v.stderr)
    rc, out, err = h.run("emit", "libvirt", "--network", "pool0", "enp1s0:vf0")
    s.check("emit libvirt --network with only a VLAN'd VF: a usage error", rc == 2 and "--network" in err, (rc, err))
    rc, out, err = h.run("emit", "proxmox", "--mapping", "pool-enp1s0", "--node", "pve1", "enp1s0")
    lines = out.splitlines()
    maps = [dict(kv.split("=", 1) for kv in ln.strip()[4:].split(",")) for ln in lines if ln.startswith("\tmap ")]
    pci_re = r"[a-f0-9]{4,}:[a-f0-9]{2}:[a-f0-9]{2}(?:\.[a-f0-9])?"
    devs = {d["id"]: d for d in h.state()}
    # What assert_valid compares, from the device as the kernel has it.
    ok = [m["node"] == "pve1" and re.fullmatch(pci_re, m["path"]) and
          m["id"] == "%s:%s" % (devs[m["path"]]["vendor_id"], devs[m["path"]]["device_id"]) and
          m.get("subsystem-id") == "%s:%s" % (devs[m["path"]]["subsystem_vendor_id"],
                                              devs[m["path"]]["subsystem_device_id"]) and
          int(m["iommugroup"]) == devs[m["path"]]["iommu_group"] for m in maps]
    s.check("emit proxmox --mapping: a section named as pve-configid wants, one map per VF with node, path, id, "
            "subsystem-id and iommugroup as the device has them, and hostpci0 taking the mapping",
            rc == 0 and "pool-enp1s0" in lines and re.fullmatch(r"[a-z][a-z0-9_-]+", "pool-enp1s0", re.I) and
            [m["path"] for m in maps] == [v["id"] for v in vfs] and all(ok) and
            "hostpci0: mapping=pool-enp1s0,pcie=1" in lines and not err, (out, err))
    for bad in (("--mapping", "1pool", "enp1s0"), ("--mapping", "p", "enp1s0"), ("--mapping", "pool", "00:01.0")):
        rc, out, err = h.run("emit", "proxmox", *bad)
        s.check("emit proxmox %s: a usage error (a name Proxmox refuses, or a device that is no VF or PF)" %
                " ".join(bad), rc == 2 and "--mapping" in err and not out, (rc, out, err))


def test_bind_restore(s):
    h = Host("bind")
    h.run("apply", "-c", h.conf("a.conf", HANDMADE))
    rc, out, err = h.run("bind", "enp1s0:vf0")
    s.check("bind: VF 0 to vfio-pci", rc == 0 and "igbvf -> vfio-pci" in out, out + err)
    vf = pf_of(h.state())["vfs"][0]
    s.eq("bind: the VF is on vfio-pci, its netdev gone", (vf["driver"], vf["netdev"]), ("vfio-pci", None))
    rc, out, err = h.run("restore")
    s.check("restore: back to igbvf", rc == 0 and "restored to igbvf" in out, out + err)
    vf = pf_of(h.state())["vfs"][0]
    s.eq("restore: igbvf with its netdev and MAC", (vf["driver"], vf["netdev"], vf["mac"]),
         ("igbvf", "enp1s0v0", "02:00:00:00:01:00"))
    rc, out, err = h.run("bind", "01:00.0")
    s.check("bind: a PF whose VFs are in use is refused", rc != 0, out + err)
    s.eq("bind: the refused PF keeps igb", pf_of(h.state())["driver"], "igb")
    # While a VM has it, its manager changes the VF's VLAN and QoS and trusts it (libvirt's <vlan>,
    # trust='yes'); restore gives back what the VF had before vfctl took it (it kept the VLAN).
    rc, out, err = h.run("bind", "enp1s0:vf0")
    state = os.path.join(h.root, "sys", ".fakekernel", "vfstate", "0000:01:00.0", "0")
    with open(state) as f:
        fields = f.read().split(" ")
    fields[1], fields[2], fields[5] = "7", "5", "1"  # vlan, qos, trust
    with open(state, "w") as f:
        f.write(" ".join(fields))
    vf = pf_of(h.state())["vfs"][0]
    s.eq("bind: the VM's manager moved VF 0 to VLAN 7 QoS 5, trusted", (vf["vlan"], vf["qos"], vf["trust"]), (7, 5, True))
    rc, out, err = h.run("restore")
    vf = pf_of(h.state())["vfs"][0]
    s.check("restore: VLAN 42 QoS 2 and trust off again, said so", rc == 0 and "vf 0: vlan 42 qos 2" in out and
            "vf 0: trust off" in out and
            (vf["vlan"], vf["qos"], vf["trust"], vf["driver"]) == (42, 2, False, "igbvf"), (vf, out, err))


# What vfctl export writes for a host after a hand-written unit ran: 8 VFs on
# enp6s0f1np1, each given a MAC with ip link set ... vf N mac 00:80:00:00:00:0N.
HANDUNIT_EXPORT = """# Written by vfctl export from the live host.
# 0000:06:00.1 (mlx5_core), enp6s0f1np1
# Mellanox Technologies MT27710 Family [ConnectX-4 Lx]
[PF]
# matched by enp6s0f1np1's permanent MAC: it follows the card to another slot
Match=mac:b8:59:9f:a0:00:11
NumVFs=8
Up=yes

# 0000:06:01.2 VF 0, enp6s0f1v0 (mlx5_core)
[VF:0]
MACAddress=00:80:00:00:00:00
Driver=mlx5_core

# 0000:06:01.3 VF 1, enp6s0f1v1 (mlx5_core)
[VF:1]
MACAddress=00:80:00:00:00:01
Driver=mlx5_core

# 0000:06:01.4 VF 2, enp6s0f1v2 (mlx5_core)
[VF:2]
MACAddress=00:80:00:00:00:02
Driver=mlx5_core

# 0000:06:01.5 VF 3, enp6s0f1v3 (mlx5_core)
[VF:3]
MACAddress=00:80:00:00:00:03
Driver=mlx5_core

# 0000:06:01.6 VF 4, enp6s0f1v4 (mlx5_core)
[VF:4]
MACAddress=00:80:00:00:00:04
Driver=mlx5_core

# 0000:06:01.7 VF 5, enp6s0f1v5 (mlx5_core)
[VF:5]
MACAddress=00:80:00:00:00:05
Driver=mlx5_core

# 0000:06:02.0 VF 6, enp6s0f1v6 (mlx5_core)
[VF:6]
MACAddress=00:80:00:00:00:06
Driver=mlx5_core

# 0000:06:02.1 VF 7, enp6s0f1v7 (mlx5_core)
[VF:7]
MACAddress=00:80:00:00:00:07
Driver=mlx5_core
"""


def test_export_handunit(s):
    h = Host("export-handunit", fixture="cx4lx-8vfs")
    # What the unit's `ip link set dev enp6s0f1np1 vf N mac ...` left in the PF driver.
    d = os.path.join(h.root, "sys/.fakekernel/vfstate/0000:06:00.1")
    os.makedirs(d)
    for i in range(8):
        with open(os.path.join(d, str(i)), "w") as f:
            f.write("00:80:00:00:00:%02x 0 0 8100 1 0 0 0 0 0\n" % i)
    rc, out, err = h.run("export", "enp6s0f1np1")
    s.eq("export of a hand-set host: the configuration that replaces its unit", out, HANDUNIT_EXPORT)
    out_dir = os.path.join(h.root, "export")
    rc, out, err = h.run("export", "-o", out_dir)
    s.check("export -o DIR writes one file per PF, mode 0644",
            rc == 0 and os.listdir(out_dir) == ["enp6s0f1np1.conf"] and
            os.stat(os.path.join(out_dir, "enp6s0f1np1.conf")).st_mode & 0o777 == 0o644, out + err)
    rc, out, err = h.run("export", "-o", out_dir)
    s.check("export -o DIR keeps an existing file without --force", rc != 0 and "--force" in err, out + err)
    s.eq("export of a hand-set host: planned on the same host, no step", plan_steps(h, out_dir), [])
    rc, out, err = h.run("export", "--json")
    doc = json.loads(out)
    s.eq("export --json: name, device, match kind and the same text",
         [(f["name"], f["device"], f["match"], f["text"]) for f in doc["files"]],
         [("enp6s0f1np1.conf", "0000:06:00.1", "mac", HANDUNIT_EXPORT)])


def test_export_round_trip(s):
    """A host set up by hand (here: the hand-made unit's settings), exported, reset and rebuilt."""
    h = Host("export-trip")
    h.run("apply", "-c", h.conf("a.conf", HANDMADE))
    before = [vf_view(v) for v in pf_of(h.state())["vfs"]]
    out_dir = os.path.join(h.root, "export")
    rc, out, err = h.run("export", "-o", out_dir)
    text = open(os.path.join(out_dir, "enp1s0.conf")).read()
    s.check("round trip: export names the VLAN, spoof check, trust, rate and the vfio-pci VF",
            all(k in text for k in ("VLANId=42", "QualityOfService=2", "MACSpoofCheck=no", "Trust=yes",
                                    "MaxTxRate=200", "Driver=vfio-pci")), text)
    s.eq("round trip: plan of the export on the same host: no step", plan_steps(h, out_dir), [])
    rc, out, err = h.run("apply", "-c", h.conf("zero.conf", "[PF]\nMatch=pci:0000:01:00.0\nNumVFs=0\n"))
    s.eq("round trip: the PF reset to 0 VFs", (rc, pf_of(h.state())["sriov"]["num_vfs"]), (0, 0))
    rc, out, err = h.run("apply", "-c", out_dir)
    s.eq("round trip: the export applied: every VF setting and driver as before", (rc, [vf_view(v) for v in
                                                                                        pf_of(h.state())["vfs"]]),
         (0, before))


def traced_env(h):
    """For a run under strace: LeakSanitizer cannot work under ptrace (the sanitizer tier); the
    other tests check leaks."""
    asan = os.environ.get("ASAN_OPTIONS", "")
    return dict(os.environ, VFCTL_RUNDIR=h.run_dir, ASAN_OPTIONS=(asan + ":" if asan else "") + "detect_leaks=0")


def test_verify_reads_what_it_touched(s):
    """After its last step, apply re-reads the PF it changed and its VFs, not the rest of the host
    (strace: the opens after the last journal write). Without that, a host's every function was
    read again after each PF."""
    strace = shutil.which("strace")
    s.check("strace is installed (deps.sh)", strace is not None)
    if not strace:
        return
    h = Host("verify-scope", "igb-two")
    trace = os.path.join(h.root, "trace")
    env = traced_env(h)
    p = subprocess.run([strace, "-f", "-qq", "-e", "trace=openat,rename,renameat,renameat2", "-o", trace, FAKE,
                        *h.args, "apply", "-c", h.conf("a.conf", HANDMADE)], capture_output=True, text=True,
                       env=env, timeout=120)
    s.check("verify scope: the apply succeeds under strace", p.returncode == 0 and "0000:01:00.0: done" in p.stdout,
            p.stdout + p.stderr)
    lines = open(trace).read().splitlines()
    last = max((i for i, ln in enumerate(lines) if "rename" in ln and "journal" in ln), default=-1)
    after = lines[last + 1:]
    s.check("verify scope: a journal was written before the re-read", last >= 0, "\n".join(lines[-20:]))
    read = lambda dev: [ln for ln in after if dev + "/config" in ln and "= -1" not in ln]
    s.check("verify scope: the changed PF and its 3 VFs read again",
            read("0000:01:00.0") and all(read(a) for a in ("0000:01:10.0", "0000:01:10.2", "0000:01:10.4")),
            "\n".join(after[:40]))
    s.eq("verify scope: the other PF and the bridges not read again",
         [ln for ln in after if any(x in ln for x in ("0000:04:00.0/", "0000:00:01.0/", "0000:00:04.0/"))], [])


def test_apply_reads_no_module_index(s):
    """apply reads neither modules.dep (the vfio modules' states: status and doctor show them) nor
    libkmod's index (the VFs' default driver) unless a section says Driver=auto."""
    strace = shutil.which("strace")
    s.check("strace is installed (deps.sh)", strace is not None)
    if not strace:
        return
    for name, vf, wants in (("plain", "MACAddress=02:00:00:00:01:00", False), ("auto", "Driver=auto", True)):
        h = Host("modidx-" + name, "igb-lab")
        trace = os.path.join(h.root, "trace")
        conf = h.conf("a.conf", "[PF]\nMatch=pci:0000:01:00.0\nNumVFs=2\n\n[VF:0]\n%s\n" % vf)
        p = subprocess.run([strace, "-f", "-qq", "-e", "trace=openat", "-o", trace, FAKE, *h.args, "apply", "-c", conf],
                           capture_output=True, text=True, env=traced_env(h), timeout=120)
        opened = [ln for ln in open(trace).read().splitlines() if "/modules/" in ln]
        if wants:  # the fake tree has no alias index: the lookup is made, and finds nothing
            s.check("module index, auto: no driver found, said so, rolled back", p.returncode == 1 and
                    "no driver in modules.alias for this VF (Driver=auto)" in p.stderr, p.stdout + p.stderr)
        else:
            s.check("module index, plain: apply exits 0", p.returncode == 0, p.stdout + p.stderr)
        s.eq("module index, %s: whether modules.dep (the text list) was read" % name,
             any('modules.dep"' in ln for ln in opened), False)
        s.eq("module index, %s: whether the alias index was looked up" % name, any("modules.alias" in ln for ln in opened), wants)


def module_index(h, aliases):
    """depmod's alias index in the tree's modules/RELEASE, built from minimal .ko files whose
    .modinfo declares the aliases ({module: alias}), beside the fake modules.dep."""
    release = open(os.path.join(h.root, "proc/sys/kernel/osrelease")).read().strip()
    base = os.path.join(h.root, "depmod")
    kdir = os.path.join(base, "lib/modules", release, "kernel")
    os.makedirs(kdir)
    obj = os.path.join(base, "empty.o")
    subprocess.run(["gcc", "-c", "-x", "c", "-", "-o", obj], input="int x;\n", text=True, check=True)
    for mod, alias in aliases.items():
        info = os.path.join(base, mod + ".modinfo")
        with open(info, "wb") as f:
            f.write(b"alias=%s\0name=%s\0license=GPL\0" % (alias.encode(), mod.encode()))
        subprocess.run(["objcopy", "--add-section", ".modinfo=" + info, obj, os.path.join(kdir, mod + ".ko")],
                       check=True)
    subprocess.run(["/sbin/depmod", "-b", base, release], check=True, capture_output=True)
    for f in ("modules.alias", "modules.alias.bin"):
        shutil.copy(os.path.join(base, "lib/modules", release, f), os.path.join(h.root, "modules", release, f))


def test_vfio_variant(s):
    """Driver=vfio-pci binds the vfio-pci variant modules.alias gives the VF (as libvirt picks it:
    only a variant carries the device's state across a migration), says so in plan, moves a VF off
    plain vfio-pci onto it, and a rollback puts back the very driver the VF had; doctor says which
    VFs can migrate and why not."""
    h = Host("variant")
    conf = h.conf("a.conf", "[PF]\nMatch=pci:0000:01:00.0\nNumVFs=2\n\n[VF:0]\nDriver=vfio-pci\n")
    rc, out, err = h.run("apply", "-c", conf)
    s.check("no index: VF 0 on plain vfio-pci", rc == 0 and pf_of(h.state())["vfs"][0]["driver"] == "vfio-pci",
            out + err)
    rc, out, err = h.run("doctor", "--json")
    mig = [f for f in json.loads(out)["findings"] if f["id"] == "passthrough.migration"]
    s.check("doctor: VF 0 cannot migrate, no variant knows 8086:10ca", len(mig) == 1 and
            "no vfio-pci variant driver knows 8086:10ca" in mig[0]["summary"], mig)
    module_index(h, {"igb_vfio_pci": "vfio_pci:v00008086d000010CAsv*sd*bc*sc*i*"})
    s.eq("status --json: the VF's variant from the index", pf_of(h.state()) and
         next(d for d in h.state() if d["id"] == "0000:01:10.0")["vfio_variant"], "igb_vfio_pci")
    rc, out, err = h.run("doctor", "--json")
    mig = [f for f in json.loads(out)["findings"] if f["id"] == "passthrough.migration"]
    s.check("doctor: on plain vfio-pci, the variant named with the key that binds it", len(mig) == 1 and
            "modules.alias gives it igb_vfio_pci" in mig[0]["summary"] and "Driver=vfio-pci" in (mig[0]["fix"] or ""),
            mig)
    rc, out, err = h.run("plan", "-c", conf)
    s.check("plan: unbind vfio-pci, bind the variant, saying why", rc == 0 and "vf 0: unbind vfio-pci" in out and
            "vf 0: bind igb_vfio_pci (vfio-pci's variant for this device in modules.alias)" in out, out + err)
    before = h.state()
    rc, out, err = h.run("apply", "-c", conf, fail_step=2)
    s.check("a failure after the bind: rolled back", rc != 0, out + err)
    s.eq("rollback: VF 0 back on plain vfio-pci, not on the variant", h.state(), before)
    rc, out, err = h.run("apply", "-c", conf)
    vf0 = next(d for d in h.state() if d["id"] == "0000:01:10.0")
    s.check("apply: VF 0 on igb_vfio_pci, its /dev/vfio node made", rc == 0 and vf0["driver"] == "igb_vfio_pci" and
            os.path.exists(os.path.join(h.root, "dev/vfio", str(vf0["iommu_group"]))), (vf0, out, err))
    rc, out, err = h.run("verify", "-c", conf)
    s.eq("verify: no drift on the variant", rc, 0)
    rc, out, err = h.run("doctor", "--json")
    mig = [f for f in json.loads(out)["findings"] if f["id"] == "passthrough.migration"]
    s.check("doctor: VF 0 can migrate on igb_vfio_pci", len(mig) == 1 and
            mig[0]["summary"].startswith("can migrate: igb_vfio_pci"), mig)
    rc, out, err = h.run("export")
    s.check("export: the variant the index gives is written as Driver=vfio-pci", rc == 0 and "Driver=vfio-pci" in out
            and "igb_vfio_pci\n" not in out.replace("(igb_vfio_pci", ""), out + err)
    rc, out, err = h.run("emit", "proxmox", "0000:01:10.0")
    s.check("emit proxmox: a device on a variant gets a note (Proxmox binds plain vfio-pci only)", rc == 0 and
            "Proxmox binds plain vfio-pci only" in out and "VFIOVariant=no" in out, out + err)
    plain = h.conf("b.conf", "[PF]\nMatch=pci:0000:01:00.0\nNumVFs=2\n\n[VF:0]\nDriver=vfio-pci\nVFIOVariant=no\n")
    rc, out, err = h.run("plan", "-c", plain)
    s.check("VFIOVariant=no: plan moves VF 0 back to plain vfio-pci", rc == 0 and "vf 0: unbind igb_vfio_pci" in out and
            "vf 0: bind vfio-pci\n" in out + "\n", out + err)
    rc, out, err = h.run("apply", "-c", plain)
    vf0 = next(d for d in h.state() if d["id"] == "0000:01:10.0")
    s.check("VFIOVariant=no: VF 0 on vfio-pci", rc == 0 and vf0["driver"] == "vfio-pci", (vf0, out, err))
    rc, out, err = h.run("export")
    s.check("export: plain vfio-pci where a variant exists is Driver=vfio-pci with VFIOVariant=no",
            rc == 0 and "Driver=vfio-pci\nVFIOVariant=no\n" in out, out + err)
    rc, out, err = h.run("verify", "-c", plain)
    s.eq("verify VFIOVariant=no: no drift", rc, 0)
    bad = h.conf("c.conf", "[PF]\nMatch=pci:0000:01:00.0\nNumVFs=2\n\n[VF:1]\nVFIOVariant=no\n")
    rc, out, err = h.run("plan", "-c", bad)
    s.check("VFIOVariant= without Driver=vfio-pci: FILE:LINE", rc == 2 and
            "%s:6: VFIOVariant= chooses between vfio-pci and its variant driver: it needs Driver=vfio-pci" % bad in err,
            (rc, err))


def test_port_function_needs_switchdev(s):
    """Migratable= is a capability of the VF's devlink port function: on a PF without a devlink
    eswitch (igb) plan refuses with FILE:LINE, and nothing changes."""
    h = Host("port-fn")
    digest = tree_digest(h.root + "/sys")
    conf = h.conf("a.conf", "[PF]\nMatch=pci:0000:01:00.0\nNumVFs=2\n\n[VF:1]\nMigratable=yes\n")
    rc, out, err = h.run("apply", "-c", conf)
    s.check("Migratable= on igb: exit 2, FILE:LINE, switchdev named", rc == 2 and
            "%s:6: Migratable= is a capability of the VF's devlink port function, which exists in switchdev mode only"
            % conf in err, (rc, out, err))
    s.eq("Migratable= refused: not one file of the tree changed", tree_digest(h.root + "/sys"), digest)


def main():
    s = Suite("fakekernel")
    if not os.access(FAKE, os.X_OK):
        s.check("%s is built" % FAKE, False)
        s.finish()
    for fn in (test_apply, test_count_only, test_bind_pool, test_count_through_zero, test_fault_at_every_step, test_kill_matrix, test_stop_signal,
               test_kernel_refuses,
               test_invalid_changes_nothing, test_boot_skips_a_bad_section, test_boot_skips_a_file_that_is_not_text,
               test_export_warns_duplicate_macs, test_boot_before_the_driver,
               test_two_pfs_concurrently, test_apply_events, test_parallel_scan, test_verify_reads_what_it_touched, test_apply_reads_no_module_index,
               test_bind_restore, test_dump_interrupted, test_emit_fits_the_host, test_export_handunit, test_export_round_trip,
               test_vfio_variant, test_port_function_needs_switchdev):
        s.run(fn)
    shutil.rmtree(TMP, ignore_errors=True)
    s.finish()


if __name__ == "__main__":
    main()
