#!/bin/bash
# One lab tier as a test: boots the lab VM with GUEST_SCRIPT and prints the guest's TAP; a VM that
# never reported back (an emulator hang: no status file) gets one more boot, a VM that reported
# failures does not. Usage: tests/lab/tier.sh NAME GUEST_SCRIPT [BUILD_DIR [BOOT_MODE]]
# BOOT_MODE: the guest boots systemd (lab/init) with the packages from make deb installed.
# Runs from the source tree (meson test sets the directory; make check runs every tier).
name=$1
guest=$2
build=${3:-${BUILD:-build}}
boot=${4:-}
cd "$(dirname "$0")/../.." || exit 1
out="$build/$name-out"
t0=$(date +%s)
# Each boot's limit; a tier that needs longer sets VFCTL_TIER_VM_TIMEOUT (tests/meson.build).
vm_timeout=${VFCTL_TIER_VM_TIMEOUT:-420}
say() { sed 's/^/# /'; }
if ! lab/fetch-kernel.sh >"$out.fetch" 2>&1; then
	say <"$out.fetch"
	echo "not ok 1 - $name: the lab kernel could be fetched"
	echo "1..1"
	exit 1
fi
if [ -n "$boot" ] && ! ls "$build"/deb/vfctl_*.deb >/dev/null 2>&1 &&
	! OUT="$build/deb" bash scripts/deb.sh >"$out.deb" 2>&1; then
	say <"$out.deb"
	echo "not ok 1 - $name: the packages could be built (make deb)"
	echo "1..1"
	exit 1
fi
export VFCTL_LAB_BOOT=$boot VFCTL_LAB_DEBS=$(readlink -f "$build/deb")
rm -rf "$out"
VFCTL_LAB_TIMEOUT=$vm_timeout lab/run-vm.sh "$guest" "$out" >"$out.console" 2>&1
rc=$?
if [ ! -s "$out/status" ]; then
	echo "# $name: the VM gave no result (console tail below); booting it once more"
	tail -n 5 "$out.console" | say
	rm -rf "$out"
	VFCTL_LAB_TIMEOUT=$vm_timeout lab/run-vm.sh "$guest" "$out" >"$out.console" 2>&1
	rc=$?
fi
if [ -s "$out/lab.log" ]; then
	cat "$out/lab.log"
	echo "# $name: VM run took $(($(date +%s) - t0)) s"
	exit $rc
fi
tail -n 40 "$out.console" | say
echo "not ok 1 - $name: the VM produced results (console above)"
echo "1..1"
exit 1
