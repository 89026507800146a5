# Sourced by guest scripts after switch_root: a usable userland on the overlay of the host's /.
# Sets KVER; on exit writes the script's status to /out/status and powers off.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export KVER=$vfctl_kver
# / is already a tmpfs overlay: /tmp stays as the host has it, since the checkout under test may
# live there (CI clones anywhere). /run gets a fresh tmpfs: the host's sockets mean nothing here.
mount -t tmpfs tmpfs /run
mkdir -p /run/netns /out
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 out /out
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || true
# Modules come from the unpacked kernel package in the lab cache, not the host's /lib/modules.
# (linux-headers on the host already made /lib/modules/$KVER/build, so bind over the directory.)
mkdir -p "/lib/modules/$KVER"
mount --bind "$vfctl_cache/root/lib/modules/$KVER" "/lib/modules/$KVER"
ip link set lo up 2>/dev/null || true
lab_finish() {
	local st=$?
	echo "$st" > /out/status
	sync
	/bin/busybox poweroff -f
}
trap lab_finish EXIT
