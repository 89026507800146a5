#!/bin/bash
# Exits 0 when everything `make deps` installs is present, 1 (naming what is missing) otherwise.
missing=()
for c in meson ninja pkg-config gcc clang cppcheck lintian dh fakeroot python3 qemu-system-x86_64 lspci ip cpio xz setpriv /usr/bin/time virt-xml-validate nvme ansible-playbook ansible-doc ansible-test; do
	command -v "$c" >/dev/null 2>&1 || missing+=("$c")
done
for p in libmnl libpci libkmod; do
	pkg-config --exists "$p" 2>/dev/null || missing+=("$p")
done
[ -f /usr/share/bash-completion/bash_completion ] || missing+=(bash-completion)
# Ansible's apt module (the role installs the package with it)
python3 -c 'import apt' 2>/dev/null || missing+=(python3-apt)
# libFuzzer (clang's -fsanitize=fuzzer): only recommended by clang, so named on its own
ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 || missing+=(libclang-rt-14-dev)
[ -x /lib/systemd/systemd ] && command -v udevadm >/dev/null || missing+=(systemd udev)
[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx switch_root || missing+=(busybox-static)
if command -v qemu-system-x86_64 >/dev/null 2>&1 &&
	! qemu-system-x86_64 -device help 2>/dev/null | grep -q '"igb"'; then
	missing+=("qemu>=8 (igb model)")
fi
[ ${#missing[@]} -eq 0 ] && exit 0
echo "missing: ${missing[*]}"
exit 1
