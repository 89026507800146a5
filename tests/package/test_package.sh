#!/bin/bash
# The Debian packages (make deb): built, lintian-clean, with the files where Debian 12 wants them,
# maintainer scripts that never apply a configuration, the version, and the units' sandbox
# (systemd-analyze security). TAP. Usage: tests/package/test_package.sh [BUILD_DIR]
cd "$(dirname "$0")/../.." || exit 1
build=${1:-${BUILD:-build}}
out="$build/deb"
# shellcheck source=tests/package/tap.sh
. tests/package/tap.sh

log=$(OUT="$out" bash scripts/deb.sh 2>&1)
ok "make deb builds vfctl, libvfctl2 and libvfctl-dev" $? "$(tail -n 20 <<<"$log")"
for p in vfctl libvfctl2 libvfctl-dev; do
	ls "$out"/${p}_*.deb >/dev/null 2>&1
	ok "$p package exists" $?
done
[ -f "$out/vfctl_"*.deb ] 2>/dev/null || ls "$out"/vfctl_*.deb >/dev/null 2>&1 || finish package

errs=$(grep -E '^[EW]: ' "$out/lintian.txt")
ok "lintian: no error, no warning" "$([ -z "$errs" ]; echo $?)" "$errs"
grep -E '^[IP]: ' "$out/lintian.txt" | sed 's/^/# lintian /'

deb=$(ls "$out"/vfctl_*.deb)
files=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./usr/sbin/vfctl ./lib/systemd/system/vfctl.service ./lib/systemd/system/vfctl-device@.service \
	./lib/systemd/system/vfctl-metrics.service ./lib/systemd/system/vfctl-metrics.timer \
	./lib/udev/rules.d/90-vfctl.rules ./usr/share/bash-completion/completions/vfctl \
	./usr/share/man/man8/vfctl.8.gz ./usr/share/man/man5/vfctl.conf.5.gz \
	./usr/share/doc/vfctl/examples/lab.conf ./etc/vfctl/; do
	grep -qxF "$f" <<<"$files"
	ok "vfctl ships $f" $?
done
n_etc=$(grep -c '^./etc/vfctl/.' <<<"$files")
ok "/etc/vfctl ships empty (the admin's files are theirs)" "$([ "$n_etc" = 0 ]; echo $?)"
dev=$(dpkg-deb -c "$(ls "$out"/libvfctl-dev_*.deb)" | awk '{print $6}')
grep -q 'usr/include/vfctl/vfctl.h$' <<<"$dev" && grep -q 'pkgconfig/vfctl.pc$' <<<"$dev"
ok "libvfctl-dev ships the header and vfctl.pc" $?

ctl=$(mktemp -d)
root=$(mktemp -d)
trap 'rm -rf "$ctl" "$root"' EXIT
dpkg-deb -e "$deb" "$ctl"
scripts=$(cat "$ctl"/{preinst,postinst,prerm,postrm} 2>/dev/null)
grep -Eq 'vfctl (apply|bind|restore)|(start|restart|reload-or-restart)[^-]' <<<"$scripts"
ok "maintainer scripts neither apply nor start anything" "$([ $? = 1 ]; echo $?)" "$scripts"
grep -q "deb-systemd-helper enable 'vfctl.service'" <<<"$scripts"
ok "postinst enables vfctl.service for the next boot" $?
# --no-enable: the timer is only re-enabled on upgrade when the admin had enabled it (was-enabled
# inside debian-installed); the lab-boot tier checks a fresh install leaves it disabled.
grep -q "deb-systemd-helper debian-installed 'vfctl-metrics.timer'" <<<"$scripts"
ok "postinst enables vfctl-metrics.timer only where the admin had (dh_installsystemd --no-enable)" $? "$scripts"

for d in "$out"/vfctl_*.deb "$out"/libvfctl2_*.deb; do dpkg-deb -x "$d" "$root"; done
ver=$(LD_LIBRARY_PATH=$(dirname "$(find "$root" -name 'libvfctl.so.2' | head -1)") "$root/usr/sbin/vfctl" --version)
want=$(dpkg-parsechangelog -l debian/changelog -S Version)
ok "vfctl --version prints the package version ($want)" "$([ "$ver" = "vfctl $want" ]; echo $?)" "got: $ver"
# The command is the library's first user: it links libvfctl.so.2, not a static copy of it.
needed=$(readelf -d "$root/usr/sbin/vfctl" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
ok "/usr/sbin/vfctl links the shared library (NEEDED: $needed)" "$(grep -qw libvfctl.so.2 <<<"$needed"; echo $?)"
lib=$(find "$root" -name 'libvfctl.so.2' | head -1)
exported=$(nm -D --defined-only "$lib" | awk '$2 == "T" {print $3}' | sed 's/@.*//' | sort)
listed=$(grep -o 'vfctl_[a-z0-9_]*@' debian/libvfctl2.symbols | tr -d @ | sort)
ok "debian/libvfctl2.symbols lists exactly what libvfctl.so.2 exports ($(wc -l <<<"$exported") functions)" \
	"$([ "$exported" = "$listed" ]; echo $?)" "$(diff <(echo "$exported") <(echo "$listed"))"

for u in vfctl.service vfctl-device@.service vfctl-metrics.service; do
	inst=$u
	[ "$u" = vfctl-device@.service ] && inst=vfctl-device@0000:01:00.0.service
	cp "$root/lib/systemd/system/$u" "$ctl/$inst"
	score=$(cd "$ctl" && systemd-analyze security --offline=yes "$inst" 2>/dev/null | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p')
	echo "# systemd-analyze security $u: ${score:-?}"
	ok "$u is sandboxed (exposure below 5.0)" "$(awk -v s="${score:-99}" 'BEGIN { exit !(s < 5.0) }'; echo $?)"
done
finish package
