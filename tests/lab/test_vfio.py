#!/usr/bin/env python3
"""Lab tier, VFIO: bind/unbind/restore with group rules, vfio-check's ioctl sequence, and the
hand-off proven by a nested QEMU that lists the VF."""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
from harness import Suite, vfctl, vfctl_json  # noqa: E402
from test_lab import SYS, find_pci, link_base, netdev_of, qmp, read, sh, wait_for, write  # noqa: E402

TMP = tempfile.mkdtemp(prefix="vfctl-vfio-")


def driver(addr):
    return link_base("%s/%s/driver" % (SYS, addr))


def findings(doc, fid, dev=None):
    return [f for f in doc["findings"] if f["id"] == fid and (dev is None or f["device"] == dev)]


class Lab:
    def setup(self):
        for m in ("igb", "igbvf", "e1000", "vfio-pci", "nvme"):
            sh("modprobe", m)
        self.igb = find_pci("0x8086", "0x10c9")[0]
        self.nvme = find_pci("0x1b36", "0x0010")[0]
        self.e1000 = find_pci("0x8086", "0x100e")
        wait_for(lambda: netdev_of(self.igb))
        self.pf = netdev_of(self.igb)
        # No IPv6 router advertisements from QEMU's user network: no default route on the PF.
        write("/proc/sys/net/ipv6/conf/%s/accept_ra" % self.pf, "0")
        sh("ip", "link", "set", self.pf, "up")
        write("%s/%s/sriov_numvfs" % (SYS, self.igb), "2")  # autoprobe on: igbvf takes them
        self.vf = link_base("%s/%s/virtfn1" % (SYS, self.igb))
        sh("ip", "link", "set", self.pf, "vf", "1", "mac", "02:00:00:00:00:51")
        sh("ip", "link", "set", self.pf, "vf", "1", "vlan", "51")
        # igb applies the MAC at the VF driver's next load
        write("%s/%s/driver/unbind" % (SYS, self.vf), self.vf)
        write("/sys/bus/pci/drivers_probe", self.vf)
        wait_for(lambda: netdev_of(self.vf))


# --- fixtures: each test starts from a state it names, whatever ran before it -------------------

def host_drivers(lab):
    """Every device vfctl took back on its own driver; the VF on igbvf with its MAC."""
    rc, out, err = vfctl("restore")
    if rc != 0:
        raise RuntimeError("fixture: vfctl restore exited %d: %s" % (rc, out + err))
    wait_for(lambda: netdev_of(lab.vf))
    if driver(lab.vf) != "igbvf" or [driver(x) for x in lab.e1000] != ["e1000", "e1000"]:
        raise RuntimeError("fixture: not on host drivers: %s" % [driver(x) for x in [lab.vf] + lab.e1000])


def e1000_pair_on_vfio(lab):
    """host_drivers, then both e1000 (one IOMMU group) on vfio-pci through vfctl bind --group."""
    host_drivers(lab)
    rc, out, err = vfctl("bind", "--group", lab.e1000[0])
    if rc != 0:
        raise RuntimeError("fixture: vfctl bind --group exited %d: %s" % (rc, out + err))


def all_bound(lab):
    """e1000_pair_on_vfio, and the VF on vfio-pci too."""
    e1000_pair_on_vfio(lab)
    rc, out, err = vfctl("bind", lab.vf)
    if rc != 0:
        raise RuntimeError("fixture: vfctl bind %s exited %d: %s" % (lab.vf, rc, out + err))


def test_vf_bind_restore(s, lab):
    mac_before = read("/sys/class/net/%s/address" % netdev_of(lab.vf))
    s.eq("VF starts on igbvf with its MAC", (driver(lab.vf), mac_before), ("igbvf", "02:00:00:00:00:51"))
    rc, out, err = vfctl("bind", "%s:vf1" % lab.pf, "--owner", "nobody")
    s.check("bind PF:vf1 -> vfio-pci", rc == 0 and driver(lab.vf) == "vfio-pci" and "igbvf -> vfio-pci" in out, out + err)
    grp = link_base("%s/%s/iommu_group" % (SYS, lab.vf))
    s.eq("--owner nobody: /dev/vfio/%s owned by uid 65534" % grp, os.stat("/dev/vfio/%s" % grp).st_uid, 65534)
    s.check("the original driver is recorded", "driver=igbvf" in (read("/run/vfctl/bind/%s" % lab.vf) or ""))
    rc, doc, _ = vfctl_json("vfio-check", lab.vf)
    bad = [f for f in doc["findings"] if f["severity"] == "error"]
    s.check("vfio-check passes on the VF (container, group, IOMMU, device fd, MSI-X trigger)",
            rc == 0 and not bad and findings(doc, "vfio.msix") and findings(doc, "vfio.device"), doc["findings"])
    rc, out, err = vfctl("bind", lab.vf)
    s.check("a second bind says so and changes nothing", rc == 0 and "already bound" in out, out + err)
    rc, out, err = vfctl("restore", lab.vf)
    wait_for(lambda: netdev_of(lab.vf))
    s.check("restore: back to igbvf", rc == 0 and driver(lab.vf) == "igbvf", out + err)
    s.eq("restore: the VF netdev has its MAC", read("/sys/class/net/%s/address" % netdev_of(lab.vf)), mac_before)
    _, st, _ = vfctl_json("status", lab.pf)
    vf1 = st["devices"][0]["vfs"][1]
    s.eq("restore: the PF's settings for the VF intact", (vf1["mac"], vf1["vlan"]), ("02:00:00:00:00:51", 51))
    s.check("restore: record removed", not os.path.exists("/run/vfctl/bind/%s" % lab.vf))


def test_nested_qemu(s, lab):
    rc, out, err = vfctl("bind", lab.vf)
    s.check("bind the VF for QEMU", rc == 0, out + err)
    rc, args, err = vfctl("emit", "qemu", lab.vf)
    s.check("emit qemu: a root port and the vfio-pci device", rc == 0 and "-device vfio-pci,host=%s" % lab.vf in args,
            args + err)
    sock = os.path.join(TMP, "qmp.sock")
    # Not -S: behind a root port (as libvirt and Proxmox place it) the device is enumerated once
    # the guest firmware has numbered the buses; -S would show an unnumbered, empty bridge.
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-M", "q35", "-m", "128", "-nodefaults", "-display", "none",
           "-qmp", "unix:%s,server=on,wait=off" % sock]
    for line in args.split("\n"):
        cmd += line.split(" ", 1) if line else []
    q = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        t0, ids = time.monotonic(), []
        while (0x8086, 0x10ca) not in ids and time.monotonic() - t0 < 120:
            time.sleep(1)
            res = qmp(sock, "query-pci")
            devs = [d for bus in res[0]["return"] for d in bus["devices"]]
            for bus in res[0]["return"]:
                for d in bus["devices"]:
                    devs += d.get("pci_bridge", {}).get("devices", [])
            ids = [(d["id"]["vendor"], d["id"]["device"]) for d in devs]
        print("# note nested QEMU (TCG in TCG) enumerated the VF after %.1f s" % (time.monotonic() - t0))
        s.check("nested QEMU lists the VF (8086:10ca) in query-pci", (0x8086, 0x10ca) in ids, ids)
        qmp(sock, "quit")
        rc = q.wait(timeout=60)
        s.eq("nested QEMU quits cleanly", rc, 0)
    except Exception as e:
        q.kill()
        _, qerr = q.communicate()
        s.check("nested QEMU ran", False, "%s; %s" % (e, qerr[-2000:]))


def test_libvirt_xml(s, lab):
    for dev, want in ((lab.vf, "<interface type='hostdev'"), (lab.e1000[0], "<hostdev mode='subsystem'")):
        rc, xml, err = vfctl("emit", "libvirt", dev)
        path = os.path.join(TMP, "dom.xml")
        with open(path, "w") as f:
            f.write("<domain type='kvm'><name>vfctl</name><memory>131072</memory><os><type arch='x86_64' "
                    "machine='q35'>hvm</type></os><devices>%s</devices></domain>\n" % xml)
        v = subprocess.run(["virt-xml-validate", path, "domain"], capture_output=True, text=True)
        s.check("emit libvirt %s: %s..., valid per virt-xml-validate" % (dev, want), rc == 0 and want in xml and
                v.returncode == 0, xml + v.stdout + v.stderr)
    rc, xml, _ = vfctl("emit", "libvirt", lab.vf)
    s.check("emit libvirt: the VF's MAC and VLAN from the PF", "<mac address='02:00:00:00:00:51'/>" in xml and
            "<tag id='51'/>" in xml, xml)
    rc, px, _ = vfctl("emit", "proxmox", lab.vf)
    s.eq("emit proxmox: a hostpci line with pcie=1", px.splitlines()[1:], ["hostpci0: %s,pcie=1" % lab.vf])


# --- libvirt for real: libvirtd in this VM, a TCG domain holding the VF ---------------------------

QEMU_CONF = """user = "root"
group = "root"
security_driver = "none"
stdio_handler = "file"
namespaces = [ ]
cgroup_controllers = [ ]
"""


def start_libvirtd():
    """libvirtd without systemd, as LAB-NOTES has it: the QEMU driver wants its build-time user
    (libvirt-daemon-system would create it) and writable state directories."""
    with open("/etc/libvirt/qemu.conf", "w") as f:
        f.write(QEMU_CONF)
    for path, line in (("/etc/passwd", "libvirt-qemu:x:64055:64055::/var/lib/libvirt:/usr/sbin/nologin\n"),
                       ("/etc/group", "libvirt-qemu:x:64055:\nkvm:x:64056:\n")):
        if "libvirt-qemu:" not in open(path).read():
            with open(path, "a") as f:
                f.write(line)
    for d in ("/var/lib/libvirt", "/var/log/libvirt", "/var/cache/libvirt", "/run/libvirt"):
        os.makedirs(d, exist_ok=True)
    subprocess.run(["libvirtd", "-d"], check=True, timeout=60)
    wait_for(lambda: virsh("version")[0] == 0, timeout=60)


def virsh(*args):
    p = subprocess.run(["virsh", "-c", "qemu:///system", *args], capture_output=True, text=True, timeout=180)
    return p.returncode, p.stdout, p.stderr


def domain_xml(name, devices):
    # type='qemu': TCG; <acpi/> because libvirt 9.0 passes -no-acpi without it, which QEMU 10 no
    # longer has.
    return ("<domain type='qemu'><name>%s</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>"
            "<os><type arch='x86_64' machine='q35'>hvm</type></os><features><acpi/></features>"
            "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>%s</devices></domain>\n" % (name, devices))


def verify_json(conf):
    rc, text, _ = vfctl("verify", "-c", conf)
    print("# note vfctl verify: " + " | ".join(ln.strip() for ln in text.splitlines() if ln.strip())[:400])
    rc, doc, err = vfctl_json("verify", "-c", conf)
    return rc, [(d["device"], d["vf"], d["knob"], d.get("have")) for d in doc["drift"]], err


def holder(lab, vf_index):
    _, st, _ = vfctl_json("status", lab.pf)
    return st["devices"][0]["vfs"][vf_index]["held_by"]


def test_libvirt_lifecycle(s, lab):
    """The emitted XML defined and started by a real libvirtd as a TCG domain holding the igb VF
    vfctl bound (managed='no'): while it runs vfctl names the VM and verify finds no drift; after
    destroy and after a second start the host still matches. A managed='yes' domain on the other
    VF, which vfctl's configuration keeps on igbvf: libvirt rebinds it, verify reports it, and
    destroy gives it back."""
    vf0 = link_base("%s/%s/virtfn0" % (SYS, lab.igb))
    conf = os.path.join(TMP, "libvirt.conf")
    with open(conf, "w") as f:
        f.write("[PF]\nMatch=pci:%s\nNumVFs=2\n\n[VF:0]\nDriver=igbvf\n\n[VF:1]\nDriver=vfio-pci\n"
                "MACAddress=02:00:00:00:00:51\nVLANId=51\n" % lab.igb)
    rc, out, err = vfctl("bind", lab.vf)
    s.check("bind VF 1 for the VM", rc == 0 and driver(lab.vf) == "vfio-pci", out + err)
    rc, drift, err = verify_json(conf)
    s.eq("verify before the VM: the host matches", (rc, drift), (0, []))
    start_libvirtd()
    rc, xml, err = vfctl("emit", "libvirt", lab.vf)
    s.check("emit libvirt: VF 1 on vfio-pci is managed='no', its MAC and VLAN in an <interface>",
            rc == 0 and "<interface type='hostdev' managed='no'>" in xml and "<tag id='51'/>" in xml, xml + err)
    path = os.path.join(TMP, "web01.xml")
    with open(path, "w") as f:
        f.write(domain_xml("web01", xml))
    rc, out, err = virsh("define", path)
    s.check("virsh define takes the emitted XML", rc == 0, out + err)
    alias = re.search(r"<alias name='(ua-vfctl-[0-9a-f]{12}-vf1)'/>", xml)
    rc, dump, err = virsh("dumpxml", "--inactive", "web01")
    s.check("libvirt keeps the VF's alias (its PF's permanent MAC, index 1) in the definition",
            alias is not None and "<alias name='%s'/>" % alias.group(1) in dump, (xml, dump[-1500:]))
    rc, out, err = vfctl("--json", "doctor")
    refs = [f for f in json.loads(out)["findings"] if f["id"].startswith("vm.")] if rc in (0, 1) else None
    s.check("doctor: the defined domain's VF is where its alias says (vm.references ok)",
            refs is not None and [(f["id"], f["severity"]) for f in refs] == [("vm.references", "ok")], (rc, refs, err))
    for round_ in ("first", "second"):
        t0 = time.monotonic()
        rc, out, err = virsh("start", "web01")
        state = virsh("domstate", "web01")[1].strip()
        print("# note virsh start (%s): %.1f s, %s" % (round_, time.monotonic() - t0, state))
        s.check("virsh start (%s): running" % round_, rc == 0 and state == "running", out + err)
        hd = holder(lab, 1) or {}
        rc2, text, _ = vfctl("status", lab.pf)
        print("# note vfctl status while web01 runs:\n# " + "\n# ".join(text.splitlines()[-4:]))
        s.check("while it runs (%s): status names the VM holding VF 1" % round_,
                hd.get("vm") == "web01" and hd.get("pid", 0) > 0 and "-> vm web01 (" in text, (hd, text[-600:]))
        rc, drift, err = verify_json(conf)
        s.eq("while it runs (%s): verify finds no drift (libvirt set the same MAC and VLAN)" % round_, (rc, drift),
             (0, []))
        rc, out, err = virsh("destroy", "web01")
        s.check("virsh destroy (%s)" % round_, rc == 0, out + err)
        rc, drift, err = verify_json(conf)
        s.check("after destroy (%s): VF 1 still on vfio-pci, verify finds no drift, nobody holds it" % round_,
                rc == 0 and drift == [] and driver(lab.vf) == "vfio-pci" and holder(lab, 1) is None, (drift, err))
    virsh("undefine", "web01")

    # managed='yes' on a VF vfctl keeps on igbvf: libvirt takes it, and says nothing to vfctl.
    rc, xml0, err = vfctl("emit", "libvirt", vf0)
    s.check("emit libvirt: VF 0 on igbvf is managed='yes'", "managed='yes'" in xml0, xml0 + err)
    path = os.path.join(TMP, "db01.xml")
    with open(path, "w") as f:
        f.write(domain_xml("db01", xml0))
    rc, out, err = virsh("create", path)
    s.check("virsh create db01 (managed='yes' on VF 0): running, libvirt rebound VF 0 to vfio-pci",
            rc == 0 and driver(vf0) == "vfio-pci", out + err)
    rc, drift, err = verify_json(conf)
    s.check("verify reports libvirt's rebind of VF 0 (its driver), and names the VM holding it",
            rc == 1 and [(d[1], d[2], d[3]) for d in drift] == [(0, "unbind", "driver vfio-pci"),
                                                                 (0, "bind", "driver vfio-pci")] and
            (holder(lab, 0) or {}).get("vm") == "db01", (drift, err))
    rc, out, err = virsh("destroy", "db01")
    wait_for(lambda: driver(vf0) == "igbvf", timeout=30)
    rc, drift, err = verify_json(conf)
    s.check("after destroy: libvirt gave VF 0 back to igbvf, verify finds no drift", rc == 0 and drift == [] and
            driver(vf0) == "igbvf", (drift, err))

    # A hostdev network: libvirt picks a free VF of the pool and sets the domain's MAC on it.
    rc, netxml, err = vfctl("emit", "libvirt", "--network", "vfpool", vf0)
    path = os.path.join(TMP, "vfpool.xml")
    with open(path, "w") as f:
        f.write(netxml)
    rc1, out1, err1 = virsh("net-define", path)
    rc2, out2, err2 = virsh("net-start", "vfpool")
    s.check("emit libvirt --network: libvirt defines and starts the VF pool", rc == 0 and rc1 == 0 and rc2 == 0,
            netxml + err + out1 + err1 + out2 + err2)
    path = os.path.join(TMP, "pool01.xml")
    with open(path, "w") as f:
        f.write(domain_xml("pool01", "<interface type='network'><source network='vfpool'/>"
                                     "<mac address='02:00:00:00:77:01'/></interface>"))
    rc, out, err = virsh("create", path)
    _, st, _ = vfctl_json("status", lab.pf)
    v0 = st["devices"][0]["vfs"][0]
    s.check("a domain on the pool: libvirt took VF 0 and set the domain's MAC through the PF; vfctl names the VM",
            rc == 0 and v0["mac"] == "02:00:00:00:77:01" and (v0["held_by"] or {}).get("vm") == "pool01",
            (out + err, v0))
    rc, drift, err = verify_json(conf)
    s.check("verify: what libvirt owns (VF 0's MAC, which the configuration leaves unset) is no drift; its "
            "binding is (managed='yes' rebound it)", [(d[1], d[2]) for d in drift] == [(0, "unbind"), (0, "bind")],
            (drift, err))
    virsh("destroy", "pool01")
    virsh("net-destroy", "vfpool")
    wait_for(lambda: driver(vf0) == "igbvf", timeout=30)

    # Live migration with a VF: the virtio-net failover pair, accepted by libvirt and QEMU.
    rc, xml, err = vfctl("emit", "libvirt", "--failover", vf0)
    s.check("emit libvirt --failover: a virtio <interface> (teaming persistent) and the VF (transient), one MAC",
            rc == 0 and "<teaming type='persistent'/>" in xml and
            "<teaming type='transient' persistent='ua-vfctl-failover0'/>" in xml, xml + err)
    # The lab VM has no libvirt network: the virtio side on QEMU's user network instead.
    xml = xml.replace("<interface type='network'>", "<interface type='user'>").replace(
        "  <source network='default'/>\n", "")
    path = os.path.join(TMP, "fo01.xml")
    with open(path, "w") as f:
        f.write(domain_xml("fo01", xml))
    rc, out, err = virsh("create", path)
    s.check("virsh create fo01 (the failover pair): running", rc == 0 and
            virsh("domstate", "fo01")[1].strip() == "running", out + err)

    def qom(dev, prop):
        rc, out, err = virsh("qemu-monitor-command", "fo01", json.dumps(
            {"execute": "qom-get", "arguments": {"path": "/machine/peripheral/" + dev, "property": prop}}))
        try:
            return json.loads(out)["return"]
        except (ValueError, KeyError):
            return out + err
    # QEMU plugs the VF (the primary) only once the guest's virtio-net driver acks
    # VIRTIO_NET_F_STANDBY; with no guest OS it stays hidden, so its pairing is read from the
    # command line libvirt gave QEMU.
    try:
        pid = int(open("/run/libvirt/qemu/fo01.pid").read())
        argv = open("/proc/%d/cmdline" % pid).read().split("\0")
    except (OSError, ValueError):
        argv = []
    vf_dev = [a for a in argv if a.startswith("{") and '"vfio-pci"' in a or a.startswith("vfio-pci")]
    print("# note QMP qom-get virtio-net failover=%s; QEMU's VF device: %s" % (qom("ua-vfctl-failover0", "failover"),
                                                                             vf_dev[:1]))
    s.check("QEMU: the virtio NIC has failover on (QMP), the VF device is paired with it (failover_pair_id)",
            qom("ua-vfctl-failover0", "failover") is True and len(vf_dev) == 1 and
            "ua-vfctl-failover0" in vf_dev[0] and "failover_pair_id" in vf_dev[0], (argv, vf_dev))
    virsh("destroy", "fo01")
    wait_for(lambda: driver(vf0) == "igbvf", timeout=30)
    rc, drift, err = verify_json(conf)
    s.check("after the failover domain: VF 0 back on igbvf, no drift", rc == 0 and drift == [], (drift, err))


def test_group_rules(s, lab):
    a, b = lab.e1000
    rc, out, err = vfctl("bind", a)
    s.check("bind refuses an e1000 whose group holds the other e1000, naming it", rc == 1 and b in err and
            "--group" in err and driver(a) == "e1000", out + err)
    rc, out, err = vfctl("bind", lab.igb)
    s.check("bind refuses a PF whose VFs are in use", rc == 1 and "VFs are in use" in err and driver(lab.igb) == "igb",
            out + err)
    # A device that carries the default route stays with the host, --group or not.
    nd = netdev_of(b)
    sh("ip", "link", "set", nd, "up")
    sh("ip", "route", "add", "default", "dev", nd, "metric", "5000")
    rc, out, err = vfctl("bind", "--group", a)
    s.check("--group refuses a group holding the interface with the default route, before changing anything",
            rc == 1 and "carries the default route (via %s)" % nd in err and driver(a) == driver(b) == "e1000" and
            "unbind" not in out, out + err)
    sh("ip", "route", "del", "default", "dev", nd, "metric", "5000")
    sh("ip", "link", "set", nd, "down")
    rc, out, err = vfctl("bind", "--group", a)
    bridge = [d for d in os.listdir("/sys/kernel/iommu_groups/%s/devices" % link_base("%s/%s/iommu_group" % (SYS, a)))
              if d not in (a, b)]
    s.check("--group binds both e1000", rc == 0 and driver(a) == driver(b) == "vfio-pci", out + err)
    s.check("--group leaves the bridge alone", all(driver(x) != "vfio-pci" for x in bridge), bridge)
    rc, doc, _ = vfctl_json("vfio-check", a)
    s.check("vfio-check: group viable", findings(doc, "vfio.viable") and
            findings(doc, "vfio.viable")[0]["severity"] == "ok", doc["findings"])
    intx = findings(doc, "vfio.intx")
    s.check("vfio-check: the e1000's INTx trigger was tried", len(intx) == 1, doc["findings"])
    print("# note vfio-check INTx on %s: %s" % (a, intx[0]["summary"] if intx else "-"))

    grp = link_base("%s/%s/iommu_group" % (SYS, a))
    fd = os.open("/dev/vfio/%s" % grp, os.O_RDWR)
    try:
        rc, doc, _ = vfctl_json("vfio-check", a)
        busy = findings(doc, "vfio.busy", a)
        s.check("vfio-check on a held group: busy, with the holder", rc == 1 and busy and
                "held by process %d (python3)" % os.getpid() in busy[0]["summary"], doc["findings"])
    finally:
        os.close(fd)


def test_doctor_passthrough(s, lab):
    a, b = lab.e1000
    rc, out, err = vfctl("restore", b)
    s.check("restore one e1000", rc == 0 and driver(b) == "e1000", out + err)
    rc, doc, _ = vfctl_json("doctor", a)
    f = findings(doc, "passthrough.group-not-viable", a)
    s.check("doctor: group not viable, naming the e1000 on its host driver", f and b in f[0]["evidence"], doc["findings"])


def test_restore_all(s, lab):
    rc, out, err = vfctl("restore")
    s.check("restore (all): exit 0", rc == 0, out + err)
    s.eq("restore: every device on its original driver", [driver(x) for x in [lab.vf] + lab.e1000],
         ["igbvf", "e1000", "e1000"])
    s.eq("restore: no records left", os.listdir("/run/vfctl/bind") if os.path.isdir("/run/vfctl/bind") else [], [])


def secondaries(pf):
    """nvme-cli's view of the PF's secondary controllers (the oracle: vfctl never runs it)."""
    ctrl = os.listdir("%s/%s/nvme" % (SYS, pf))[0]
    out = subprocess.run(["nvme", "list-secondary", "/dev/" + ctrl, "-o", "json"], capture_output=True,
                         text=True).stdout
    return [(c["secondary-controller-state"], c["num-virtual-queues"], c["num-virtual-interrupts"])
            for c in json.loads(out)["secondary-controllers"]]


def nvme_conf(pf, text):
    path = os.path.join(tempfile.mkdtemp(prefix="vfctl-nvme-"), "nvme.conf")
    with open(path, "w") as f:
        f.write("[PF]\nMatch=pci:%s\n%s" % (pf, text))
    os.chmod(os.path.dirname(path), 0o755)
    os.chmod(path, 0o644)
    return path


def test_nvme_sriov(s, lab):
    """NVMe SR-IOV on QEMU's model (6 flexible VQ, 3 VI, at most 2 VQ and 1 VI per VF): VFs are
    secondary controllers that vfctl assigns resources and brings online before their drivers bind;
    removing VFs leaves nothing stranded; an over-committed pool is refused at validation."""
    pf = lab.nvme
    two = nvme_conf(pf, "NumVFs=2\n[VF:0]\nDriver=nvme\n[VF:1]\nDriver=vfio-pci\n")
    rc, out, err = vfctl("apply", "-c", two)
    s.check("nvme: NumVFs=2 applied (assign VQ, VI, online, then the drivers)", rc == 0 and "online" in out,
            out + err)
    s.eq("nvme: nvme-cli sees both secondaries online with 2 VQ and 1 VI", secondaries(pf)[:2], [(1, 2, 1), (1, 2, 1)])
    vf0, vf1 = (link_base("%s/%s/virtfn%d" % (SYS, pf, i)) for i in (0, 1))
    state = ""
    for _ in range(50):
        ctrls = os.listdir("%s/%s/nvme" % (SYS, vf0)) if os.path.isdir("%s/%s/nvme" % (SYS, vf0)) else []
        state = read("%s/%s/nvme/%s/state" % (SYS, vf0, ctrls[0])) if ctrls else ""
        if state == "live":
            break
        time.sleep(0.1)
    s.eq("nvme: VF 0 on nvme, its controller live", (driver(vf0), state), ("nvme", "live"))
    # The subsystem's shared namespace (lab/run-vm.sh), reached through VF 0's controller: a
    # multipath path nvmeXcYn1 under it.
    paths = [e for c in os.listdir("%s/%s/nvme" % (SYS, vf0)) for e in os.listdir("%s/%s/nvme/%s" % (SYS, vf0, c))
             if e.startswith("nvme") and e.endswith("n1")] if os.path.isdir("%s/%s/nvme" % (SYS, vf0)) else []
    s.check("nvme: the shared namespace is visible through VF 0's controller", len(paths) == 1, paths)
    rc, out, err = vfctl("vfio-check", vf1)
    s.check("nvme: VF 1 on vfio-pci passes vfio-check", rc == 0 and driver(vf1) == "vfio-pci", out + err)
    for kind, want in (("qemu", "vfio-pci,host=%s" % vf1), ("libvirt", "<hostdev"), ("proxmox", "hostpci")):
        rc, out, err = vfctl("emit", kind, vf1)
        s.check("nvme: emit %s for the NVMe VF on vfio-pci" % kind, rc == 0 and want in out, out + err)
    rc, out, err = vfctl("apply", "-c", two)
    s.check("nvme: a second apply has nothing to do", rc == 0 and "up to date" in out, out + err)
    _, doc, _ = vfctl_json("status", pf)
    s.eq("nvme: status shows them online with their resources",
         [(v["nvme"]["online"], v["nvme"]["vq"], v["nvme"]["vi"]) for v in doc["devices"][0]["vfs"]],
         [(True, 2, 1), (True, 2, 1)])
    s.note(vfctl("status", pf)[1])
    rc, out, err = vfctl("apply", "-c", nvme_conf(pf, "NumVFs=1\n[VF:0]\nDriver=nvme\n"))
    s.check("nvme: 2 -> 1 applied", rc == 0, out + err)
    s.eq("nvme: 2 -> 1 leaves VF 1's secondary offline with nothing assigned", secondaries(pf)[:2],
         [(1, 2, 1), (0, 0, 0)])
    rc, out, err = vfctl("apply", "-c", two)
    s.check("nvme: 1 -> 2 applied again", rc == 0 and secondaries(pf)[:2] == [(1, 2, 1), (1, 2, 1)],
            (out + err, secondaries(pf)))
    before = secondaries(pf)
    over = nvme_conf(pf, "NumVFs=3\n[VF]\nNVMeQueues=4\n")
    rc, out, err = vfctl("apply", "-c", over)
    s.check("nvme: NVMeQueues=4 over the 2-per-VF limit is refused at validation with FILE:LINE", rc == 2 and
            "%s:5: NVMeQueues=4 for VF 0" % over in err, (rc, err))
    s.eq("nvme: refused config left the controllers as they were", secondaries(pf), before)
    rc, out, err = vfctl("apply", "-c", nvme_conf(pf, "NumVFs=0\n"))
    s.check("nvme: -> 0 applied", rc == 0, out + err)
    s.eq("nvme: no VF left, no resource stranded",
         (read("%s/%s/sriov_numvfs" % (SYS, pf)), secondaries(pf)), ("0", [(0, 0, 0)] * 3))


def main():
    Suite("lab-vfio").run_lab(Lab(), ((test_vf_bind_restore, host_drivers), (test_nested_qemu, host_drivers),
                                      (test_libvirt_xml, host_drivers), (test_libvirt_lifecycle, host_drivers),
                                      (test_group_rules, host_drivers),
                                      (test_doctor_passthrough, e1000_pair_on_vfio), (test_restore_all, all_bound),
                                      test_nvme_sriov))


if __name__ == "__main__":
    main()
