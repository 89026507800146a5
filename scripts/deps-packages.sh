# The Debian packages that the build, the tests, the lab, make deb and make rpm use: one list,
# read by scripts/deps.sh (installs them), scripts/deps-missing.sh (says which are missing) and the
# static tier's tests/static/deps-cover.py (every program the scripts call comes from one of them).
# shellcheck disable=SC2034
packages=(
	build-essential gcc clang libclang-rt-14-dev meson ninja-build pkg-config git
	libmnl-dev libpci-dev libkmod-dev libjansson-dev
	pciutils pci.ids iproute2 kmod busybox-static cpio python3 time libvirt-clients nvme-cli
	libelf-dev bc flex bison xz-utils cppcheck clang-format
	debhelper dpkg-dev fakeroot lintian bash-completion systemd udev ansible-core python3-apt
	rpm rpmlint elfutils
	prometheus prometheus-node-exporter strace psmisc ethtool
	libvirt-daemon libvirt-daemon-driver-qemu openvswitch-switch network-manager
)
# QEMU >= 8 (the igb model): plain bookworm has 7.2.
backports=(qemu-system-x86)
