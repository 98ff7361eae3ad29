#!/usr/bin/env bash
# Issue 2's measurement: the README's main command (MaskAAE, default CPU preset, n = 8, m = 32) and the same
# budget with the mask switched off (WAE-GAN), each run alone on the machine with 2 threads. The run folders
# are copied to results/ without their checkpoints.
#   bash experiments/synthetic_default.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=PASSIVE
run() {  # name, extra args
    local name=$1; shift
    /usr/bin/time -v .venv/bin/maskaae train --out "runs/$name" --overwrite --quiet "$@" 2> "runs/$name.time" \
        | tee "runs/$name.stdout"
    mkdir -p "results/$name"
    find "runs/$name" -maxdepth 1 -type f ! -name checkpoint.pt -exec cp {} "results/$name/" \;
    grep -E "Elapsed|Maximum resident" "runs/$name.time" > "results/$name/time.txt"
}
mkdir -p runs
run synthetic-default
run synthetic-default-wae --set model.mask=false
