#!/bin/bash
# Runs inside the lab VM (lab/run-vm.sh): the lab tier of make check.
. "$(dirname "$0")/../../lab/guest-env.sh"
cd "$(dirname "$0")/../.."
export VFCTL=$PWD/build/vfctl
python3 -u tests/lab/test_lab.py 2>&1 | tee /out/lab.log
exit "${PIPESTATUS[0]}"
