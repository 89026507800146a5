#!/bin/bash
# Installs the Debian packages that build, tests and the lab need. Root; idempotent.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "deps: must run as root (apt-get)" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
. "$(dirname "$0")/deps-packages.sh"

# QEMU >= 8 (igb model) comes from bookworm-backports; plain bookworm has 7.2.
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	cat > /etc/apt/sources.list.d/vfctl-backports.sources <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
apt-get install -y -qq --no-install-recommends -t bookworm-backports "${backports[@]}" >/dev/null
echo "deps: ok ($(qemu-system-x86_64 --version | head -1))"
