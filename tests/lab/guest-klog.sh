#!/bin/bash
# Runs inside the lab VM booted broken on purpose (tests/meson.build gives the QEMU and kernel
# arguments, vfctl_mode names the case): doctor against the kernel's own log.
. "$(dirname "$0")/../../lab/guest-env.sh"
cd "$(dirname "$0")/../.."
export VFCTL=$PWD/${VFCTL_LAB_BUILD:-build}/vfctl
python3 -u tests/lab/test_klog.py 2>&1 | tee /out/lab.log
exit "${PIPESTATUS[0]}"
