#!/usr/bin/env python3
"""Lab tier lab-ansible: ansible-playbook, local connection, inside the lab VM booted with the host's
systemd. The role installs the packages from make deb, deploys examples/lab.conf through
vfctl.host.vfctl_config, enables vfctl.service and runs doctor; then a second run (changed=0), check
mode (steps reported, nothing changed), an invalid configuration (vfctl's FILE:LINE message, host and
/etc/vfctl unchanged) and the facts."""
import glob
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
from harness import Suite  # noqa: E402
from test_lab import SYS, find_pci, read  # noqa: E402

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BOOKS = os.path.join(TOP, "tests", "lab", "ansible")


def playbook(name, *args):
    """ansible-playbook with ansible-core alone and the tier's JSON callback (ansible.cfg next to the
    playbooks): (rc, the callback's document, stderr)."""
    debs = os.environ.get("vfctl_debs", "")
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(BOOKS, "ansible.cfg"), HOME="/root",
               VFCTL_DEBS=",".join(sorted(glob.glob(debs + "/libvfctl2_*.deb")) + sorted(glob.glob(debs + "/vfctl_*.deb"))),
               VFCTL_LAB_CONF=os.path.join(TOP, "examples", "lab.conf"))
    p = subprocess.run(["ansible-playbook", "-i", "localhost,", os.path.join(BOOKS, name), *args], capture_output=True,
                       text=True, env=env, timeout=600)
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        doc = {"stats": {}, "plays": [], "raw": p.stdout[-3000:]}
    return p.returncode, doc, p.stderr


def stats(doc):
    return doc["stats"].get("localhost", {})


def recap(doc):
    """The PLAY RECAP line, from the json callback's stats."""
    s = stats(doc)
    return "localhost : " + " ".join("%s=%d" % (k, s.get(k, 0)) for k in
                                     ("ok", "changed", "unreachable", "failures", "skipped", "rescued", "ignored"))


def task(doc, name):
    for play in doc["plays"]:
        for t in play["tasks"]:
            if name in t["task"]["name"]:  # the json callback prefixes a role's tasks with "ROLE : "
                return t["hosts"].get("localhost", {})
    return {}


def host_state(igb):
    n = int(read("%s/%s/sriov_numvfs" % (SYS, igb)))
    return (n, [os.path.basename(os.readlink("%s/%s/virtfn%d/driver" % (SYS, igb, i)))
                if os.path.exists("%s/%s/virtfn%d/driver" % (SYS, igb, i)) else None for i in range(n)])


def main():
    s = Suite("lab-ansible")
    igb = find_pci("0x8086", "0x10c9")[0]
    s.eq("before: the package is not installed, the igb has no VFs",
         (os.path.exists("/usr/sbin/vfctl") or os.path.exists("/usr/bin/vfctl"), host_state(igb)[0]), (False, 0))
    rc, doc, err = playbook("site.yml")
    s.note("first run: " + recap(doc))
    s.check("first run: exit 0, nothing failed, changes made", rc == 0 and stats(doc).get("failures") == 0 and
            stats(doc).get("changed", 0) >= 3, (rc, recap(doc), err[-2000:], doc.get("raw", "")))
    dep = task(doc, "Deploy each configuration")
    res = (dep.get("results") or [{}])[0]
    texts = [x["text"] for x in res.get("steps", [])]
    s.check("first run: vfctl_config changed, with the plan's steps (3 VFs, MACs, vfio-pci)",
            res.get("changed") and any("sriov_numvfs 0 -> 3" in t for t in texts) and
            any("vfio-pci" in t for t in texts), texts)
    s.eq("first run: the igb has 3 VFs, VF 1 on vfio-pci", host_state(igb), (3, ["igbvf", "vfio-pci", "igbvf"]))
    st = os.stat("/etc/vfctl/lab.conf")
    s.eq("first run: /etc/vfctl/lab.conf root-owned, 0644", (st.st_uid, st.st_mode & 0o777), (0, 0o644))
    p = subprocess.run(["systemctl", "is-enabled", "vfctl.service"], capture_output=True, text=True)
    s.eq("first run: the role enabled vfctl.service", p.stdout.strip(), "enabled")
    s.check("first run: doctor ran, no error finding", task(doc, "Read the host and run vfctl doctor")
            .get("ansible_facts", {}).get("vfctl_worst") in ("ok", "info", "warn"), task(doc, "Read the host"))

    rc, doc, err = playbook("site.yml")
    s.note("second run: " + recap(doc))
    s.eq("second run: changed=0, nothing failed", (rc, stats(doc).get("changed"), stats(doc).get("failures")), (0, 0, 0))

    before = host_state(igb)
    conf_before = open("/etc/vfctl/lab.conf").read()
    rc, doc, err = playbook("change.yml", "--check", "--diff")
    check_doc = doc
    s.note("check mode: " + recap(doc))
    r = task(doc, "The igb with 2 VFs")
    steps = [x["text"] for x in r.get("steps", [])]
    s.check("check mode: changed reported (the config task) with the steps vfctl would take (3 -> 2 VFs)",
            rc == 0 and r.get("changed") and any("sriov_numvfs 3 -> 0" in t for t in steps), (rc, r, err[-1500:]))
    s.check("check mode: the diff shows the file's change", any("NumVFs=2" in (d.get("after") or "")
                                                              for d in r.get("diff", [])), r.get("diff"))
    s.eq("check mode: host and file unchanged", (host_state(igb), open("/etc/vfctl/lab.conf").read()),
         (before, conf_before))

    rc, doc, err = playbook("invalid.yml")
    r = task(doc, "NumVFs is no number")
    s.note("invalid: " + recap(doc))
    s.check("invalid config: the task fails with vfctl's FILE:LINE message for the real path",
            rc != 0 and r.get("failed") and "/etc/vfctl/bad.conf:3: NumVFs=many" in r.get("msg", ""), r)
    s.eq("invalid config: no file written, host unchanged", (os.path.exists("/etc/vfctl/bad.conf"), host_state(igb)),
         (False, before))

    facts = task(check_doc, "Read the host").get("ansible_facts", {})
    pf = [x for x in facts.get("vfctl_pfs", []) if x["id"] == igb]
    s.check("facts: the igb PF with 7 VFs possible, 3 enabled, its VFs listed",
            len(pf) == 1 and (pf[0]["total_vfs"], pf[0]["num_vfs"], len(pf[0]["vfs"])) == (7, 3, 3) and
            pf[0]["vfs"][1]["driver"] == "vfio-pci", facts.get("vfctl_pfs"))
    s.check("facts: status and doctor documents", "host" in facts.get("vfctl_status", {}) and
            "findings" in facts.get("vfctl_doctor", {}))
    s.finish()


if __name__ == "__main__":
    main()
