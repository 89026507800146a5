#!/bin/bash
# make deb: builds the vfctl, libvfctl2 and libvfctl-dev packages from the files git tracks, in
# a copy under $OUT (default build/deb), and runs lintian on them. Installs its build dependencies
# first (root). Prints the .deb paths last.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-build/deb}
version=$(dpkg-parsechangelog -l debian/changelog -S Version 2>/dev/null || sed -n '1s/.*(\(.*\)).*/\1/p' debian/changelog)

# shellcheck source=scripts/install-missing.sh
. scripts/install-missing.sh
install_missing deb debhelper dpkg-dev fakeroot lintian meson ninja-build pkg-config libmnl-dev libpci-dev libkmod-dev

rm -rf "$OUT"
src="$OUT/vfctl-$version"
mkdir -p "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -a -t "$src"
else
	tar --exclude='./build*' --exclude=./.git -cf - . | tar -xf - -C "$src"
fi
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$OUT/build.log" 2>&1 || {
	grep -E 'error|Error' "$OUT/build.log" | cut -c1-300 | tail -n 20
	echo "deb: dpkg-buildpackage failed (whole log: $OUT/build.log)" >&2
	exit 1
}
(cd "$OUT" && lintian --info --display-info --pedantic --fail-on error ./*.changes) | tee "$OUT/lintian.txt" ||
	{ echo "deb: lintian found errors (above)" >&2; exit 1; }
ls "$OUT"/*.deb
