#!/bin/bash
# make rpm: builds the vfctl, libvfctl and libvfctl-devel RPMs and the .src.rpm from the files git
# lists, committed or not, under $BUILD/rpm (default build/rpm), and runs rpmlint on them. Installs
# its build dependencies first (root). Prints the .rpm paths last.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
case $BUILD in
/*) top=$BUILD/rpm ;;
*) top=$PWD/$BUILD/rpm ;; # rpmbuild's _topdir must be absolute
esac
version=$(sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" meson.build | head -n 1)
[ -n "$version" ] || { echo "rpm: no project version in meson.build" >&2; exit 1; }

# shellcheck source=scripts/install-missing.sh
. scripts/install-missing.sh
install_missing rpm rpm rpmlint elfutils cpio gcc meson ninja-build pkg-config dpkg-dev \
	libmnl-dev libpci-dev libkmod-dev libjansson-dev

rm -rf "$top"
mkdir -p "$top/SOURCES" "$top/SPECS"
name=vfctl-$version
# The working tree, not HEAD: what is not committed yet is built too. --cached still lists a file
# deleted but not yet staged, which is left out.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi; done |
		tar --null -T - --transform "s,^,$name/," --owner=0 --group=0 --numeric-owner \
			-czf "$top/SOURCES/$name.tar.gz"
else
	tar --exclude='./build*' --exclude=./.git --transform "s,^\.,$name," --owner=0 --group=0 --numeric-owner \
		-czf "$top/SOURCES/$name.tar.gz" .
fi
sed "s/^\(Version:[[:space:]]*\)@VERSION@\$/\1$version/" packaging/rpm/vfctl.spec >"$top/SPECS/vfctl.spec"
grep -q "^Version:[[:space:]]*$version\$" "$top/SPECS/vfctl.spec" ||
	{ echo "rpm: packaging/rpm/vfctl.spec has no 'Version: @VERSION@' line" >&2; exit 1; }
# What Fedora's redhat-rpm-config sets and Debian's rpm does not: -debuginfo and -debugsource
# packages (the binaries stripped into them, as Debian's dbgsym), the build flags (here the .deb's
# hardened ones, less its -ffile-prefix-map of this checkout, which would hide the sources from
# find-debuginfo), license and doc directories named by the package alone. Debian's brp-compress
# needs bash (read -d).
flags() {
	DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get "$1" | sed 's/-ffile-prefix-map=[^ ]*//'
}
cat >"$top/macros" <<EOF
%_enable_debug_packages 1
%_debuginfo_subpackages 1
%_debugsource_packages 1
%install %{?_enable_debug_packages:%{?buildsubdir:%{debug_package}}}\\
%%install\\
%{nil}
%optflags $(flags CPPFLAGS) $(flags CFLAGS)
%build_ldflags $(flags LDFLAGS)
%_docdir_fmt %%{NAME}
%__brp_compress bash %{_rpmconfigdir}/brp-compress %{?_prefix}
EOF

# --nodeps: the BuildRequires name RPM packages, and Debian's rpm database is empty (the build
# dependencies are the Debian packages checked above), so rpmbuild would find none of them.
rpmbuild -ba --nodeps --load "$top/macros" --define "_topdir $top" "$top/SPECS/vfctl.spec" \
	>"$top/build.log" 2>&1 || {
	grep -E 'error|Error' "$top/build.log" | cut -c1-300 | tail -n 20
	echo "rpm: rpmbuild failed (whole log: $top/build.log)" >&2
	exit 1
}
rpms=("$top"/RPMS/*/*.rpm "$top"/SRPMS/*.src.rpm)
# rpmlint exits non-zero on an error, not on a warning.
rpmlint -r packaging/rpm/vfctl.rpmlintrc "${rpms[@]}" >"$top/rpmlint.txt" 2>&1 || lint=$?
cat "$top/rpmlint.txt"
[ "${lint:-0}" = 0 ] || { echo "rpm: rpmlint found errors (above)" >&2; exit 1; }
ls "${rpms[@]}"
