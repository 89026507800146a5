#!/usr/bin/env python3
"""Lab tier, boot: the package from make deb under the host's own systemd and udev in the lab VM
(tests/lab/boot-prep.sh set the root up). Mode "good": at multi-user.target the igb PF (named
sriov-pf0 by a .link file) has its VFs with every setting and driver, vfctl.service succeeded
before network-pre.target and before libvirtd, whose autostarted domain holds VF 1; a driver
reload and a PCI remove + rescan are repaired by the udev rule's service; dpkg -r leaves the VFs.
Mode "missing":
a second file names a PF that does not exist: the boot goes on, the good PF is configured and
vfctl.service fails naming the missing one."""
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "common"))
import macpolicy  # noqa: E402
from harness import Suite  # noqa: E402
from test_lab import read  # noqa: E402

PF = "0000:01:00.0"
SYS = "/sys/bus/pci/devices/" + PF
NAME = "sriov-pf0"
RULE = "/etc/udev/rules.d/79-vfctl-%s.rules" % PF
NETWORK = "/etc/systemd/network/10-vfctl-%s.network" % PF
os.environ["VFCTL"] = "/usr/sbin/vfctl"  # the packaged binary


def sh(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def show(unit, *props):
    out = sh("systemctl", "show", unit, *("-p" + p for p in props)).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def wait_for(cond, timeout):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if cond():
            return time.monotonic() - t0
        time.sleep(0.5)
    return None


def vf_state():
    """The PF's VFs as the kernel reports them: count, drivers, and per VF what lab.conf sets."""
    n = int(read(SYS + "/sriov_numvfs") or 0)
    drivers = [os.path.basename(os.path.realpath("%s/virtfn%d/driver" % (SYS, i)))
               if os.path.exists("%s/virtfn%d/driver" % (SYS, i)) else None for i in range(n)]
    vfs = []
    p = sh("ip", "-j", "-d", "link", "show", NAME)
    if p.returncode == 0:
        for v in json.loads(p.stdout)[0].get("vfinfo_list", []):
            vl = v.get("vlan_list", [{}])[0]
            vfs.append((v["address"], vl.get("vlan", 0), vl.get("qos", 0), v.get("spoofchk"), v.get("trust"),
                        v["rate"]["max_tx"]))
    return {"numvfs": n, "drivers": drivers, "vfs": vfs}


# The igb's permanent MAC: QEMU's default for the lab's one NIC (lab/run-vm.sh gives it none).
PF_PERM_MAC = "52:54:00:12:34:56"
# VF 2: MACAddress=persistent (boot-prep.sh), as the documentation derives it.
VF2_MAC = macpolicy.persistent_mac(open("/etc/machine-id").read().strip(), PF_PERM_MAC, 2)
WANT = {"numvfs": 3, "drivers": ["igbvf", "vfio-pci", "igbvf"],
        "vfs": [("02:00:00:00:00:10", 10, 3, True, False, 0), ("02:00:00:00:00:11", 0, 0, False, False, 0),
                (VF2_MAC, 0, 0, True, True, 100)]}


def configured():
    return vf_state() == WANT


def vfio_owner():
    grp = os.path.basename(os.path.realpath(SYS + "/virtfn1/iommu_group"))
    try:
        return os.stat("/dev/vfio/" + grp).st_uid
    except OSError:
        return None


def journal(*units, since=None):
    args = ["journalctl", "--no-pager", "-o", "cat"] + [a for u in units for a in ("-u", u)]
    if since:
        args += ["--since", since]
    return sh(*args).stdout


def test_boot(s):
    s.eq("multi-user.target reached", sh("systemctl", "is-active", "multi-user.target").stdout.strip(), "active")
    s.eq("the PF is named by the .link file (eth0 renamed in its add event)", os.path.exists("/sys/class/net/" + NAME),
         True)
    st = show("vfctl.service", "ActiveState", "Result", "ExecMainStatus", "ActiveEnterTimestampMonotonic")
    s.eq("vfctl.service succeeded", (st.get("ActiveState"), st.get("Result"), st.get("ExecMainStatus")),
         ("active", "success", "0"))
    en = [sh("systemctl", "is-enabled", u).stdout.strip() for u in ("vfctl.service", "vfctl-metrics.timer")]
    s.eq("the package enabled vfctl.service and shipped vfctl-metrics.timer disabled", en, ["enabled", "disabled"])
    if st.get("Result") != "success":
        s.note("vfctl.service's log:\n" + journal("vfctl.service")[-3000:])
    s.eq("the VFs, every setting and driver, as lab.conf says", vf_state(), WANT)
    s.eq("the PF's MAC is QEMU's default, the one MACAddress=persistent is derived from",
         read("/sys/class/net/%s/address" % NAME), PF_PERM_MAC)
    s.note("VF 2's MAC from MACAddress=persistent at this boot: %s" % VF2_MAC)
    # Read when libvirtd started: the domain it autostarts on VF 1 then has libvirt chown the node.
    s.eq("Owner=nobody: /dev/vfio/N of VF 1 owned by 65534 when libvirtd started", read("/run/libvirtd-found-vfio-owner"),
         "65534")
    done = int(st.get("ActiveEnterTimestampMonotonic") or 0)
    pre = int(show("network-pre.target", "ActiveEnterTimestampMonotonic").get("ActiveEnterTimestampMonotonic") or 0)
    lv = int(show("libvirtd.service", "ExecMainStartTimestampMonotonic").get("ExecMainStartTimestampMonotonic") or 0)
    s.check("vfctl.service finished before network-pre.target", 0 < done <= pre, (done, pre))
    s.check("vfctl.service finished before libvirtd started", 0 < done <= lv, (done, lv))
    s.eq("libvirtd found the VFs configured", read("/run/libvirtd-found-numvfs"), "3")
    for u in ("virtqemud", "libvirt-guests", "pve-guests"):
        t = int(show(u + ".service", "ExecMainStartTimestampMonotonic").get("ExecMainStartTimestampMonotonic") or 0)
        s.check("vfctl.service finished before the %s stand-in started, which found the 3 VFs" % u,
                0 < done <= t and read("/run/standin-%s-numvfs" % u) == "3", (done, t, read("/run/standin-%s-numvfs" % u)))
    try:
        macs = [v["address"] for v in json.load(open("/run/libvirtd-found-link.json"))[0]["vfinfo_list"]]
    except (OSError, ValueError, KeyError, IndexError):
        macs = None
    s.eq("... with their MACs", macs, [v[0] for v in WANT["vfs"]])
    # systemd-analyze blame answers only once the boot is over, and this test is part of it: the
    # same numbers from the units' timestamps.
    start = int(show("vfctl.service", "ExecMainStartTimestampMonotonic").get("ExecMainStartTimestampMonotonic") or 0)
    mu = int(show("multi-user.target", "ActiveEnterTimestampMonotonic").get("ActiveEnterTimestampMonotonic") or 0)
    s.note("boot to configured: vfctl.service active %.1f s after the kernel started (it ran %.1f s); "
           "multi-user.target at %.1f s (TCG)" % (done / 1e6, (done - start) / 1e6, mu / 1e6))
    log = journal("vfctl", "vfctl-device@*")
    s.check("the journal has one line per step and the PF", "[1/" in log and PF in log, log[-1500:])


def vf_netdevs():
    return [sorted(os.listdir("%s/virtfn%d/net" % (SYS, i))) if os.path.isdir("%s/virtfn%d/net" % (SYS, i)) else []
            for i in range(int(read(SYS + "/sriov_numvfs") or 0))]


def nm_states():
    """NetworkManager's own view: nmcli's DEVICE:STATE per netdev."""
    p = sh("nmcli", "-t", "-f", "DEVICE,STATE", "device")
    return dict(line.rsplit(":", 1) for line in p.stdout.splitlines() if ":" in line)


def rebind_vf0():
    """VF 0 off igbvf and on again, as libvirt's managed hostdev gives a VF back after a VM."""
    vf = os.path.basename(os.path.realpath(SYS + "/virtfn0"))
    with open("/sys/bus/pci/drivers/igbvf/unbind", "w") as f:
        f.write(vf)
    with open("/sys/bus/pci/drivers_probe", "w") as f:
        f.write(vf)
    sh("udevadm", "settle", "--timeout=30")


def nm_diagnose(s):
    s.note(read(RULE) or "no rule")
    s.note(sh("udevadm", "info", "-q", "property", "/sys/class/net/sriov-pf0v0").stdout)
    s.note(sh("nmcli", "-f", "GENERAL", "device", "show", "sriov-pf0v0").stdout)
    s.note("\n".join(line for line in journal("NetworkManager.service").splitlines() if "pf0v0" in line)[-3000:])


def test_names_and_network_manager(s):
    """VFNetdevName=%pv%n and Unmanaged=yes on VF 2 (boot-prep.sh): vfctl.service wrote its udev
    rule before it made the VFs, so udevd named them in their first event and NetworkManager,
    which runs here as on an admin's host, never manages VF 2; Unmanaged=yes added to VF 0 at run
    time hands it off too (a "change" event), and taking it out gives it back."""
    s.eq("the VF netdevs are named from the PF by vfctl's rule (VF 1 is on vfio-pci)", vf_netdevs(),
         [["sriov-pf0v0"], [], ["sriov-pf0v2"]])
    s.eq("udev's database: NM_UNMANAGED=1 for VF 2 alone",
         ["NM_UNMANAGED=1" in sh("udevadm", "info", "-q", "property", "/sys/class/net/" + n).stdout
          for n in ("sriov-pf0v0", "sriov-pf0v2")], [False, True])
    s.eq("NetworkManager runs", sh("systemctl", "is-active", "NetworkManager.service").stdout.strip(), "active")
    sh("nm-online", "-s", "-q", "-t", "60")
    before = nm_states()
    s.note("nmcli device (boot):\n" + sh("nmcli", "device").stdout)
    s.check("NetworkManager's view at boot: VF 0 its own (managed), VF 2 unmanaged",
            before.get("sriov-pf0v2") == "unmanaged" and before.get("sriov-pf0v0") not in (None, "unmanaged"),
            before)
    # A VF NetworkManager had found before udevd named it would be in its log under the kernel's
    # name (ethN), a netdev that no longer exists.
    seen = set(re.findall(r"manager: \(([^)]+)\): new ", journal("NetworkManager.service")))
    s.check("every netdev NetworkManager found has the name it has now: it never saw a VF as ethN",
            {"sriov-pf0v0", "sriov-pf0v2"} <= seen and seen <= set(os.listdir("/sys/class/net")),
            (seen, os.listdir("/sys/class/net")))
    # At run time: NetworkManager reads NM_UNMANAGED when a netdev appears, so the key takes hold
    # at VF 0's next netdev: its driver binding it again, as when a VM gives the VF back.
    conf = read("/etc/vfctl/lab.conf")
    try:
        with open("/etc/vfctl/lab.conf", "w") as f:
            f.write(conf.replace("[VF:0]\n", "[VF:0]\nUnmanaged=yes\n"))
        p = vfctl("apply")
        s.check("Unmanaged=yes on VF 0: apply rewrites the rule, and says NetworkManager keeps the netdev "
                "until it next appears",
                p.returncode == 0 and "udev rule" in p.stdout and "VF 0's netdev sriov-pf0v0 exists" in p.stdout
                and nm_states().get("sriov-pf0v0") == "disconnected", (p.stdout, p.stderr, nm_states()))
        rebind_vf0()
        took = wait_for(lambda: nm_states().get("sriov-pf0v0") == "unmanaged", 30)
        s.check("VF 0 back on igbvf (a VM giving it back): named again, and NetworkManager leaves it alone",
                took is not None and vf_netdevs()[0] == ["sriov-pf0v0"], (nm_states(), vf_netdevs()))
        s.note("nmcli device (VF 0 Unmanaged=yes, rebound; %.1f s):\n%s" % (took or -1, sh("nmcli", "device").stdout))
        if took is None:
            nm_diagnose(s)
    finally:
        with open("/etc/vfctl/lab.conf", "w") as f:
            f.write(conf)
    p = vfctl("apply")
    rebind_vf0()
    back = wait_for(lambda: nm_states().get("sriov-pf0v0") == "disconnected", 30)
    s.check("the key taken out, VF 0 rebound: NetworkManager manages it again", p.returncode == 0 and back is not None,
            (p.stdout, p.stderr, nm_states()))
    if back is None:
        nm_diagnose(s)
    p = vfctl("status")
    s.check("status lists the rule", "udev rule 79-vfctl-%s.rules: 3 VF names, 1 VF NetworkManager leaves alone" % PF
            in p.stdout, p.stdout)


def test_networkd(s):
    """systemd-networkd, started here with a .network file that takes every igbvf netdev (an admin's
    catch-all): vfctl's 10-vfctl-PF.network, first in networkd's lexical order, keeps VF 2
    (Unmanaged=yes) out of it, and only VF 2."""
    vf2 = os.path.basename(os.path.realpath(SYS + "/virtfn2"))
    s.eq("vfctl.service wrote the networkd file: VF 2 by its ID_PATH", re.findall(r"^Path=(.*)$", read(NETWORK) or "",
                                                                               re.M), ["pci-" + vf2])
    sh("systemctl", "stop", "NetworkManager.service")
    os.makedirs("/run/systemd/network", exist_ok=True)
    with open("/run/systemd/network/90-lab-vfs.network", "w") as f:
        f.write("[Match]\nDriver=igbvf\n\n[Network]\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n")
    p = sh("systemctl", "start", "systemd-networkd.service")

    def setup():
        out = sh("networkctl", "list", "--no-legend", "--no-pager").stdout
        return {c[1]: c[4] for c in (line.split() for line in out.splitlines()) if len(c) >= 5}
    wait_for(lambda: setup().get("sriov-pf0v0") in ("configured", "failed"), 30)
    st = setup()
    s.check("networkd: VF 0 taken by the catch-all, VF 2 unmanaged (vfctl's file), the PF untouched",
            p.returncode == 0 and st.get("sriov-pf0v0") == "configured" and st.get("sriov-pf0v2") == "unmanaged"
            and st.get(NAME) == "unmanaged", (p.stderr, st))
    s.note("networkctl list:\n" + sh("networkctl", "list", "--no-pager").stdout)
    sh("systemctl", "stop", "systemd-networkd.service", "systemd-networkd.socket")
    os.remove("/run/systemd/network/90-lab-vfs.network")


def virsh(*args):
    p = subprocess.run(["virsh", "-c", "qemu:///system", *args], capture_output=True, text=True, timeout=180)
    return p.returncode, p.stdout, p.stderr


def vfctl(*args):
    return sh("/usr/sbin/vfctl", *args)


def test_autostart(s):
    """The domain libvirtd autostarts at boot (boot-prep.sh) holds VF 1 through the <interface> that
    vfctl emit libvirt writes for it: it found the VF on vfio-pci with its MAC, status names it,
    verify's only drift while it runs and after virsh destroy is /dev/vfio/N's owner, which
    libvirt takes (apply gives it back), and the VF keeps every setting."""
    running = wait_for(lambda: virsh("domstate", "boot01")[1].strip() == "running", 180)
    st = show("libvirtd.service", "ActiveState", "ExecMainStartTimestampMonotonic")
    if not s.check("libvirtd (started by systemd after vfctl.service) autostarted boot01: running",
                   running is not None and st.get("ActiveState") == "active", (st, virsh("domstate", "boot01"))):
        s.note(journal("libvirtd")[-2000:])
        s.note((read("/var/log/libvirt/qemu/boot01.log") or "")[-2000:])
        return
    s.note("boot01 running %.1f s into the test (TCG in TCG)" % running)
    xml = open("/etc/libvirt/qemu/boot01.xml").read()
    iface = xml[xml.index("<interface"):xml.index("</interface>") + len("</interface>")]
    vf1 = os.path.basename(os.path.realpath(SYS + "/virtfn1"))
    p = vfctl("emit", "libvirt", vf1)
    s.check("the autostarted domain's <interface> is what vfctl emit libvirt writes for VF 1 now",
            p.returncode == 0 and iface in p.stdout, (iface, p.stdout, p.stderr))
    p = vfctl("status", NAME)
    s.check("vfctl status names the VM holding VF 1", "-> vm boot01 (qemu-system-x86 pid " in p.stdout, p.stdout)
    s.note("vfctl status while boot01 runs:\n" + p.stdout)
    # libvirt's DAC driver (dynamic_ownership) chowns /dev/vfio/N to its QEMU user (root here) at
    # start and to root at stop: lab.conf's Owner=nobody is for an unprivileged QEMU of the admin's
    # own, and verify reports that one knob, nothing else (libvirt set the MAC vfctl set).
    owner_running = vfio_owner()
    drift = lambda: [ln.split()[1] for ln in vfctl("verify", "-c", "/etc/vfctl/lab.conf").stdout.splitlines()
                     if ln.strip().startswith("DRIFT")]
    s.eq("vfctl verify while boot01 runs: libvirt's chown of /dev/vfio/N (owner %s) is the only drift" % owner_running,
         drift(), ["vfio-owner"])
    rc, out, err = virsh("destroy", "boot01")
    s.check("virsh destroy boot01", rc == 0, out + err)
    s.check("after destroy: VF 1 still on vfio-pci with every setting, nobody holds it; /dev/vfio/N is root's",
            vf_state() == WANT and "-> vm" not in vfctl("status", NAME).stdout and vfio_owner() == 0 and
            drift() == ["vfio-owner"], (vf_state(), vfio_owner(), drift()))
    p = vfctl("apply", "-c", "/etc/vfctl/lab.conf")
    s.check("vfctl apply gives /dev/vfio/N back to nobody, and verify finds no drift",
            p.returncode == 0 and vfio_owner() == 65534 and drift() == [], p.stdout + p.stderr)
    p = vfctl("emit", "libvirt", vf1)
    s.check("emit libvirt, with Owner=nobody in effect again: a comment that libvirt takes /dev/vfio/N's owner",
            "leave Owner=/Group= out for a device libvirt runs" in p.stdout, p.stdout + p.stderr)


def test_metrics_timer(s):
    """The shipped vfctl-metrics units under the real systemd: the sandboxed service writes the
    textfile node_exporter reads; the timer, once enabled, fires every 30 s."""
    tf = "/var/lib/prometheus/node-exporter"
    os.makedirs(tf, exist_ok=True)
    sh("systemctl", "start", "vfctl-metrics.service")
    st = show("vfctl-metrics.service", "Result", "ExecMainStatus")
    s.eq("vfctl-metrics.service (sandboxed) ran and succeeded", (st.get("Result"), st.get("ExecMainStatus")),
         ("success", "0"))
    prom = read(tf + "/vfctl.prom") or ""
    s.check("...and wrote %s/vfctl.prom with the PF's 3 VFs and their info" % tf,
            ('vfctl_pf_num_vfs{pf="0000:01:00.0",netdev="%s"} 3' % NAME) in prom and prom.count("vfctl_vf_info{") == 3,
            prom[:1500] or journal("vfctl-metrics.service")[-1500:])
    sh("systemctl", "enable", "--now", "vfctl-metrics.timer")
    t = sh("systemctl", "show", "vfctl-metrics.timer", "-pActiveState", "-pTimersMonotonic").stdout
    s.check("vfctl-metrics.timer, enabled: active, 30 s after boot and every 30 s after the last run",
            "ActiveState=active" in t and "OnUnitActiveUSec=30s" in t and "OnBootUSec=30s" in t, t)
    sh("systemctl", "disable", "--now", "vfctl-metrics.timer")


def reapplied_by_udev(s, what, action, since):
    action()
    dt = wait_for(configured, 60)
    if not s.check("%s: the VFs and every setting are back" % what, dt is not None, vf_state()):
        # What udev and systemd made of the PF's event.
        s.note(sh("udevadm", "info", "/sys/class/net/" + NAME).stdout)
        s.note(sh("systemctl", "list-units", "--all", "--no-pager", "vfctl*").stdout)
        s.note(sh("systemctl", "show", "-p", "Wants", "-p", "ActiveState",
                  "sys-subsystem-net-devices-%s.device" % NAME.replace("-", "\\x2d")).stdout)
        s.note(journal("vfctl-device@*", "systemd-udevd", since=since)[-3000:])
    if dt is not None:
        s.note("%s: restored %.1f s after the PF came back" % (what, dt))
    unit = "vfctl-device@%s.service" % PF
    log = journal(unit, since=since)
    s.check("%s: done by %s (its journal)" % (what, unit), "%s: done" % PF in log or "up to date" in log, log[-1500:])
    s.eq("%s: the PF has its name again" % what, os.path.exists("/sys/class/net/" + NAME), True)
    s.eq("%s: /dev/vfio/N of VF 1 owned by nobody again" % what, vfio_owner(), 65534)


def stamp():
    time.sleep(1.1)  # journalctl --since has second resolution
    return time.strftime("%Y-%m-%d %H:%M:%S")


def test_driver_reload(s):
    since = stamp()

    def reload():
        sh("modprobe", "-r", "igb")
        wait_for(lambda: not os.path.exists(SYS + "/driver"), 30)
        sh("modprobe", "igb")
    reapplied_by_udev(s, "driver reload", reload, since)


def test_remove_rescan(s):
    since = stamp()

    def remove_rescan():
        with open(SYS + "/remove", "w") as f:
            f.write("1")
        wait_for(lambda: not os.path.exists(SYS), 30)
        with open("/sys/bus/pci/rescan", "w") as f:
            f.write("1")
    reapplied_by_udev(s, "PCI remove + rescan", remove_rescan, since)


def test_prune(s):
    """The configuration file removed: apply --prune returns the PF to what it had before
    vfctl.service first configured it at this boot, from its record under /var/lib/vfctl; the file
    back, apply configures it again and keeps a new record."""
    rec = "/var/lib/vfctl/pf/" + PF
    s.check("vfctl.service's first apply kept the PF's record under /var/lib/vfctl (0 VFs then)",
            "num_vfs=0" in (read(rec) or ""), read(rec))
    os.rename("/etc/vfctl/lab.conf", "/etc/vfctl/lab.conf.away")  # only *.conf files are read
    try:
        p = vfctl("plan", "--prune")
        s.check("plan --prune without the file: sriov_numvfs 3 -> 0, the udev rule removed, a note naming the PF",
                "sriov_numvfs 3 -> 0" in p.stdout and "note: %s: no configuration names it" % PF in p.stdout
                and "udev rule 79-vfctl-%s.rules: remove" % PF in p.stdout, p.stdout + p.stderr)
        s.note("vfctl plan --prune:\n" + p.stdout)
        p = vfctl("apply", "--prune")
        s.check("apply --prune: the PF without VFs, as before vfctl, its record gone",
                p.returncode == 0 and read(SYS + "/sriov_numvfs") == "0" and not os.path.exists(rec)
                and not os.path.exists(RULE),
                p.stdout + p.stderr)
    finally:
        os.rename("/etc/vfctl/lab.conf.away", "/etc/vfctl/lab.conf")
    p = vfctl("apply")
    sh("udevadm", "settle", "--timeout=30")  # udevd names the new VF netdevs in their own events
    s.check("the file back: apply configures the PF again and keeps a new record",
            p.returncode == 0 and vf_state() == WANT and os.path.exists(rec) and os.path.exists(RULE)
            and vf_netdevs() == [["sriov-pf0v0"], [], ["sriov-pf0v2"]], p.stdout + p.stderr)


def test_dpkg_remove(s):
    before = vf_state()
    p = sh("dpkg", "-r", "vfctl")
    s.check("dpkg -r vfctl", p.returncode == 0, p.stdout + p.stderr)
    s.eq("dpkg -r leaves the VFs as they are", vf_state(), before)
    s.eq("... and the configuration files", os.path.exists("/etc/vfctl/lab.conf"), True)
    p = sh("dpkg", "--purge", "vfctl")
    s.check("dpkg --purge vfctl", p.returncode == 0, p.stdout + p.stderr)
    s.eq("purge keeps /etc/vfctl while the admin's files are in it", os.path.exists("/etc/vfctl/lab.conf"), True)
    s.eq("purge leaves the VFs as they are", vf_state(), before)


def test_missing_pf(s):
    s.eq("multi-user.target reached: a missing PF holds nothing up",
         sh("systemctl", "is-active", "multi-user.target").stdout.strip(), "active")
    s.eq("the good PF is configured all the same", vf_state(), WANT)
    st = show("vfctl.service", "ActiveState", "Result")
    s.eq("vfctl.service failed", (st.get("ActiveState"), st.get("Result")), ("failed", "exit-code"))
    log = journal("vfctl")
    s.check("its journal names the missing PF with FILE:LINE",
            "/etc/vfctl/gone.conf:3: Match=pci:0000:09:00.0 matches no device" in log, log[-1500:])


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "good"
    s = Suite("lab-boot" if mode == "good" else "lab-boot-missing")
    # The test unit starts once multi-user.target is reached (not is-system-running --wait: this
    # unit's own job keeps the system "starting"); let udev's events settle.
    sh("udevadm", "settle", "--timeout=30")
    wait_for(lambda: show("vfctl-device@%s.service" % PF, "ActiveState").get("ActiveState") != "activating", 60)
    if mode == "good":
        for fn in (test_boot, test_autostart, test_metrics_timer, test_names_and_network_manager, test_networkd,
                   test_driver_reload, test_remove_rescan, test_prune,
                   test_dpkg_remove):
            s.run(fn)
    else:
        s.run(test_missing_pf)
    s.finish()


if __name__ == "__main__":
    main()
