#!/bin/bash
# Runs inside the lab VM: the switchdev and vDPA part of the lab tier (a fresh VM, so the status tests' changes
# do not leak in).
. "$(dirname "$0")/../../lab/guest-env.sh"
cd "$(dirname "$0")/../.."
export VFCTL=$PWD/build/vfctl
python3 -u tests/lab/test_switchdev.py 2>&1 | tee /out/lab.log
exit "${PIPESTATUS[0]}"
