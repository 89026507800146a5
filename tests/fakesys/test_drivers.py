#!/usr/bin/env python3
"""Fake-kernel tier: the PF drivers users own, each as a personality of the fake kernel that does
what its Linux 6.12 source does (docs/drivers/, src/lib/inventory/driver-facts.c), run through the
same apply scenarios. Each cell must end one of three ways: applied (the host as configured, a
second plan empty), refused up front (plan fails with FILE:LINE naming the driver, nothing
changed), or rolled back (the kernel refused mid-run, for what vfctl cannot know in advance, and
the host is as before). A half-applied PF fails the test."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
import fakesys  # noqa: E402
import test_kernel  # noqa: E402
from harness import Suite  # noqa: E402
from test_kernel import Host, plan_steps  # noqa: E402

PF = "0000:01:00.0"
# driver: (its VFs' driver, what the fake kernel's PF refuses and does, as the source says)
DRIVERS = {
    "igb": ("igbvf", "link_state,query_rss,min_tx_rate,vlan_proto"),
    "ixgbe": ("ixgbevf", "min_tx_rate,vlan_proto,link_enable_noop"),
    "i40e": ("iavf", "query_rss,min_tx_rate,vlan_proto,reset_on_write"),
    # ice takes 802.1ad in Double VLAN Mode only, bnxt_en when its firmware has it: neither is
    # readable, so these PFs refuse it as those without do, and vfctl cannot know in advance.
    # eswitch: a devlink eswitch; ice changes its mode only without VFs, bnxt_en refuses the mode it
    # has (EINVAL); igb, ixgbe and i40e have none.
    "ice": ("iavf", "query_rss,vlan_proto,eswitch,eswitch_no_vfs"),
    "mlx5_core": ("mlx5_core", "query_rss,vlan_proto,eswitch"),
    "bnxt_en": ("bnxt_en", "query_rss,vlan_proto,numvfs_needs_up,eswitch,eswitch_same_einval"),
}
HEAD = "[PF]\nMatch=pci:%s\n" % PF
SCENARIOS = [
    ("create", "NumVFs=2\n"),
    ("through 0", "NumVFs=3\n"),  # after "create": 2 -> 0 -> 3
    ("MACs", "NumVFs=2\n\n[VF:0]\nMACAddress=02:00:00:00:01:00\n\n[VF:1]\nMACAddress=02:00:00:00:01:01\n"),
    ("VLAN+QoS", "NumVFs=2\n\n[VF:0]\nVLANId=10\nQualityOfService=3\n"),
    ("802.1ad", "NumVFs=2\n\n[VF:0]\nVLANId=10\nVLANProtocol=802.1ad\n"),
    ("trust", "NumVFs=2\n\n[VF]\nTrust=yes\n"),
    ("spoofchk", "NumVFs=2\n\n[VF]\nMACSpoofCheck=no\n"),
    ("max rate", "NumVFs=2\n\n[VF:0]\nMaxTxRate=100\n"),
    ("min rate", "NumVFs=2\n\n[VF:0]\nMinTxRate=10\nMaxTxRate=100\n"),
    ("link state", "NumVFs=2\n\n[VF:0]\nLinkState=yes\n"),
    ("RSS query", "NumVFs=2\n\n[VF:0]\nQueryReceiveSideScaling=yes\n"),
    ("vfio-pci", "NumVFs=2\n\n[VF:1]\nDriver=vfio-pci\n"),
    ("eswitch switch", "NumVFs=2\nEswitchMode=switchdev\n"),  # after "create", its VFs bound
    ("failure mid-run", "NumVFs=2\n\n[VF:0]\nMACAddress=02:00:00:00:01:00\n"),
    ("PF down", "NumVFs=2\n"),
    ("PF down, Up=yes", "NumVFs=2\nUp=yes\n"),
]
R, B, A = "refused up front", "rolled back", "applied"
EXPECT = {
    ("802.1ad", d): R for d in ("igb", "ixgbe", "i40e", "mlx5_core")
}
EXPECT.update({("802.1ad", "ice"): B, ("802.1ad", "bnxt_en"): B})
EXPECT.update({("min rate", d): R for d in ("igb", "ixgbe", "i40e")})
EXPECT.update({("link state", "igb"): R, ("link state", "ixgbe"): R})
EXPECT.update({("RSS query", d): R for d in ("igb", "i40e", "ice", "mlx5_core", "bnxt_en")})
EXPECT.update({("failure mid-run", d): B for d in DRIVERS})
EXPECT.update({("PF down", "bnxt_en"): R})
EXPECT.update({("eswitch switch", d): R for d in ("igb", "ixgbe", "i40e")})


class DriverHost(Host):
    """igb-lab's host with its PF given another driver's personality."""

    def __init__(self, name, driver):
        vfdriver, refuse = DRIVERS[driver]
        desc = open(os.path.join(test_kernel.FIX, "igb-lab.sys")).read()
        desc = desc.replace("driver=igb ", "driver=%s " % driver).replace("vfdriver=igbvf", "vfdriver=" + vfdriver)
        desc = desc.replace("vfrefuse=link_state,query_rss,min_tx_rate,vlan_proto", "vfrefuse=" + refuse)
        path = os.path.join(test_kernel.TMP, "%s.sys" % name)
        with open(path, "w") as f:
            f.write(desc)
        self.root = os.path.join(test_kernel.TMP, name)
        fakesys.build(path, self.root)
        self.run_dir = os.path.join(self.root, "run")
        os.makedirs(self.run_dir)
        self.args = ["--sysfs", self.root + "/sys", "--procfs", self.root + "/proc", "--modules",
                     self.root + "/modules"]

    def pf_down(self):
        with open(os.path.join(self.root, "sys", "class", "net", "enp1s0", "flags"), "w") as f:
            f.write("0x1002\n")


def outcome(h, driver, path, fail_step=None):
    before = h.state()
    rc, out, err = h.run("plan", "-c", path)
    if rc != 0:
        ok = h.state() == before and "(driver %s" % driver in err and ".conf:" in err
        return (R if ok else "refused without FILE:LINE and the driver"), err
    rc, out, err = h.run("apply", "-c", path, fail_step=fail_step)
    if rc == 0 and plan_steps(h, path) == []:
        return A, out
    if rc != 0 and h.state() == before:
        return B, err
    return "HALF-APPLIED", out + err


def test_matrix(s):
    got, want, table = {}, {}, []
    for driver in DRIVERS:
        row = []
        for name, body in SCENARIOS:
            h = DriverHost("%s-%s" % (driver, name.replace(" ", "_").replace(",", "").replace("=", "")), driver)
            if name in ("through 0", "eswitch switch"):
                h.run("apply", "-c", h.conf("pre.conf", HEAD + "NumVFs=2\n"))
            if name.startswith("PF down"):
                h.pf_down()
            path = h.conf("a.conf", HEAD + body)
            res, text = outcome(h, driver, path, fail_step=2 if name == "failure mid-run" else None)
            got[(name, driver)] = res
            want[(name, driver)] = EXPECT.get((name, driver), A)
            if res != want[(name, driver)]:
                s.note("%s / %s: %s\n%s" % (driver, name, res, text))
            row.append(res)
            if res in (R, B):
                first = text.strip().splitlines()[0] if text.strip() else ""
                s.note("%s / %s: %s: %s" % (driver, name, res, first))
        table.append((driver, row))
    s.eq("every driver x scenario ends as the driver's source says, none half-applied", got, want)
    width = max(len(n) for n, _ in SCENARIOS)
    s.note("scenario".ljust(width) + "  " + "  ".join(d.ljust(16) for d in DRIVERS))
    for i, (name, _) in enumerate(SCENARIOS):
        s.note(name.ljust(width) + "  " + "  ".join(row[i].ljust(16) for _, row in table))


def test_i40e_resets(s):
    """i40e resets a VF on every MAC and trust write, unchanged or not: vfctl writes only what
    differs, so a second apply resets nothing."""
    h = DriverHost("i40e-resets", "i40e")
    path = h.conf("a.conf", HEAD + "NumVFs=2\n\n[VF]\nTrust=yes\n\n[VF:0]\nMACAddress=02:00:00:00:01:00\n")
    log = os.path.join(h.root, "sys", ".fakekernel", "vfresets")

    def resets():
        return len(open(log).read().splitlines()) if os.path.exists(log) else 0
    rc, _, err = h.run("apply", "-c", path)
    first = resets()
    s.check("the first apply: one reset per MAC and trust write (VF 0 MAC, VF 0 and 1 trust)",
            rc == 0 and first == 3, (rc, err, first))
    rc, out, _ = h.run("apply", "-c", path)
    s.eq("a second apply writes nothing and resets no VF", (rc, resets()), (0, first))


def test_vf_reload(s):
    """igb and ixgbe give a VF the MAC its PF set only when the VF's driver loads: a new MAC for a
    VF bound on the host reloads its driver (unbind, bind), and the VF's netdev has it after;
    i40e's iavf takes it at the reset i40e does: no reload."""
    steps = {}
    for driver in ("igb", "ixgbe", "i40e"):
        h = DriverHost("%s-reload" % driver, driver)
        h.run("apply", "-c", h.conf("a.conf", HEAD + "NumVFs=2\n"))
        path = h.conf("b.conf", HEAD + "NumVFs=2\n\n[VF:0]\nMACAddress=02:00:00:00:01:00\n")
        steps[driver] = [(a, vf) for _, a, vf in plan_steps(h, path)]
        rc, out, err = h.run("apply", "-c", path)
        vf0 = next(d for d in h.state() if d.get("physfn") == PF and d["id"].endswith(".0"))
        if driver != "i40e":
            s.check("%s: the VF's netdev has the new MAC after apply" % driver,
                    rc == 0 and [n["mac"] for n in vf0["netdevs"]] == ["02:00:00:00:01:00"], (out, err, vf0))
    s.eq("igb and ixgbe: the MAC, then VF 0's driver unbound and bound again; i40e: the MAC alone",
         steps, {"igb": [("vf-mac", 0), ("unbind", 0), ("probe", 0)],
                 "ixgbe": [("vf-mac", 0), ("unbind", 0), ("probe", 0)], "i40e": [("vf-mac", 0)]})


def test_doctor_mac_not_loaded(s):
    """doctor: a VF whose driver has not loaded the MAC its PF set (igb), with the source; none
    after apply, none on i40e (iavf takes it at the reset i40e does)."""
    got = {}
    for driver in ("igb", "i40e"):
        h = DriverHost("%s-doctor" % driver, driver)
        h.run("apply", "-c", h.conf("a.conf", HEAD + "NumVFs=2\n\n[VF:0]\nMACAddress=02:00:00:00:01:00\n"))

        def findings():
            rc, out, err = h.run("doctor", "--json")
            return [f for f in json.loads(out)["findings"] if f["id"] == "vf.mac-not-loaded"]
        after_apply = findings()
        # The MAC set by hand while the VF's driver ran: its netdev keeps the old one.
        with open(os.path.join(h.root, "sys", "class", "net", "enp1s0v0", "address"), "w") as f:
            f.write("00:00:00:00:00:00\n")
        got[driver] = (after_apply, findings())
    igb_after, igb_by_hand = got["igb"]
    s.check("igb: none after apply; by hand, VF 0 with the source and the reload as fix",
            igb_after == [] and len(igb_by_hand) == 1 and igb_by_hand[0]["device"].endswith(":10.0")
            and "igb_main.c:igb_ndo_set_vf_mac" in igb_by_hand[0]["summary"]
            and "drivers_probe" in igb_by_hand[0]["fix"], got["igb"])
    s.eq("i40e: no finding either way", got["i40e"], ([], []))


def test_ixgbe_link_enable(s):
    """ixgbe answers 0 to LinkState=yes and stores nothing: refused up front with the source; auto
    and no still work."""
    h = DriverHost("ixgbe-link", "ixgbe")
    rc, _, err = h.run("plan", "-c", h.conf("a.conf", HEAD + "NumVFs=2\n\n[VF:0]\nLinkState=yes\n"))
    s.check("LinkState=yes on ixgbe: FILE:LINE with why and where",
            rc != 0 and "a.conf:6: LinkState=yes cannot be set on %s (driver ixgbe): ixgbe answers 0" % PF in err
            and "ixgbe_sriov.c:ixgbe_ndo_set_vf_link_state" in err, err)
    rc, out, err = h.run("apply", "-c", h.conf("b.conf", HEAD + "NumVFs=2\n\n[VF:0]\nLinkState=no\n"))
    s.check("LinkState=no on ixgbe: applied", rc == 0 and plan_steps(h, os.path.join(h.root, "b.conf")) == [],
            (out, err))


def main():
    s = Suite("drivers")
    if not os.access(test_kernel.FAKE, os.X_OK):
        s.check("%s is built" % test_kernel.FAKE, False)
        s.finish()
    for fn in (test_matrix, test_i40e_resets, test_vf_reload, test_doctor_mac_not_loaded,
               test_ixgbe_link_enable):
        s.run(fn)
    s.finish()


if __name__ == "__main__":
    main()
