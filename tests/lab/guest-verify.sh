#!/bin/bash
# Runs inside the lab VM: vfctl verify (drift and --datapath through the igb's switch), per-VF
# counters and the metrics as node_exporter serves them.
. "$(dirname "$0")/../../lab/guest-env.sh"
cd "$(dirname "$0")/../.."
export VFCTL=$PWD/${VFCTL_LAB_BUILD:-build}/vfctl
python3 -u tests/lab/test_verify.py 2>&1 | tee /out/lab.log
exit "${PIPESTATUS[0]}"
