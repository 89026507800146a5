#!/bin/bash
# Inside the lab VM for make bench (guest clock, TCG).
. "$(dirname "$0")/../lab/guest-env.sh"
cd "$(dirname "$0")/.."
# The build make bench was given (bench.py --build), on the kernel command line.
export VFCTL=$PWD/${vfctl_build:-build}/vfctl
modprobe -a psample udp_tunnel ip6_udp_tunnel netdevsim igb
echo "10 1" > /sys/bus/netdevsim/new_device
for _ in $(seq 50); do [ -d /sys/bus/netdevsim/devices/netdevsim10/net ] && break; sleep 0.1; done
echo 300 > /sys/kernel/debug/netdevsim/netdevsim10/max_vfs
echo 300 > /sys/bus/netdevsim/devices/netdevsim10/sriov_numvfs
pf=$(ls /sys/bus/netdevsim/devices/netdevsim10/net | head -1)
for i in $(seq 0 299); do printf 'link set %s vf %d mac 02:10:00:00:%02x:%02x\n' "$pf" "$i" $((i >> 8)) $((i & 255)); done > /tmp/b
ip -batch /tmp/b
python3 - "$pf" <<'PY'
import json, os, shutil, statistics, subprocess, sys, time
pf = sys.argv[1]
def t(cmds):
    t0 = time.perf_counter()
    outs = [subprocess.run(c, capture_output=True, text=True, check=True).stdout for c in cmds]
    return time.perf_counter() - t0, outs
runs = 7
v = [t([[os.environ["VFCTL"], "status", "--json"]]) for _ in range(runs)]
i = [t([["ip", "-d", "link", "show", pf], ["lspci", "-vvv"]]) for _ in range(runs)]
doc = json.loads(v[0][1][0])
nsim = [d for d in doc["devices"] if d["id"] == "netdevsim10"][0]
res = {"runs": runs, "vfctl": statistics.median(x[0] for x in v), "ip_lspci": statistics.median(x[0] for x in i),
       "vfctl_vfs": sum(1 for x in nsim["vfs"] if x["settings_known"]),
       "ip_vfs": sum(1 for x in i[0][1][0].splitlines() if x.strip().startswith("vf "))}

# apply: 300 per-VF MACs. The hand-written way (one `ip link set` per VF, a shell loop) against vfctl
# apply of a file that sets them all; each run changes every MAC so both do 300 kernel changes.
def macs(k):
    return ["02:%02x:00:00:%02x:%02x" % (0x20 + k, i >> 8, i & 0xff) for i in range(300)]
loop = "\n".join("ip link set %s vf %d mac %s" % (pf, i, m) for i, m in enumerate(macs(0)))
t0 = time.perf_counter(); subprocess.run(["sh", "-c", loop], check=True); res["ip_loop"] = time.perf_counter() - t0
conf = "/tmp/nsim.conf"
with open(conf, "w") as f:
    f.write("[PF]\nMatch=name:%s\nNumVFs=300\n" % pf + "".join("[VF:%d]\nMACAddress=%s\n" % (i, m) for i, m in enumerate(macs(1))))
os.chmod(conf, 0o644)
t0 = time.perf_counter(); p = subprocess.run([os.environ["VFCTL"], "apply", "-c", conf], capture_output=True, text=True)
res["apply"] = time.perf_counter() - t0
res["apply_ok"] = p.returncode == 0 and "[300/300]" in p.stdout

# NumVFs: the kernel's own time for the sysfs write against vfctl apply doing the same change
# (scan, plan, write, wait, verify), on the igb PF (7 VFs); medians of 5.
igbs = sorted(d for d in os.listdir("/sys/bus/pci/devices")
              if open("/sys/bus/pci/devices/%s/device" % d).read().strip() == "0x10c9")
igb = igbs[0]
def nv(pf):
    return "/sys/bus/pci/devices/%s/sriov_numvfs" % pf
def write(path, v):
    with open(path, "w") as f:
        f.write(v)
def kernel_write(pf):
    t0 = time.perf_counter(); write(nv(pf), "7"); dt = time.perf_counter() - t0
    write(nv(pf), "0")
    return dt
def conf_for(pfs, d):
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.unlink(os.path.join(d, f))
    for i, pf in enumerate(pfs):
        path = os.path.join(d, "pf%d.conf" % i)
        with open(path, "w") as f:
            f.write("[PF]\nMatch=pci:%s\nNumVFs=7\n" % pf)
        os.chmod(path, 0o644)
    return d
def vfctl_apply(d, pfs):
    t0 = time.perf_counter(); p = subprocess.run([os.environ["VFCTL"], "apply", "-c", d], capture_output=True, text=True)
    dt = time.perf_counter() - t0
    ok = p.returncode == 0 and all(open(nv(pf)).read().strip() == "7" for pf in pfs)
    for pf in pfs:
        write(nv(pf), "0")
    return dt, ok
res["kernel_numvfs"] = statistics.median(kernel_write(igb) for _ in range(5))
one = [vfctl_apply(conf_for([igb], "/tmp/c1"), [igb]) for _ in range(5)]
res["vfctl_numvfs"] = statistics.median(x[0] for x in one)
res["numvfs_ok"] = all(x[1] for x in one)

# Two PFs: each alone, one after the other, and in one run (concurrent workers); the kernel's
# own writes one after the other and from two threads at once, for what the VM allows at all.
res["two_pfs"] = len(igbs) >= 2
if len(igbs) >= 2:
    import threading
    a, b = igbs[:2]
    res["alone_a"] = statistics.median(vfctl_apply(conf_for([a], "/tmp/ca"), [a])[0] for _ in range(3))
    res["alone_b"] = statistics.median(vfctl_apply(conf_for([b], "/tmp/cb"), [b])[0] for _ in range(3))
    both = [vfctl_apply(conf_for([a, b], "/tmp/cab"), [a, b]) for _ in range(3)]
    res["both"] = statistics.median(x[0] for x in both)
    res["both_ok"] = all(x[1] for x in both)
    def kernel_two(parallel):
        t0 = time.perf_counter()
        if parallel:
            ts = [threading.Thread(target=write, args=(nv(pf), "7")) for pf in (a, b)]
            [t.start() for t in ts]
            [t.join() for t in ts]
        else:
            write(nv(a), "7"); write(nv(b), "7")
        dt = time.perf_counter() - t0
        write(nv(a), "0"); write(nv(b), "0")
        return dt
    res["kernel_seq"] = statistics.median(kernel_two(False) for _ in range(3))
    res["kernel_par"] = statistics.median(kernel_two(True) for _ in range(3))

# System calls per PCI function of vfctl status on this real kernel (strace -c): the whole host's,
# and what each VF with a netdev (igbvf bound) adds, from the difference between 0 and 7 VFs.
def strace_status():
    subprocess.run(["strace", "-f", "-c", "-o", "/tmp/strace.txt", os.environ["VFCTL"], "status", "--json"],
                   capture_output=True, text=True)
    calls = {}
    for line in open("/tmp/strace.txt"):
        f = line.split()
        if len(f) >= 5 and f[3].isdigit():
            calls[f[-1]] = int(f[3])
    return calls
if shutil.which("strace"):
    subprocess.run(["modprobe", "igbvf"])
    base = strace_status()
    n0 = len(os.listdir("/sys/bus/pci/devices"))
    write(nv(igb), "7")
    for _ in range(50):
        if all(os.path.isdir("/sys/bus/pci/devices/%s/virtfn%d/net" % (igb, i)) for i in range(7)):
            break
        time.sleep(0.1)
    with7 = strace_status()
    n7 = len(os.listdir("/sys/bus/pci/devices"))
    write(nv(igb), "0")
    res["lab_functions"] = n0
    res["lab_opens"] = base.get("openat", 0)
    res["lab_syscalls"] = base.get("total", 0)
    res["lab_vf_opens"] = (with7.get("openat", 0) - base.get("openat", 0)) / max(n7 - n0, 1)
    res["lab_vf_syscalls"] = (with7.get("total", 0) - base.get("total", 0)) / max(n7 - n0, 1)
json.dump(res, open("/out/bench.json", "w"))
PY
