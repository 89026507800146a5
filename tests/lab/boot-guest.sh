#!/bin/bash
# Run by vfctl-lab-test.service once the lab VM's systemd reached multi-user.target: the lab-boot
# checks, their TAP in /out/lab.log, the status in /out/status, then power off.
cd "$(dirname "$0")/../.." || exit 1
mkdir -p /out
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 out /out
if [ "$vfctl_boot" = ansible ]; then
	python3 -u tests/lab/test_ansible.py 2>&1 | tee /out/lab.log
else
	python3 -u tests/lab/test_boot.py "$vfctl_boot" 2>&1 | tee /out/lab.log
fi
echo "${PIPESTATUS[0]}" >/out/status
sync
systemctl poweroff -f
