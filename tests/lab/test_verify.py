#!/usr/bin/env python3
"""Lab tier: vfctl verify against the emulated 82576 (igb), whose internal switch forwards between
the PF and its VFs once the PF is up; and, with the VM's second igb, two PFs applied at once. Each datapath check is shown both ways: a configuration the
wire agrees with, and one it must contradict (a VLAN changed by hand, spoof checking asked of a
NIC model that does not enforce it). Then per-VF counters, and vfctl metrics scraped from a real
node_exporter over loopback."""
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
from harness import Suite, vfctl, vfctl_json  # noqa: E402
from test_lab import SYS, find_pci, link_base, netdev_of, sh, wait_for, write_conf  # noqa: E402

CONF = """# verify's lab host: VFs 0 and 1 untagged with the PF, 2 and 3 on VLAN 42, 4 for a VM
[PF]
Match=pci:{pf}
NumVFs=5
Up=yes

[VF]
Driver=auto
MACSpoofCheck={spoof}

[VF:0]
MACAddress=02:00:00:00:01:00
VLANId=0
[VF:1]
MACAddress=02:00:00:00:01:01
VLANId=0
[VF:2]
MACAddress=02:00:00:00:01:02
VLANId=42
[VF:3]
MACAddress=02:00:00:00:01:03
VLANId=42
[VF:4]
MACAddress=02:00:00:00:01:04
Driver=vfio-pci
"""


class Lab:
    def setup(self):
        # QEMU's user network answers router solicitations: SLAAC would give the PF an IPv6 default
        # route a few seconds into the run, and verify --datapath rightly refuses such a PF.
        for k in ("all", "default"):
            with open("/proc/sys/net/ipv6/conf/%s/accept_ra" % k, "w") as f:
                f.write("0")
        for m in ("igb", "igbvf", "vfio-pci"):
            sh("modprobe", m)
        self.igb = find_pci("0x8086", "0x10c9")[0]
        wait_for(lambda: netdev_of(self.igb))
        self.pf = netdev_of(self.igb)
        self.dir = "/tmp/verify-conf"
        os.makedirs(self.dir, exist_ok=True)
        self.conf(spoof="no")

    def conf(self, spoof):
        return write_conf(self.dir, "lab.conf", CONF.format(pf=self.igb, spoof=spoof))

    def vf(self, i):
        return link_base("%s/%s/virtfn%d" % (SYS, self.igb, i))


def checks(doc, kind=None, frm=None, to=None):
    return [c for c in doc["checks"] if (kind is None or c["kind"] == kind) and
            (frm is None or c["from"].endswith(frm)) and (to is None or c["to"].endswith(to))]


def failed(doc):
    return [(c["kind"], c["from"], c["to"], c["seen"]) for c in doc["checks"] if not c["ok"]]


def verify(lab, *args):
    rc, out, err = vfctl("verify", "-c", lab.dir, "--json", *args)
    try:
        return rc, json.loads(out), err
    except ValueError:
        print("# vfctl verify %s: exit %d, no JSON: %s" % (" ".join(args), rc, err.strip().replace("\n", "\n# ")))
        return rc, {"ok": False, "drift": [], "checks": [], "skipped": [], "restored": [], "datapath": False}, err


def show_matrix(doc):
    for c in doc["checks"]:
        print("# %-4s %-10s %-22s -> %-22s vlan %-3d expected %-8s seen %s%s" % (
            "ok" if c["ok"] else "FAIL", c["kind"], c["from"], c["to"], c["vlan"], c["expected"] or "nowhere",
            ",".join(c["seen"]) or "nothing", ("  (" + c["hint"] + ")") if c["hint"] else ""))
    for s in doc["skipped"]:
        print("# skipped %s: %s" % (s["device"], s["why"]))


def test_apply_and_verify(s, lab):
    rc, out, err = vfctl("apply", "-c", lab.dir)
    s.eq("apply: the lab's 5 VFs, two VLANs, one VF on vfio-pci", rc, 0)
    if rc:
        print("# " + (out + err).replace("\n", "\n# "))
    rc, doc, _ = verify(lab)
    s.check("verify (no --datapath) right after apply: no drift, exit 0", rc == 0 and doc["drift"] == [] and doc["ok"],
            doc["drift"])
    s.eq("verify without --datapath sends nothing", (doc["datapath"], doc["checks"]), (False, []))


def test_datapath_pass(s, lab):
    vfio = lab.vf(4)
    t0 = time.time()
    rc, doc, err = verify(lab, "--datapath")
    dt = time.time() - t0
    print("# verify --datapath: %d frames in %.2f s" % (len(doc["checks"]), dt))
    show_matrix(doc)
    s.check("datapath, configuration as applied: every check as the configuration implies, exit 0",
            rc == 0 and doc["ok"] and doc["datapath"] and doc["checks"], failed(doc) or err)
    # 5 ports (PF, VF 0-3): 20 ordered pairs, and a forged frame from each VF that has a peer.
    s.eq("datapath: 20 pair checks and 4 spoofchk checks", (len(doc["checks"]) - len(checks(doc, "spoofchk")),
                                                            len(checks(doc, "spoofchk"))), (20, 4))
    s.check("datapath: VF 0 <-> VF 1 and VF 0 <-> PF reach each other (untagged)",
            all(c["ok"] and c["seen"] == [c["to_netdev"]] for c in
                checks(doc, "reach", " vf 0", " vf 1") + checks(doc, "reach", " vf 1", " vf 0") +
                checks(doc, "reach", " vf 0", lab.igb) + checks(doc, "reach", lab.igb, " vf 0")) and
            len(checks(doc, "reach", " vf 0", lab.igb)) == 1, checks(doc, "reach"))
    s.check("datapath: VF 2 <-> VF 3 reach each other on VLAN 42",
            len(checks(doc, "reach", " vf 2", " vf 3")) == 1 and checks(doc, "reach", " vf 2", " vf 3")[0]["ok"] and
            checks(doc, "reach", " vf 2", " vf 3")[0]["vlan"] == 42, checks(doc, frm=" vf 2"))
    iso = checks(doc, "isolation")
    s.check("datapath: VLAN 42 and untagged are isolated both ways (12 checks, nothing seen)",
            len(iso) == 12 and all(c["ok"] and c["seen"] == [] for c in iso), iso)
    sp = checks(doc, "spoofchk")
    s.check("datapath: with MACSpoofCheck=no, a forged source is expected and arrives",
            all(c["ok"] and c["expected"] and "forged" in c["sent"] for c in sp), sp)
    s.check("datapath: every frame uses a locally administered source or the VF's own, EtherType 0x88b5",
            all("0x88b5" in c["sent"] for c in doc["checks"]))
    s.check("datapath: the vfio-pci VF is skipped, never probed",
            any(x["device"].endswith(" vf 4") and "vfio-pci" in x["why"] for x in doc["skipped"]) and
            not any(c["from"].endswith(" vf 4") or c["to"].endswith(" vf 4") for c in doc["checks"]),
            doc["skipped"])
    s.eq("datapath: the vfio-pci VF is still on vfio-pci", link_base("%s/%s/driver" % (SYS, vfio)), "vfio-pci")
    rc, txt, _ = vfctl("verify", "-c", lab.dir, "--datapath")
    print("# " + txt.replace("\n", "\n# "))
    s.check("datapath: the text report has the matrix and exit 0", rc == 0 and "datapath: 24 test frames" in txt, txt)


def test_drift_vlan(s, lab):
    # Behind vfctl's back: VF 1 onto VLAN 42, where the configuration has it untagged.
    sh("ip", "link", "set", lab.pf, "vf", "1", "vlan", "42")
    rc, doc, _ = verify(lab)
    d = [x for x in doc["drift"] if x["vf"] == 1]
    s.check("drift: verify exits 1 and names VF 1's VLAN (host vlan 42, the configuration 0)",
            rc == 1 and len(doc["drift"]) == 1 and d and d[0]["knob"] == "vf-vlan" and "vlan 42" in d[0]["have"] and
            "vlan 0" in d[0]["want"], doc["drift"])
    rc, txt, _ = vfctl("verify", "-c", lab.dir)
    s.check("drift: the text names the knob, the VF and both values", rc == 1 and "vf-vlan" in txt and
            "host: vlan 42" in txt, txt)
    rc, doc, _ = verify(lab, "--datapath")
    show_matrix(doc)
    bad = [c for c in doc["checks"] if not c["ok"]]
    s.check("drift, datapath: exit 1; every failing check involves VF 1",
            rc == 1 and bad and all(c["from"].endswith(" vf 1") or c["to"].endswith(" vf 1") for c in bad), failed(doc))
    r01 = checks(doc, "reach", " vf 0", " vf 1")
    s.check("drift, datapath: VF 0 -> VF 1 fails (expected at VF 1, seen nowhere), the hint names VF 1 and VLAN 42",
            r01 and not r01[0]["ok"] and r01[0]["seen"] == [] and "vf 1 is on VLAN 42" in r01[0]["hint"], r01)
    i12 = checks(doc, "isolation", " vf 1", " vf 2")
    s.check("drift, datapath: VF 1 -> VF 2 should be isolated but arrives (both on VLAN 42 on the wire)",
            i12 and not i12[0]["ok"] and i12[0]["seen"] == [i12[0]["to_netdev"]], i12)
    rc, _, _ = vfctl("apply", "-c", lab.dir)
    rc2, doc, _ = verify(lab, "--datapath")
    s.check("drift: apply puts VF 1 back, and verify --datapath passes again", rc == 0 and rc2 == 0, failed(doc))


def test_spoofchk_on(s, lab):
    lab.conf(spoof="yes")
    rc, _, _ = vfctl("apply", "-c", lab.dir)
    rc, doc, _ = verify(lab, "--datapath")
    show_matrix(doc)
    sp = checks(doc, "spoofchk")
    # QEMU's igb model does not implement the 82576's anti-spoofing (DTXSWC): the forged frames pass
    # although the PF driver set spoof checking on. verify must say so, not pass.
    s.check("spoofchk on: a forged source is expected to be dropped (4 checks)",
            len(sp) == 4 and all(not c["expected"] for c in sp), sp)
    s.check("spoofchk on: this NIC model forwards it anyway: each spoofchk check fails, exit 1, the hint says "
            "the NIC does not enforce it", rc == 1 and all(not c["ok"] and "does not enforce" in c["hint"] for c in sp),
            sp)
    s.check("spoofchk on: every other check still passes",
            all(c["ok"] for c in doc["checks"] if c["kind"] != "spoofchk"), failed(doc))
    lab.conf(spoof="no")
    vfctl("apply", "-c", lab.dir)


def test_refusals(s, lab):
    sh("ip", "addr", "add", "10.99.0.1/24", "dev", lab.pf)
    sh("ip", "route", "add", "default", "via", "10.99.0.254", "dev", lab.pf)
    rc, out, refusal = vfctl("verify", "-c", lab.dir, "--datapath")
    s.check("default route on the PF: verify --datapath refuses (exit 1) and names --force",
            rc == 1 and "default route" in refusal and "--force" in refusal, refusal)
    rc, doc, err = verify(lab, "--datapath", "--force")
    s.check("default route, --force: the probes run and pass", rc == 0 and doc["checks"], err)
    forged = sum(1 for c in doc["checks"] if c["kind"] == "spoofchk")
    vlans = sorted({c["vlan"] for c in doc["checks"] if c.get("vlan")})
    s.check("the refusal says what --force then sent: the frame count, EtherType, payload, VLANs and the "
            "forged source with its count",
            "would send %d test frames" % len(doc["checks"]) in refusal and "EtherType 0x88b5" in refusal and
            '"vfctl-verify"' in refusal and all(str(v) in refusal for v in vlans) and
            "%d of them with the forged locally administered source 06:76:66:63:74:6c" % forged in refusal,
            (refusal, len(doc["checks"]), forged, vlans))
    sh("ip", "route", "del", "default")
    sh("ip", "addr", "del", "10.99.0.1/24", "dev", lab.pf)
    # The route on a macvlan above the PF: the PF is the uplink all the same.
    sh("ip", "link", "add", "mv0", "link", lab.pf, "type", "macvlan", "mode", "bridge")
    sh("ip", "addr", "add", "10.99.1.1/24", "dev", "mv0")
    sh("ip", "link", "set", "mv0", "up")
    sh("ip", "route", "add", "default", "via", "10.99.1.254", "dev", "mv0")
    rc, out, err = vfctl("verify", "-c", lab.dir, "--datapath")
    s.check("default route on a macvlan above the PF: refused, naming the macvlan",
            rc == 1 and "carries the default route through mv0" in err, err)
    sh("ip", "link", "del", "mv0")
    p = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", os.environ["VFCTL"],
                        "verify", "-c", lab.dir, "--datapath"], capture_output=True, text=True)
    s.check("not root: verify --datapath says it is root only, exit 1", p.returncode == 1 and "root only" in p.stderr,
            p.stderr)
    vfs_down = []
    for i in range(4):
        n = netdev_of(lab.vf(i))
        sh("ip", "link", "set", n, "down")
        vfs_down.append(n)
    rc, doc, err = verify(lab, "--datapath")
    s.check("VF netdevs that are down are set up for the probes (which pass) and listed as restored",
            rc == 0 and sorted(doc["restored"]) == sorted(vfs_down), (doc["restored"], failed(doc), err))
    state = [open("/sys/class/net/%s/flags" % n).read().strip() for n in vfs_down]
    s.check("...and set down again after", all(int(f, 16) & 1 == 0 for f in state), state)
    for n in vfs_down:
        sh("ip", "link", "set", n, "up")


def start_verify(lab, n_down, until):
    """verify --datapath with n_down VF netdevs set down first; returns the process once its progress
    on stderr has had `until` n_down times (or once), and those netdevs."""
    names = [netdev_of(lab.vf(i)) for i in range(n_down)]
    for n in names:
        sh("ip", "link", "set", n, "down")
    p = subprocess.Popen([os.environ["VFCTL"], "verify", "-c", lab.dir, "--datapath", "--wait", "60000"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen, lines = 0, []
    while seen < (n_down if until == "setting it up" else 1):
        line = p.stderr.readline()
        if not line:
            break
        lines.append(line)
        seen += until in line
    return p, names, lines


def is_up(n):
    return int(open("/sys/class/net/%s/flags" % n).read().strip(), 16) & 1 == 1


def test_stopped(s, lab):
    """verify --datapath stopped by SIGTERM or SIGINT sets down the VF netdevs it set up (they
    stayed up forever); killed outright, the next run finds its record and sets them down."""
    for sig in (signal.SIGTERM, signal.SIGINT):
        p, names, lines = start_verify(lab, 2, "setting it up")
        p.send_signal(sig)
        out, err = p.communicate(timeout=60)
        s.check("%s during the probes: exit 1, says it was stopped" % sig.name,
                p.returncode == 1 and "stopped by a signal" in err, (p.returncode, lines, err))
        s.check("%s: the VF netdevs it set up are down again" % sig.name, not any(is_up(n) for n in names), names)
    p, names, lines = start_verify(lab, 2, "test frames between")
    p.kill()
    p.wait()
    record = "/run/vfctl/verify/%d" % p.pid
    s.check("SIGKILL: the netdevs stay up, recorded under /run/vfctl/verify/PID",
            all(is_up(n) for n in names) and os.path.exists(record) and
            sorted(ln.split()[1] for ln in open(record).read().splitlines()) == sorted(names), (names, lines))
    rc, out, err = vfctl("verify", "-c", lab.dir, "--datapath")
    s.check("the next verify --datapath sets them down, naming the killed run, and passes",
            rc == 0 and all("%s: left up by a verify --datapath that was killed (pid %d): set down again" % (n, p.pid)
                            in err for n in names), (rc, err))
    s.check("...they are down and the record is gone", not any(is_up(n) for n in names) and not os.path.exists(record),
            names)
    for n in names:
        sh("ip", "link", "set", n, "up")


def test_stats(s, lab):
    rc, doc, _ = vfctl_json("status", "--stats", lab.igb)
    d = [x for x in doc["devices"] if x["id"] == lab.igb][0]
    vfs = d["vfs"]
    s.check("status --stats: the PF driver's counters (IFLA_VF_STATS) for each of the 5 VFs",
            len(vfs) == 5 and all(v["stats"] is not None and "rx_packets" in v["stats"] for v in vfs), vfs)
    nd = [v["netdev_stats"] for v in vfs[:4]]
    ip = [int(open("/sys/class/net/%s/statistics/tx_packets" % netdev_of(lab.vf(i))).read()) for i in range(4)]
    s.check("status --stats: each VF netdev's own counters (the VF driver's view), tx matching sysfs, after the probes",
            all(n is not None and n["tx_packets"] > 0 for n in nd) and
            all(abs(n["tx_packets"] - t) <= 2 for n, t in zip(nd, ip)), (nd, ip))
    s.eq("status --stats: the vfio-pci VF has no netdev counters", vfs[4]["netdev_stats"], None)
    print("# PF view of VF 0: %s; VF 0's driver: %s" % (vfs[0]["stats"], nd[0]))
    rc, txt, _ = vfctl("status", "--stats", lab.igb)
    s.check("status --stats (text): a 'pf view' and a '(vf driver)' line under the VFs",
            "pf view: rx" in txt and "(vf driver): rx" in txt, txt)


def test_metrics(s, lab):
    tf = "/tmp/textfile"
    os.makedirs(tf, exist_ok=True)
    rc, out, err = vfctl("metrics", "--textfile", tf)
    prom = os.path.join(tf, "vfctl.prom")
    s.check("metrics --textfile: vfctl.prom written, mode 0644, no temporary file left",
            rc == 0 and os.path.exists(prom) and (os.stat(prom).st_mode & 0o777) == 0o644 and
            os.listdir(tf) == ["vfctl.prom"], (rc, err, os.listdir(tf)))
    p = subprocess.run(["promtool", "check", "metrics"], stdin=open(prom), capture_output=True, text=True)
    s.check("metrics: promtool check metrics finds nothing to lint", p.returncode == 0 and not p.stdout.strip() and
            not p.stderr.strip(), p.stdout + p.stderr)
    ne = subprocess.Popen(["prometheus-node-exporter", "--web.listen-address=127.0.0.1:9100",
                           "--collector.disable-defaults", "--collector.textfile",
                           "--collector.textfile.directory=" + tf], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    body = ""
    try:
        def scrape():
            nonlocal body
            try:
                body = urllib.request.urlopen("http://127.0.0.1:9100/metrics", timeout=5).read().decode()
                return True
            except OSError:
                return False
        wait_for(scrape, 30)
    finally:
        ne.terminate()
        ne.wait()
    mine = [ln for ln in body.splitlines() if ln.startswith("vfctl_")]
    with open("/out/scrape.txt", "w") as f:
        f.write("\n".join(ln for ln in body.splitlines() if "vfctl" in ln) + "\n")
    print("# node_exporter scrape, vfctl's series (%d):" % len(mine))
    for ln in mine:
        if not ln.startswith("vfctl_vf_netdev_") and not re.match(r"vfctl_vf_(receive|transmit)_(broadcast|multicast|dropped)", ln):
            print("#   " + ln)
    s.check("node_exporter serves vfctl's series, no textfile error",
            mine and "node_textfile_scrape_error 0" in body, body[-2000:])
    s.check("scrape: vfctl_pf_num_vfs 5 and vfctl_pf_total_vfs 7 for the igb PF",
            'vfctl_pf_num_vfs{netdev="%s",pf="%s"} 5' % (lab.pf, lab.igb) in mine and
            'vfctl_pf_total_vfs{netdev="%s",pf="%s"} 7' % (lab.pf, lab.igb) in mine, mine[:10])
    info = [ln for ln in mine if ln.startswith("vfctl_vf_info{")]
    want = []
    for i in range(5):
        mac = "02:00:00:00:01:0%d" % i
        vlan = "42" if i in (2, 3) else "0"
        drv = "vfio-pci" if i == 4 else "igbvf"
        want.append(any('address="%s"' % lab.vf(i) in ln and 'mac="%s"' % mac in ln and 'vlan="%s"' % vlan in ln and
                        'driver="%s"' % drv in ln and 'vf="%d"' % i in ln and 'spoofchk="off"' in ln for ln in info))
    s.check("scrape: vfctl_vf_info for each VF with its address, MAC, VLAN, driver and spoofchk", all(want) and
            len(info) == 5, info)
    tx = [ln for ln in mine if ln.startswith("vfctl_vf_netdev_transmit_packets_total{")]
    s.check("scrape: the VF netdevs' transmit counters (4 VFs with a netdev), non-zero after the probes",
            len(tx) == 4 and all(float(ln.rsplit(" ", 1)[1]) > 0 for ln in tx), tx)
    s.check("scrape: doctor's findings by id and severity",
            any(ln.startswith("vfctl_doctor_findings{") for ln in mine), mine)


def test_two_pfs(s, lab):
    """The VM's second igb (its own root port): two PF sections are applied at once, one worker
    each, and a failure injected in the second rolls both back (the real kernel; the fake kernel's
    tier proves the writes overlap)."""
    igbs = find_pci("0x8086", "0x10c9")
    if not s.check("two igb PFs in this VM", len(igbs) == 2, igbs):
        return
    other = igbs[1]
    wait_for(lambda: netdev_of(other))
    d = "/tmp/two-pfs"
    os.makedirs(d, exist_ok=True)
    for i, pf in enumerate(igbs):
        write_conf(d, "pf%d.conf" % i, "[PF]\nMatch=pci:%s\nNumVFs=7\nUp=yes\n\n[VF]\nDriver=none\n\n[VF:3]\n"
                   "MACAddress=02:00:00:00:0%d:03\n" % (pf, i))
    before = [open("%s/%s/sriov_numvfs" % (SYS, pf)).read().strip() for pf in igbs]
    rc, doc, _ = vfctl_json("plan", "-c", d)
    n_first = next(i for i, x in enumerate(doc["steps"]) if x["device"].startswith(other[:-1]))
    rc, out, err = vfctl("apply", "-c", d, env=dict(os.environ, VFCTL_TEST_FAIL_STEP=str(n_first + 2)))
    after = [open("%s/%s/sriov_numvfs" % (SYS, pf)).read().strip() for pf in igbs]
    s.check("two PFs, a failure injected in the second: exit 1, the run rolled back, both PFs as before",
            rc == 1 and "(the run was rolled back)" in out and "%s: failed" % other in out and after == before,
            (after, before, out[-1500:], err))
    t0 = time.time()
    rc, out, err = vfctl("apply", "-c", d)
    dt = time.time() - t0
    print("# two igb PFs, 0 -> 7 VFs each, at once: %.2f s" % dt)
    counts = [open("%s/%s/sriov_numvfs" % (SYS, pf)).read().strip() for pf in igbs]
    s.check("two PFs: both get 7 VFs, exit 0, summary 2 changed", rc == 0 and counts == ["7", "7"] and
            "summary: 2 changed" in out, (counts, out[-1500:], err))
    steps = [ln for ln in out.splitlines() if "] " in ln and "/" in ln]
    s.check("two PFs: each step line names its PF",
            steps and all(ln.startswith(igbs[0] + ": ") or ln.startswith(other + ": ") for ln in steps), steps[:6])
    macs = [sh("ip", "-j", "link", "show", netdev_of(pf)).stdout for pf in igbs]
    s.check("two PFs: each PF's VF 3 has its own MAC", "02:00:00:00:00:03" in sh("ip", "link", "show", netdev_of(
        igbs[0])).stdout and "02:00:00:00:01:03" in sh("ip", "link", "show", netdev_of(other)).stdout, macs)
    for i, pf in enumerate(igbs):
        write_conf(d, "pf%d.conf" % i, "[PF]\nMatch=pci:%s\nNumVFs=0\n" % pf)
    rc, out, err = vfctl("apply", "-c", d)
    s.eq("two PFs: back to 0 VFs each", (rc, [open("%s/%s/sriov_numvfs" % (SYS, pf)).read().strip() for pf in igbs]),
         (0, ["0", "0"]))


def main():
    Suite("lab-verify").run_lab(Lab(), (test_apply_and_verify, test_datapath_pass, test_drift_vlan, test_spoofchk_on,
                                        test_refusals, test_stopped, test_stats, test_metrics, test_two_pfs))


if __name__ == "__main__":
    main()
