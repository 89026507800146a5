#!/bin/bash
# Builds the lab's tiny initramfs: busybox-static and the 9p/overlay modules, enough to mount the
# host's / read-only over 9p with a tmpfs overlay and switch_root into it (lab/init).
set -euo pipefail
CACHE=${VFCTL_LAB_CACHE:-/var/cache/vfctl-lab}
here=$(cd "$(dirname "$0")" && pwd)
kver=$(cat "$CACHE/kver")
out="$CACHE/initramfs-$kver.cpio.gz"
mdir="$CACHE/root/lib/modules/$kver"

if [ -f "$out" ] && [ "$out" -nt "$here/init" ] && [ "$out" -nt "$0" ]; then
	echo "$out"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,mod,proc,sys,dev,lower,upper,newroot}
cp /bin/busybox "$work/bin/busybox"
for m in fs/netfs/netfs net/9p/9pnet net/9p/9pnet_virtio fs/9p/9p fs/overlayfs/overlay; do
	# busybox insmod cannot read .ko.xz: decompress here.
	xz -dc "$mdir/kernel/$m.ko.xz" > "$work/mod/$(basename $m).ko"
done
cp "$here/init" "$work/init"
chmod +x "$work/init"
(cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) > "$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
