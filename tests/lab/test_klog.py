#!/usr/bin/env python3
"""Lab tiers that boot a broken host on purpose and check that doctor reads the kernel's words.
VFCTL_LAB_MODE (from the kernel command line):
  intremap  VT-d without interrupt remapping (QEMU intel-iommu,intremap=off): doctor's error,
            vfio-check naming the cause, the log line vfio_iommu_type1 writes; dmesg_restrict.
  mmio      intel_iommu=off, pci=realloc=off and an NVMe PF whose 127 VF BARs do not fit its
            bridge window: the kernel's own "not enough MMIO resources for SR-IOV", reproduced with
            an admin's echo; and an NVMe VF the nvme driver gave up on ("Device not ready")."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
from harness import Suite, vfctl, vfctl_json  # noqa: E402
from test_lab import SYS, find_pci, link_base, sh, wait_for, write  # noqa: E402


def findings(doc, fid, dev=None):
    return [f for f in doc["findings"] if f["id"] == fid and (dev is None or f["device"] == dev)]


def kernel_log():
    return sh("dmesg").stdout


def test_intremap(s):
    for m in ("igb", "vfio-pci"):
        sh("modprobe", m)
    igb = find_pci("0x8086", "0x10c9")[0]
    _, st, _ = vfctl_json("status")
    io = st["host"]["iommu"]
    s.eq("intremap=off: status says the IOMMU is on but nothing is remapped",
         (io["active"], io["interrupt_remapping"], io["units_with_interrupt_remapping"]), (True, False, 0))
    rc, doc, _ = vfctl_json("doctor")
    f = findings(doc, "iommu.no-interrupt-remapping")
    s.check("intremap=off: doctor reports no interrupt remapping as an error, exit 1",
            rc == 1 and len(f) == 1 and f[0]["severity"] == "error", f)
    s.check("intremap=off: the fix names the virtual IOMMU's intremap and warns about allow_unsafe_interrupts",
            f and "intremap=on" in f[0]["fix"] and "allow_unsafe_interrupts=1" in f[0]["fix"] and
            "trusted" in f[0]["fix"], f)
    s.check("intremap=off: the kernel log was read", findings(doc, "kernel.log")[0]["severity"] == "ok",
            findings(doc, "kernel.log"))
    write("%s/%s/sriov_numvfs" % (SYS, igb), "1")
    vf = link_base("%s/%s/virtfn0" % (SYS, igb))
    rc, _, err = vfctl("bind", vf)
    s.eq("intremap=off: vfctl bind puts the VF on vfio-pci", (rc, link_base("%s/%s/driver" % (SYS, vf))),
         (0, "vfio-pci"))
    rc, chk, _ = vfctl_json("vfio-check", vf)
    bad = [f for f in chk["findings"] if f["severity"] == "error"]
    s.check("intremap=off: vfio-check fails at VFIO_SET_IOMMU (vfio.iommu), Operation not permitted",
            rc != 0 and [f["id"] for f in bad] == ["vfio.iommu"] and "Operation not permitted" in bad[0]["evidence"],
            chk["findings"])
    s.check("intremap=off: vfio-check names interrupt remapping, not modprobe",
            bad and "interrupt remapping" in bad[0]["fix"] and "modprobe" not in bad[0]["fix"], bad)
    s.check("intremap=off: the kernel logged vfio_iommu_type1's refusal",
            "No interrupt remapping support" in kernel_log())
    rc, doc, _ = vfctl_json("doctor")
    f = findings(doc, "iommu.no-interrupt-remapping")
    s.check("intremap=off: doctor quotes that line with its timestamp",
            f and "] vfio_iommu_type1_attach_group: No interrupt remapping support" in f[0]["evidence"], f)
    rc, out, _ = vfctl("doctor")
    s.note("doctor on the intremap=off boot:\n" + "\n".join(
        x for x in out.splitlines() if "interrupt" in x.lower() or x.startswith(("ERROR", "WARN")) or "kernel.log" in x))
    # dmesg_restrict: a non-root reader gets EPERM from /dev/kmsg, and doctor says so once.
    write("/proc/sys/kernel/dmesg_restrict", "1")
    p = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", os.environ["VFCTL"], "--json",
                        "doctor"], capture_output=True, text=True)
    import json
    nr = json.loads(p.stdout) if p.stdout.startswith("{") else {"findings": []}
    f = findings(nr, "kernel.log")
    s.check("dmesg_restrict, not root: one info line says the log is unreadable",
            len(f) == 1 and f[0]["severity"] == "info" and "dmesg_restrict" in f[0]["summary"], nr["findings"])
    vfctl("unbind", vf)
    write("%s/%s/sriov_numvfs" % (SYS, igb), "0")


def test_mmio(s):
    sh("modprobe", "nvme")
    big = [d for d in find_pci("0x1b36", "0x0010") if d.startswith("0000:04:")]
    s.check("mmio: the NVMe PF with 127 VFs is at 04:00.0", big == ["0000:04:00.0"], find_pci("0x1b36", "0x0010"))
    if not big:
        return
    pf = big[0]
    rc, doc, _ = vfctl_json("doctor")
    f = findings(doc, "iommu.inactive")
    s.check("mmio: IOMMU off (intel_iommu=off) is an error whose fix is to remove intel_iommu=off",
            [x["severity"] for x in f] == ["error"] and 'remove "intel_iommu=off"' in f[0]["fix"], f)
    s.check("mmio: no interrupt-remapping finding while the IOMMU is off",
            not findings(doc, "iommu.no-interrupt-remapping"))
    f = findings(doc, "sriov.vf-bars-unassigned", pf)
    s.check("mmio: config space shows the VF BAR unassigned", len(f) == 1, f)
    # The admin's own step: echo N > sriov_numvfs, refused by the kernel.
    fd = os.open("%s/%s/sriov_numvfs" % (SYS, pf), os.O_WRONLY)
    try:
        os.write(fd, b"2")
        err = None
    except OSError as e:
        err = e.errno
    os.close(fd)
    s.eq("mmio: echo 2 > sriov_numvfs fails with ENOMEM", err, 12)
    s.check("mmio: the kernel logged it", "not enough MMIO resources for SR-IOV" in kernel_log())
    rc, doc, _ = vfctl_json("doctor")
    f = findings(doc, "kernel.sriov-no-mmio", pf)
    s.check("mmio: doctor quotes the kernel's line for 04:00.0 as an error",
            len(f) == 1 and f[0]["severity"] == "error" and
            "nvme %s: not enough MMIO resources for SR-IOV" % pf in f[0]["evidence"], f)
    s.check("mmio: its fix says pci=realloc=off is what keeps the kernel from making room",
            f and "pci=realloc=off is set" in f[0]["fix"], f)
    rc, out, _ = vfctl("doctor", pf)
    s.note("doctor on the MMIO boot:\n" + out)
    # An NVMe VF nobody gave resources: the nvme driver times out and logs "Device not ready".
    nv = [d for d in find_pci("0x1b36", "0x0010") if d.startswith("0000:02:")][0]
    write("%s/%s/sriov_numvfs" % (SYS, nv), "1")
    vf = link_base("%s/%s/virtfn0" % (SYS, nv))
    wait_for(lambda: "Device not ready" in kernel_log(), 30)
    rc, doc, _ = vfctl_json("doctor")
    f = findings(doc, "nvme.not-ready", vf)
    s.check("nvme VF offline: its probe failed and doctor quotes the kernel's line for it",
            len(f) == 1 and "Device not ready; aborting initialisation" in f[0]["evidence"] and
            "NVMeQueues=" in f[0]["fix"], doc["findings"])
    s.check("nvme VF offline: secondary controller offline reported too",
            len(findings(doc, "nvme.secondary-offline", nv)) == 1, findings(doc, "nvme.secondary-offline"))
    write("%s/%s/sriov_numvfs" % (SYS, nv), "0")
    rc, doc, _ = vfctl_json("doctor")
    s.check("nvme VFs removed: no finding about the VF that is gone", not findings(doc, "nvme.not-ready"))


if __name__ == "__main__":
    mode = os.environ.get("vfctl_mode", "")
    s = Suite("lab-" + mode)
    if mode == "intremap":
        s.run(test_intremap)
    elif mode == "mmio":
        s.run(test_mmio)
    else:
        s.check("a lab mode was given on the kernel command line (vfctl_mode=intremap|mmio)", False, mode)
    s.finish()
