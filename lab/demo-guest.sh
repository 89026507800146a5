#!/bin/bash
# Inside the lab VM for make demo. The VF setup below is what seed 003's systemd unit does by hand;
# `vfctl apply` will replace it (next release).
. "$(dirname "$0")/guest-env.sh"
cd "$(dirname "$0")/.."
V=$PWD/build/vfctl
dmesg -n 1
modprobe -a igb igbvf e1000 nvme vfio-pci
pf=$(basename /sys/bus/pci/devices/0000:01:00.0/net/*)
ip link set "$pf" up
echo 0 > /sys/bus/pci/devices/0000:01:00.0/sriov_drivers_autoprobe
echo 3 > /sys/bus/pci/devices/0000:01:00.0/sriov_numvfs
for i in 0 1 2; do ip link set "$pf" vf $i mac 00:80:00:00:00:0$((i + 1)); done
ip link set "$pf" vf 1 vlan 100 qos 2
ip link set "$pf" vf 2 spoofchk off trust on
echo igbvf > /sys/bus/pci/devices/0000:01:10.0/driver_override
echo 0000:01:10.0 > /sys/bus/pci/drivers_probe
echo vfio-pci > /sys/bus/pci/devices/0000:01:10.2/driver_override
echo 0000:01:10.2 > /sys/bus/pci/drivers_probe
sleep 1
echo "=== vfctl demo"
echo "\$ vfctl doctor"
$V doctor
echo
echo "\$ vfctl status"
$V status
echo
echo "\$ vfctl status --json $pf:vf1   (abridged)"
$V status --json "$pf:vf1" | python3 -c 'import json,sys; d=json.load(sys.stdin)["devices"][0]; print(json.dumps({k: d[k] for k in ("id","physfn","vf_index","driver","iommu_group")}))'
echo "=== end"
exit 0
