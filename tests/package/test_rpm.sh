#!/bin/bash
# The RPMs (make rpm): built, without an rpmlint error, shipping the files the .debs ship under
# RPM's paths (each difference below says why), and scriptlets that never apply a configuration.
# Builds both in a temporary directory: .debs left in a build directory may be of an older tree.
# TAP. Usage: tests/package/test_rpm.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=tests/package/tap.sh
. tests/package/tap.sh

st=0
log=$(BUILD=$work bash scripts/rpm.sh 2>&1) || st=$?
ok "make rpm builds vfctl, libvfctl, libvfctl-devel and the .src.rpm" $st "$(tail -n 20 <<<"$log")"
rpmdir=$work/rpm/RPMS/$(rpm --eval '%{_arch}')
for p in vfctl libvfctl libvfctl-devel; do
	st=0
	ls "$rpmdir/$p"-[0-9]*.rpm >/dev/null 2>&1 || st=$?
	ok "$p rpm exists" $st
done
ls "$rpmdir/vfctl"-[0-9]*.rpm >/dev/null 2>&1 || finish package-rpm

summary=$(grep -Eo '[0-9]+ errors, [0-9]+ warnings' "$work/rpm/rpmlint.txt" || true)
errors=$(sed -n 's/^\([0-9]*\) errors.*/\1/p' <<<"$summary")
ok "rpmlint: no error ($summary)" "$([ "${errors:-x}" = 0 ] && echo 0 || echo 1)" \
	"$(grep -E ': [EW]: ' "$work/rpm/rpmlint.txt")"
grep -E ': W: ' "$work/rpm/rpmlint.txt" | sed 's/^/# rpmlint /' || true

st=0
log=$(OUT=$work/deb bash scripts/deb.sh 2>&1) || st=$?
ok "make deb builds the packages to compare with" $st "$(tail -n 20 <<<"$log")"

# A package's entries: its files and symlinks, and the directories it ships empty (/etc/vfctl);
# the directories above them are each format's own business.
leaves() {
	awk '{ a[$0] = 1; p = $0; while (sub(/\/[^\/]*$/, "", p) && p != "") up[p] = 1 }
		END { for (f in a) if (!(f in up)) print f }'
}
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
libdir=$(rpm --eval '%{_libdir}')
# The .deb's entries where RPM puts them. Differences: Debian keeps its changelog as a file, RPM in
# the header (rpm -q --changelog); the copyright file is the RPM's %license.
deb_files() { # deb package, rpm package
	dpkg-deb -c "$(ls "$work"/deb/"$1"_*.deb)" | awk '{ print $6 }' | sed 's,^\./,/,; s,/$,,' | grep -v '^/*$' |
		leaves | sed -e "s,^/lib/systemd/system/,/usr/lib/systemd/system/," -e "s,^/lib/udev/,/usr/lib/udev/," \
		-e "s,^/usr/lib/$multiarch/,$libdir/," \
		-e "s,^/usr/share/doc/$1/copyright$,/usr/share/licenses/$2/copyright," \
		-e "\,^/usr/share/doc/$1/changelog\(\.Debian\)\?\.gz$,d" | sort
}
# Differences: the RPM's /usr/lib/.build-id links (the .deb's are in its -dbgsym), and vfctl's
# preset, which enables vfctl.service as the .deb does (RHEL's default preset disables it).
rpm_files() { # rpm package
	rpm -qlp "$(ls "$rpmdir/$1"-[0-9]*.rpm)" | leaves |
		grep -v -e '^/usr/lib/\.build-id/' -e '^/usr/lib/systemd/system-preset/50-vfctl\.preset$' | sort || true
}
for pair in vfctl:vfctl libvfctl2:libvfctl libvfctl-dev:libvfctl-devel; do
	d=${pair%:*} r=${pair#*:}
	diff=$(diff <(deb_files "$d" "$r") <(rpm_files "$r") | grep '^[<>]' || true)
	diff=$(sed 's/^</only in the .deb:/; s/^>/only in the rpm:/' <<<"$diff")
	ok "the $r rpm ships what the $d .deb ships ($(rpm_files "$r" | wc -l) entries)" \
		"$([ -z "$diff" ] && echo 0 || echo 1)" "$diff"
done

rpm=$(ls "$rpmdir"/vfctl-[0-9]*.rpm)
version=$(sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" meson.build | head -n 1)
got=$(rpm -qp --qf '%{VERSION}' "$rpm")
ok "the rpm's version is meson.build's ($version)" "$([ "$got" = "$version" ] && echo 0 || echo 1)" "got: $got"
scripts=$(rpm -qp --scripts "$rpm")
st=0
grep -Eq 'vfctl (apply|bind|restore)|(start|restart|reload-or-restart)[^-]' <<<"$scripts" && st=1
ok "scriptlets neither apply nor start anything" $st "$scripts"
# Fedora's macro calls systemd-update-helper, Debian's build the spec's own (the same preset).
st=0
grep -Eq '(preset|install-system-units) vfctl\.service' <<<"$scripts" || st=$?
ok "%post presets vfctl.service" $st "$scripts"

root=$work/root
mkdir -p "$root"
(cd "$root" && rpm2cpio "$rpm" | cpio -idm --quiet)
preset=$(cat "$root/usr/lib/systemd/system-preset/50-vfctl.preset" 2>/dev/null || true)
st=0
grep -qx 'enable vfctl.service' <<<"$preset" && grep -qx 'disable vfctl-metrics.timer' <<<"$preset" || st=1
ok "the preset enables vfctl.service for the next boot, not the metrics timer" $st "$preset"
execs=$(grep -h -o -e '^ExecStart=[^ ]*' -e 'RUN[^=]*="[^ "]*' "$root"/usr/lib/systemd/system/* \
	"$root"/usr/lib/udev/rules.d/* | sed 's/.*[="]//' | sort -u)
ok "the units run the vfctl the rpm ships ($execs)" "$([ "$execs" = /usr/sbin/vfctl ] && echo 0 || echo 1)"
finish package-rpm
