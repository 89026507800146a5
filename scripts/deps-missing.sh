#!/bin/bash
# Exits 0 when every package `make deps` installs (scripts/deps-packages.sh) is installed, 1
# (naming what is missing) otherwise.
. "$(dirname "$0")/deps-packages.sh"
missing=()
for p in "${packages[@]}" "${backports[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if command -v qemu-system-x86_64 >/dev/null 2>&1 &&
	! qemu-system-x86_64 -device help 2>/dev/null | grep -q '"igb"'; then
	missing+=("qemu>=8 (igb model, bookworm-backports)")
fi
[ ${#missing[@]} -eq 0 ] && exit 0
echo "missing: ${missing[*]}"
exit 1
