#!/bin/bash
# Fetches the lab kernel: the newest Debian 6.12 image for which linux-headers and linux-source
# of the same version exist, unpacked (not installed) and depmod'ed, plus the out-of-tree modules
# Debian does not build (netdevsim, vringh, vdpa_sim, vdpa_sim_net). Idempotent; caches in $CACHE.
set -euo pipefail
CACHE=${VFCTL_LAB_CACHE:-/var/cache/vfctl-lab}
export DEBIAN_FRONTEND=noninteractive
mkdir -p "$CACHE"
cd "$CACHE"

# Resolve the version at run time: old versions leave the archive.
srcver=$(apt-cache policy linux-source-6.12 | awk '/Candidate:/ {print $2}')
[ -n "$srcver" ] && [ "$srcver" != "(none)" ] || { echo "fetch-kernel: linux-source-6.12 not found (apt-get update?)" >&2; exit 1; }
upstream=${srcver%%-*}               # 6.12.117
abi="${upstream}+deb12"
kver="${abi}-amd64"
echo "$kver" > kver.new

if [ -f "done-$kver" ]; then
	mv kver.new kver
	echo "fetch-kernel: $kver cached in $CACHE"
	exit 0
fi

echo "fetch-kernel: $kver (linux-source-6.12 $srcver)"
rm -rf dl root src extra && mkdir -p dl root src extra
(cd dl && apt-get download -qq "linux-image-${kver}-unsigned" "linux-source-6.12=${srcver}")
apt-get install -y -qq --no-install-recommends "linux-headers-${kver}" >/dev/null
dpkg-deb -x dl/linux-image-*.deb root
dpkg-deb -x dl/linux-source-*.deb src
tarball=$(ls src/usr/src/linux-source-6.12.tar.xz)
tar -C src -xf "$tarball" --wildcards 'linux-source-6.12/drivers/net/netdevsim/*' \
	'linux-source-6.12/drivers/vhost/vringh.c' 'linux-source-6.12/drivers/vdpa/vdpa_sim/*'
S=src/linux-source-6.12
KDIR=/usr/src/linux-headers-$kver
NJ=$(nproc)

# vringh as its own module so vdpa_sim can link against it.
mkdir -p extra/vringh && cp $S/drivers/vhost/vringh.c extra/vringh/
echo 'obj-m += vringh.o' > extra/vringh/Kbuild
make -s -C "$KDIR" M="$PWD/extra/vringh" -j"$NJ" modules
cp -r $S/drivers/vdpa/vdpa_sim extra/vdpa_sim
make -s -C "$KDIR" M="$PWD/extra/vdpa_sim" -j"$NJ" CONFIG_VDPA_SIM=m CONFIG_VDPA_SIM_NET=m \
	CONFIG_VDPA_SIM_BLOCK=n KBUILD_EXTRA_SYMBOLS="$PWD/extra/vringh/Module.symvers" modules
cp -r $S/drivers/net/netdevsim extra/netdevsim
make -s -C "$KDIR" M="$PWD/extra/netdevsim" -j"$NJ" CONFIG_NETDEVSIM=m modules

mdir=root/lib/modules/$kver
mkdir -p "$mdir/extra"
cp extra/vringh/vringh.ko extra/vdpa_sim/vdpa_sim.ko extra/vdpa_sim/vdpa_sim_net.ko \
	extra/netdevsim/netdevsim.ko "$mdir/extra/"
depmod -b "$PWD/root" "$kver"
rm -rf dl src
touch "done-$kver"
mv kver.new kver
echo "fetch-kernel: $kver ready in $CACHE"
