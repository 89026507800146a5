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

# No package may start its daemon here (openvswitch-switch would start ovsdb-server and
# ovs-vswitchd on the CI machine): the lab and the tests run their own. invoke-rc.d asks
# policy-rc.d; 101 is "action forbidden". One already in place is the admin's and stays.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi

apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
apt-get install -y -qq --no-install-recommends -t bookworm-backports "${backports[@]}" >/dev/null
echo "deps: ok ($(qemu-system-x86_64 --version | head -1))"
