#!/usr/bin/python
# SPDX-License-Identifier: LGPL-2.1-or-later
# The module asks vfctl for everything it decides: `vfctl plan -c` validates the text and says what
# would change, `vfctl apply -c` changes it. It only writes the file.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: vfctl_config
short_description: One vfctl configuration file, validated, written and applied
description:
  - Manages C(/etc/vfctl/NAME.conf), a vfctl.conf(5) file that describes one PF (its VF count,
    every VF's MAC, VLAN, rates, spoof checking, trust and driver), a [Device] or a [VDPA] device.
  - The text is validated with C(vfctl plan -c) on a temporary copy before anything is written; an
    invalid configuration fails the task with vfctl's own C(FILE:LINE) message and changes nothing.
  - The text is also planned together with the other C(*.conf) files of C(config_dir), as vfctl
    reads them at boot; an error that names this file (a MAC another file already gives a VF) fails
    the task and changes nothing.
  - The file is written atomically (temporary file and rename), owned by root, mode 0644, as vfctl
    requires of its configuration; an existing file with another owner or mode is given them (vfctl
    would not read it).
  - With C(apply=true) the file is applied with C(vfctl apply -c FILE), which rolls the host back
    if a step fails. The task is C(changed) when the file changed or the plan had steps.
  - In check mode only the plan runs; the steps it would take are returned. In diff mode the file's
    diff is shown and the steps are listed after it.
version_added: "0.1.0"
author: vfctl developers
options:
  name:
    description:
      - The file's name in C(config_dir), without C(.conf); letters, digits and C(.-_+@), not starting
        with C(.) (vfctl skips hidden files).
    type: str
    required: true
  content:
    description:
      - The vfctl.conf text. Mutually exclusive with C(pf) and C(vfs).
    type: str
  pf:
    description:
      - The [PF] section as a dictionary of vfctl.conf keys (C(Match), C(NumVFs), C(AutoProbe), C(Up),
        C(MTU), C(EswitchMode)); booleans are written as yes/no. A key or value with a line break or
        another control character is refused (it would add lines of its own).
    type: dict
  vfs:
    description:
      - VF sections, keyed by what follows C(VF) in the header (C("0"), C("0-3"), or C("") for [VF]),
        each a dictionary of vfctl.conf keys (C(MACAddress), C(VLANId), C(Driver), ...).
    type: dict
  state:
    description: C(absent) removes the file (the host keeps what was applied).
    type: str
    choices: [present, absent]
    default: present
  apply:
    description: Apply the file with C(vfctl apply -c) after writing it; C(false) only writes it.
    type: bool
    default: true
  force:
    description: Passed to C(vfctl apply --force) (VFs in use by a VM or with addresses may be destroyed).
    type: bool
    default: false
  config_dir:
    description: The directory vfctl reads at boot.
    type: path
    default: /etc/vfctl
  vfctl:
    description: The vfctl binary.
    type: path
    default: vfctl
notes:
  - Requires root on the managed host, as vfctl apply does.
  - Supports check mode and diff mode.
"""

EXAMPLES = r"""
- name: Eight VFs on the ConnectX-4 Lx, MACs from host_vars
  vfctl.host.vfctl_config:
    name: uplink
    pf:
      Match: "mac:{{ vfctl_pf_mac }}"
      NumVFs: 8
      Up: true
    vfs:
      "0": {MACAddress: "{{ vm_macs[0] }}", VLANId: 42}
      "1": {MACAddress: "{{ vm_macs[1] }}", Driver: vfio-pci, Owner: libvirt-qemu}

- name: A file written by hand, only deployed (applied at the next boot)
  vfctl.host.vfctl_config:
    name: storage
    content: "{{ lookup('file', 'storage.conf') }}"
    apply: false

- name: Stop managing a PF
  vfctl.host.vfctl_config:
    name: uplink
    state: absent
"""

RETURN = r"""
path:
  description: The configuration file.
  returned: always
  type: str
  sample: /etc/vfctl/uplink.conf
file_changed:
  description: Whether the file's content changed (or would, in check mode).
  returned: always
  type: bool
steps:
  description: The plan's steps, as vfctl plan --json gives them (text, action, device, vf, disruptive).
  returned: state=present
  type: list
  elements: dict
  sample: [{"action": "numvfs", "device": "0000:06:00.1", "vf": null, "disruptive": false,
            "text": "0000:06:00.1: sriov_numvfs 0 -> 8"}]
apply_output:
  description: What vfctl apply printed.
  returned: when applied
  type: str
"""

import glob
import json
import os
import re
import shutil
import tempfile

from ansible.module_utils.basic import AnsibleModule


NAME = re.compile(r"^[A-Za-z0-9_+@-][A-Za-z0-9._+@-]*$")
KEY = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
VF_RANGE = re.compile(r"^([0-9]+(-[0-9]+)?)?$")


def render(module, pf, vfs):
    """The file from pf and vfs; a key that is not one, a VF range that is not one, or a value with a
    control character (a newline would start a section of its own) fails the task."""
    def line(k, v):
        v = ("yes" if v else "no") if isinstance(v, bool) else str(v)
        if not KEY.match(str(k)):
            module.fail_json(msg="%r is not a vfctl.conf key (letters and digits)" % (k,))
        if any(ord(c) < 0x20 or ord(c) == 0x7f for c in v):
            module.fail_json(msg="%s=%r: a value with a line break or another control character" % (k, v))
        return "%s=%s" % (k, v)

    out = ["# Managed by Ansible (vfctl.host.vfctl_config)", "[PF]"]
    out += [line(k, v) for k, v in (pf or {}).items()]
    for key in (vfs or {}):
        if not VF_RANGE.match(str(key)):
            module.fail_json(msg="vfs: %r is not a VF number, a range N-M or \"\"" % (key,))
    for key in sorted((vfs or {}), key=lambda k: (k != "", [int(x) for x in k.split("-")] if k else [])):
        out += ["", "[VF:%s]" % key if key != "" else "[VF]"]
        out += [line(k, v) for k, v in vfs[key].items()]
    return "\n".join(out) + "\n"


def run_vfctl(module, *args):
    return module.run_command([module.params["vfctl"]] + list(args))


def plan(module, path, shown_path):
    """vfctl plan on the file: its steps, or the task fails with vfctl's message (the temporary
    path replaced by the file's real name)."""
    rc, out, err = run_vfctl(module, "plan", "--json", "-c", path)
    if rc != 0:
        module.fail_json(msg=(err or out).replace(path, shown_path).strip(), rc=rc, changed=False)
    try:
        return json.loads(out)["steps"]
    except (ValueError, KeyError) as e:
        module.fail_json(msg="vfctl plan --json gave no steps: %s" % e, stdout=out, changed=False)


def plan_with_others(module, tmpdir, tmp, path):
    """The file planned with the other files of config_dir, as vfctl reads them at boot: an error
    that names this file (a MAC another file gives a VF) fails the task. Errors that lie in the
    other files alone are theirs, not this task's."""
    p = module.params
    own = os.path.basename(path)
    setdir = os.path.join(tmpdir, "set")
    os.mkdir(setdir, 0o700)
    for other in sorted(glob.glob(os.path.join(p["config_dir"], "*.conf"))):
        if os.path.basename(other) != own and os.path.isfile(other) and not os.path.islink(other):
            shutil.copyfile(other, os.path.join(setdir, os.path.basename(other)))
    shutil.copyfile(tmp, os.path.join(setdir, own))
    for f in os.listdir(setdir):
        os.chmod(os.path.join(setdir, f), 0o644)
    os.chmod(setdir, 0o755)
    rc, out, err = run_vfctl(module, "plan", "--json", "-c", setdir)
    if rc == 0:
        return
    mine = os.path.join(setdir, own)
    lines = [ln for ln in (err or out).splitlines() if mine in ln]
    if lines:
        msg = "\n".join(lines).replace(mine, path).replace(setdir, p["config_dir"])
        module.fail_json(msg="with the other files of %s: %s" % (p["config_dir"], msg), rc=rc, changed=False)


def fix_owner(path):
    """vfctl reads only root's files that no one else may write."""
    os.chown(path, 0, 0)
    os.chmod(path, 0o644)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            content=dict(type="str"),
            pf=dict(type="dict"),
            vfs=dict(type="dict"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            apply=dict(type="bool", default=True),
            force=dict(type="bool", default=False),
            config_dir=dict(type="path", default="/etc/vfctl"),
            vfctl=dict(type="path", default="vfctl"),
        ),
        mutually_exclusive=[("content", "pf"), ("content", "vfs")],
        required_if=[("state", "present", ("content", "pf"), True)],
        supports_check_mode=True,
    )
    p = module.params
    if not NAME.match(p["name"]):
        module.fail_json(msg="name %r: letters, digits and .-_+@, not empty and not starting with '.' (vfctl "
                         "skips hidden files)" % p["name"])
    path = os.path.join(p["config_dir"], p["name"] + ".conf")
    before = None
    if os.path.exists(path):
        with open(path) as f:
            before = f.read()

    if p["state"] == "absent":
        changed = before is not None
        if changed and not module.check_mode:
            os.unlink(path)
        module.exit_json(changed=changed, path=path, file_changed=changed,
                         diff={"before": before or "", "after": "", "before_header": path, "after_header": path})

    text = p["content"] if p["content"] is not None else render(module, p["pf"], p["vfs"])
    if not text.endswith("\n"):
        text += "\n"
    # vfctl reads only root-owned files in a directory no one else may write: a private copy.
    tmpdir = tempfile.mkdtemp(prefix="vfctl-ansible-")
    try:
        os.chmod(tmpdir, 0o700)
        tmp = os.path.join(tmpdir, p["name"] + ".conf")
        with open(tmp, "w") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        steps = plan(module, tmp, path)
        plan_with_others(module, tmpdir, tmp, path)
        file_changed = before != text
        st = os.lstat(path) if before is not None else None
        owner_wrong = st is not None and (st.st_uid != 0 or st.st_gid != 0 or (st.st_mode & 0o7777) != 0o644)
        result = dict(path=path, file_changed=file_changed, steps=steps,
                      changed=file_changed or owner_wrong or (p["apply"] and bool(steps)))
        if module._diff:
            result["diff"] = [{"before": before or "", "after": text, "before_header": path, "after_header": path}]
            if steps and p["apply"]:
                result["diff"].append({"prepared": "vfctl apply would:\n" + "\n".join(
                    "  " + s["text"] for s in steps)})
        if module.check_mode:
            module.exit_json(**result)
        if file_changed:
            if not os.path.isdir(p["config_dir"]):
                os.makedirs(p["config_dir"], 0o755)
            os.chown(tmp, 0, 0)
            module.atomic_move(tmp, path)
        # atomic_move gives the new file the old one's owner: root's, whatever it was
        if file_changed or owner_wrong:
            fix_owner(path)
        if p["apply"] and steps:
            args = ["apply", "-c", path] + (["--force"] if p["force"] else [])
            rc, out, err = run_vfctl(module, *args)
            result["apply_output"] = out + err
            if rc != 0:
                module.fail_json(msg="vfctl apply failed (the host was rolled back): %s" % (err or out).strip(),
                                 rc=rc, **result)
        module.exit_json(**result)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


if __name__ == "__main__":
    main()
