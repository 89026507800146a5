#!/bin/bash
# Runs inside the lab VM: every command once under ASan/UBSan on the real kernel (a fresh VM, so the status tests' changes
# do not leak in).
. "$(dirname "$0")/../../lab/guest-env.sh"
cd "$(dirname "$0")/../.."
export VFCTL=$PWD/build/vfctl
python3 -u tests/lab/test_asan.py 2>&1 | tee /out/lab.log
exit "${PIPESTATUS[0]}"
