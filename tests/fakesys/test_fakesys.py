#!/usr/bin/env python3
"""Fake-sysfs tier: typical hosts from admins' write-ups, built by fakesys.py, read by the real vfctl binary."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
import fakesys  # noqa: E402
from fakesys import tree_digest  # noqa: E402
from harness import VFCTL as VFCTL_BIN  # noqa: E402
from harness import Suite, vfctl, vfctl_json  # noqa: E402

FIX = os.path.join(os.path.dirname(__file__), "fixtures")
TMP = tempfile.mkdtemp(prefix="vfctl-fakesys-")

REQUIRED_DEVICE_KEYS = {"id", "bus", "vendor_id", "device_id", "driver", "iommu_group", "netdevs", "physfn",
                        "vf_index", "sriov", "vfs"}
REQUIRED_VF_KEYS = {"index", "id", "driver", "netdev", "mac", "vlan", "qos", "vlan_proto", "spoofchk", "trust",
                    "link_state", "min_tx_rate", "max_tx_rate", "attrs_truncated"}


def tree(name, nonroot=False):
    root = os.path.join(TMP, name + ("-nonroot" if nonroot else ""))
    shutil.rmtree(root, ignore_errors=True)
    fakesys.build(os.path.join(FIX, name + ".sys"), root, nonroot=nonroot)
    return ["--sysfs", root + "/sys", "--procfs", root + "/proc", "--modules", root + "/modules", "--kmsg",
            root + "/kmsg"]


def devmap(doc):
    return {d["id"]: d for d in doc["devices"]}


def findings(doc, fid=None, dev=None):
    return [f for f in doc["findings"] if (fid is None or f["id"] == fid) and (dev is None or f["device"] == dev)]


def test_cx4lx(s):
    t = tree("cx4lx-8vfs")
    rc, doc, _ = vfctl_json(*t, "status")
    s.eq("cx4lx: status exit code", rc, 0)
    h = doc["host"]
    s.eq("cx4lx: IOMMU active", h["iommu"]["active"], True)
    s.eq("cx4lx: IOMMU kind", h["iommu"]["kind"], "intel-vt-d")
    s.eq("cx4lx: kernel args", (h["kernel_args"]["intel_iommu"], h["kernel_args"]["iommu"]), ("on", "pt"))
    s.eq("cx4lx: kernel release from procfs", h["kernel"], "6.1.0-18-amd64")
    s.eq("cx4lx: vfio_pci state", h["modules"]["vfio_pci"], "loaded")
    d = devmap(doc)
    s.eq("cx4lx: device count (bridge, 2 PFs, 8 VFs)", len(d), 11)
    for dev in doc["devices"]:
        missing = REQUIRED_DEVICE_KEYS - dev.keys()
        if missing:
            s.check("cx4lx: %s has every required key" % dev["id"], False, missing)
            break
    else:
        s.check("cx4lx: every device has the required keys", True)
    pf = d["0000:06:00.1"]
    s.eq("cx4lx: PF ids", (pf["vendor_id"], pf["device_id"], pf["bus"]), ("15b3", "1015", "pci"))
    s.check("cx4lx: vendor name from pci.ids", "Mellanox" in (pf["vendor_name"] or ""), pf["vendor_name"])
    s.eq("cx4lx: PF driver, group, NUMA", (pf["driver"], pf["iommu_group"], pf["numa_node"]), ("mlx5_core", 32, 0))
    s.eq("cx4lx: PF netdev", [(n["name"], n["mac"], n["operstate"]) for n in pf["netdevs"]],
         [("enp6s0f1np1", "b8:59:9f:a0:00:11", "up")])
    sr = pf["sriov"]
    s.eq("cx4lx: sriov sysfs", (sr["total_vfs"], sr["num_vfs"], sr["autoprobe"]), (8, 8, True))
    cap = sr["capability"]
    s.eq("cx4lx: SR-IOV capability from config space",
         (cap["total_vfs"], cap["num_vfs"], cap["vf_offset"], cap["vf_stride"], cap["vf_device_id"]),
         (8, 8, 9, 1, "1016"))
    s.eq("cx4lx: VF BAR0 declared and assigned", [(b["index"], b["assigned"]) for b in cap["vf_bars"]], [(0, True)])
    s.eq("cx4lx: ARI and ACS", (pf["ari"], pf["acs"]), (True, False))  # ACS known absent: false; null only when unknown
    s.check("cx4lx: root port ACS decoded", d["0000:00:03.0"]["acs"] is not None and d["0000:00:03.0"]["bridge"])
    s.eq("cx4lx: MSI-X", (pf["interrupts"]["msix"], pf["interrupts"]["msix_vectors"],
                          pf["interrupts"]["msix_enabled"]), (True, 64, True))
    want = ["0000:06:01.2", "0000:06:01.3", "0000:06:01.4", "0000:06:01.5", "0000:06:01.6", "0000:06:01.7",
            "0000:06:02.0", "0000:06:02.1"]
    s.eq("cx4lx: VF addresses 06:01.2-06:02.1", [v["id"] for v in pf["vfs"]], want)
    s.eq("cx4lx: VF indexes", [v["index"] for v in pf["vfs"]], list(range(8)))
    s.eq("cx4lx: VF drivers", {v["driver"] for v in pf["vfs"]}, {"mlx5_core"})
    s.eq("cx4lx: VF netdevs", [v["netdev"] for v in pf["vfs"]], ["enp6s0f1v%d" % i for i in range(8)])
    s.eq("cx4lx: VF groups", [v["iommu_group"] for v in pf["vfs"]], list(range(40, 48)))
    s.check("cx4lx: VF entries have every required key", all(REQUIRED_VF_KEYS <= v.keys() for v in pf["vfs"]))
    s.eq("cx4lx: no netlink in a fake tree: settings unknown, not truncated",
         {(v["settings_known"], v["attrs_truncated"], v["mac"]) for v in pf["vfs"]}, {(False, False, None)})
    vf3 = d["0000:06:01.5"]
    s.eq("cx4lx: VF device knows its PF and index", (vf3["physfn"], vf3["vf_index"]), ("0000:06:00.1", 3))
    s.eq("cx4lx: VF vendor/device from sysfs (config reads ffff)", (vf3["vendor_id"], vf3["device_id"]),
         ("15b3", "1016"))
    s.eq("cx4lx: port 0 PF with no VFs", (d["0000:06:00.0"]["sriov"]["num_vfs"], d["0000:06:00.0"]["vfs"]), (0, []))

    # Selecting devices
    for arg in ("06:00.1", "0000:06:00.1", "enp6s0f1np1"):
        rc, doc2, _ = vfctl_json(*t, "status", arg)
        s.eq("cx4lx: status %s selects the PF and its VFs" % arg, sorted(x["id"] for x in doc2["devices"]),
             ["0000:06:00.1"] + want)
    rc, doc2, _ = vfctl_json(*t, "status", "enp6s0f1np1:vf3")
    s.eq("cx4lx: status PF:vf3 selects that VF", [x["id"] for x in doc2["devices"]], ["0000:06:01.5"])
    rc, out, err = vfctl(*t, "status", "enp6s0f1np1:vf8")
    s.check("cx4lx: PF:vf8 is a usage error naming the argument", rc == 2 and "enp6s0f1np1:vf8" in err, (rc, err))
    rc, out, err = vfctl(*t, "status", "eth99")
    s.check("cx4lx: unknown device exits 2 with its name", rc == 2 and "eth99" in err and not out, (rc, err))

    rc, out, _ = vfctl(*t, "status")
    lines = out.splitlines()
    s.check("cx4lx: text status fits 80 columns", all(len(line) <= 80 for line in lines),
            max(lines, key=len))
    s.check("cx4lx: text tree shows the last VF", any("vf7" in ln and "06:02.1" in ln and "`-" in ln for ln in lines))
    rc1, a, _ = vfctl(*t, "status", "--json")
    rc2, b, _ = vfctl(*t, "--json", "status")
    s.check("cx4lx: --json before or after the command, same output", a == b and rc1 == rc2 == 0)

    rc, doc, _ = vfctl_json(*t, "doctor")
    s.eq("cx4lx: doctor exit 0 on a healthy host", rc, 0)
    s.eq("cx4lx: doctor worst", doc["worst"], "info")
    s.check("cx4lx: iommu.active ok", findings(doc, "iommu.active")[0]["severity"] == "ok")
    s.check("cx4lx: every finding has id, severity, summary", all(f["id"] and f["severity"] and f["summary"]
                                                                   for f in doc["findings"]))


def test_cx3pro(s):
    t = tree("cx3pro-mlx4")
    _, doc, _ = vfctl_json(*t, "status")
    pf = devmap(doc)["0000:81:00.0"]
    s.eq("cx3pro: VFs 81:00.1-81:01.4", [v["id"] for v in pf["vfs"]],
         ["0000:81:00.%d" % i for i in range(1, 8)] + ["0000:81:01.%d" % i for i in range(0, 5)])
    s.eq("cx3pro: VFs on vfio-pci", {v["driver"] for v in pf["vfs"]}, {"vfio-pci"})
    s.eq("cx3pro: both mlx4 ports listed", [n["name"] for n in pf["netdevs"]], ["ens1", "ens1d1"])
    s.eq("cx3pro: 12 of 16", (pf["sriov"]["num_vfs"], pf["sriov"]["total_vfs"]), (12, 16))
    _, doc, _ = vfctl_json(*t, "doctor", "ens1")
    s.check("cx3pro: doctor on a netdev name checks that PF only",
            {f["device"] for f in doc["findings"]} <= {None, "0000:81:00.0"}, doc["findings"])
    s.eq("cx3pro: PF port 2 down with VFs", [f["evidence"] for f in findings(doc, "sriov.pf-link-down")],
         ["ens1d1 operstate down with 12 VFs"])


def test_82599_amd(s):
    t = tree("intel-82599")
    _, doc, _ = vfctl_json(*t, "status")
    pf = devmap(doc)["0000:41:00.0"]
    s.eq("82599: AMD IOMMU", doc["host"]["iommu"]["kind"], "amd-vi")
    s.eq("82599: VF offset 128 stride 2", [v["id"] for v in pf["vfs"]],
         ["0000:41:10.0", "0000:41:10.2", "0000:41:10.4", "0000:41:10.6"])
    rc, doc, _ = vfctl_json(*t, "doctor")
    f = findings(doc, "vfio.modules-not-loaded")
    s.check("82599: vfio_pci not loaded: warn with the modprobe fix",
            len(f) == 1 and f[0]["severity"] == "warn" and "modprobe -a vfio_pci" in f[0]["fix"], f)
    s.check("82599: PF link down with VFs", len(findings(doc, "sriov.pf-link-down", "0000:41:00.0")) == 1)
    s.eq("82599: iommu=pt set, no advice", findings(doc, "iommu.no-passthrough-mode"), [])


def test_intx(s):
    t = tree("intx-shared-irq16")
    rc, doc, _ = vfctl_json(*t, "doctor")
    for a, b in (("0000:01:00.0", "0000:04:00.0"), ("0000:04:00.0", "0000:01:00.0")):
        f = findings(doc, "intx.shared-irq", a)
        s.check("intx: %s flagged sharing IRQ 16 with %s" % (a, b),
                len(f) == 1 and "IRQ 16" in f[0]["evidence"] and b in f[0]["evidence"] and
                "--probe-intx" in f[0]["fix"], f)
        s.check("intx: root ports on MSI are not counted as holders of the line",
                f and "00:1c" not in f[0]["evidence"], f)
    rc, out, err = vfctl(*t, "doctor", "--probe-intx")
    s.check("intx: --probe-intx without a device is refused", rc == 2 and "DEVICE" in err, (rc, err))


def test_shared_group(s):
    t = tree("shared-group")
    rc, doc, _ = vfctl_json(*t, "doctor")
    f = findings(doc, "iommu.group-shared", "0000:05:01.0")
    s.check("group: e1000 sharing group 12 lists the other NIC and the bridge",
            len(f) == 1 and "0000:05:02.0" in f[0]["evidence"] and "0000:00:1e.0 (bridge)" in f[0]["evidence"], f)
    s.check("group: bridge is not counted as an endpoint", f and "1 other endpoint" in f[0]["summary"], f)
    f = findings(doc, "acs.override")
    s.check("group: pcie_acs_override warned", len(f) == 1 and f[0]["severity"] == "warn", f)
    s.check("group: SATA controller and NIC share group 13",
            findings(doc, "iommu.group-shared", "0000:00:1f.6") != [])
    _, st, _ = vfctl_json(*t, "status", "05:01.0")
    s.eq("group: iommu_group_peers in status", st["devices"][0]["iommu_group_peers"], ["0000:00:1e.0", "0000:05:02.0"])


def test_iommu_off(s):
    t = tree("iommu-off")
    _, doc, _ = vfctl_json(*t, "status")
    s.eq("iommu-off: inactive, no groups", (doc["host"]["iommu"]["active"], doc["host"]["iommu"]["groups"]),
         (False, 0))
    s.eq("iommu-off: device group null", doc["devices"][0]["iommu_group"], None)
    rc, doc, _ = vfctl_json(*t, "doctor")
    s.eq("iommu-off: doctor exits 1", rc, 1)
    f = findings(doc, "iommu.inactive")
    s.check("iommu-off: error with the exact kernel arguments for Intel",
            len(f) == 1 and f[0]["severity"] == "error" and "intel_iommu=on iommu=pt" in f[0]["fix"], f)
    f = findings(doc, "vfio.modules-absent")
    s.check("iommu-off: vfio modules absent is an error", len(f) == 1 and f[0]["severity"] == "error", f)
    rc, out, _ = vfctl(*t, "doctor")
    s.check("iommu-off: text doctor prints the fix", "fix:" in out and "ERROR" in out and rc == 1)


def test_trouble(s):
    t = tree("sriov-trouble")
    rc, doc, _ = vfctl_json(*t, "doctor")
    s.eq("trouble: doctor exits 1", rc, 1)
    f = findings(doc, "sriov.vf-bars-unassigned", "0000:02:00.0")
    s.check("trouble: unassigned VF BARs: pci=realloc and Above 4G",
            len(f) == 1 and "pci=realloc" in f[0]["fix"] and "Above 4G" in f[0]["fix"], f)
    f = findings(doc, "sriov.firmware-disabled", "0000:03:00.0")
    s.check("trouble: Mellanox firmware SR-IOV off: mlxconfig for this device",
            len(f) == 1 and "-d 0000:03:00.0 set SRIOV_EN=1" in f[0]["fix"], f)
    s.check("trouble: totalvfs 0", len(findings(doc, "sriov.totalvfs-zero", "0000:04:00.0")) == 1)
    s.check("trouble: iommu=pt missing is advice", findings(doc, "iommu.no-passthrough-mode")[0]["severity"] == "info")
    rc, out, _ = vfctl(*t, "doctor")
    s.check("trouble: text doctor wraps at 80 columns", all(len(x) <= 80 for x in out.splitlines()),
            [x for x in out.splitlines() if len(x) > 80])
    s.check("trouble: text doctor names the device and the fix",
            any(x.startswith("ERROR sriov.vf-bars-unassigned") and "02:00.0" in x for x in out.splitlines()) and
            "pci=realloc" in out)
    _, st, _ = vfctl_json(*t, "status", "02:00.0")
    bars = st["devices"][0]["sriov"]["capability"]["vf_bars"]
    s.eq("trouble: status shows the VF BAR unassigned", [(b["index"], b["assigned"]) for b in bars], [(0, False)])


def test_kernel_log_mlx4(s):
    """A Proxmox host's mlx4 dmesg lines, in a kmsg file: each becomes its finding, on its device, with its fix."""
    t = tree("mlx4-proxmox-kmsg")
    rc, doc, _ = vfctl_json(*t, "doctor")
    s.eq("mlx4 log: doctor exits 1", rc, 1)
    f = findings(doc, "kernel.missing-uar")
    s.eq("mlx4 log: Missing UAR on 01:00.0, an error", [(x["device"], x["severity"]) for x in f],
         [("0000:01:00.0", "error")])
    s.check("mlx4 log: the line quoted with its timestamp",
            f and "[    2.365098] mlx4_core 0000:01:00.0: Missing UAR, aborting" in f[0]["evidence"], f)
    s.check("mlx4 log: pci=realloc=off is already on its command line, so the fix is ASPM/firmware",
            f and "already set" in f[0]["fix"] and "ASPM" in f[0]["fix"], f)
    f = findings(doc, "kernel.sriov-no-mmio")
    s.eq("mlx4 log: not enough MMIO on 02:00.0, both lines in one finding",
         [(x["device"], x["evidence"].count("\n") + 1) for x in f], [("0000:02:00.0", 2)])
    s.check("mlx4 log: the MMIO fix names pci=realloc=off as the cause", f and "pci=realloc=off is set" in f[0]["fix"], f)
    f = findings(doc, "vfio.intx-busy")
    s.eq("mlx4 log: genirq Flags mismatch names the VF that failed (08:00.0)", [x["device"] for x in f],
         ["0000:08:00.0"])
    s.eq("mlx4 log: the three DMAR feature lines are one info finding",
         [(x["severity"], x["evidence"].count("inconsistent")) for x in findings(doc, "iommu.feature-inconsistent")],
         [("info", 3)])
    s.eq("mlx4 log: ACS override reported once (the command line's check), not twice",
         (len(findings(doc, "acs.override")), len(findings(doc, "kernel.acs-override"))), (1, 0))
    f = findings(doc, "iommu.interrupt-remapping")
    s.check("mlx4 log: remapping ok, with the log's 'Enabled IRQ remapping in x2apic mode'",
            len(f) == 1 and f[0]["severity"] == "ok" and "x2apic mode" in f[0]["evidence"], f)
    s.eq("mlx4 log: kernel.log ok with 19 records", [(x["severity"], x["summary"]) for x in findings(doc, "kernel.log")],
         [("ok", "kernel log read: 19 records")])
    rc, doc, _ = vfctl_json(*t, "doctor", "02:00.0")
    s.eq("mlx4 log: doctor 02:00.0 reports only that device's lines",
         sorted({x["id"] for x in doc["findings"] if x["id"].startswith(("kernel.", "vfio.intx", "iommu.feature"))}),
         ["kernel.log", "kernel.sriov-no-mmio"])
    rc, out, _ = vfctl(*t, "doctor")
    s.check("mlx4 log: text doctor prints each kernel line on its own line, within 80 columns",
            any(x.strip().startswith("seen: [ 2.365098] mlx4_core 0000:01:00.0: Missing UAR") for x in out.splitlines()) and
            all(len(x) <= 80 for x in out.splitlines()), out)
    # Without --kmsg a fake tree has no kernel log: one info line, never the running host's log.
    rc, doc, _ = vfctl_json(*t[:-2], "doctor")
    f = findings(doc, "kernel.log")
    s.check("no --kmsg: one info line, no log findings", len(f) == 1 and f[0]["severity"] == "info" and
            "--kmsg" in f[0]["fix"] and not findings(doc, "kernel.missing-uar"), f)
    rc, doc, _ = vfctl_json(*t[:-1], t[-1] + ".missing", "doctor")
    f = findings(doc, "kernel.log")
    s.check("--kmsg to a missing file: info with the path and the error", len(f) == 1 and f[0]["severity"] == "info"
            and "No such file" in (f[0]["evidence"] or ""), f)


def test_export_devices(s):
    """Devices on vfio-pci that are no VFs become [Device] files; planned on the same tree: nothing to do."""
    t = tree("mlx4-proxmox-kmsg")
    out_dir = tempfile.mkdtemp(prefix="vfctl-export-")
    os.chmod(out_dir, 0o755)
    rc, out, err = vfctl(*t, "export", "-o", out_dir + "/x")
    files = sorted(os.listdir(out_dir + "/x")) if rc == 0 else []
    s.eq("export: a [Device] file per device on vfio-pci", files, ["device-0000-04-00.0.conf", "device-0000-08-00.0.conf"])
    text = open(os.path.join(out_dir, "x", files[0])).read() if files else ""
    s.check("export [Device]: matched by PCI path, Driver=vfio-pci",
            "[Device]\n# matched by PCI path: the slot\nMatch=path:pci-0000:04:00.0\nDriver=vfio-pci\n" in text, text)
    rc, out, err = vfctl(*t, "plan", "--json", "-c", out_dir + "/x")
    s.check("export [Device]: planned on the same host, no step", rc == 0 and json.loads(out)["steps"] == [], out + err)
    rc, out, err = vfctl(*t, "export")
    s.check("export to stdout: files separated by a blank line and a header", "\n\n# ---- device-0000-08-00.0.conf ----\n"
            in out, out)
    shutil.rmtree(out_dir, ignore_errors=True)


def test_kernel_log_signatures(s):
    t = tree("kmsg-signatures")
    rc, doc, _ = vfctl_json(*t, "doctor")
    got = {(x["id"], x["device"], x["severity"]) for x in doc["findings"]}
    for want in [("sriov.msix-exhausted", "0000:03:00.0", "error"), ("sriov.operation-pending", "0000:04:00.0", "warn"),
                 ("vf.not-trusted", "0000:04:00.0", "info"), ("vf.mac-needs-reload", "0000:01:00.0", "info"),
                 ("nvme.not-ready", "0000:02:00.1", "warn"), ("driver.probe-failed", "0000:01:10.0", "warn"),
                 ("kernel.bar-no-space", "0000:05:00.0", "warn"), ("driver.not-bound", "0000:06:00.0", "warn"),
                 ("vfio.unsafe-interrupts", None, "warn"), ("kernel.lockdown", None, "info")]:
        s.check("signatures: %s on %s (%s)" % want, want in got, sorted(x for x in got if x[0] == want[0]))
    s.check("signatures: a record whose DEVICE= is a USB device is not taken for the PCI address in its text",
            not findings(doc, "vfio.intx-busy"), findings(doc, "vfio.intx-busy"))
    f = findings(doc, "nvme.not-ready")
    s.check("signatures: nvme2's line mapped to 02:00.1 through 'pci function'",
            f and "nvme nvme2: Device not ready" in f[0]["evidence"] and "NVMeQueues=" in f[0]["fix"], f)
    s.check("signatures: no driver.not-bound where a signature already explains it (02:00.1, 01:10.0)",
            not findings(doc, "driver.not-bound", "0000:02:00.1") and not findings(doc, "driver.not-bound", "0000:01:10.0"))
    f = findings(doc, "driver.not-bound", "0000:06:00.0")
    s.check("signatures: not bound, driver_override=ice loaded: its own line quoted, rebind fix",
            f and "ice_init_hw failed: -5" in f[0]["evidence"] and "vfctl bind 0000:06:00.0 ice" in f[0]["fix"], f)
    f = findings(doc, "vfio.unsafe-interrupts")
    s.check("signatures: no remapping + allow_unsafe_interrupts=Y: a warning, not the error, with the kernel's line",
            f and not findings(doc, "iommu.no-interrupt-remapping") and "No interrupt remapping support" in f[0]["evidence"], f)
    _, st, _ = vfctl_json(*t, "status")
    io = st["host"]["iommu"]
    s.eq("signatures: status JSON: remapping off, 0 units with IR, unsafe interrupts on",
         (io["interrupt_remapping"], io["units_with_interrupt_remapping"], io["allow_unsafe_interrupts"]), (False, 0, True))


def test_networkmanager(s):
    """NetworkManager's state under /run (a test build's run directory here): a VF netdev it manages."""
    t = tree("cx4lx-8vfs")
    run = tempfile.mkdtemp(prefix="vfctl-nm-")
    ifindex = open(os.path.join(t[1], "class/net/enp6s0f1v3/ifindex")).read().strip()
    os.makedirs(os.path.join(run, "NetworkManager/devices"))
    with open(os.path.join(run, "NetworkManager/devices", ifindex), "w") as f:
        f.write("[device]\nmanaged=true\nperm-hw-addr-fake=\n")
    env = dict(os.environ, VFCTL_RUNDIR=run)
    rc, doc, _ = vfctl_json(*t, "doctor", env=env)
    f = findings(doc, "vf.networkmanager")
    s.check("NetworkManager manages VF 3's netdev: a warning on that VF whose fix is one key in its section",
            [x["device"] for x in f] == ["0000:06:01.5"] and
            f[0]["fix"].startswith("Unmanaged=yes in [VF:3] (or [VF] for every VF) of 0000:06:00.1's section") and
            "NM_UNMANAGED" in f[0]["fix"], f)
    with open(os.path.join(run, "NetworkManager/devices", ifindex), "w") as f:
        f.write("[device]\nmanaged=false\n")
    rc, doc, _ = vfctl_json(*t, "doctor", env=env)
    s.check("managed=false: no finding", not findings(doc, "vf.networkmanager"))
    rc, doc, _ = vfctl_json(*t, "doctor")
    s.check("release binary on a fake tree: the running host's NetworkManager is not read",
            not findings(doc, "vf.networkmanager"))
    shutil.rmtree(run, ignore_errors=True)


def test_netdevsim(s):
    t = tree("netdevsim")
    _, doc, _ = vfctl_json(*t, "status")
    d = devmap(doc).get("netdevsim10")
    s.check("netdevsim: non-PCI PF found", d is not None, list(devmap(doc)))
    if not d:
        return
    s.eq("netdevsim: bus and counts", (d["bus"], d["sriov"]["num_vfs"], d["sriov"]["total_vfs"], len(d["vfs"])),
         ("netdevsim", 4, None, 4))
    s.eq("netdevsim: VFs have no PCI address", {v["id"] for v in d["vfs"]}, {None})
    rc, doc, _ = vfctl_json(*t, "status", "eni10np1")
    s.eq("netdevsim: resolve by netdev", [x["id"] for x in doc["devices"]], ["netdevsim10"])
    rc, out, err = vfctl(*t, "export")
    s.check("netdevsim: export matches the non-PCI PF by its netdev, 4 VFs, no driver keys for device-less VFs",
            rc == 0 and "Match=name:eni10np1\nNumVFs=4\n" in out and "Driver=" not in out and
            "VF settings not exported" in out, out + err)


def test_nonroot_config(s):
    t = tree("cx4lx-8vfs", nonroot=True)
    rc, doc, _ = vfctl_json(*t, "status")
    pf = devmap(doc)["0000:06:00.1"]
    s.eq("nonroot: 64-byte config space reported", pf["config_len"], 64)
    s.eq("nonroot: sysfs SR-IOV still there, capability unknown", (pf["sriov"]["num_vfs"], pf["sriov"]["capability"]),
         (8, None))
    s.eq("nonroot: VFs still linked", len(pf["vfs"]), 8)


def test_bad_input(s):
    rc, out, err = vfctl("--sysfs", "/nonexistent/sys", "status")
    s.check("bad: missing sysfs root is a clear error", rc == 1 and "/nonexistent/sys" in err and
            "No such file" in err, (rc, err))
    rc, out, err = vfctl("frobnicate")
    s.check("bad: unknown command exits 2", rc == 2 and "frobnicate" in err, (rc, err))
    rc, out, err = vfctl("status", "--bogus")
    s.eq("bad: unknown option exits 2", rc, 2)

    # A VF that vanished after its PF listed it (VFs being removed): listed, no crash.
    t = tree("cx4lx-8vfs")
    root = t[1][:-4]
    shutil.rmtree(os.path.realpath(os.path.join(root, "sys/bus/pci/devices/0000:06:02.1")))
    os.unlink(os.path.join(root, "sys/bus/pci/devices/0000:06:02.1"))
    rc, doc, err = vfctl_json(*t, "status")
    pf = devmap(doc)["0000:06:00.1"]
    s.check("bad: vanished VF still listed from its PF's virtfn link",
            rc == 0 and len(pf["vfs"]) == 8 and pf["vfs"][7]["driver"] is None, (rc, err))
    # Unreadable config (device removed mid-read) must not take the others down.
    os.unlink(os.path.realpath(os.path.join(root, "sys/bus/pci/devices/0000:06:00.0/config")))
    rc, doc, err = vfctl_json(*t, "status")
    s.check("bad: a device without config space is still listed", rc == 0 and "0000:06:00.0" in devmap(doc))


def test_configs(s):
    """Every fixture in configs/ against its host: the exact messages (FILE:LINE) and exit code of
    `vfctl plan`, and `vfctl apply` of it changes nothing in the tree."""
    cdir = os.path.join(os.path.dirname(__file__), "configs")
    trees = {"cx4lx-8vfs": tree("cx4lx-8vfs"), "iommu-off": tree("iommu-off")}
    fake = os.path.join(os.path.dirname(__file__), "..", "..", "build", "tests", "fakekernel", "vfctl-fake")
    fake = os.environ.get("VFCTL_FAKE", fake)
    for name in sorted(f for f in os.listdir(cdir) if f.endswith(".conf")):
        # A copy: the mode is part of some fixtures (git does not keep it) and the checkout is not ours
        path = os.path.join(TMP, name)
        shutil.copyfile(os.path.join(cdir, name), path)
        os.chmod(path, 0o666 if name.startswith("writable") else 0o644)
        t = trees["iommu-off" if name.startswith("igb") else "cx4lx-8vfs"]
        rc, out, err = vfctl(*t, "plan", "-c", path)
        got = (out + err).replace(path, "@FILE@") + "exit %d\n" % rc
        want = open(os.path.join(cdir, name[:-5] + ".expect")).read()
        s.eq("config %s: plan output" % name, got, want)
        root = t[1][:-4]
        before = tree_digest(root)
        rc2, out2, err2 = vfctl(*t, "apply", "-c", path)
        if rc == 2:
            s.check("config %s: apply reports the same errors, exit 2" % name,
                    rc2 == 2 and err2.replace(path, "@FILE@") in want, err2)
        else:
            s.check("config %s: apply on a fake tree refuses (no kernel behind it)" % name,
                    rc2 == 1 and "apply needs the running kernel" in err2, (rc2, err2))
        s.eq("config %s: apply changed nothing" % name, tree_digest(root), before)
        # verify: the plan as drift, the same exit codes apply would give the host as it is
        rc3, out3, err3 = vfctl(*t, "verify", "-c", path, "--json")
        if rc == 2:
            s.check("config %s: verify reports the same errors, exit 2" % name,
                    rc3 == 2 and err3.replace(path, "@FILE@") in want, err3)
        else:
            steps = [ln for ln in out.splitlines() if ln[:4].strip().rstrip(".").isdigit()]
            doc = json.loads(out3)
            s.check("config %s: verify has one drift entry per plan step, exit %d" % (name, 1 if steps else 0),
                    rc3 == (1 if steps else 0) and [d["want"] for d in doc["drift"]] ==
                    [ln.split(". ", 1)[1] for ln in steps] and doc["ok"] == (not steps), (rc3, out3, err3))
        if rc == 2:
            # With a kernel behind the tree that reacts to writes, so this check can fail.
            env = dict(os.environ, VFCTL_RUNDIR=os.path.join(TMP, "run"))
            os.makedirs(env["VFCTL_RUNDIR"], exist_ok=True)
            p = subprocess.run([fake, *t, "apply", "-c", path], capture_output=True, text=True, env=env)
            s.check("config %s: apply with the fake kernel: exit 2" % name, p.returncode == 2, p.stderr)
            s.eq("config %s: apply with the fake kernel changed nothing" % name, tree_digest(root), before)


def test_verify_metrics(s):
    """verify's drift names the host's value; --datapath refuses a fake tree; metrics pass promtool."""
    t = tree("cx4lx-8vfs")
    path = os.path.join(TMP, "verify.conf")
    with open(path, "w") as f:
        f.write("[PF]\nMatch=pci:0000:06:00.1\nNumVFs=4\n")
    os.chmod(path, 0o644)
    rc, doc, _ = vfctl_json(*t, "verify", "-c", path)
    num = [d for d in doc["drift"] if d["knob"] == "numvfs"]
    s.check("verify: NumVFs=4 against 8 VFs is drift, exit 1, host '8 VFs'",
            rc == 1 and not doc["ok"] and num and num[-1]["have"] == "8 VFs" and num[-1]["device"] == "0000:06:00.1",
            doc["drift"])
    rc, out, err = vfctl(*t, "verify", "-c", path, "0000:06:00.0")
    s.check("verify DEVICE: a PF the configuration does not name has no drift, exit 0",
            rc == 0 and "the host matches" in out, (rc, out, err))
    rc, out, err = vfctl(*t, "verify", "-c", path, "--datapath")
    s.check("verify --datapath on a fake tree: refused, nothing sent, exit 1",
            rc == 1 and "not on a --sysfs tree" in err, (rc, err))
    rc, out, err = vfctl(*t, "verify", "-c", path, "0000:09:00.0")
    s.eq("verify: an unknown DEVICE is a usage error", rc, 2)
    for fx in ("cx4lx-8vfs", "netdevsim", "mlx4-proxmox-kmsg", "big-pf"):
        rc, out, err = vfctl(*tree(fx), "metrics")
        p = subprocess.run(["promtool", "check", "metrics"], input=out, capture_output=True, text=True)
        s.check("metrics %s: exit 0, promtool check metrics finds nothing" % fx,
                rc == 0 and p.returncode == 0 and not (p.stdout + p.stderr).strip(), (rc, err, p.stdout, p.stderr))
    rc, out, err = vfctl(*t, "metrics")
    s.check("metrics: cx4lx's PF with 8 of 8 VFs, each VF's info, no counters read from a fake tree",
            'vfctl_pf_num_vfs{pf="0000:06:00.1",netdev="enp6s0f1np1"} 8' in out and
            out.count("vfctl_vf_info{") == 8 and "_total{" not in out, out)
    tf = os.path.join(TMP, "textfile")
    os.makedirs(tf, exist_ok=True)
    rc, out2, err = vfctl(*t, "metrics", "--textfile", tf)
    prom = os.path.join(tf, "vfctl.prom")
    s.check("metrics --textfile: DIR/vfctl.prom, 0644, the same text, no temporary file left",
            rc == 0 and open(prom).read() == out and (os.stat(prom).st_mode & 0o777) == 0o644 and
            os.listdir(tf) == ["vfctl.prom"], (rc, err, os.listdir(tf)))
    rc, _, err = vfctl(*t, "metrics", "--textfile", os.path.join(TMP, "no-such-dir"))
    s.check("metrics --textfile into a missing directory: exit 1 naming it", rc == 1 and "no-such-dir" in err, err)
    open_dir = os.path.join(TMP, "world-writable")
    os.makedirs(open_dir, exist_ok=True)
    os.chmod(open_dir, 0o777)
    for args, what in ((("metrics", "--textfile", open_dir), "metrics --textfile"), (("export", "-o", open_dir), "export -o")):
        rc, _, err = vfctl(*t, *args)
        s.check("%s into a directory any user can write: refused, exit 1, nothing written" % what,
                rc == 1 and "only a directory that root or you alone can write" in err and os.listdir(open_dir) == [],
                (rc, err, os.listdir(open_dir)))
    link = os.path.join(TMP, "textfile-link")
    os.symlink(tf, link)
    rc, _, err = vfctl(*t, "metrics", "--textfile", link)
    s.check("metrics --textfile through a symlinked directory: refused (not followed)",
            rc == 1 and "symlink is not followed" in err, err)
    strace = shutil.which("strace")
    s.check("strace is installed (deps.sh)", strace is not None)
    if strace:
        trace = os.path.join(TMP, "metrics.trace")
        asan = os.environ.get("ASAN_OPTIONS", "")
        env = dict(os.environ, ASAN_OPTIONS=(asan + ":" if asan else "") + "detect_leaks=0")  # no LSan under ptrace
        subprocess.run([strace, "-f", "-qq", "-e", "trace=openat", "-o", trace, VFCTL_BIN, *t, "metrics", "--textfile",
                        tf], capture_output=True, env=env, timeout=120)
        opens = [ln for ln in open(trace).read().splitlines() if "textfile" in ln or ".tmp" in ln]
        tmp = [ln for ln in opens if ".tmp" in ln]
        s.check("metrics --textfile: the directory opened without following a symlink, the temporary file created "
                "exclusively under an unpredictable name (a planted file or FIFO is never opened)",
                any("O_DIRECTORY" in ln and "O_NOFOLLOW" in ln for ln in opens) and len(tmp) == 1 and
                "O_EXCL" in tmp[0] and "O_NOFOLLOW" in tmp[0] and re.search(r"\.vfctl-[0-9a-f]{16}\.tmp", tmp[0]),
                "\n".join(opens))


def test_examples_validate(s):
    """The shipped examples parse; those for the fixture hosts validate against their fixture."""
    top = os.path.join(os.path.dirname(__file__), "..", "..")
    t = tree("cx4lx-8vfs")
    for ex in ("cx4lx-8vfs.conf", "mgmt-bridge.conf"):
        path = os.path.join(TMP, ex)
        shutil.copyfile(os.path.join(top, "examples", ex), path)
        os.chmod(path, 0o644)
        rc, out, err = vfctl(*t, "plan", "-c", path)
        s.check("examples/%s plans on its fixture host" % ex, rc == 0 and "1." in out, out + err)
    rc, doc, _ = vfctl_json(*t, "plan", "-c", os.path.join(TMP, "mgmt-bridge.conf"))
    acts = [x["action"] for x in doc["steps"]]
    s.check("plan --json: autoprobe off, count through 0, settings, drivers, in that order",
            acts[:3] == ["autoprobe", "numvfs", "numvfs"] and acts.index("vf-mac") < acts.index("bind"), acts)
    s.eq("plan --json: only the count to 0 is disruptive", [x["action"] for x in doc["steps"] if x["disruptive"]],
         ["numvfs"])


def test_emit(s):
    """The hand-off text for the ConnectX-4 Lx host: QEMU arguments, Proxmox lines, libvirt XML that
    libvirt's own schema accepts."""
    import subprocess
    t = tree("cx4lx-8vfs")
    rc, out, err = vfctl(*t, "emit", "qemu", "06:00.0", "06:00.1", "enp6s0f1np1:vf2")
    s.eq("emit qemu: one root port per slot, the two ports as one multifunction device", out.splitlines(), [
        "-device pcie-root-port,id=vfctl-rp0,chassis=100,slot=0",
        "-device vfio-pci,host=0000:06:00.0,bus=vfctl-rp0,addr=0.0,multifunction=on",
        "-device vfio-pci,host=0000:06:00.1,bus=vfctl-rp0,addr=0.1",
        "-device pcie-root-port,id=vfctl-rp1,chassis=101,slot=0",
        "-device vfio-pci,host=0000:06:01.4,bus=vfctl-rp1"])
    s.check("emit: a note when the device is not on vfio-pci yet", "bound to mlx5_core, not vfio-pci" in err, err)
    rc, out, err = vfctl(*t, "emit", "proxmox", "06:00.0", "06:00.1", "06:01.3")
    s.eq("emit proxmox: the slot for all functions, pcie=1", out.splitlines()[1:],
         ["hostpci0: 0000:06:00,pcie=1", "hostpci1: 0000:06:01.3,pcie=1"])
    rc, out, err = vfctl(*t, "emit", "libvirt", "06:01.2", "06:00.0")
    s.check("emit libvirt: <hostdev> with the source address", out.count("<hostdev mode='subsystem' type='pci' "
            "managed='yes'>") == 2 and "bus='0x06' slot='0x01' function='0x2'" in out, out)
    path = os.path.join(TMP, "domain.xml")
    with open(path, "w") as f:
        f.write("<domain type='kvm'><name>t</name><memory>131072</memory><os><type arch='x86_64' machine='q35'>hvm"
                "</type></os><devices>%s</devices></domain>\n" % out)
    v = subprocess.run(["virt-xml-validate", path, "domain"], capture_output=True, text=True)
    s.check("emit libvirt: valid per virt-xml-validate", v.returncode == 0, v.stdout + v.stderr)
    rc, out, err = vfctl(*t, "emit", "vmware", "06:00.0")
    s.check("emit: an unknown target is a usage error", rc == 2 and "qemu, libvirt, proxmox or ovs" in err, err)
    rc, out, err = vfctl(*t, "bind", "06:01.2")
    s.check("bind on a fake tree: refused, the tree untouched", rc == 1 and "running kernel" in err, err)


def test_hotunplug_race(s):
    """A device whose uevent names a driver but no ids and whose vendor file is gone (unplugged
    mid-scan) is left out, once: it used to be freed twice."""
    t = tree("hotunplug-race")
    rc, doc, err = vfctl_json(*t, "status")
    s.eq("hot-unplug race: status exits 0", rc, 0)
    s.eq("hot-unplug race: the vanished device is left out, the other listed",
         [d["id"] for d in doc["devices"]], ["0000:06:00.0"])


def test_validation_scales(s):
    """One [VF] MACAddress= for 2,048 VFs is one message, and NumVFs=65535 builds no VF targets:
    both used to take minutes (every VF pair compared, 130,818 lines for 512 VFs)."""
    t = tree("big-pf")
    for name, text, want in (
            ("one-mac.conf", "[PF]\nMatch=pci:0000:41:00.0\nNumVFs=2048\n[VF]\nMACAddress=02:00:00:00:00:01\n",
             ["@FILE@:5: MACAddress=02:00:00:00:00:01 here is given to 2048 VFs of 0000:41:00.0 (VF 0, VF 1, ...): "
              "each VF needs its own"]),
            ("huge.conf", "[PF]\nMatch=pci:0000:41:00.0\nNumVFs=65535\n[VF]\nMACAddress=02:00:00:00:00:01\n",
             ["@FILE@:3: NumVFs=65535 exceeds sriov_totalvfs 2048 of 0000:41:00.0"])):
        path = os.path.join(TMP, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o644)
        rc, out, err = vfctl(*t, "plan", "-c", path)
        s.eq("%s: exit 2, exactly the expected errors" % name,
             (rc, [x.replace(path, "@FILE@") for x in err.splitlines() if x.startswith(path)]), (2, want))


def test_config_not_a_file(s):
    """A FIFO (or a link to /dev/zero) named *.conf is refused at once, never read: it used to
    hang plan, apply and the boot."""
    t = tree("cx4lx-8vfs")
    fifo = os.path.join(TMP, "fifo.conf")
    os.mkfifo(fifo, 0o644)
    link = os.path.join(TMP, "zero.conf")
    os.symlink("/dev/zero", link)
    for path in (fifo, link):
        rc, out, err = vfctl(*t, "plan", "-c", path)
        s.check("%s: refused with the reason, exit 2" % os.path.basename(path),
                rc == 2 and "%s: cannot read: not a regular file" % path in err, (rc, err))
    # A directory others can write: whoever can write it can drop in a symlink to a root-owned
    # file whose text they influence; nothing in it is read.
    d = os.path.join(TMP, "open-dir")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "a.conf"), "w") as f:
        f.write("[PF]\nMatch=pci:06:00.1\nNumVFs=2\n")
    os.chmod(os.path.join(d, "a.conf"), 0o644)
    os.chmod(d, 0o777)
    rc, out, err = vfctl(*t, "plan", "-c", d)
    s.check("a world-writable config directory: reported, no file in it read, exit 2", rc == 2 and
            "%s: a directory others can write (owner uid 0, mode 0777)" % d in err and "8 -> 2" not in out and
            "sriov_numvfs" not in out, (rc, out, err))


def test_config_bytes(s):
    """NUL, non-UTF-8 and a BOM: errors with the right line, never a silent cut (a NUL used to end
    the line, and a long comment's tail after it became a live key: plan 8 -> 2)."""
    t = tree("cx4lx-8vfs")
    cases = (("nul", b"[PF]\nMatch=pci:06:00.1\n#\0" + b"A" * 300 + b"NumVFs=2\n",
              ":3: a NUL byte in the line"),
             ("latin1", b"[PF]\nMatch=pci:06:00.1\n# caf\xe9\nNumVFs=2\n", ":3: not valid UTF-8"),
             ("overlong", b"[PF]\nMatch=pci:06:00.1\nDriver=\xc0\xafvfio\n", ":3: not valid UTF-8"),
             ("bom", b"\xef\xbb\xbf[PF]\nMatch=pci:06:00.1\nNumVFs=eight\n", ":3: NumVFs=eight: a whole number"))
    for name, data, want in cases:
        path = os.path.join(TMP, "bytes-%s.conf" % name)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, 0o644)
        rc, out, err = vfctl(*t, "plan", "-c", path)
        s.check("config bytes %s: exit 2, %s" % (name, want), rc == 2 and path + want in err and "-> 2" not in out,
                (rc, out, err))


def test_hostile_names(s):
    """A netdev name with terminal escapes, shell syntax and a byte that is not UTF-8 (Linux allows
    all of them): status text shows the escapes as \\xNN, JSON stays valid UTF-8 for a strict
    parser, doctor's fix quotes the name for the shell it is pasted into."""
    t = tree("cx4lx-8vfs")
    root = t[1][:-4]
    dev = os.path.join(root, "sys/bus/pci/devices/0000:06:00.1")
    evil = b"ev\x1b[2J$(reboot)\xff"
    os.rename(os.path.join(dev, "net/enp6s0f1np1").encode(), os.path.join(dev, "net").encode() + b"/" + evil)
    # as the kernel renames it: class/net follows
    cls = os.path.join(root, "sys/class/net").encode()
    os.unlink(cls + b"/enp6s0f1np1")
    os.symlink(b"../../devices/pci0000:00/0000:06:00.1/net/" + evil, cls + b"/" + evil)
    with open(os.path.join(dev, "net").encode() + b"/" + evil + b"/operstate", "w") as f:
        f.write("down\n")
    p = subprocess.run([VFCTL_BIN, *t, "status"], capture_output=True)
    s.check("hostile name: status text has no raw ESC, shows \\x1b", p.returncode == 0 and b"\x1b" not in p.stdout and
            b"ev\\x1b[2J" in p.stdout, p.stdout[-600:])
    p = subprocess.run([VFCTL_BIN, *t, "status", "--json"], capture_output=True)
    try:
        doc = json.loads(p.stdout.decode("utf-8", errors="strict"))
        names = [n["name"] for d in doc["devices"] for n in d["netdevs"] if d["id"] == "0000:06:00.1"]
    except (UnicodeDecodeError, ValueError) as e:
        names = repr(e)
    s.eq("hostile name: JSON is strict UTF-8, the byte 0xff as U+00FF", names, ["ev\x1b[2J$(reboot)\u00ff"])
    p = subprocess.run([VFCTL_BIN, *t, "doctor"], capture_output=True)
    out = p.stdout.decode("utf-8", errors="replace").replace("\n            ", " ")
    s.check("hostile name: doctor's fix single-quotes it for the shell",
            "ip link set dev 'ev\\x1b[2J$(reboot)" in out and b"\x1b" not in p.stdout, out[-800:])
    p = subprocess.run([VFCTL_BIN, *t, "export", "--json"], capture_output=True)
    try:
        doc = json.loads(p.stdout.decode("utf-8", errors="strict"))
        texts = [f["text"] for f in doc["files"] if f["device"] == "0000:06:00.1"]
        ok = len(texts) == 1 and "ev\\x1b[2J$(reboot)\\xff" in texts[0]
    except (UnicodeDecodeError, ValueError) as e:
        ok, texts = False, repr(e)
    s.check("hostile name: export --json is strict UTF-8 JSON, the name in its file's comment escaped as status "
            "text shows it", ok, texts)
    p = subprocess.run([VFCTL_BIN, *t, "metrics"], capture_output=True)
    try:
        text = p.stdout.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        text = ""
    s.check("hostile name: metrics is UTF-8 without control bytes, the name's ESC as U+FFFD and 0xff as U+00FF",
            'netdev="ev\ufffd[2J$(reboot)\u00ff"' in text and b"\x1b" not in p.stdout, p.stdout[-400:])
    v = subprocess.run(["promtool", "check", "metrics"], input=p.stdout, capture_output=True)
    s.check("hostile name: promtool check metrics accepts it (node_exporter keeps every series)",
            p.returncode == 0 and v.returncode == 0, (v.stdout + v.stderr)[-600:])


def rename_netdev(t, old, new):
    """As the kernel renames a netdev: its directory under the device, and class/net's link."""
    root = t[1][:-4].encode()
    cls = root + b"/sys/class/net/"
    real = os.path.realpath(cls + old)
    target = os.readlink(cls + old)
    os.rename(real, os.path.dirname(real) + b"/" + new)
    os.unlink(cls + old)
    os.symlink(os.path.dirname(target) + b"/" + new, cls + new)


def plain_text(b):
    try:
        return all(c == "\n" or (c.isprintable() and not 0x80 <= ord(c) <= 0x9f) for c in b.decode("utf-8", "strict"))
    except UnicodeDecodeError:
        return False


def test_export_parses_back(s):
    """What export writes, the parser reads back as the host it came from: names from the kernel in
    comments escaped (a name with ESC, 0xff and a final backslash once made the file unparseable),
    a name no Match= can hold not exported and said so, two PFs never sharing a file name."""
    t = tree("cx4lx-8vfs")
    rename_netdev(t, b"enp6s0f1np1", b"ev\x1b[2J$(reboot)\xff\\")
    out_dir = os.path.join(TMP, "export-back")
    p = subprocess.run([VFCTL_BIN, *t, "export", "-o", out_dir], capture_output=True)
    files = sorted(os.listdir(out_dir)) if os.path.isdir(out_dir) else []
    texts = [open(os.path.join(out_dir, f), "rb").read() for f in files]
    s.check("export of a hostile name: one file, its name without the escape, the text UTF-8 without controls",
            p.returncode == 0 and len(files) == 1 and not files[0].startswith(".") and "\x1b" not in files[0] and
            all(plain_text(t) for t in texts) and b"\\x1b[2J" in texts[0], (p, files))
    rc, out, err = vfctl(*t, "plan", "--json", "-c", out_dir)
    s.check("export of a hostile name: plan parses it back, no step", rc == 0 and json.loads(out)["steps"] == [],
            (rc, out, err))

    t = tree("igb-two")
    rename_netdev(t, b"enp1s0", b"x\x01")
    rename_netdev(t, b"enp4s0", b"x\x02")
    out_dir = os.path.join(TMP, "export-same-name")
    p = subprocess.run([VFCTL_BIN, *t, "export", "0000:01:00.0", "0000:04:00.0", "-o", out_dir], capture_output=True)
    files = sorted(os.listdir(out_dir)) if os.path.isdir(out_dir) else []
    s.check("two PFs whose names make one file name: two files, the second numbered", p.returncode == 0 and
            files == ["x--2.conf", "x-.conf"], (p, files))
    rc, out, err = vfctl(*t, "plan", "--json", "-c", out_dir)
    s.check("two PFs, two files: plan parses them back, no step", rc == 0 and json.loads(out)["steps"] == [],
            (rc, out, err))

    t = tree("netdevsim")
    rename_netdev(t, b"eni10np1", b"eni\x1b")
    p = subprocess.run([VFCTL_BIN, *t, "export"], capture_output=True)
    s.check("a non-PCI PF whose name Match=name: cannot hold: not exported, said why, exit 1",
            p.returncode == 1 and b"[PF]" not in p.stdout and b"netdevsim10: not exported" in p.stderr and
            b"rename the netdev" in p.stderr, p)


def test_unknown_caps(s):
    """What the bytes cannot tell is null, never false (a 64-byte read once gave msi/msix/pcie false
    and doctor then called an MSI-X peer a holder of the INTx line); a CardBus bridge's
    capabilities come from 0x14; a function reading all ones is not decoded."""
    t = tree("unknown-caps")
    rc, doc, _ = vfctl_json(*t, "status")
    d = devmap(doc)

    def caps(x):
        i = d[x]["interrupts"]
        return (i["msi"], i["msi_enabled"], i["msix"], i["msix_enabled"], d[x]["pcie"], d[x]["acs"], d[x]["ari"])
    s.eq("64-byte read: msi, msix, pcie, acs, ari all null", caps("0000:01:00.0"), (None,) * 7)
    s.eq("256-byte read: standard capabilities known, extended ones (acs, ari) null", caps("0000:02:00.0"),
         (False, False, True, True, True, None, None))
    s.eq("full read, no ACS/ARI: false", caps("0000:00:1c.0")[5:], (False, False))
    s.eq("CardBus bridge (header type 2): a bridge, its MSI found through 0x14",
         (d["0000:03:00.0"]["bridge"], d["0000:03:00.0"]["interrupts"]["msi"]), (True, True))
    dead = d["0000:04:00.0"]
    s.eq("all-ones function: not responding, nothing decoded (not even the command register's INTx "
         "disable bit, the pin or the header type)",
         (dead["config_responding"], caps("0000:04:00.0"), dead["interrupts"]["intx_disabled"],
          dead["interrupts"]["pin"], dead["bridge"]), (False, (None,) * 7, None, None, None))
    s.eq("a live function's INTx disable bit is still a bool", type(d["0000:02:00.0"]["interrupts"]["intx_disabled"]),
         bool)
    t = tree("cx4lx-8vfs")
    rc, doc, _ = vfctl_json(*t, "status")
    vf = devmap(doc)["0000:06:01.2"]
    s.eq("a VF (vendor and device ffff in config space, as on hardware): responding, its MSI-X decoded, "
         "its ids its PF's", (vf["config_responding"], vf["interrupts"]["msix"], vf["vendor_id"], vf["device_id"]),
         (True, True, "15b3", "1016"))
    t = tree("unknown-caps")
    rc, doc, _ = vfctl_json(*t, "doctor")
    f = findings(doc, "intx.shared-irq")
    s.eq("doctor: no INTx sharing concluded from an unknown MSI state; said to be unknown instead",
         [(x["device"], x["severity"], "unknown" in x["summary"]) for x in f], [("0000:02:00.0", "info", True)])


def test_garbage_sysfs(s):
    """A sriov_numvfs that is not a number is named, not planned as 0 (it used to plan "0 -> 4"
    over the PF's 8 VFs)."""
    t = tree("cx4lx-8vfs")
    root = t[1][:-4]
    with open(os.path.join(root, "sys/bus/pci/devices/0000:06:00.1/sriov_numvfs"), "w") as f:
        f.write("garbage\n")
    path = os.path.join(TMP, "garbage.conf")
    with open(path, "w") as f:
        f.write("[PF]\nMatch=pci:0000:06:00.1\nNumVFs=4\n")
    os.chmod(path, 0o644)
    rc, out, err = vfctl(*t, "plan", "-c", path)
    s.check("garbage sriov_numvfs: exit 2 naming the file, nothing planned", rc == 2 and
            "%s:2: /sys/bus/pci/devices/0000:06:00.1/sriov_numvfs of 0000:06:00.1 is missing or not a number" % path
            in err and "0 -> 4" not in out, (rc, out, err))


def test_no_env_hooks(s):
    """The installed vfctl reads no environment variable (VFCTL_SYSFS, VFCTL_PROCFS,
    VFCTL_RUNDIR, VFCTL_TEST_FAIL_STEP once steered the root-run release binary), and a fake root next
    to the real /sys makes the whole host read-only."""
    from harness import VFCTL
    t = tree("cx4lx-8vfs")
    root = t[1][:-4]

    def release(*args, env=None):
        p = subprocess.run([VFCTL, *args], capture_output=True, text=True, env=dict(os.environ, **(env or {})))
        return p.returncode, p.stdout, p.stderr

    _, real, _ = release("status", "--json")
    rc, out, _ = release("status", "--json", env={"VFCTL_SYSFS": root + "/sys", "VFCTL_PROCFS": root + "/proc",
                                                  "VFCTL_MODULES": root + "/modules"})
    ids = sorted(d["id"] for d in json.loads(out)["devices"]) if rc in (0, 1) else None
    s.eq("env: VFCTL_SYSFS and friends are ignored: status reads this host, not the fixture", ids,
         sorted(d["id"] for d in json.loads(real)["devices"]))
    empty = os.path.join(TMP, "empty.conf")
    with open(empty, "w") as f:
        f.write("# nothing\n")
    os.chmod(empty, 0o644)
    rc, out, err = release("--procfs", root + "/proc", "apply", "-c", empty)
    s.check("a fake --procfs with the real /sys: apply refuses (it used to run on the real host)",
            rc == 1 and ("apply needs the running kernel" in err or "root only" in err), (rc, out, err))
    rc, out, err = release("--procfs", root + "/proc", "bind", "0000:00:00.0")
    s.check("a fake --procfs with the real /sys: bind refuses", rc != 0 and
            ("need the running kernel" in err or "root only" in err), (rc, out, err))
    run_dir = os.path.join(TMP, "env-run")
    os.makedirs(run_dir, exist_ok=True)
    ti = tree("intx-shared-irq16")
    before = tree_digest(ti[1][:-4])
    rc, out, err = release(*ti, "doctor", "--probe-intx", "0000:01:00.0",
                           env={"VFCTL_RUNDIR": run_dir, "VFCTL_TEST_FAIL_STEP": "1"})
    s.check("--probe-intx on a fixture tree does not write it (the tree is only read)",
            "INTx masking: not probed" in out and "is only read, never changed" in out.replace("\n            ", " "),
            (rc, out, err))
    s.eq("--probe-intx on a fixture tree: not one file changed", tree_digest(ti[1][:-4]), before)
    s.eq("VFCTL_RUNDIR is ignored: nothing was created there", os.listdir(run_dir), [])


def test_docs_list_every_check(s):
    """docs/doctor.md documents every check id the code can emit, and no others."""
    import re
    top = os.path.join(os.path.dirname(__file__), "..", "..")
    d = os.path.join(top, "src/lib/doctor")
    code = "".join(open(os.path.join(d, f)).read() for f in sorted(os.listdir(d)) if f.endswith(".c"))
    # findings added by the checks, and the kernel log's signature table
    ids = set(re.findall(r'add\(&?c,\s*"([a-z0-9.-]+)"', code)) | set(re.findall(r'\{\s*"([a-z0-9.-]+)",\s*VFCTL_SEV_', code))
    doc = set(re.findall(r"^\| `([a-z0-9.-]+)` \|", open(os.path.join(top, "docs/doctor.md")).read(), re.M))
    s.check("docs: doctor.c emits checks", len(ids) >= 15, ids)
    s.eq("docs: docs/doctor.md lists exactly the checks src/lib/doctor emits", sorted(doc), sorted(ids))


def main():
    s = Suite("fakesys")
    for fn in (test_cx4lx, test_cx3pro, test_82599_amd, test_intx, test_shared_group, test_iommu_off, test_trouble,
               test_kernel_log_mlx4, test_kernel_log_signatures, test_export_devices, test_networkmanager, test_netdevsim, test_nonroot_config, test_bad_input, test_hotunplug_race, test_validation_scales,
               test_config_not_a_file, test_no_env_hooks, test_garbage_sysfs, test_config_bytes, test_hostile_names, test_export_parses_back, test_unknown_caps,
               test_docs_list_every_check, test_configs,
               test_verify_metrics, test_examples_validate, test_emit):
        s.run(fn)
    shutil.rmtree(TMP, ignore_errors=True)
    s.finish()


if __name__ == "__main__":
    main()
