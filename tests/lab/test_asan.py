#!/usr/bin/env python3
"""Lab tier, sanitizers: every command that talks to the kernel (netlink, VFIO ioctls, sysfs
writes), run once by the ASan/UBSan build against the real kernel. Each must exit as expected and
leave no sanitizer report (leaks included)."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
from harness import Suite  # noqa: E402
from test_lab import find_pci, netdev_of, sh, wait_for, write, write_conf  # noqa: E402

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ASAN = os.path.join(TOP, os.environ.get("BUILD", "build") + "-asan", "vfctl")
ASAN_TEST = os.path.join(os.path.dirname(ASAN), "tests", "hooks", "vfctl-test")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=1", UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1")


def run(s, want_rc, *args, env=None):
    exe = ASAN_TEST if env and "VFCTL_TEST_FAIL_STEP" in env else ASAN
    p = subprocess.run([exe, *args], capture_output=True, text=True, env=dict(ENV, **(env or {})))
    report = [x for x in (p.stdout + p.stderr).splitlines() if "Sanitizer" in x or "runtime error:" in x]
    s.check("asan: vfctl %s (exit %d, no sanitizer report)" % (" ".join(args), want_rc),
            p.returncode == want_rc and not report, (p.returncode, report[:5], (p.stdout + p.stderr)[-1500:]))


def main():
    s = Suite("lab-asan")
    if not os.access(ASAN, os.X_OK):
        s.check("an ASan build at %s (make check builds it in the sanitizers tier)" % ASAN, False)
        s.finish()
    for m in ("igb", "igbvf", "e1000", "vfio-pci", "psample", "udp_tunnel", "ip6_udp_tunnel", "netdevsim", "vdpa",
              "vdpa_sim", "vdpa_sim_net", "vhost_vdpa"):
        sh("modprobe", m)
    igb = find_pci("0x8086", "0x10c9")[0]
    wait_for(lambda: netdev_of(igb))
    lab = os.path.join(TOP, "examples", "lab.conf")
    five = write_conf("/tmp", "asan-five.conf", "[PF]\nMatch=id:8086:10c9\nNumVFs=5\n")
    run(s, 0, "status")
    run(s, 0, "status", "--json")
    run(s, 0, "doctor")
    run(s, 0, "plan", "-c", lab)
    run(s, 0, "apply", "-c", lab)
    run(s, 0, "apply", "-c", lab)
    # NumVFs alone is two steps (3 -> 0, 0 -> 5; autoprobe stays on): the second fails, the run
    # is rolled back to lab.conf's host.
    run(s, 1, "apply", "-c", five, env={"VFCTL_TEST_FAIL_STEP": "2"})
    vf1 = os.path.basename(os.readlink("/sys/bus/pci/devices/%s/virtfn1" % igb))
    vf0 = os.path.basename(os.readlink("/sys/bus/pci/devices/%s/virtfn0" % igb))
    run(s, 0, "vfio-check", vf1)
    run(s, 0, "emit", "libvirt", vf1)
    run(s, 0, "bind", vf0)
    run(s, 0, "restore")
    write("/sys/bus/netdevsim/new_device", "10 1")
    wait_for(lambda: os.path.isdir("/sys/bus/netdevsim/devices/netdevsim10/net"))
    write("/sys/bus/netdevsim/devices/netdevsim10/sriov_numvfs", "4")
    pf = sorted(os.listdir("/sys/bus/netdevsim/devices/netdevsim10/net"))[0]
    run(s, 0, "eswitch", pf, "switchdev")
    run(s, 0, "status", pf)
    run(s, 0, "emit", "ovs", pf)
    run(s, 0, "vdpa", "add", "v0", "vdpasim_net", "vhost")
    run(s, 0, "emit", "qemu", "v0")
    run(s, 0, "vdpa", "del", "v0")
    run(s, 2, "status", "nosuch0")
    s.finish()


if __name__ == "__main__":
    main()
