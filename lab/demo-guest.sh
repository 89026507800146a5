#!/bin/bash
# Inside the lab VM for make demo: what a hand-written systemd unit does on many hosts (VFs, their MACs),
# declared in examples/lab.conf and applied by vfctl, then doctor and status.
. "$(dirname "$0")/guest-env.sh"
cd "$(dirname "$0")/.."
V=$PWD/build/vfctl
dmesg -n 1
modprobe -a igb e1000 nvme vfio-pci
for _ in $(seq 50); do [ -d /sys/bus/pci/devices/0000:01:00.0/net ] && break; sleep 0.1; done
echo "=== vfctl demo"
echo "\$ cat examples/lab.conf"
grep -v '^#' examples/lab.conf | sed '/^$/d'
echo
echo "\$ vfctl plan -c examples/lab.conf"
$V plan -c examples/lab.conf
echo
echo "\$ vfctl apply -c examples/lab.conf"
$V apply -c examples/lab.conf
echo
echo "\$ vfctl apply -c examples/lab.conf    # again: nothing to do"
$V apply -c examples/lab.conf
echo
echo "\$ vfctl doctor"
$V doctor
echo
echo "\$ vfctl status"
$V status
echo "=== end"
exit 0
