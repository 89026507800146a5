#!/usr/bin/env python3
"""Lab tier, switchdev and vDPA: eswitch mode through devlink, VF representors mapped from devlink
ports, representor altnames, the holder check on a mode change; vDPA devices (vdpa_sim_net)."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
from harness import Suite, vfctl, vfctl_json  # noqa: E402
from test_lab import SYS, find_pci, qmp, read, sh, wait_for, write, write_conf  # noqa: E402

TMP = tempfile.mkdtemp(prefix="vfctl-sw-")


def conf(name, text):
    return write_conf(TMP, name, text)


def nsim_setup():
    for m in ("psample", "udp_tunnel", "ip6_udp_tunnel", "netdevsim", "igb"):
        sh("modprobe", m)
    write("/sys/bus/netdevsim/new_device", "10 1")
    wait_for(lambda: os.path.isdir("/sys/bus/netdevsim/devices/netdevsim10/net"))
    return sorted(os.listdir("/sys/bus/netdevsim/devices/netdevsim10/net"))[0]


def devlink_reps():
    """VF number -> representor netdev, from iproute2's devlink."""
    out = json.loads(sh("devlink", "-j", "port", "show").stdout)["port"]
    return {p["vfnum"]: p["netdev"] for name, p in out.items()
            if name.startswith("netdevsim/netdevsim10/") and p.get("flavour") == "pcivf" and "netdev" in p}


def status_nsim():
    _, doc, _ = vfctl_json("status", "netdevsim10")
    return doc["devices"][0]


def test_switchdev(s, pf):
    c = conf("sw.conf", "[PF]\nMatch=name:%s\nNumVFs=4\nEswitchMode=switchdev\nRepresentorAltName=%%p_vf%%n\n" % pf)
    rc, out, err = vfctl("plan", "-c", c)
    s.check("plan: VFs, then the eswitch change, then altnames", rc == 0 and out.find("sriov_numvfs 0 -> 4") <
            out.find("eswitch mode switchdev") < out.find("representor altname"), out + err)
    rc, out, err = vfctl("apply", "-c", c)
    s.check("apply EswitchMode=switchdev", rc == 0, out + err)
    d = status_nsim()
    s.eq("status: eswitch switchdev", d["sriov"]["eswitch"]["mode"] if d["sriov"]["eswitch"] else None, "switchdev")
    reps = devlink_reps()
    s.eq("status maps all 4 representors to their VFs, as devlink port show does",
         {v["index"]: v["representor"] for v in d["vfs"]}, reps)
    s.eq("four representors", len(reps), 4)
    alts = [json.loads(sh("ip", "-j", "link", "show", reps[i]).stdout)[0].get("altnames", []) for i in range(4)]
    s.eq("RepresentorAltName=%p_vf%n: stable altnames, names untouched", [a for a in alts],
         [["%s_vf%d" % (pf, i)] for i in range(4)])
    rc, out, err = vfctl("apply", "-c", c)
    s.check("re-apply: up to date", rc == 0 and "up to date" in out, out + err)
    rc, out, err = vfctl("status", pf)
    s.check("text status shows the mode and the representors", "eswitch switchdev" in out and "rep %s" % reps[0] in out,
            out)
    rc, out, err = vfctl("export", pf)
    s.check("export of the switchdev PF: EswitchMode=switchdev, its representors named in a comment",
            rc == 0 and "NumVFs=4\n" in out and "EswitchMode=switchdev" in out and
            "# representors: VF 0: %s" % reps[0] in out, out + err)
    rc, out, err = vfctl("verify", "-c", c, "--datapath", "--json")
    doc = json.loads(out) if out.strip().startswith("{") else {}
    s.check("verify --datapath on a switchdev PF: skipped, naming the eswitch mode; no frame sent",
            rc == 0 and doc.get("checks") == [] and any(x["device"] == "netdevsim10" and "switchdev mode" in x["why"]
                                                       for x in doc.get("skipped", [])), (rc, out, err))
    return reps


def test_held_mode_change(s, pf, reps):
    sh("ip", "link", "add", "vfctl-br0", "type", "bridge")
    sh("ip", "link", "set", reps[0], "master", "vfctl-br0")
    legacy = conf("legacy.conf", "[PF]\nMatch=name:%s\nEswitchMode=legacy\n" % pf)
    rc, out, err = vfctl("apply", "-c", legacy)
    s.check("a mode change while a representor is a bridge port: refused, named", rc == 1 and
            "representor %s is a port of vfctl-br0" % reps[0] in out + err and "--force" in out + err, out + err)
    s.eq("refused: still switchdev", status_nsim()["sriov"]["eswitch"]["mode"], "switchdev")
    rc, out, err = vfctl("apply", "--force", "-c", legacy)
    d = status_nsim()
    s.check("--force: legacy, representors gone", rc == 0 and d["sriov"]["eswitch"]["mode"] == "legacy" and
            all(v["representor"] is None for v in d["vfs"]), out + err)
    sh("ip", "link", "del", "vfctl-br0")
    rc, out, err = vfctl("eswitch", pf, "switchdev")
    s.check("vfctl eswitch PF switchdev", rc == 0 and status_nsim()["sriov"]["eswitch"]["mode"] == "switchdev", out + err)
    rc, out, err = vfctl("eswitch", pf)
    s.check("vfctl eswitch PF shows the mode and the representors", rc == 0 and "switchdev" in out and
            "representor" in out, out)


def test_ovs(s, pf):
    reps = devlink_reps()
    rc, out, err = vfctl("emit", "ovs", pf)
    s.check("emit ovs: bridge, hw-offload, uplink and every representor as ports", rc == 0 and
            "other_config:hw-offload=true" in out and "add-port ovs-sriov %s\n" % pf in out and
            all("add-port ovs-sriov %s\n" % r in out for r in reps.values()), out + err)
    # An OVSDB log as ovsdb-server writes it: a header line, then one JSON record per line.
    os.makedirs("/etc/openvswitch", exist_ok=True)
    rec = '{"Open_vSwitch":{"5b9c":{"other_config":["map",[["dpdk-init","false"]]]}},"_date":1}'
    with open("/etc/openvswitch/conf.db", "w") as f:
        f.write("OVSDB JSON %d 0\n%s\n" % (len(rec), rec))
    _, doc, _ = vfctl_json("doctor")
    f = [x for x in doc["findings"] if x["id"] == "ovs.hw-offload"]
    s.check("doctor: OVS installed, PF in switchdev, hw-offload off: warned", f and f[0]["severity"] == "warn", f)
    rec2 = '{"Open_vSwitch":{"5b9c":{"other_config":["map",[["dpdk-init","false"],["hw-offload","true"]]]}},"_date":2}'
    with open("/etc/openvswitch/conf.db", "a") as f:
        f.write("OVSDB JSON %d 0\n%s\n" % (len(rec2), rec2))
    _, doc, _ = vfctl_json("doctor")
    f = [x for x in doc["findings"] if x["id"] == "ovs.hw-offload"]
    s.check("doctor: after other_config:hw-offload=true: ok", f and f[0]["severity"] == "ok", f)
    # netdevsim's netdevs start with hw-tc-offload off (ethtool -k, the oracle): tc, and so OVS,
    # would offload none of their flows.
    off = [d for d in [pf] + list(reps.values()) if "hw-tc-offload: off" in sh("ethtool", "-k", d).stdout]
    tc = [x for x in doc["findings"] if x["id"] == "ovs.hw-tc-offload"]
    s.check("doctor: hw-offload on, hw-tc-offload off on the uplink and the representors (as ethtool -k says): "
            "warned, each named", len(off) == 5 and tc and tc[0]["severity"] == "warn" and
            all(d in tc[0]["evidence"].split(", ") for d in off), (off, tc))
    sh("ethtool", "-K", pf, "hw-tc-offload", "on")
    _, doc, _ = vfctl_json("doctor")
    tc = [x for x in doc["findings"] if x["id"] == "ovs.hw-tc-offload"]
    s.check("doctor: after ethtool -K %s hw-tc-offload on, the uplink is no longer named" % pf,
            "hw-tc-offload: on" in sh("ethtool", "-k", pf).stdout and tc and pf not in tc[0]["evidence"].split(", "),
            tc)
    sh("ethtool", "-K", pf, "hw-tc-offload", "off")
    # hw-offload turned on after ovs-vswitchd started: it reads the key at start only. A stand-in
    # process named ovs-vswitchd (its comm), the database records with their _date as OVSDB writes it.
    import shutil
    import time
    stand_in = os.path.join(TMP, "ovs-vswitchd")
    shutil.copy("/bin/sleep", stand_in)
    vswitchd = subprocess.Popen([stand_in, "600"])
    time.sleep(1.2)
    with open("/etc/openvswitch/conf.db", "a") as f:
        for on, n in (("false", 3), ("true", 4)):
            r = ('{"Open_vSwitch":{"5b9c":{"other_config":["map",[["hw-offload","%s"]]]}},"_date":%d}' %
                 (on, int(time.time() * 1000)))
            f.write("OVSDB JSON %d 0\n%s\n" % (len(r), r))
    stale = lambda: [x for x in vfctl_json("doctor")[1]["findings"] if x["id"] == "ovs.vswitchd-not-restarted"]
    f = stale()
    s.check("doctor: hw-offload turned on after ovs-vswitchd (pid %d) started: restart it, says why" % vswitchd.pid,
            f and f[0]["severity"] == "warn" and "pid %d" % vswitchd.pid in f[0]["evidence"], f)
    vswitchd.kill()
    vswitchd.wait()
    time.sleep(1.2)
    vswitchd = subprocess.Popen([stand_in, "600"])
    s.eq("doctor: after ovs-vswitchd restarted, no such finding", stale(), [])
    vswitchd.kill()
    vswitchd.wait()
    os.unlink("/etc/openvswitch/conf.db")


def ovs_start():
    """Open vSwitch's own daemons, as Debian's openvswitch-switch runs them (no systemd in the guest)."""
    os.makedirs("/etc/openvswitch", exist_ok=True)
    os.makedirs("/run/openvswitch", exist_ok=True)
    if os.path.exists("/etc/openvswitch/conf.db"):
        os.unlink("/etc/openvswitch/conf.db")
    sh("ovsdb-tool", "create", "/etc/openvswitch/conf.db", "/usr/share/openvswitch/vswitch.ovsschema")
    sh("ovsdb-server", "/etc/openvswitch/conf.db", "--remote=punix:/run/openvswitch/db.sock", "--pidfile",
       "--detach", "--log-file=/tmp/ovsdb-server.log")
    sh("ovs-vsctl", "--no-wait", "init")
    sh("modprobe", "openvswitch")
    sh("ovs-vswitchd", "--pidfile", "--detach", "--log-file=/tmp/ovs-vswitchd.log")
    return wait_for(lambda: sh("ovs-vsctl", "--timeout=5", "show").returncode == 0)


def vsctl(*args):
    return sh("ovs-vsctl", "--timeout=20", *args).stdout.strip()


def test_ovs_bridge(s, pf):
    """OVSBridge= and OVSHardwareOffload= applied through OVSDB to Open vSwitch's own ovsdb-server and
    ovs-vswitchd; ovs-vsctl is the oracle."""
    s.check("Open vSwitch's ovsdb-server and ovs-vswitchd run in the lab VM", ovs_start(),
            open("/tmp/ovsdb-server.log").read() if os.path.exists("/tmp/ovsdb-server.log") else "no log")
    reps = devlink_reps()
    ports = sorted([pf] + list(reps.values()))
    c = conf("ovs.conf", "[PF]\nMatch=name:%s\nNumVFs=4\nEswitchMode=switchdev\nOVSBridge=ovs-sriov\n"
                         "OVSHardwareOffload=yes\n" % pf)
    rc, out, err = vfctl("plan", "-c", c)
    s.check("plan: one ovsdb step: the bridge created with the uplink and the 4 representors, hw-offload, and "
            "that ovs-vswitchd must restart for it",
            rc == 0 and out.count("ovsdb:") == 1 and "bridge ovs-sriov: create it, add uplink %s" % pf in out and
            all("%s (vf %d)" % (reps[i], i) in out for i in range(4)) and "other_config:hw-offload true" in out and
            "restart" in out, out + err)
    s.check("plan: the uplink and each representor brought up first (they are down: netdevsim's start so)",
            "%s: up (the uplink of bridge ovs-sriov)" % pf in out and
            all("vf %d: representor %s up (a port of ovs-sriov)" % (i, reps[i]) in out for i in range(4)), out)
    rc, out, err = vfctl("apply", "-c", c)
    s.check("apply: done", rc == 0, (rc, out, err))
    s.check("ip link: the uplink and every representor up", all("UP" in json.loads(sh("ip", "-j", "link", "show", d)
                                                                               .stdout)[0]["flags"] for d in ports),
            sh("ip", "-br", "link").stdout)
    s.eq("ovs-vsctl list-ports ovs-sriov: the uplink and every representor", sorted(vsctl("list-ports",
                                                                                         "ovs-sriov").split()), ports)
    s.eq("ovs-vsctl: other_config:hw-offload=\"true\"", vsctl("get", "Open_vSwitch", ".", "other_config:hw-offload"),
         '"true"')
    s.eq("ovs-vsctl list-br: only the bridge asked for", vsctl("list-br"), "ovs-sriov")
    s.note("ovs-vsctl show after vfctl apply:\n" + vsctl("show"))
    rc, doc, _ = vfctl_json("status")
    br = {b["name"]: sorted(b["ports"]) for b in (doc.get("ovs") or {}).get("bridges", [])}
    s.eq("status --json: ovs bridges and ports as ovs-vsctl has them (its internal port included)", br,
         {"ovs-sriov": sorted(ports + ["ovs-sriov"])})
    rc, out, err = vfctl("status", pf)
    s.check("status: the uplink and the 4 representors in bridge ovs-sriov",
            "ovs: bridge ovs-sriov holds the uplink and 4 of 4 representors" in out, out)
    rc, out, err = vfctl("apply", "-c", c)
    s.check("a second apply changes nothing", rc == 0 and "up to date" in out and "ovsdb" not in out, out + err)
    rc, out, err = vfctl("verify", "-c", c)
    s.eq("verify: no drift", rc, 0)
    # A port removed by hand is drift, and apply puts it back.
    vsctl("del-port", "ovs-sriov", reps[2])
    rc, out, err = vfctl("verify", "-c", c)
    s.check("verify: %s removed by hand is drift, named" % reps[2], rc != 0 and "ovsdb" in out and
            "%s (vf 2)" % reps[2] in out, out + err)
    rc, out, err = vfctl("export", pf)
    s.check("export: OVSBridge= and OVSHardwareOffload= not written while a representor is missing, and says why",
            rc == 0 and "\nOVSBridge=" not in out and "1 representor(s) are not" in out and
            "OVSHardwareOffload=yes" in out, out + err)
    rc, out, err = vfctl("apply", "-c", c)
    s.eq("apply puts it back", sorted(vsctl("list-ports", "ovs-sriov").split()), ports)
    rc, out, err = vfctl("export", pf)
    s.check("export: OVSBridge=ovs-sriov and OVSHardwareOffload=yes", rc == 0 and "OVSBridge=ovs-sriov\n" in out and
            "OVSHardwareOffload=yes\n" in out, out + err)
    exported = conf("ovs-exported.conf", out)
    rc, out, err = vfctl("plan", "-c", exported)
    s.check("the export planned on the host it came from: nothing to do", rc == 0 and "ovsdb" not in out, out + err)

    # Unset means untouched: a bridge the file does not name is never read-modify-written.
    vsctl("add-br", "br-other")
    vsctl("add-port", "br-other", "dummy-ovs", "--", "set", "Interface", "dummy-ovs", "type=internal")
    other = vsctl("list-ports", "br-other")

    # A failure injected after the OVSDB transaction: the run rolls back, the bridge goes again.
    vsctl("del-br", "ovs-sriov")
    vsctl("set", "Open_vSwitch", ".", "other_config:hw-offload=false")
    sh("ip", "link", "set", pf, "up")
    for r in reps.values():
        sh("ip", "link", "set", r, "down")
    cf = conf("ovs-fail.conf", "[PF]\nMatch=name:%s\nNumVFs=4\nEswitchMode=switchdev\nOVSBridge=ovs-sriov\n"
                               "OVSHardwareOffload=yes\nUp=no\n" % pf)
    rc, doc, _ = vfctl_json("plan", "-c", cf)
    acts = [st["action"] for st in doc.get("steps", [])]
    k = acts.index("ovsdb") + 2 if "ovsdb" in acts else 0
    s.check("plan: the representors up, the ovsdb step, then the PF down",
            acts == ["representor-link"] * 4 + ["ovsdb", "pf-down"], acts)
    rc, out, err = vfctl("apply", "-c", cf, env=dict(os.environ, VFCTL_TEST_FAIL_STEP=str(k)))
    s.check("injected failure at step %d, after the OVSDB transaction: rolled back" % k,
            rc == 1 and "injected failure" in out and "restored to its state before this run" in out, out + err)
    s.eq("rollback: bridge ovs-sriov removed again (ovs-vsctl list-br)", vsctl("list-br"), "br-other")
    s.eq("rollback: hw-offload back to false", vsctl("get", "Open_vSwitch", ".", "other_config:hw-offload"),
         '"false"')
    s.eq("br-other untouched throughout", vsctl("list-ports", "br-other"), other)
    s.check("rollback: the representors down again, as they were",
            not any("UP" in json.loads(sh("ip", "-j", "link", "show", r).stdout)[0]["flags"] for r in reps.values()),
            sh("ip", "-br", "link").stdout)

    # A representor that is a port of a bridge the file does not name: refused with FILE:LINE.
    vsctl("add-port", "br-other", reps[3])
    rc, out, err = vfctl("plan", "-c", c)
    s.check("a representor in another bridge: FILE:LINE, the bridge named, nothing taken from it",
            rc == 2 and "%s:5: OVSBridge=ovs-sriov: %s is a port of bridge br-other" % (c, reps[3]) in err, (rc, out, err))
    vsctl("del-port", "br-other", reps[3])
    rc, out, err = vfctl("apply", "-c", c)
    s.check("apply once more: bridge and ports back", rc == 0 and
            sorted(vsctl("list-ports", "ovs-sriov").split()) == ports, out + err)
    c2 = conf("ovs-legacy.conf", "[PF]\nMatch=name:%s\nEswitchMode=legacy\nOVSBridge=ovs-sriov\n" % pf)
    rc, out, err = vfctl("plan", "-c", c2)
    s.check("OVSBridge= with EswitchMode=legacy: FILE:LINE", rc == 2 and
            "%s:4: OVSBridge= needs EswitchMode=switchdev" % c2 in err, (rc, out, err))
    vsctl("del-br", "ovs-sriov")
    vsctl("del-br", "br-other")
    vsctl("remove", "Open_vSwitch", ".", "other_config", "hw-offload")
    # The later tests' doctor reads /etc/openvswitch/conf.db, and tc finds the ingress qdiscs
    # ovs-vswitchd's tc offload added: no Open vSwitch from here on.
    sh("ovs-appctl", "-t", "ovs-vswitchd", "exit")
    sh("ovs-appctl", "-t", "ovsdb-server", "exit")
    os.unlink("/etc/openvswitch/conf.db")
    for d in [pf] + list(devlink_reps().values()):
        sh("tc", "qdisc", "del", "dev", d, "ingress", check=False)
    # The uplink and the representors as this test found them (down): the doctor's tests expect
    # that, and a link up sends packets that change the counters later tests compare.
    for r in [pf] + list(devlink_reps().values()):
        sh("ip", "link", "set", r, "down")


def test_vdpa(s):
    for m in ("vdpa", "vhost_vdpa", "virtio_vdpa", "vdpa_sim", "vdpa_sim_net"):
        sh("modprobe", m)
    _, doc, _ = vfctl_json("status")
    mg = [m for m in doc["host"]["vdpa"]["mgmtdevs"]] if doc["host"].get("vdpa") else doc["vdpa"]["mgmtdevs"]
    s.check("status lists the vdpa_sim_net management device with class net",
            any(m["name"] == "vdpasim_net" and "net" in m["classes"] for m in mg), mg)
    c = conf("vdpa.conf", "[VDPA]\nName=vdpa0\nMgmtDev=vdpasim_net\nDriver=vhost\nMACAddress=02:00:00:00:be:ef\n")
    rc, out, err = vfctl("apply", "-c", c)
    s.check("apply [VDPA]: created and bound to vhost_vdpa", rc == 0 and "vdpa vdpa0: create on vdpasim_net" in out and
            os.path.realpath("/sys/bus/vdpa/devices/vdpa0/driver").endswith("vhost_vdpa"), out + err)
    vh = [x for x in os.listdir("/sys/bus/vdpa/devices/vdpa0") if x.startswith("vhost-vdpa-")]
    s.check("/dev/%s exists" % (vh[0] if vh else "vhost-vdpa-?"), vh and os.path.exists("/dev/" + vh[0]), vh)
    rc, out, err = vfctl("apply", "-c", c)
    s.check("[VDPA]: re-apply up to date", rc == 0 and "up to date" in out, out)
    _, doc, _ = vfctl_json("status")
    dev = [d for d in doc["vdpa"]["devices"] if d["name"] == "vdpa0"]
    s.check("status: vdpa0 on vdpasim_net, vhost_vdpa, its /dev node", dev and dev[0]["driver"] == "vhost_vdpa" and
            dev[0]["vhost"] == "/dev/" + vh[0], dev)
    rc, args, err = vfctl("emit", "qemu", "vdpa0")
    s.check("emit qemu vdpa0: -netdev vhost-vdpa and virtio-net-pci", rc == 0 and
            "-netdev vhost-vdpa,vhostdev=/dev/%s,id=vdpa0" % vh[0] in args, args + err)
    sock = os.path.join(TMP, "qmp-vdpa.sock")
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-M", "q35", "-m", "128", "-nodefaults", "-display", "none", "-S",
           "-qmp", "unix:%s,server=on,wait=off" % sock]
    for line in args.split("\n"):
        cmd += line.split(" ", 1) if line else []
    q = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        res = qmp(sock, "query-pci", "quit")
        ids = [(d["id"]["vendor"], d["id"]["device"]) for bus in res[0]["return"] for d in bus["devices"]]
        s.check("nested QEMU with emit's arguments lists a virtio-net device", (0x1af4, 0x1000) in ids or
                (0x1af4, 0x1041) in ids, ids)
        s.eq("nested QEMU quits cleanly", q.wait(timeout=60), 0)
    except Exception as e:
        q.kill()
        s.check("nested QEMU with vhost-vdpa ran", False, "%s %s" % (e, q.communicate()[1][-1500:]))
    rc, xml, _ = vfctl("emit", "libvirt", "vdpa0")
    s.check("emit libvirt vdpa0: <interface type='vdpa'>", "<interface type='vdpa'>" in xml and
            "<source dev='/dev/%s'/>" % vh[0] in xml, xml)
    virt = conf("vdpa-virtio.conf", "[VDPA]\nName=vdpa1\nMgmtDev=vdpasim_net\nDriver=virtio\n")
    rc, out, err = vfctl("apply", "-c", virt)
    _, doc, _ = vfctl_json("status")
    dev = [d for d in doc["vdpa"]["devices"] if d["name"] == "vdpa1"]
    s.check("Driver=virtio: virtio_vdpa gives a host netdev", rc == 0 and dev and dev[0]["driver"] == "virtio_vdpa" and
            dev[0]["netdev"], (out + err, dev))
    # vDPA guests want shared huge pages (vhost-vdpa pins guest memory): doctor says so until some are reserved.
    write("/proc/sys/vm/nr_hugepages", "0")
    _, doc, _ = vfctl_json("doctor")
    f = [x for x in doc["findings"] if x["id"] == "vdpa.hugepages"]
    s.check("doctor: vDPA devices and no huge pages: info with the fix",
            len(f) == 1 and f[0]["severity"] == "info" and "hugepages=" in f[0]["fix"], f)
    write("/proc/sys/vm/nr_hugepages", "4")
    _, doc, _ = vfctl_json("doctor")
    f = [x for x in doc["findings"] if x["id"] == "vdpa.hugepages"]
    s.check("doctor: 4 huge pages reserved: ok", len(f) == 1 and f[0]["severity"] == "ok" and
            "HugePages_Total 4" in f[0]["evidence"], f)
    write("/proc/sys/vm/nr_hugepages", "0")
    rc, out, err = vfctl("export", "--json")
    files = {f["name"]: f["text"] for f in json.loads(out)["files"]} if rc == 0 else {}
    s.check("export: a [VDPA] file per vDPA device, with its management device and driver",
            "Name=vdpa0\nMgmtDev=vdpasim_net\nDriver=vhost" in files.get("vdpa-vdpa0.conf", "") and
            "Driver=virtio" in files.get("vdpa-vdpa1.conf", ""), (files, err))
    rc, out, err = vfctl("vdpa", "add", "vdpa2", "vdpasim_net", "vhost")
    rc2, lst, _ = vfctl("vdpa", "list")
    s.check("vfctl vdpa add / list", rc == 0 and "device vdpa2 on vdpasim_net: vhost_vdpa /dev/vhost-vdpa-" in lst, out + err + lst)
    rc, out, err = vfctl("vdpa", "del", "vdpa2")
    s.check("vfctl vdpa del", rc == 0 and not os.path.exists("/sys/bus/vdpa/devices/vdpa2"), out + err)
    gone = conf("vdpa-gone.conf", "[VDPA]\nName=vdpa0\nPresent=no\n[VDPA]\nName=vdpa1\nPresent=no\n")
    rc, out, err = vfctl("apply", "-c", gone)
    s.check("Present=no: both deleted, nothing left behind", rc == 0 and os.listdir("/sys/bus/vdpa/devices") == [] and
            not [x for x in os.listdir("/dev") if x.startswith("vhost-vdpa")], out + err)


def test_invalid(s, pf):
    igb = find_pci("0x8086", "0x10c9")[0]
    before = read("%s/%s/sriov_numvfs" % (SYS, igb))
    bad = conf("bad-sw.conf", "[PF]\nMatch=pci:%s\nNumVFs=2\nEswitchMode=switchdev\n" % igb)
    rc, out, err = vfctl("apply", "-c", bad)
    s.check("EswitchMode=switchdev on igb: FILE:LINE, nothing changed", rc == 2 and
            "%s:4: EswitchMode=switchdev: %s (driver igb) has no devlink eswitch" % (bad, igb) in err and
            read("%s/%s/sriov_numvfs" % (SYS, igb)) == before, err)
    bad = conf("bad-vdpa.conf", "[PF]\nMatch=pci:%s\nNumVFs=2\n[VF:0]\nVDPA=vhost\n[VDPA]\nName=x\nMgmtDev=nosuch\n" % igb)
    rc, out, err = vfctl("apply", "-c", bad)
    s.check("VDPA= on igb VFs and an unknown MgmtDev=: both FILE:LINE, nothing changed", rc == 2 and
            "%s:5: VDPA= on VFs of %s: no vDPA management device for them (driver igb makes none)" % (bad, igb) in err and
            "%s:8: MgmtDev=nosuch: no such vDPA management device on this host" % bad in err and
            read("%s/%s/sriov_numvfs" % (SYS, igb)) == before, err)


def leaf_tx(port):
    """(tx_share, tx_max) of a port's devlink rate leaf in Mbit/s, as iproute2's devlink shows it."""
    doc = json.loads(sh("devlink", "-j", "port", "function", "rate", "show").stdout or "{}").get("rate", {})
    r = doc.get(port, {})

    def mbit(v):
        if isinstance(v, (int, float)):
            return int(v * 8 / 1e6)  # bytes/s
        v = str(v or "0")
        for unit, mult in (("Gbit", 1000), ("Mbit", 1), ("Kbit", 0.001), ("bit", 1e-6)):
            if v.endswith(unit):
                return int(float(v[:-len(unit)]) * mult)
        return int(v)
    return mbit(r.get("tx_share", 0)), mbit(r.get("tx_max", 0))


def representor_findings():
    _, doc, _ = vfctl_json("doctor")
    return {f["id"]: f.get("evidence") or "" for f in doc["findings"] if f["id"].startswith("switchdev.representor")}


def test_representor_doctor(s, pf, reps):
    """doctor names the representors that are down or in no bridge (their VFs' slow path goes
    nowhere); one brought up in a bridge drops out of both."""
    f = representor_findings()
    s.check("doctor: all 4 representors down and in no bridge, named", all(
        "%s (VF %d)" % (reps[i], i) in f.get("switchdev.representor-down", "") and
        "%s (VF %d)" % (reps[i], i) in f.get("switchdev.representor-unbridged", "") for i in range(4)), f)
    sh("ip", "link", "add", "br-doc", "type", "bridge")
    sh("ip", "link", "set", reps[0], "master", "br-doc")
    sh("ip", "link", "set", reps[0], "up")
    f = representor_findings()
    s.check("doctor: VF 0's representor, up in a bridge, no longer named; the others still are",
            reps[0] not in f.get("switchdev.representor-down", "") and
            reps[0] not in f.get("switchdev.representor-unbridged", "") and
            reps[1] in f.get("switchdev.representor-down", ""), f)
    sh("ip", "link", "set", reps[0], "down")
    sh("ip", "link", "del", "br-doc")


def test_offload_status(s, pf, reps):
    """status --offload: the uplink and each representor with hw-tc-offload and the tc filters on
    their ingress, as tc -s filter show and ethtool -k (the oracles) report them. netdevsim offloads
    no flower filter: a filter added by hand is not_in_hw."""
    rep = reps[1]
    sh("tc", "qdisc", "add", "dev", rep, "clsact")
    p = sh("tc", "filter", "add", "dev", rep, "ingress", "protocol", "ip", "pref", "7", "flower", "dst_ip", "10.9.9.9",
           "action", "drop")
    s.check("by hand: a flower filter on %s's ingress" % rep, p.returncode == 0, p.stderr)
    tc = [f for f in json.loads(sh("tc", "-s", "-j", "filter", "show", "dev", rep, "ingress").stdout or "[]")
          if "options" in f]
    rc, out, err = vfctl("status", "--offload", pf, "--json")
    doc = json.loads(out) if rc == 0 else {}
    port = {p["netdev"]: p for p in doc.get("ports", [])}
    got = [(f["pref"], f["handle"], f["kind"], f["in_hw"]) for f in port.get(rep, {}).get("filters", [])]
    want = [(f["pref"], f["options"]["handle"], f["kind"], not f["options"].get("not_in_hw", False)) for f in tc]
    s.check("status --offload --json: %s's filter as tc -s filter show has it (pref 7, flower, not_in_hw)" % rep,
            got == want == [(7, 1, "flower", False)], (got, want, err))
    s.eq("status --offload: the uplink and 4 representors, each with hw-tc-offload as ethtool -k says",
         {n: p["hw_tc_offload"] for n, p in port.items()},
         {d: "hw-tc-offload: on" in sh("ethtool", "-k", d).stdout for d in [pf] + list(reps.values())})
    s.check("status --offload: the others have no filters", all(not p["filters"] for n, p in port.items() if n != rep),
            port)
    _, doc, _ = vfctl_json("doctor")
    f = [x for x in doc["findings"] if x["id"] == "switchdev.flows-not-in-hw"]
    s.check("doctor: %s's filter not in hardware, warned, hw-tc-offload off named as the reason" % rep,
            f and f[0]["severity"] == "warn" and "%s: 1 of 1 filters not in hardware (hw-tc-offload is off on it)" % rep
            in f[0]["evidence"], f)
    rc, out, err = vfctl("metrics", "--no-doctor")
    lint = subprocess.run(["promtool", "check", "metrics"], input=out, capture_output=True, text=True)
    s.check("metrics: %s's filter as not in hardware, hw-tc-offload per port, and promtool finds nothing to lint"
            % rep, rc == 0 and 'vfctl_offload_filters{pf="netdevsim10",netdev="%s",vf="1",in_hw="false"} 1' % rep in out
            and 'vfctl_offload_hw_tc_offload{pf="netdevsim10",netdev="%s",vf="uplink"} 0' % pf in out and
            lint.returncode == 0 and not lint.stdout.strip(), (out[-1500:], err, lint.stdout, lint.stderr))
    rc, out, err = vfctl("status", "--offload", pf)
    s.note("vfctl status --offload %s:\n%s" % (pf, out))
    s.check("status --offload (text): the filter, not_in_hw, under its VF", rc == 0 and
            "pref 7 chain 0 handle 0x1 flower   not_in_hw" in out and "vf 1" in out, out + err)
    rc, out, err = vfctl("status", "--offload", "0000:00:00.0")
    s.check("status --offload on a device that is not a switchdev PF: refused, said so", rc != 0 and err.strip(), err)
    sh("tc", "qdisc", "del", "dev", rep, "clsact")


def test_rates(s, pf):
    """In switchdev mode a VF's rates are its eswitch port's devlink rate leaf: netdevsim refuses
    RTM_SETLINK IFLA_VF_RATE then (EOPNOTSUPP). The issue's case: a leaf's tx_max set by hand,
    exported as MaxTxRate=, must apply; vfctl sets rates through the leaf and says so in plan."""
    ports = json.loads(sh("devlink", "-j", "port", "show").stdout)["port"]
    vf1 = next(n for n, p in ports.items() if n.startswith("netdevsim/netdevsim10/") and p.get("flavour") == "pcivf" and
               p.get("vfnum") == 1)
    p = sh("devlink", "port", "function", "rate", "set", vf1, "tx_max", "100mbit")
    s.check("by hand: devlink port function rate set %s tx_max 100mbit" % vf1, p.returncode == 0, p.stderr)
    rc, out, err = vfctl("export", pf)
    vf1_section = out.split("[VF:1]\n", 1)[-1].split("\n\n", 1)[0]
    s.check("export: VF 1's leaf as MaxTxRate=100", rc == 0 and "MaxTxRate=100" in vf1_section.splitlines(), out + err)
    exported = conf("exported.conf", out)
    c = conf("rate.conf", "[PF]\nMatch=name:%s\nNumVFs=4\nEswitchMode=switchdev\n\n[VF:1]\nMaxTxRate=200\n"
                          "MinTxRate=50\n" % pf)
    rc, out, err = vfctl("plan", "-c", c)
    s.check("plan: the rate goes through the devlink rate leaf, and says so",
            rc == 0 and "vf 1: devlink rate leaf tx_share 50 tx_max 200 Mbit/s (switchdev mode" in out, out + err)
    rc, out, err = vfctl("apply", "-c", c)
    s.check("apply MaxTxRate=200 MinTxRate=50 in switchdev mode: done (no IFLA_VF_RATE)", rc == 0, out + err)
    s.eq("devlink (iproute2) shows VF 1's leaf with tx_share 50 and tx_max 200 Mbit/s", leaf_tx(vf1), (50, 200))
    rc, out, err = vfctl("verify", "-c", c)
    s.eq("verify: no drift", rc, 0)
    rc, out, err = vfctl("apply", "-c", exported)
    # MinTxRate= is not in the export (it was 0): left as it is, as every key not given.
    s.check("the export applied: VF 1 back to tx_max 100, tx_share untouched (the issue's 'Operation not "
            "supported' gone)", rc == 0 and leaf_tx(vf1) == (50, 100), (out, err, leaf_tx(vf1)))


def rate_objects():
    """devlink port function rate show -j (the oracle): name -> object."""
    return json.loads(sh("devlink", "-j", "port", "function", "rate", "show").stdout or "{}").get("rate", {})


def test_rate_groups(s, pf):
    """[RateGroup] and RateGroup=: a devlink rate node with its limits and VF leafs under it, set
    and read back by iproute2's devlink; a node is deleted by a rollback only if the run made it."""
    ports = json.loads(sh("devlink", "-j", "port", "show").stdout)["port"]
    vfport = {p["vfnum"]: n for n, p in ports.items() if n.startswith("netdevsim/netdevsim10/") and
              p.get("flavour") == "pcivf"}
    c = conf("groups.conf", "[PF]\nMatch=name:%s\nNumVFs=4\nEswitchMode=switchdev\n\n[RateGroup]\nName=tenant1\n"
                            "MaxTxRate=400\nMinTxRate=100\n\n[VF:0-1]\nRateGroup=tenant1\n" % pf)
    rc, out, err = vfctl("plan", "-c", c)
    s.check("plan: the node first, then the two leafs under it",
            rc == 0 and out.find("devlink rate node tenant1: add tx_share 100 tx_max 400 Mbit/s") <
            out.find("vf 0: devlink rate leaf under node tenant1") < out.find("vf 1: devlink rate leaf under node tenant1")
            and out.find("devlink rate node tenant1: add") >= 0, out + err)
    rc, out, err = vfctl("apply", "-c", c)
    s.check("apply [RateGroup]: done", rc == 0, out + err)
    objs = rate_objects()
    node = objs.get("netdevsim/netdevsim10/tenant1", {})
    s.check("devlink: node tenant1 with tx_share 100 and tx_max 400 Mbit/s (bytes/s in JSON)",
            node.get("type") == "node" and node.get("tx_share") == 100 * 125000 and node.get("tx_max") == 400 * 125000,
            objs)
    s.eq("devlink: the leafs of VF 0 and 1 under tenant1, VF 2 and 3 under none",
         [objs.get(vfport[i], {}).get("parent") for i in range(4)], ["tenant1", "tenant1", None, None])
    s.note("devlink port function rate show after apply:\n" + sh("devlink", "port", "function", "rate", "show").stdout)
    rc, out, err = vfctl("apply", "-c", c)
    s.check("a second apply changes nothing", rc == 0 and "up to date" in out, out + err)
    rc, out, err = vfctl("metrics", "--no-doctor")
    s.check("metrics: the group's tx_max and VF 0 and 1 under it",
            'vfctl_rate_group_max_tx_rate_mbps{pf="netdevsim10",netdev="%s",group="tenant1"} 400' % pf in out and
            all('vfctl_vf_rate_group_info{pf="netdevsim10",vf="%d",group="tenant1"} 1' % i in out for i in (0, 1)),
            out[:3000] + err)
    _, doc, _ = vfctl_json("status", pf)
    d = doc["devices"][0]
    s.eq("status --json: the node and the VFs' rate_group",
         ([(g["name"], g["min_tx_rate"], g["max_tx_rate"]) for g in d["sriov"]["eswitch"]["rate_groups"]],
          [v["rate_group"] for v in d["vfs"]]), ([("tenant1", 100, 400)], ["tenant1", "tenant1", None, None]))
    # Drift: a leaf moved out by hand.
    sh("devlink", "port", "function", "rate", "set", vfport[1], "noparent")
    rc, out, err = vfctl("verify", "-c", c)
    s.check("verify: VF 1's leaf out of its group by hand is drift", rc != 0 and "vf 1: devlink rate leaf under node "
            "tenant1" in out, out + err)
    rc, out, err = vfctl("export", pf)
    s.check("export: [RateGroup] tenant1 with its limits, RateGroup= on VF 0 only (VF 1 was moved out)",
            rc == 0 and "[RateGroup]\nName=tenant1\nMinTxRate=100\nMaxTxRate=400\n" in out and
            "RateGroup=tenant1" in out.split("[VF:0]")[1].split("[VF:1]")[0] and
            "RateGroup=" not in out.split("[VF:1]")[1].split("\n\n")[0], out + err)
    rc, out, err = vfctl("apply", "-c", c)
    s.eq("apply puts VF 1 back under tenant1", rate_objects().get(vfport[1], {}).get("parent"), "tenant1")
    # An injected failure after the node and the leafs: the node this run made goes again.
    c2 = conf("groups2.conf", open(c).read() + "\n[RateGroup]\nName=tenant2\nMaxTxRate=200\n\n[VF:2]\n"
                                               "RateGroup=tenant2\n")
    sh("ip", "link", "set", pf, "up")
    c2 = conf("groups2.conf", open(c2).read().replace("EswitchMode=switchdev\n", "EswitchMode=switchdev\nUp=no\n"))
    rc, doc, _ = vfctl_json("plan", "-c", c2)
    acts = [st["action"] for st in doc.get("steps", [])]
    s.eq("plan: tenant2 added, VF 2 under it, then the PF down", acts, ["rate-group-add", "vf-rate-group", "pf-down"])
    rc, out, err = vfctl("apply", "-c", c2, env=dict(os.environ, VFCTL_TEST_FAIL_STEP="3"))
    objs = rate_objects()
    s.check("injected failure after the leaf moved: rolled back, tenant2 deleted, VF 2 under none, tenant1 kept",
            rc == 1 and "restored to its state before this run" in out and
            "netdevsim/netdevsim10/tenant2" not in objs and "parent" not in objs.get(vfport[2], {}) and
            objs.get("netdevsim/netdevsim10/tenant1", {}).get("tx_max") == 400 * 125000, (out, err, objs))
    bad = conf("groups-bad.conf", "[PF]\nMatch=name:%s\nEswitchMode=switchdev\n\n[VF:0]\nRateGroup=nosuch\n" % pf)
    rc, out, err = vfctl("plan", "-c", bad)
    s.check("RateGroup= naming no [RateGroup]: FILE:LINE", rc == 2 and
            "%s:6: RateGroup=nosuch: no [RateGroup] section with Name=nosuch in this file" % bad in err, (rc, err))
    # Back to no groups: leafs out, node deleted (by hand: vfctl removes only what a rollback undoes).
    for i in (0, 1):
        sh("devlink", "port", "function", "rate", "set", vfport[i], "noparent")
    sh("devlink", "port", "function", "rate", "del", "netdevsim/netdevsim10/tenant1")


def test_port_function_caps(s, pf):
    """RoCE=/Migratable= are devlink port function capabilities: netdevsim's VF ports report none
    (devlink port show has no caps in their function), so plan refuses up front with FILE:LINE and
    the reason, and nothing changes."""
    ports = json.loads(sh("devlink", "-j", "port", "show").stdout)["port"]
    vf1 = [p for n, p in ports.items() if n.startswith("netdevsim/netdevsim10/") and p.get("flavour") == "pcivf" and
           p.get("vfnum") == 1]
    s.check("devlink (iproute2) shows netdevsim's VF 1 port without a migratable capability",
            len(vf1) == 1 and "migratable" not in json.dumps(vf1[0]), vf1)
    c = conf("mig.conf", "[PF]\nMatch=name:%s\nNumVFs=4\nEswitchMode=switchdev\n\n[VF:1]\nMigratable=yes\n" % pf)
    before = status_nsim()
    rc, out, err = vfctl("apply", "-c", c)
    s.check("Migratable= on netdevsim: FILE:LINE and the reason, exit 2", rc == 2 and
            "%s:7: Migratable= cannot be set on netdevsim10" % c in err and
            "its VF ports report no migratable capability" in err, (rc, out, err))
    s.eq("Migratable= refused: the PF as before", status_nsim(), before)
    c = conf("mig-legacy.conf", "[PF]\nMatch=name:%s\nNumVFs=4\nEswitchMode=legacy\n\n[VF]\nRoCE=no\n" % pf)
    rc, out, err = vfctl("plan", "-c", c)
    s.check("RoCE= with EswitchMode=legacy: FILE:LINE, switchdev named", rc == 2 and
            "%s:7: RoCE= is a capability of the VF's devlink port function, which exists in switchdev mode only" % c
            in err, (rc, out, err))


def main():
    s = Suite("lab-switchdev")
    pf = nsim_setup()
    reps = {}
    try:
        reps = test_switchdev(s, pf)
    except Exception as e:
        s.check("switchdev tests ran", False, e)
    if reps:
        s.run(test_ovs, pf)
        s.run(test_ovs_bridge, pf)
        s.run(test_port_function_caps, pf)
        s.run(test_rates, pf)
        s.run(test_rate_groups, pf)
        s.run(test_representor_doctor, pf, reps)
        s.run(test_offload_status, pf, reps)
        s.run(test_held_mode_change, pf, reps)
    s.run(test_vdpa)
    s.run(test_invalid, pf)
    s.finish()


if __name__ == "__main__":
    main()
