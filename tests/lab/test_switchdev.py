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
from test_lab import SYS, find_pci, read, sh, wait_for, write  # noqa: E402

TMP = tempfile.mkdtemp(prefix="vfctl-sw-")


def conf(name, text):
    path = os.path.join(TMP, name)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)
    return path


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


def test_invalid(s, pf):
    igb = find_pci("0x8086", "0x10c9")[0]
    before = read("%s/%s/sriov_numvfs" % (SYS, igb))
    bad = conf("bad-sw.conf", "[PF]\nMatch=pci:%s\nNumVFs=2\nEswitchMode=switchdev\n" % igb)
    rc, out, err = vfctl("apply", "-c", bad)
    s.check("EswitchMode=switchdev on igb: FILE:LINE, nothing changed", rc == 2 and
            "%s:4: EswitchMode=switchdev: %s (driver igb) has no devlink eswitch" % (bad, igb) in err and
            read("%s/%s/sriov_numvfs" % (SYS, igb)) == before, err)


def main():
    s = Suite("lab-switchdev")
    pf = nsim_setup()
    reps = {}
    try:
        reps = test_switchdev(s, pf)
    except Exception as e:
        s.check("switchdev tests ran", False, e)
    if reps:
        s.run(test_held_mode_change, pf, reps)
    s.run(test_invalid, pf)
    s.finish()


if __name__ == "__main__":
    main()
