#!/usr/bin/env python3
"""Fake-kernel tier: the one guard (what the host and its VMs need) on every disruptive apply step
and on the undo of an interrupted run, and journals checked before they are replayed. Each test
plants what the guard reads (a mount in proc/self/mountinfo with its sys/dev/block link, a "VM"
holding /dev/vfio/N in proc/PID/fd) in a fake tree and runs vfctl-fake on it."""
import fcntl
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
import test_kernel  # noqa: E402
from harness import Suite  # noqa: E402
from test_kernel import HANDMADE, Host, pf_of  # noqa: E402

PF = "0000:01:00.0"


def plant_mount(h, dev, mnt, majmin="259:3"):
    """A file system mounted on mnt from a disk below PCI device dev."""
    os.makedirs(os.path.join(h.root, "proc", "self"), exist_ok=True)
    with open(os.path.join(h.root, "proc", "self", "mountinfo"), "a") as f:
        f.write("30 1 %s / %s rw,relatime shared:1 - ext4 /dev/nvme1n1 rw\n" % (majmin, mnt))
    blk = os.path.join(h.root, "sys", "dev", "block")
    os.makedirs(blk, exist_ok=True)
    os.symlink("../../devices/pci0000:00/0000:00:01.0/%s/nvme/nvme1/nvme1n1" % dev, os.path.join(blk, majmin))


def plant_vm(h, node, pid=4242, argv=None):
    """A process (named like QEMU) holding node open, as a VM holds its VFIO group; argv: its
    command line, as libvirt or Proxmox start QEMU."""
    d = os.path.join(h.root, "proc", str(pid))
    os.makedirs(os.path.join(d, "fd"), exist_ok=True)
    with open(os.path.join(d, "comm"), "w") as f:
        f.write("qemu-system-x86\n")
    if argv:
        with open(os.path.join(d, "cmdline"), "wb") as f:
            f.write(b"".join(a.encode() + b"\0" for a in argv))
    os.symlink(node, os.path.join(d, "fd", "%d" % (7 + len(os.listdir(os.path.join(d, "fd"))))))


def numvfs(h, pf=PF):
    return pf_of(h.state(), pf)["sriov"]["num_vfs"]


def vf_group(h, vf, pf=PF):
    dev = pf_of(h.state(), pf)["vfs"][vf]["id"]
    return next(d for d in h.state() if d["id"] == dev)["iommu_group"]


def test_mounted_vf(s):
    """A VF whose disk holds a mounted file system (an NVMe VF's namespace): a VF count change that
    would destroy it is refused, forced or not, and nothing changes."""
    h = Host("guard-mounted-vf")
    rc, out, err = h.run("apply", "-c", h.conf("a.conf", "[PF]\nMatch=pci:%s\nNumVFs=2\n" % PF))
    s.eq("two VFs to start from", (rc, numvfs(h)), (0, 2))
    vf1 = pf_of(h.state())["vfs"][1]["id"]
    plant_mount(h, vf1, "/srv/data")
    path = h.conf("b.conf", "[PF]\nMatch=pci:%s\nNumVFs=3\n" % PF)
    for force in ((), ("--force",)):
        rc, out, err = h.run("apply", "-c", path, *force)
        s.check("NumVFs 2 -> 3 over a mounted VF%s: refused, the mount named, not forceable" % (" with --force" if force else ""),
                rc != 0 and "%s controls the disk of the mounted file system /srv/data" % vf1 in out + err and
                "not even with --force" in out + err, out + err)
        s.eq("... and the VF count is unchanged", numvfs(h), 2)


def test_mounted_device(s):
    """A [Device] section whose function holds the mounted root file system: refused."""
    h = Host("guard-mounted-device")
    plant_mount(h, PF, "/")
    rc, out, err = h.run("apply", "-c", h.conf("d.conf", "[Device]\nMatch=pci:%s\nDriver=vfio-pci\n" % PF), "--force")
    s.check("[Device] Driver=vfio-pci on the disk of /: refused even with --force",
            rc != 0 and "controls the disk of the mounted file system /" in out + err, out + err)
    s.eq("... and it keeps its driver", pf_of(h.state())["driver"], "igb")


def test_device_pf_held_by_vm(s):
    """A [Device] section naming a PF one of whose VFs a VM holds: unbinding the PF would destroy
    the VF under the VM, so it is refused with the VM named."""
    h = Host("guard-device-pf")
    rc, out, err = h.run("apply", "-c", h.conf("a.conf", HANDMADE))
    s.eq("HANDMADE applied: VF 2 on vfio-pci", (rc, pf_of(h.state())["vfs"][2]["driver"]), (0, "vfio-pci"))
    plant_vm(h, "/dev/vfio/%d" % vf_group(h, 2))
    rc, out, err = h.run("apply", "-c", h.conf("d.conf", "[Device]\nMatch=pci:%s\nDriver=vfio-pci\n" % PF))
    s.check("[Device] on the PF: refused, the VM's process named",
            rc != 0 and "is open in process 4242 (qemu-system-x86)" in out + err and "--force" in out + err, out + err)
    st = pf_of(h.state())
    s.eq("... the PF keeps igb and its 3 VFs", (st["driver"], st["sriov"]["num_vfs"]), ("igb", 3))


def interrupted(h, conf_text):
    """Applies conf_text and kills the run right after VF 2 went to vfio-pci: a journal is left."""
    path = h.conf("a.conf", conf_text)
    rc, out, err = h.run("plan", "-c", path)
    steps = [l for l in out.splitlines() if l.strip()]
    at = next(i for i, l in enumerate(steps) if "vf 2: bind vfio-pci" in l) + 2
    rc, out, err = h.run("apply", "-c", path, kill_step=at)
    return at, len(steps)


def test_recovery_under_a_vm(s):
    """A run killed after it gave VF 2 to vfio-pci; a VM then opens VF 2's group. The next apply
    must not undo the dead run under the VM: the device stays, its journal is kept, a file for
    another PF still applies, a file for this PF fails; --force undoes it."""
    h = Host("guard-recovery", fixture="igb-two")
    at, total = interrupted(h, HANDMADE)
    st = pf_of(h.state())
    s.check("the run died after step %d of %d, VF 2 on vfio-pci, a journal left" % (at - 1, total),
            st["vfs"][2]["driver"] == "vfio-pci" and len(h.status()["interrupted_runs"]) == 1, st)
    plant_vm(h, "/dev/vfio/%d" % vf_group(h, 2))
    other = h.conf("b.conf", "[PF]\nMatch=pci:0000:04:00.0\nNumVFs=1\n")
    rc, out, err = h.run("apply", "-c", other)
    s.check("another PF's file: applied, the undo under the VM refused and said",
            rc == 0 and numvfs(h, "0000:04:00.0") == 1 and "is open in process 4242 (qemu-system-x86)" in out + err and
            "not restored (journal kept" in out + err, out + err)
    s.eq("... the VM's VF is untouched and the journal kept",
         (numvfs(h), pf_of(h.state())["vfs"][2]["driver"], len(h.status()["interrupted_runs"])), (3, "vfio-pci", 1))
    mine = h.conf("c.conf", "[PF]\nMatch=pci:%s\nNumVFs=3\n" % PF)
    rc, out, err = h.run("apply", "-c", mine)
    s.check("this PF's file: fails, saying its interrupted run could not be undone",
            rc != 0 and "could not be undone" in out + err and numvfs(h) == 3, out + err)
    rc, out, err = h.run("apply", "-c", mine, "--force")
    s.check("--force: the undo goes ahead (the VM is named), then the file applies",
            rc == 0 and "going ahead (--force)" in out + err and h.status()["interrupted_runs"] == [], out + err)


def journal_dir(h):
    d = os.path.join(h.run_dir, "vfctl", "journal")
    os.makedirs(d, exist_ok=True)
    return d


def test_unusable_journals(s):
    """An empty journal, one planted with a path for a driver, one whose device= is another path:
    never replayed, never in the way, reported by status, doctor, plan and metrics."""
    h = Host("guard-journals")
    d = journal_dir(h)
    victim = os.path.join(h.root, "victim")
    with open(victim, "w") as f:
        f.write("keep me\n")
    with open(os.path.join(d, PF), "w") as f:
        f.write("")
    path = h.conf("a.conf", "[PF]\nMatch=pci:%s\nNumVFs=2\n" % PF)
    rc, out, err = h.run("plan", "-c", path)
    s.check("plan: an empty journal is said to be not replayed, and the plan is made",
            rc == 0 and "not replayed: empty" in err and "sriov_numvfs 0 -> 2" in out, out + err)
    doc = h.status()
    s.eq("status --json: the empty journal, unusable, under its file name",
         [(r["device"], (r["unusable"] or "")[:5]) for r in doc["interrupted_runs"]], [(PF, "empty")])
    rc, out, err = h.run("doctor", "--json")
    f = [x for x in json.loads(out)["findings"] if x["id"] == "apply.journal-unusable"]
    s.check("doctor: apply.journal-unusable, with the file to remove", len(f) == 1 and "remove the journal" in f[0]["fix"], f)
    rc, out, err = h.run("metrics")
    s.check("metrics: vfctl_unusable_journals 1, vfctl_interrupted_runs 0",
            "vfctl_unusable_journals 1\n" in out and "vfctl_interrupted_runs 0\n" in out, out[-600:])
    rc, out, err = h.run("apply", "-c", path)
    s.check("apply: not blocked by it (the configuration applies), and says so",
            rc == 0 and numvfs(h) == 2 and "is not replayed: empty" in out + err, out + err)
    s.check("... and the run's own journal, written over it and removed when done, leaves none",
            not os.path.exists(os.path.join(d, PF)), os.listdir(d))
    text = "device=%s\nkind=pf\nnum_vfs=0\nvfs=1\nvf.0.driver=../../../../x\n" % PF
    with open(os.path.join(d, PF), "w") as f:
        f.write(text)
    rc, out, err = h.run("apply", "-c", path)
    s.check("a planted vf.0.driver=../../../../x: not replayed, the host kept as configured",
            rc == 0 and "vf.0.driver=../../../../x is not a value vfctl writes" in out + err and numvfs(h) == 2, out + err)
    with open(os.path.join(d, PF), "w") as f:
        f.write("device=../../../../victim\nkind=pf\nnum_vfs=0\n")
    rc, out, err = h.run("apply", "-c", h.conf("b.conf", "[PF]\nMatch=pci:0000:09:00.0\nNumVFs=1\n"))
    s.check("device=../../../../victim: not replayed, and the file it names is not deleted",
            os.path.exists(victim) and "file name and its device=" in out + err, out + err)
    with open(os.path.join(d, PF), "w") as f:
        f.write("device=%s\nkind=pf\nids=15b3:1017\nnum_vfs=0\n" % PF)
    rc, out, err = h.run("apply", "-c", path)
    s.check("a journal written for another device (15b3:1017 where an 8086:10c9 is now): not replayed",
            rc == 0 and "the journal was written for 15b3:1017" in out + err and numvfs(h) == 2, out + err)


def test_journal_records_identity(s):
    """What a killed run leaves carries this boot's id (when the kernel gives one) and the device's
    ids, so the checks above have something to compare."""
    h = Host("guard-identity")
    bd = os.path.join(h.root, "proc", "sys", "kernel", "random")
    os.makedirs(bd, exist_ok=True)
    with open(os.path.join(bd, "boot_id"), "w") as f:
        f.write("0e0e0e0e-1111-2222-3333-444455556666\n")
    interrupted(h, HANDMADE)
    with open(os.path.join(journal_dir(h), PF)) as f:
        text = f.read()
    s.check("the journal holds boot= and ids=",
            "boot=0e0e0e0e-1111-2222-3333-444455556666\n" in text and "ids=8086:10c9\n" in text, text[:400])
    with open(os.path.join(bd, "boot_id"), "w") as f:
        f.write("99999999-1111-2222-3333-444455556666\n")
    doc = h.status()
    s.check("after a reboot (another boot id) it is unusable, not a run to undo",
            [r["unusable"] is not None and "another boot" in r["unusable"] for r in doc["interrupted_runs"]] == [True],
            doc["interrupted_runs"])


def test_boot_waits_for_the_lock(s):
    """apply --boot waits for another run nearly as long as its unit lets it start (it gave up after
    60 s while vfctl.service allows 15 minutes); a command at a terminal still gives up after 60 s."""
    h = Host("guard-lock")
    path = h.conf("a.conf", "[PF]\nMatch=pci:%s\nNumVFs=1\n" % PF)
    for args, bound in ((("--boot",), 840), ((), 60)):
        with open(os.path.join(h.run_dir, "vfctl.lock"), "w") as lk:
            fcntl.flock(lk, fcntl.LOCK_EX)
            env = dict(os.environ, VFCTL_RUNDIR=h.run_dir)
            p = subprocess.Popen([test_kernel.FAKE, *h.args, "apply", "-c", path, *args], stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True, env=env)
            time.sleep(1.5)
            fcntl.flock(lk, fcntl.LOCK_UN)
        out, _ = p.communicate(timeout=60)
        s.check("apply %s: waits for the lock (up to %d s), then runs" % (" ".join(args), bound),
                p.returncode == 0 and "to finish (up to %d s)" % bound in out, out)


def test_owner_stays_in_the_tree(s):
    """Owner= under the fake kernel chowns the tree's dev/vfio/N, never the host's /dev/vfio/N."""
    h = Host("guard-owner")
    rc, out, err = h.run("apply", "-c", h.conf("a.conf", HANDMADE.replace("Driver=vfio-pci", "Driver=vfio-pci\nOwner=65534")))
    grp = vf_group(h, 2)
    node = os.path.join(h.root, "dev", "vfio", str(grp))
    st = os.stat(node) if os.path.exists(node) else None
    s.check("Owner=65534: the tree's dev/vfio/%d is 65534's, apply exit 0" % grp,
            rc == 0 and st is not None and st.st_uid == 65534, (rc, out + err, st))


def test_vdpa_name_injection(s):
    """vfctl vdpa add/del NAME: a newline in NAME would add configuration lines (a [PF] section
    with NumVFs=5 once took effect): refused, nothing changed."""
    h = Host("guard-vdpa-name")
    evil = "v0\n[PF]\nMatch=pci:%s\nNumVFs=5" % PF
    for args in (("add", evil, "vdpasim_net"), ("del", evil)):
        rc, out, err = h.run("vdpa", *args)
        s.check("vdpa %s NAME-with-newlines: usage error naming the control character, no VFs made" % args[0],
                rc == 2 and "control character" in err and numvfs(h) == 0, (rc, out, err))


def hold_dir(h):
    return os.path.join(h.run_dir, "vfctl", "bind")


def test_bind_through_the_engine(s):
    """vfctl bind is an apply of a [Device] unit: a bind killed half-way leaves a journal that the
    next restore undoes; a finished bind keeps the VF's prior state (driver, its VLAN on the PF) as
    a journal-format record until restore; restore asks the guard (a VM holding the VF keeps it
    unless --force) and refuses a record from another boot."""
    h = Host("guard-bind-engine")
    bd = os.path.join(h.root, "proc", "sys", "kernel", "random")
    os.makedirs(bd, exist_ok=True)
    with open(os.path.join(bd, "boot_id"), "w") as f:
        f.write("0e0e0e0e-1111-2222-3333-444455556666\n")
    h.run("apply", "-c", h.conf("a.conf", HANDMADE))
    vf0 = pf_of(h.state())["vfs"][0]["id"]
    rc, out, err = h.run("bind", vf0, kill_step=2)
    st = pf_of(h.state())["vfs"][0]
    s.check("bind killed before its 2nd step (bind vfio-pci): VF 0 unbound, a journal left, no record",
            st["driver"] is None and len(h.status()["interrupted_runs"]) == 1 and not os.path.exists(
                os.path.join(hold_dir(h), vf0)), (rc, st, out, err))
    rc, out, err = h.run("restore")
    s.check("restore: the dead bind undone first (VF 0 on igbvf again, no journal), nothing held",
            rc == 0 and pf_of(h.state())["vfs"][0]["driver"] == "igbvf" and h.status()["interrupted_runs"] == [] and
            "left %s half-done" % vf0 in out and "nothing to restore" in out, out + err)
    rc, out, err = h.run("bind", vf0)
    rec = open(os.path.join(hold_dir(h), vf0)).read() if os.path.exists(os.path.join(hold_dir(h), vf0)) else ""
    s.check("bind: the record is the unit's journal: kind, boot, ids, driver, the VF's VLAN on its PF",
            rc == 0 and all(k in rec.splitlines() for k in (
                "kind=device", "device=%s" % vf0, "boot=0e0e0e0e-1111-2222-3333-444455556666", "ids=8086:10ca",
                "driver=igbvf", "vf.0.vlan=42", "vf.0.qos=2")) and h.status()["interrupted_runs"] == [], (rc, rec, err))
    rc, out, err = h.run("bind", vf0, "igbvf")
    rc2, out2, err2 = h.run("bind", vf0)
    rec2 = open(os.path.join(hold_dir(h), vf0)).read()
    s.check("a second bind keeps the first record (what the VF had before vfctl first took it)",
            rc == 0 and rc2 == 0 and "driver=igbvf" in rec2.splitlines() and "pid=" in rec2 and rec2 == rec,
            (rec, rec2))
    plant_vm(h, "/dev/vfio/%d" % vf_group(h, 0))
    rc, out, err = h.run("restore", vf0)
    s.check("restore under a VM: refused, the VM named, VF and record stay",
            rc != 0 and "is open in process 4242 (qemu-system-x86)" in out + err and
            pf_of(h.state())["vfs"][0]["driver"] == "vfio-pci" and os.path.exists(os.path.join(hold_dir(h), vf0)),
            (rc, out, err))
    with open(os.path.join(bd, "boot_id"), "w") as f:
        f.write("99999999-1111-2222-3333-444455556666\n")
    rc, out, err = h.run("restore", vf0, "--force")
    s.check("a record from another boot: not replayed, said why, nothing changed",
            rc != 0 and "another boot" in err and pf_of(h.state())["vfs"][0]["driver"] == "vfio-pci", (rc, out, err))
    with open(os.path.join(bd, "boot_id"), "w") as f:
        f.write("0e0e0e0e-1111-2222-3333-444455556666\n")
    rc, out, err = h.run("restore", vf0, "--force")
    s.check("restore --force: given back (the VM named), igbvf, VLAN 42, the record gone",
            rc == 0 and "going ahead (--force)" in out + err and
            (pf_of(h.state())["vfs"][0]["driver"], pf_of(h.state())["vfs"][0]["vlan"]) == ("igbvf", 42) and
            not os.path.exists(os.path.join(hold_dir(h), vf0)), (rc, out, err))


def test_status_names_the_vm(s):
    """status, its JSON and the guard name the VM that holds a VF: libvirt's QEMU (-name
    guest=web01,...) and Proxmox's (-id 100 -name 'db,,eu,debug-threads=on': a comma doubled);
    a host with nothing on vfio-pci is not walked at all."""
    h = Host("status-vm")
    strace = shutil.which("strace")
    trace = os.path.join(h.root, "trace")
    p = subprocess.run([strace, "-f", "-qq", "-e", "trace=openat", "-o", trace, test_kernel.FAKE, *h.args, "status"],
                       capture_output=True, text=True, env=test_kernel.traced_env(h), timeout=60)
    walked = [ln for ln in open(trace).read().splitlines() if "/fd" in ln and "/proc/" in ln]
    s.check("nothing on vfio-pci: status reads no process's fds", p.returncode == 0 and walked == [],
            (p.stderr[-300:], walked[:5]))
    rc, out, err = h.run("apply", "-c", h.conf("a.conf", HANDMADE + "\n[VF:1]\nDriver=vfio-pci\n"))
    vfs = pf_of(h.state())["vfs"]
    plant_vm(h, "/dev/vfio/%d" % vf_group(h, 2), 4242,
             ["/usr/bin/qemu-system-x86_64", "-name", "guest=web01,debug-threads=on", "-S"])
    plant_vm(h, "/dev/vfio/%d" % vf_group(h, 1), 5151,
             ["/usr/bin/kvm", "-id", "100", "-name", "db,,eu,debug-threads=on", "-no-shutdown"])
    plant_vm(h, "/dev/null", 100, ["/usr/sbin/daemon"])  # an old process holding nothing of ours
    p = subprocess.run([strace, "-f", "-qq", "-e", "trace=openat", "-o", trace, test_kernel.FAKE, *h.args, "status",
                        "--json"], capture_output=True, text=True, env=test_kernel.traced_env(h), timeout=60)
    opened = [ln for ln in open(trace).read().splitlines() if '/fd"' in ln]
    s.check("both VFIO VFs held: the walk went newest first and stopped at the second VM (pid 100 not read)",
            p.returncode == 0 and any('"5151/fd"' in ln for ln in opened) and
            any('"4242/fd"' in ln for ln in opened) and not any('"100/fd"' in ln for ln in opened), opened[:8])
    doc = h.status()
    held = [v["held_by"] for v in pf_of(doc["devices"])["vfs"]]
    s.eq("status --json: each VF's holder, the VM's name and Proxmox's VMID",
         (doc["holders_known"], held[0], held[1], held[2]),
         (True, None, {"pid": 5151, "comm": "qemu-system-x86", "vm": "db,eu", "vmid": 100},
          {"pid": 4242, "comm": "qemu-system-x86", "vm": "web01", "vmid": None}))
    rc, out, err = h.run("status")
    s.check("status: the VM under its VF", rc == 0 and "-> vm web01 (qemu-system-x86 pid 4242)" in out and
            "-> vm db,eu (qemu-system-x86 pid 5151, VMID 100)" in out, out)
    rc, out, err = h.run("doctor", "--json")
    held = [(f["device"], f["evidence"]) for f in json.loads(out)["findings"] if f["id"] == "passthrough.held"]
    s.eq("doctor: each held VF an info finding naming its VM",
         sorted(held), sorted([(vfs[1]["id"], "process 5151 (qemu-system-x86, vm db,eu, VMID 100)"),
                               (vfs[2]["id"], "process 4242 (qemu-system-x86, vm web01)")]))
    rc, out, err = h.run("metrics")
    line = 'vfctl_held_info{kind="pci",device="%s",pid="4242",comm="qemu-system-x86",vm="web01",vmid=""} 1' % vfs[2]["id"]
    prom = subprocess.run(["promtool", "check", "metrics"], input=out, capture_output=True, text=True)
    s.check("metrics: vfctl_held_info per held VF, promtool finds nothing", rc == 0 and line in out.splitlines() and
            prom.returncode == 0, (line, out[-800:], prom.stdout + prom.stderr))
    rc, out, err = h.run("apply", "-c", h.conf("b.conf", "[PF]\nMatch=pci:%s\nNumVFs=1\n" % PF))
    s.check("a change that would take the VF names the VM", rc != 0 and
            "is open in process 5151 (qemu-system-x86, vm db,eu, VMID 100)" in out + err and
            len(pf_of(h.state())["vfs"]) == 3, out + err)


def main():
    s = Suite("guard")
    if not os.access(test_kernel.FAKE, os.X_OK):
        s.check("%s is built" % test_kernel.FAKE, False)
        s.finish()
    for fn in (test_mounted_vf, test_mounted_device, test_device_pf_held_by_vm, test_recovery_under_a_vm,
               test_unusable_journals, test_journal_records_identity, test_boot_waits_for_the_lock,
               test_owner_stays_in_the_tree, test_vdpa_name_injection, test_bind_through_the_engine,
               test_status_names_the_vm):
        s.run(fn)
    s.finish()


if __name__ == "__main__":
    main()
