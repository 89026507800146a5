#!/usr/bin/python
# SPDX-License-Identifier: LGPL-2.1-or-later
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: vfctl_facts
short_description: The host's SR-IOV, IOMMU and VFIO state and vfctl doctor's findings as facts
description:
  - Runs C(vfctl status --json) and C(vfctl doctor --json) and returns them as the facts
    C(vfctl_status) and C(vfctl_doctor) (schemas in the vfctl source tree, docs/json.md and
    docs/doctor.md), with a short summary in C(vfctl_pfs) (every SR-IOV PF, its VF count and VFs)
    and C(vfctl_worst) (the worst finding's severity).
  - Changes nothing on the host.
version_added: "0.1.0"
author: vfctl developers
options:
  doctor:
    description: Also run vfctl doctor.
    type: bool
    default: true
  vfctl:
    description: The vfctl binary.
    type: path
    default: vfctl
notes:
  - Supports check mode. As root, doctor and status read everything; otherwise some fields are null.
"""

EXAMPLES = r"""
- name: Read the SR-IOV state
  vfctl.host.vfctl_facts:

- name: Fail on hosts whose IOMMU is off
  ansible.builtin.assert:
    that: ansible_facts.vfctl_status.host.iommu.active
"""

RETURN = r"""
ansible_facts:
  description: The facts.
  returned: always
  type: complex
  contains:
    vfctl_status:
      description: vfctl status --json.
      type: dict
    vfctl_doctor:
      description: vfctl doctor --json (findings, worst).
      type: dict
    vfctl_pfs:
      description: Every SR-IOV PF with its address, netdev, VF counts and VFs (address, driver, MAC, VLAN).
      type: list
      elements: dict
    vfctl_worst:
      description: The worst finding's severity (ok, info, warn, error).
      type: str
"""

import json

from ansible.module_utils.basic import AnsibleModule


def vfctl_json(module, *args, ok=(0,)):
    rc, out, err = module.run_command([module.params["vfctl"], "--json"] + list(args))
    if rc not in ok:
        module.fail_json(msg="vfctl %s: %s" % (" ".join(args), (err or out).strip()), rc=rc)
    try:
        return json.loads(out)
    except ValueError as e:
        module.fail_json(msg="vfctl %s gave no JSON: %s" % (" ".join(args), e), stdout=out)


def pfs(status):
    out = []
    for d in status.get("devices", []):
        sr = d.get("sriov")
        if not sr or sr.get("total_vfs") in (None, 0):
            continue
        out.append({
            "id": d["id"], "driver": d.get("driver"),
            "netdev": (d.get("netdevs") or [{}])[0].get("name"),
            "num_vfs": sr.get("num_vfs"), "total_vfs": sr.get("total_vfs"),
            "vfs": [{"index": v.get("index"), "id": v.get("id"), "driver": v.get("driver"), "mac": v.get("mac"),
                     "vlan": v.get("vlan")} for v in d.get("vfs", [])],
        })
    return out


def main():
    module = AnsibleModule(argument_spec=dict(doctor=dict(type="bool", default=True),
                                              vfctl=dict(type="path", default="vfctl")),
                           supports_check_mode=True)
    status = vfctl_json(module, "status")
    facts = {"vfctl_status": status, "vfctl_pfs": pfs(status)}
    if module.params["doctor"]:
        # doctor exits 1 when a finding is an error: still a valid answer
        doc = vfctl_json(module, "doctor", ok=(0, 1))
        facts["vfctl_doctor"] = doc
        facts["vfctl_worst"] = doc.get("worst")
    module.exit_json(changed=False, ansible_facts=facts)


if __name__ == "__main__":
    main()
