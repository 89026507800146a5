#!/bin/bash
# Inside the lab VM for make bench: 300 netdevsim VFs with MACs, then timings (guest clock).
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
import json, statistics, subprocess, sys, time
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
json.dump(res, open("/out/bench.json", "w"))
PY
