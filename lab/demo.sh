#!/bin/bash
# make demo: boots the lab VM and shows vfctl doctor and vfctl status on the emulated 82576 (igb)
# with three VFs, as an admin would see them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "demo: booting the lab VM (QEMU TCG, q35 + intel-iommu, igb/nvme/e1000); about 15 s"
VFCTL_LAB_TIMEOUT=300 "$here/run-vm.sh" "$here/demo-guest.sh" "$out" >"$out/console" 2>&1 || {
	tail -n 40 "$out/console"
	echo "demo: the VM failed (console above)" >&2
	exit 1
}
# The serial console also carries firmware and kernel chatter: show the demo's own part.
sed -n '/^=== vfctl demo/,/^=== end/p' "$out/console" | sed '/^=== end/d' | tr -d '\r'
