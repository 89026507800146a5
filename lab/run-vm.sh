#!/bin/bash
# Boots the lab VM (q35 + intel-iommu, igb with SR-IOV, NVMe with SR-IOV, two e1000 behind a
# PCIe-to-PCI bridge) under TCG and runs GUEST_SCRIPT inside it with the host's / as its root.
# Usage: lab/run-vm.sh GUEST_SCRIPT OUTDIR [-- extra guest args as env words]
# The guest writes into OUTDIR (9p tag "out"); its exit status lands in OUTDIR/status.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
CACHE=${VFCTL_LAB_CACHE:-/var/cache/vfctl-lab}
script=$(readlink -f "$1")
out=$(readlink -f "$2")
timeout_s=${VFCTL_LAB_TIMEOUT:-900}
# VFCTL_LAB_BOOT=MODE: GUEST_SCRIPT prepares a root in which systemd boots (lab/init).
boot_args=""
[ -n "${VFCTL_LAB_BOOT:-}" ] &&
	boot_args="vfctl_boot=$VFCTL_LAB_BOOT vfctl_debs=${VFCTL_LAB_DEBS:-} systemd.unit=multi-user.target systemd.show_status=false"
# The IOMMU as the guest sees it: VFCTL_LAB_IOMMU=on (default), intremap-off (VT-d without
# interrupt remapping) or off (intel_iommu=off). VFCTL_LAB_APPEND: more kernel arguments.
# VFCTL_LAB_DEVICES: more QEMU arguments (devices), split on spaces.
iommu_dev="-device intel-iommu,intremap=on,caching-mode=on"
iommu_args="intel_iommu=on iommu=pt"
case ${VFCTL_LAB_IOMMU:-on} in
on) ;;
intremap-off) iommu_dev="-device intel-iommu,intremap=off,caching-mode=on" ;;
off) iommu_args="intel_iommu=off" ;; # the kernel's default is on
*) echo "lab: VFCTL_LAB_IOMMU=$VFCTL_LAB_IOMMU: on, intremap-off or off" >&2; exit 1 ;;
esac
mkdir -p "$out"
rm -f "$out/status"

command -v qemu-system-x86_64 >/dev/null || { echo "lab: qemu-system-x86_64 missing (make deps)" >&2; exit 1; }
[ -f "$CACHE/kver" ] || { echo "lab: no kernel in $CACHE (lab/fetch-kernel.sh)" >&2; exit 1; }
kver=$(cat "$CACHE/kver")
initrd=$("$here/mkinitramfs.sh")
# The NVMe subsystem's one namespace, shared by the PF and its VFs' secondary controllers.
ns=$(mktemp /tmp/vfctl-lab-ns.XXXXXX)
trap 'rm -f "$ns"' EXIT
truncate -s 16M "$ns"

# This machine's /dev/kvm cannot run guests: TCG, with split irqchip for the IOMMU's interrupt remapping.
timeout --foreground -k 10 "$timeout_s" qemu-system-x86_64 \
	-M q35,accel=tcg,kernel-irqchip=split -cpu max -smp 1 -m 2048 \
	-nographic -vga none -no-reboot -serial mon:stdio -display none \
	$iommu_dev \
	-kernel "$CACHE/root/boot/vmlinuz-$kver" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 $iommu_args ${VFCTL_LAB_APPEND:-} loglevel=4 vfctl_script=$script vfctl_kver=$kver vfctl_cache=$CACHE $boot_args" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs local,path="$out",mount_tag=out,security_model=none \
	-device pcie-root-port,id=rp1,chassis=1,slot=1 \
	-netdev user,id=n0,restrict=on -device igb,netdev=n0,bus=rp1 \
	-device pcie-root-port,id=rp2,chassis=2,slot=2 \
	-device nvme-subsys,id=ss0 \
	-device nvme,id=nvme0,serial=vfctl0,subsys=ss0,sriov_max_vfs=3,sriov_vq_flexible=6,sriov_vi_flexible=3,max_ioqpairs=8,msix_qsize=6,bus=rp2 \
	-drive file="$ns",if=none,id=nvm0,format=raw -device nvme-ns,drive=nvm0,bus=nvme0,nsid=1,shared=on \
	-device pcie-pci-bridge,id=br1 \
	-netdev user,id=n1,restrict=on -device e1000,netdev=n1,bus=br1,addr=1 \
	-netdev user,id=n2,restrict=on -device e1000,netdev=n2,bus=br1,addr=5 \
	${VFCTL_LAB_DEVICES:-} \
	</dev/null
status=$(cat "$out/status" 2>/dev/null || echo "none")
[ "$status" = 0 ] || { echo "lab: guest script finished with status $status" >&2; exit 1; }
