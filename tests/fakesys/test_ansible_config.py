#!/usr/bin/env python3
"""The Ansible module vfctl.host.vfctl_config against a fake tree, with ansible-core alone (the
lab-ansible tier's settings): what it must refuse before writing (a MAC another file of the
directory gives a VF, a name vfctl would skip, a value that adds lines of its own) and the owner it
must give a file it takes over. vfctl itself decides (plan on the fake tree)."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
import fakesys  # noqa: E402
from harness import VFCTL, Suite  # noqa: E402

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BOOKS = os.path.join(TOP, "tests", "lab", "ansible")
FIX = os.path.join(os.path.dirname(__file__), "fixtures")

PLAY = """- hosts: localhost
  connection: local
  gather_facts: false
  vars: {{d: "{conf}", bin: "{vfctl}"}}
  tasks:
    - name: first file, VF 0 of 01:00.0 gets the MAC
      vfctl.host.vfctl_config:
        name: a
        config_dir: "{{{{ d }}}}"
        vfctl: "{{{{ bin }}}}"
        apply: false
        pf: {{Match: "pci:0000:01:00.0", NumVFs: 2}}
        vfs: {{"0": {{MACAddress: "02:00:00:00:00:0a"}}}}
    - name: second file, the same MAC for VF 0 of 04:00.0
      vfctl.host.vfctl_config:
        name: b
        config_dir: "{{{{ d }}}}"
        vfctl: "{{{{ bin }}}}"
        apply: false
        pf: {{Match: "pci:0000:04:00.0", NumVFs: 2}}
        vfs: {{"0": {{MACAddress: "02:00:00:00:00:0a"}}}}
      ignore_errors: true
    - name: an empty name
      vfctl.host.vfctl_config:
        name: ""
        config_dir: "{{{{ d }}}}"
        vfctl: "{{{{ bin }}}}"
        apply: false
        pf: {{Match: "pci:0000:04:00.0", NumVFs: 1}}
      ignore_errors: true
    - name: a value with a newline
      vfctl.host.vfctl_config:
        name: c
        config_dir: "{{{{ d }}}}"
        vfctl: "{{{{ bin }}}}"
        apply: false
        pf: {{Match: "pci:0000:04:00.0\\n[VF:0]\\nTrust=yes", NumVFs: 1}}
      ignore_errors: true
    - name: a file another user owns, same text
      vfctl.host.vfctl_config:
        name: owned
        config_dir: "{{{{ d }}}}"
        vfctl: "{{{{ bin }}}}"
        apply: false
        content: "[PF]\\nMatch=pci:0000:04:00.0\\nNumVFs=0\\n"
"""


def task(doc, name):
    for play in doc.get("plays", []):
        for t in play["tasks"]:
            if name in t["task"]["name"]:
                return t["hosts"].get("localhost", {})
    return {}


def main():
    s = Suite("ansible-config")
    tmp = tempfile.mkdtemp(prefix="vfctl-ansible-config-")
    root = os.path.join(tmp, "host")
    fakesys.build(os.path.join(FIX, "igb-two.sys"), root)
    wrapper = os.path.join(tmp, "vfctl")
    with open(wrapper, "w") as f:
        f.write('#!/bin/sh\nexec "%s" --sysfs "%s/sys" --procfs "%s/proc" --modules "%s/modules" "$@"\n' %
                (os.path.abspath(VFCTL), root, root, root))
    os.chmod(wrapper, 0o755)
    conf = os.path.join(tmp, "etc-vfctl")
    os.mkdir(conf, 0o755)
    os.chmod(conf, 0o755)
    owned = os.path.join(conf, "owned.conf")
    with open(owned, "w") as f:
        f.write("[PF]\nMatch=pci:0000:04:00.0\nNumVFs=0\n")
    os.chown(owned, 65534, 65534)
    os.chmod(owned, 0o664)
    book = os.path.join(tmp, "play.yml")
    with open(book, "w") as f:
        f.write(PLAY.format(conf=conf, vfctl=wrapper))
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(BOOKS, "ansible.cfg"), HOME=os.environ.get("HOME", "/root"))
    p = subprocess.run(["ansible-playbook", "-i", "localhost,", book], capture_output=True, text=True, env=env,
                       timeout=300)
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        doc = {}
        print("# ansible-playbook gave no JSON: " + (p.stdout + p.stderr)[-2000:].replace("\n", "\n# "))
    a = task(doc, "first file")
    s.check("the first file is written (changed)", a.get("changed") is True and os.path.exists(os.path.join(conf, "a.conf")),
            a)
    b = task(doc, "same MAC")
    s.check("a MAC the other file already gives a VF: failed with vfctl's message naming both files, b.conf not written",
            b.get("failed") is True and "02:00:00:00:00:0a" in b.get("msg", "") and
            os.path.join(conf, "a.conf") in b.get("msg", "") and not os.path.exists(os.path.join(conf, "b.conf")),
            b.get("msg"))
    e = task(doc, "empty name")
    s.check("name \"\": refused (it would write .conf, a hidden file vfctl never reads)",
            e.get("failed") is True and "not starting with '.'" in e.get("msg", "") and
            not os.path.exists(os.path.join(conf, ".conf")), e.get("msg"))
    n = task(doc, "newline")
    s.check("a value with a newline: refused, no file (it would have added a [VF:0] section)",
            n.get("failed") is True and "line break" in n.get("msg", "") and
            not os.path.exists(os.path.join(conf, "c.conf")), n.get("msg"))
    o = task(doc, "another user owns")
    st = os.stat(owned)
    s.check("a file another user owns, same text: given to root, mode 0644, changed",
            o.get("changed") is True and (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (0, 0, 0o644),
            (o, st.st_uid, oct(st.st_mode)))
    s.finish()


if __name__ == "__main__":
    main()
