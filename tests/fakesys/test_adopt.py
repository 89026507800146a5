#!/usr/bin/env python3
"""Fake-kernel tier: what admins ask of a host tool beyond setting values, proven with vfctl-fake on
fake trees: VF MACs derived from the machine id (MACAddress=persistent), VFs someone else made
adopted as they are (Manage=observe)."""
import json
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "common"))
import macpolicy  # noqa: E402
import test_guard  # noqa: E402
import test_kernel  # noqa: E402
from harness import Suite  # noqa: E402
from test_kernel import Host, pf_of, plan_steps  # noqa: E402

PF = "0000:01:00.0"
MID_A = "0123456789abcdef0123456789abcdef"
MID_B = "fedcba9876543210fedcba9876543210"
PERSISTENT = "[PF]\nMatch=pci:%s\nNumVFs=%d\n\n[VF]\nMACAddress=persistent\n"


def machine_id(h, mid):
    os.makedirs(os.path.join(h.root, "etc"), exist_ok=True)
    with open(os.path.join(h.root, "etc", "machine-id"), "w") as f:
        f.write(mid + "\n")


def macs(h, pf=PF):
    return [v["mac"] for v in pf_of(h.state(), pf)["vfs"]]


def local_unicast(m):
    first = int(m.split(":")[0], 16)
    return first & 1 == 0 and first & 2 == 2


def test_persistent_mac(s):
    h = Host("persistent")
    path = h.conf("a.conf", PERSISTENT % (PF, 4))
    before = h.state()
    rc, out, err = h.run("apply", "-c", path)
    s.check("no machine id: refused with FILE:LINE naming /etc/machine-id, once for the line, nothing changed",
            rc != 0 and re.search(r"a\.conf:6: MACAddress=persistent .*/etc/machine-id", err) and
            "1 error in the configuration" in err and h.state() == before, (rc, err))
    machine_id(h, MID_A)
    rc, out, err = h.run("apply", "-c", path)
    first = macs(h)
    s.check("apply: 4 VFs, each MAC locally administered, unicast and its own",
            rc == 0 and len(set(first)) == 4 and all(local_unicast(m) for m in first), (rc, err, first))
    # The derivation is a promise kept across vfctl versions: a VF's MAC must not change with an
    # upgrade. These are the values of machine id MID_A, the fixture's PF (permanent MAC
    # 52:54:00:12:34:56) and VFs 0..3.
    s.eq("the derivation is the documented one (machine id, PF permanent MAC, index)", first, PINNED)
    s.eq("... as an implementation from the documentation computes it",
         first, [macpolicy.persistent_mac(MID_A, "52:54:00:12:34:56", i) for i in range(4)])
    s.eq("a second plan has no step", plan_steps(h, path), [])
    h.run("apply", "-c", h.conf("zero.conf", "[PF]\nMatch=pci:%s\nNumVFs=0\n" % PF))
    rc, out, err = h.run("apply", "-c", path)
    s.eq("VFs destroyed and made again: the same MACs", (rc, macs(h)), (0, first))
    rc, out, err = h.run("apply", "-c", h.conf("six.conf", PERSISTENT % (PF, 6)))
    s.eq("6 VFs: the first 4 keep theirs", (rc, macs(h)[:4]), (0, first))
    machine_id(h, MID_B)
    rc, out, err = h.run("apply", "-c", path)
    other = macs(h)
    s.check("another machine id (another host): every MAC differs", rc == 0 and not set(other) & set(first),
            (first, other))


def conf_dir(h, name, files):
    d = os.path.join(h.root, name)
    os.makedirs(d)
    os.chmod(d, 0o755)
    for f, text in files.items():
        with open(os.path.join(d, f), "w") as fh:
            fh.write(text)
        os.chmod(os.path.join(d, f), 0o644)
    return d


def test_persistent_mac_two_pfs(s):
    h = Host("persistent-two", "igb-two")
    machine_id(h, MID_A)
    d = conf_dir(h, "conf.d", {"a.conf": PERSISTENT % (PF, 3), "b.conf": PERSISTENT % ("0000:04:00.0", 3)})
    rc, out, err = h.run("apply", "-c", d)
    both = macs(h) + macs(h, "0000:04:00.0")
    s.check("two PFs: 6 VFs, 6 MACs", rc == 0 and len(set(both)) == 6, (rc, err, both))
    d = conf_dir(h, "lit.d", {"a.conf": PERSISTENT % (PF, 3),
                              "b.conf": "[PF]\nMatch=pci:0000:04:00.0\nNumVFs=1\n[VF:0]\nMACAddress=%s\n" % both[1]})
    rc, out, err = h.run("plan", "-c", d)
    s.check("a literal MAC equal to a derived one is refused, naming the VF that has it",
            rc != 0 and "b.conf:5: MACAddress=%s for VF 0 of 0000:04:00.0 is already VF 1's (" % both[1] in err, err)


def test_export_persistent(s):
    h = Host("persistent-export")
    machine_id(h, MID_A)
    h.run("apply", "-c", h.conf("a.conf", PERSISTENT % (PF, 3)))
    out_dir = os.path.join(h.root, "export")
    rc, out, err = h.run("export", "-o", out_dir)
    text = open(os.path.join(out_dir, "enp1s0.conf")).read()
    s.check("export: one [VF] MACAddress=persistent, no literal MAC",
            rc == 0 and "[VF]\nMACAddress=persistent\n" in text and not re.search(r"MACAddress=[0-9a-f]{2}:", text),
            text)
    s.eq("export: its plan on the same host has no step", plan_steps(h, out_dir), [])
    vf1 = os.path.join(h.root, "sys", ".fakekernel", "vfstate", PF, "1")
    fields = open(vf1).read().split(" ")
    with open(vf1, "w") as f:  # as `ip link set enp1s0 vf 1 mac ...` would
        f.write(" ".join(["02:00:00:00:0b:01"] + fields[1:]))
    shutil.rmtree(out_dir)
    rc, out, err = h.run("export", "-o", out_dir)
    text = open(os.path.join(out_dir, "enp1s0.conf")).read()
    s.check("one MAC set by hand: it is written as it is, the others as persistent",
            "[VF:1]\nMACAddress=02:00:00:00:0b:01\n" in text and text.count("MACAddress=persistent") == 2, text)


def zero_mac_findings(h):
    rc, out, err = h.run("doctor", "--json")
    return [f for f in json.loads(out)["findings"] if f["id"] == "vf.zero-mac"]


def test_doctor_zero_mac(s):
    h = Host("zero-mac")
    machine_id(h, MID_A)
    h.run("apply", "-c", h.conf("a.conf", "[PF]\nMatch=pci:%s\nNumVFs=3\n\n[VF:1]\nMACAddress=02:00:00:00:0c:01\n" % PF))
    f = zero_mac_findings(h)
    s.check("doctor: VFs 0 and 2 without a MAC, one warning, MACAddress=persistent as the fix",
            len(f) == 1 and f[0]["severity"] == "warn" and f[0]["evidence"] == "VF 0, 2" and
            "MACAddress=persistent" in f[0]["fix"], f)
    h.run("apply", "-c", h.conf("b.conf", PERSISTENT % (PF, 3)))
    s.eq("doctor: after MACAddress=persistent, no finding", zero_mac_findings(h), [])


EXTERNAL = """[PF]
Match=pci:0000:01:00.0
NumVFs=external

[VF:1]
Trust=yes

[VF:5]
MACAddress=02:00:00:00:0d:05
"""


def test_numvfs_external(s):
    h = Host("external")
    h.run("apply", "-c", h.conf("made.conf", "[PF]\nMatch=pci:%s\nNumVFs=3\n[VF:0]\nMACAddress=02:00:00:00:0e:00\n" % PF))
    before = pf_of(h.state())
    path = h.conf("ext.conf", EXTERNAL)
    s.eq("NumVFs=external: the plan is VF 1's trust, nothing else", plan_steps(h, path), [(PF, "vf-trust", 1)])
    rc, out, err = h.run("plan", "--json", "-c", path)
    notes = json.loads(out)["notes"]
    s.check("plan names what it leaves alone: the count, and [VF:5] waiting for its VF",
            len(notes) == 2 and notes[0].startswith(PF + ": NumVFs=external: 3 VFs as made by someone else") and
            "[VF:5] (%s:8) names VFs that do not exist yet" % path in notes[1], notes)
    rc, out, err = h.run("plan", "-c", path)
    s.check("plan's text says it too", "  note: %s: NumVFs=external: 3 VFs" % PF in out, out)
    rc, out, err = h.run("apply", "-c", path)
    pf = pf_of(h.state())
    s.check("apply: VF 1 trusted; the count, autoprobe and VFs 0 and 2 as they were",
            rc == 0 and pf["vfs"][1]["trust"] is True and pf["sriov"] == before["sriov"] and
            [pf["vfs"][i] for i in (0, 2)] == [before["vfs"][i] for i in (0, 2)], (rc, err))
    rc, out, err = h.run("verify", "--json", "-c", path)
    doc = json.loads(out)
    s.check("verify: no drift, the same notes", rc == 0 and doc["drift"] == [] and doc["notes"] == notes, out)
    # Whoever owns the count makes 6 VFs: the next apply gives VF 5 its MAC and keeps the count.
    h.run("apply", "-c", h.conf("made6.conf", "[PF]\nMatch=pci:%s\nNumVFs=6\n" % PF))
    s.eq("6 VFs now: the plan sets VF 5's MAC and reloads igbvf for it (igb gives the MAC at the VF "
         "driver's load), and VF 1's trust, lost with the re-creation",
         sorted(plan_steps(h, path)), sorted([(PF, "vf-trust", 1), (PF, "vf-mac", 5), (PF, "unbind", 5),
                                              (PF, "probe", 5)]))
    rc, out, err = h.run("apply", "-c", path)
    pf = pf_of(h.state())
    s.check("applied: 6 VFs still, VF 5 with its MAC",
            rc == 0 and pf["sriov"]["num_vfs"] == 6 and pf["vfs"][5]["mac"] == "02:00:00:00:0d:05", (rc, err))
    bad = h.conf("bad.conf", "[PF]\nMatch=pci:%s\nNumVFs=external\nAutoProbe=no\n" % PF)
    rc, out, err = h.run("plan", "-c", bad)
    s.check("NumVFs=external with AutoProbe=: refused at its line",
            rc != 0 and "bad.conf:4: AutoProbe= with NumVFs=external" in err, err)


def findings(h, prefix="vm."):
    rc, out, err = h.run("doctor", "--json")
    return [f for f in json.loads(out)["findings"] if f["id"].startswith(prefix)]


def write(h, rel, text):
    path = os.path.join(h.root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def test_stable_references(s):
    """A VF named by its PF's permanent MAC and index (mac:...:vfN) in every hand-off; doctor finds
    libvirt domains and Proxmox mappings whose addresses now name another device."""
    h = Host("references")
    h.run("apply", "-c", h.conf("a.conf", "[PF]\nMatch=pci:%s\nNumVFs=3\n[VF:1]\nDriver=vfio-pci\n" % PF))
    rc1, by_mac, err1 = h.run("emit", "libvirt", "mac:52:54:00:12:34:56:vf1")
    rc2, by_addr, err2 = h.run("emit", "libvirt", "0000:01:10.2")
    s.check("emit libvirt mac:PERM:vf1 is emit libvirt of VF 1's address, with its alias",
            rc1 == rc2 == 0 and by_mac == by_addr and "<alias name='ua-vfctl-525400123456-vf1'/>" in by_mac and
            "bus='0x01' slot='0x10' function='0x2'" in by_mac, (by_mac, err1, by_addr))
    rc, out, err = h.run("status", "path:pci-%s:vf2" % PF)
    s.check("status path:pci-ADDR:vf2 names VF 2", rc == 0 and "01:10.4" in out, (rc, out, err))
    dom = "<domain type='kvm'>\n<name>web01</name>\n<devices>\n%s</devices>\n</domain>\n" % by_mac
    write(h, "etc/libvirt/qemu/web01.xml", dom)
    f = findings(h)
    s.check("doctor: the domain's VF is where its alias says: one ok finding",
            [(x["id"], x["severity"]) for x in f] == [("vm.references", "ok")] and "1 libvirt" in f[0]["evidence"], f)
    # A renumbering as a firmware update makes it, seen from the definition: the address it holds
    # is now VF 2's, and VF 1 is elsewhere.
    write(h, "etc/libvirt/qemu/web01.xml", dom.replace("function='0x2'", "function='0x4'"))
    f = findings(h)
    s.check("doctor: the domain's address is now another device: a warning with VF 1's address as the fix",
            len(f) == 1 and f[0]["id"] == "vm.address-moved" and f[0]["severity"] == "warn" and
            "web01 names 0000:01:10.4 for VF 1 of the PF mac:52:54:00:12:34:56" in f[0]["summary"] and
            "that VF is 0000:01:10.2 now" in f[0]["fix"], f)
    write(h, "etc/libvirt/qemu/web01.xml", dom.replace("525400123456", "525400aaaaaa"))
    f = findings(h)
    s.check("doctor: a PF that is not on this host", len(f) == 1 and "which is not on this host" in f[0]["summary"], f)
    os.remove(os.path.join(h.root, "etc/libvirt/qemu/web01.xml"))
    write(h, "etc/hostname", "pve1.example.com\n")
    rc, px, err = h.run("emit", "proxmox", "--mapping", "vfs", "--node", "pve1", "0000:01:10.2")
    cfg = "".join(ln + "\n" for ln in px.splitlines() if ln.startswith(("vfs", "\tmap")))
    write(h, "etc/pve/mapping/pci.cfg", cfg + "other\n\tmap node=pve2,path=0000:09:00.0,id=1234:5678\n")
    f = findings(h)
    s.check("doctor: the Proxmox mapping (this node's entry) matches the device", rc == 0 and
            [(x["id"], x["severity"]) for x in f] == [("vm.references", "ok")] and "1 Proxmox" in f[0]["evidence"],
            (px, f))
    write(h, "etc/pve/mapping/pci.cfg", cfg.replace("path=0000:01:10.2", "path=0000:01:10.4"))
    f = findings(h)
    s.check("doctor: a mapping whose path is now another VF (its IOMMU group differs): stale", len(f) == 1 and
            f[0]["id"] == "vm.proxmox-mapping-stale" and
            "mapping vfs names 0000:01:10.4, which is in another IOMMU group now" in f[0]["summary"], (cfg, f))
    write(h, "etc/pve/mapping/pci.cfg", cfg.replace("id=8086:10ca", "id=15b3:101e"))
    f = findings(h)
    s.check("doctor: a mapping whose device is now of another vendor and model: stale", len(f) == 1 and
            "which is another device now" in f[0]["summary"], f)


PF2 = "0000:04:00.0"


def record(h, pf):
    return os.path.join(h.run_dir, "vfctl", "pf", pf)


def test_prune(s):
    """A file removed: apply --prune returns its PF to what it had before vfctl first configured it,
    from the record the first apply kept; never under a VM."""
    h = Host("prune", "igb-two")
    d = conf_dir(h, "conf.d", {"a.conf": "[PF]\nMatch=pci:%s\nNumVFs=2\n[VF:0]\nMACAddress=02:00:00:00:0f:00\n" % PF,
                               "b.conf": "[PF]\nMatch=pci:%s\nNumVFs=3\n[VF:2]\nDriver=vfio-pci\n" % PF2})
    pristine = pf_of(h.state(), PF2)
    rc, out, err = h.run("apply", "-c", d)
    s.check("apply: both PFs configured, a record kept for each",
            rc == 0 and os.path.exists(record(h, PF)) and os.path.exists(record(h, PF2)), (rc, err))
    first = open(record(h, PF2)).read()
    h.run("apply", "-c", h.conf("b5.conf", "[PF]\nMatch=pci:%s\nNumVFs=5\n" % PF2))
    s.eq("a later apply keeps the first record (what it had before vfctl, not before that run)",
         open(record(h, PF2)).read(), first)
    h.run("apply", "-c", d)
    os.remove(os.path.join(d, "b.conf"))
    rc, out, err = h.run("plan", "--json", "--prune", "-c", d)
    doc = json.loads(out)
    s.check("plan --prune: 0000:04:00.0's steps back to 0 VFs and a note; nothing for the PF a file names",
            rc == 0 and {x["device"] for x in doc["steps"]} == {PF2} and
            any(x["action"] == "numvfs" for x in doc["steps"]) and
            any(n.startswith(PF2 + ": no configuration names it: --prune returns it") for n in doc["notes"]), out)
    s.eq("plan without --prune: nothing to do", plan_steps(h, d), [])
    before = pf_of(h.state())
    rc, out, err = h.run("apply", "--prune", "-c", d)
    after = pf_of(h.state(), PF2)
    s.check("apply --prune: 0000:04:00.0 as it was before vfctl (0 VFs, autoprobe on), its record gone",
            rc == 0 and after["sriov"] == pristine["sriov"] and not os.path.exists(record(h, PF2)) and
            "pruned: 1 PF back to what it had before vfctl" in out, (rc, out, err, after["sriov"]))
    s.eq("... the PF a file names untouched, its record kept", (pf_of(h.state()), os.path.exists(record(h, PF))),
         (before, True))
    rc, out, err = h.run("apply", "--prune", "-c", d)
    s.check("a second apply --prune: nothing to prune", rc == 0 and "pruned:" not in out, out)
    # Under a VM: never, forced or not.
    with open(os.path.join(d, "b.conf"), "w") as f:
        f.write("[PF]\nMatch=pci:%s\nNumVFs=3\n[VF:2]\nDriver=vfio-pci\n" % PF2)
    h.run("apply", "-c", d)
    dev = pf_of(h.state(), PF2)["vfs"][2]["id"]
    group = next(x for x in h.state() if x["id"] == dev)["iommu_group"]
    test_guard.plant_vm(h, "/dev/vfio/%d" % group)
    os.remove(os.path.join(d, "b.conf"))
    rc, out, err = h.run("apply", "--prune", "--force", "-c", d)
    s.check("a VM holds VF 2: not pruned even with --force, the VM named, the record kept, exit 1",
            rc == 1 and "0000:04:00.0: not pruned:" in out + err and "qemu-system-x86" in out + err and
            pf_of(h.state(), PF2)["sriov"]["num_vfs"] == 3 and os.path.exists(record(h, PF2)), (rc, out, err))


PINNED = ['2e:fe:73:f2:d0:45', 'ce:25:55:cb:fe:e3', '7a:1a:c6:c6:f9:78', '32:9d:9e:97:bf:43']


RULES = "etc/udev/rules.d/79-vfctl-%s.rules" % PF
NAMED = "[PF]\nMatch=pci:%s\nNumVFs=3\nVFNetdevName=%%s\n\n[VF:1]\nUnmanaged=yes\n" % PF


def rule_of(h):
    p = os.path.join(h.root, RULES)
    return open(p).read() if os.path.exists(p) else None


def network_of(h):
    p = os.path.join(h.root, "etc/systemd/network/10-vfctl-%s.network" % PF)
    return open(p).read() if os.path.exists(p) else None


def uevents(h):
    p = os.path.join(h.root, "sys", ".fakekernel", "uevents")
    return open(p).read().split("\n")[:-1] if os.path.exists(p) else []


def test_udev_rule(s):
    """VFNetdevName= and Unmanaged=: vfctl's udev rule for the PF's VFs, written before the VFs are
    made (their first "add" event has it), rewritten and removed as the configuration says, undone
    by a rollback, a killed run's recovery and --prune."""
    h = Host("udev")
    path = h.conf("a.conf", NAMED % "%pv%n")
    s.eq("plan: the udev rule and the networkd file before the VFs are made", plan_steps(h, path)[:3],
         [(PF, "udev-rule", None), (PF, "networkd-file", None), (PF, "numvfs", None)])
    rc, out, err = h.run("apply", "-c", path)
    vfs = [v["id"] for v in pf_of(h.state())["vfs"]]
    text = rule_of(h)
    names = re.findall(r'DEVPATH=="\*/([0-9a-f:.]+)/net/\*", NAME="([^"]+)"', text or "")
    s.eq("apply: one name per VF, at the address the kernel gave it, from the PF's netdev",
         (rc, names), (0, [(vfs[i], "enp1s0v%d" % i) for i in range(3)]))
    s.eq("... and NM_UNMANAGED for VF 1 alone, in add, change and move",
         re.findall(r'ACTION=="([^"]+)", KERNELS=="([^"]+)", ENV\{NM_UNMANAGED\}="1"', text or ""),
         [("add|change|move", vfs[1])])
    s.eq("systemd-networkd's file: Unmanaged=yes for VF 1 by udev's ID_PATH",
         re.findall(r"^Path=(.*)$|^Unmanaged=(.*)$", network_of(h) or "", re.M),
         [("pci-" + vfs[1], ""), ("", "yes")])
    s.eq("the rule is world-readable (0644), as udevd's others are",
         oct(os.stat(os.path.join(h.root, RULES)).st_mode & 0o777), "0o644")
    s.eq("status --json shows both files", (pf_of(h.state())["sriov"]["udev_rule"],
                                            pf_of(h.state())["sriov"]["networkd_file"]), (text, network_of(h)))
    rc, out, err = h.run("status")
    s.check("status names them", "udev rule 79-vfctl-%s.rules: 3 VF names, 1 VF NetworkManager leaves alone" % PF
            in out and "systemd-networkd file 10-vfctl-%s.network: 1 VF it leaves alone" % PF in out, out)
    s.eq("a second plan has no step", plan_steps(h, path), [])
    out_dir = os.path.join(h.root, "export")
    rc, out, err = h.run("export", "-o", out_dir)
    exported = open(os.path.join(out_dir, "enp1s0.conf")).read() if rc == 0 else err
    s.check("export reads the rule back: VFNetdevName=%pv%n, and Unmanaged=yes for VF 1 alone",
            "\nVFNetdevName=%pv%n\n" in exported and exported.count("Unmanaged=yes") == 1
            and re.search(r"\[VF:1\]\n(.+\n)*Unmanaged=yes\n", exported), exported)
    s.eq("... and its plan on the same host has no step", plan_steps(h, out_dir), [])

    # VFs that exist (igbvf netdevs, up): the kernel renames a netdev only while it is down, so
    # "change" (NetworkManager re-reads NM_UNMANAGED) and a note; a netdev that is down gets "add",
    # and udevd renames it.
    flags = os.path.join(h.root, "sys", "class", "net", "enp1s0v0", "flags")
    with open(flags, "w") as f:
        f.write("0x1002\n")
    before = len(uevents(h))
    rc, out, err = h.run("apply", "-c", h.conf("b.conf", NAMED % "vf%n"))
    ev = [e.split()[0] + " " + e.rsplit("/", 1)[1] for e in uevents(h)[before:]]
    s.eq("a new pattern: \"add\" to the VF netdev that is down, \"change\" to those up",
         (rc, ev), (0, ["add enp1s0v0", "change enp1s0v1", "change enp1s0v2"]))
    s.check("... and a note for each one up, with the name it gets when next made",
            "VF 1's netdev enp1s0v1 is up: it becomes vf1 when the VF is next made" in out
            and "VF 0's netdev" not in out, out)

    # Killed right after the rule was written: the journal holds the rule as it was (hex, one line)
    # and the next run writes it back.
    b_text = rule_of(h)
    h.conf("c2.conf", (NAMED % "x%n").replace("NumVFs=3", "NumVFs=4"))
    rc, out, err = h.run("apply", "-c", os.path.join(h.root, "c2.conf"), kill_step=2)
    jpath = os.path.join(h.run_dir, "vfctl", "journal", PF)
    journal = open(jpath).read() if os.path.exists(jpath) else ""
    s.check("killed after the rule step: the journal has the rule as it was, hex on one line",
            rc == -9 and "udev_rule=" + b_text.encode().hex() + "\n" in journal and "x3" in (rule_of(h) or ""),
            (rc, err, journal[:300]))
    rc, out, err = h.run("apply", "-c", os.path.join(h.root, "b.conf"))
    s.check("the next run restores it", rc == 0 and "restoring" in out and rule_of(h) == b_text, (out, err))

    # A step failing after the rule: the rollback puts the old rule back.
    rc, out, err = h.run("apply", "-c", os.path.join(h.root, "c2.conf"), fail_step=2)
    s.check("a failure after the rule step: rolled back, the old rule back", rc != 0 and rule_of(h) == b_text,
            (rc, out, err))
    b_net = network_of(h)
    rc, out, err = h.run("apply", "-c", h.conf("g.conf", (NAMED % "vf%n").replace("[VF:1]", "[VF:2]").replace("=3", "=4")),
                         fail_step=3)
    s.check("the same for the networkd file (VF 2 instead of VF 1, failed after it was written)",
            rc != 0 and b_net and network_of(h) == b_net, (rc, out, err))

    # Nothing asks any more: removed.
    rc, out, err = h.run("apply", "-c", h.conf("d.conf", "[PF]\nMatch=pci:%s\nNumVFs=3\n" % PF))
    s.check("no key any more: both files removed", rc == 0 and "udev rule 79-vfctl-%s.rules: remove" % PF in out
            and rule_of(h) is None and network_of(h) is None, (out, err))

    # Bad values: FILE:LINE, nothing written.
    rc, out, err = h.run("apply", "-c", h.conf("e.conf", NAMED % "%pv"))
    s.check("VFNetdevName= without %n: FILE:LINE, nothing written",
            rc != 0 and re.search(r"e\.conf:4: VFNetdevName=%pv: a pattern with %n", err) and rule_of(h) is None, err)
    rc, out, err = h.run("apply", "-c", h.conf("f.conf", NAMED % "%p-virtualfn%n"))
    s.check("a name longer than 15 characters for this PF: FILE:LINE naming it",
            rc != 0 and re.search(r'f\.conf:4: VFNetdevName=%p-virtualfn%n: "enp1s0-virtualfn2" for VF 2', err), err)


def test_udev_rule_prune(s):
    """The rule a PF got goes with --prune, with the rest of what vfctl set."""
    h = Host("udev-prune")
    d = os.path.join(h.root, "conf.d")
    os.makedirs(d)
    with open(os.path.join(d, "a.conf"), "w") as f:
        f.write(NAMED % "%pv%n")
    rc, out, err = h.run("apply", "-c", d)
    had = rule_of(h) is not None
    os.remove(os.path.join(d, "a.conf"))
    rc, out, err = h.run("apply", "--prune", "-c", d)
    s.check("--prune removes the rule and the networkd file with the VFs", had and rc == 0 and rule_of(h) is None
            and network_of(h) is None
            and pf_of(h.state())["sriov"]["num_vfs"] == 0, (out, err))


def main():
    s = Suite("adopt")
    if not os.access(test_kernel.FAKE, os.X_OK):
        s.check("%s is built" % test_kernel.FAKE, False)
        s.finish()
    for fn in (test_persistent_mac, test_persistent_mac_two_pfs, test_export_persistent, test_doctor_zero_mac,
               test_numvfs_external, test_stable_references,
               test_prune, test_udev_rule, test_udev_rule_prune):
        s.run(fn)
    shutil.rmtree(test_kernel.TMP, ignore_errors=True)
    s.finish()


if __name__ == "__main__":
    main()
