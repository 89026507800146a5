#!/bin/bash
# Inside the lab VM for make bench (guest clock, TCG).
. "$(dirname "$0")/../lab/guest-env.sh"
cd "$(dirname "$0")/.."
modprobe -a psample udp_tunnel ip6_udp_tunnel netdevsim igb
echo "10 1" > /sys/bus/netdevsim/new_device
for _ in $(seq 50); do [ -d /sys/bus/netdevsim/devices/netdevsim10/net ] && break; sleep 0.1; done
echo 300 > /sys/kernel/debug/netdevsim/netdevsim10/max_vfs
echo 300 > /sys/bus/netdevsim/devices/netdevsim10/sriov_numvfs
pf=$(ls /sys/bus/netdevsim/devices/netdevsim10/net | head -1)
for i in $(seq 0 299); do printf 'link set %s vf %d mac 02:10:00:00:%02x:%02x\n' "$pf" "$i" $((i >> 8)) $((i & 255)); done > /tmp/b
ip -batch /tmp/b
python3 - "$pf" <<'PY'
import json, os, statistics, subprocess, sys, time
pf = sys.argv[1]
def t(cmds):
    t0 = time.perf_counter()
    outs = [subprocess.run(c, capture_output=True, text=True, check=True).stdout for c in cmds]
    return time.perf_counter() - t0, outs
runs = 7
v = [t([["build/vfctl", "status", "--json"]]) for _ in range(runs)]
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
t0 = time.perf_counter(); p = subprocess.run(["build/vfctl", "apply", "-c", conf], capture_output=True, text=True)
res["apply"] = time.perf_counter() - t0
res["apply_ok"] = p.returncode == 0 and "[300/300]" in p.stdout

# NumVFs: the kernel's own time for the sysfs write against vfctl apply doing the same change
# (scan, plan, autoprobe off/on, write, wait, verify), on the igb PF (7 VFs).
igb = [d for d in os.listdir("/sys/bus/pci/devices") if open("/sys/bus/pci/devices/%s/device" % d).read().strip() == "0x10c9"][0]
nv = "/sys/bus/pci/devices/%s/sriov_numvfs" % igb
t0 = time.perf_counter(); open(nv, "w").write("7"); res["kernel_numvfs"] = time.perf_counter() - t0
open(nv, "w").write("0")
with open("/tmp/igb.conf", "w") as f:
    f.write("[PF]\nMatch=pci:%s\nNumVFs=7\n" % igb)
os.chmod("/tmp/igb.conf", 0o644)
t0 = time.perf_counter(); p = subprocess.run(["build/vfctl", "apply", "-c", "/tmp/igb.conf"], capture_output=True, text=True)
res["vfctl_numvfs"] = time.perf_counter() - t0
res["numvfs_ok"] = p.returncode == 0 and open(nv).read().strip() == "7"
json.dump(res, open("/out/bench.json", "w"))
PY
