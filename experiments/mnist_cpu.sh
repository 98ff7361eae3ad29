#!/usr/bin/env bash
# MNIST, m = 64, CPU preset `mnist` (3 x FC512 MLPs, 12,000 steps, FID at N = 2,000; NOT the paper's networks,
# schedule or FID sample count): MaskAAE and WAE-GAN side by side, one thread each. Run folders are copied to
# results/ without their checkpoints.
#   bash experiments/mnist_cpu.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1
.venv/bin/maskaae data get mnist
run() {  # name, extra overrides
    local name=$1; shift
    /usr/bin/time -v .venv/bin/maskaae train --preset mnist --set train.threads=1 "$@" --out "runs/$name" \
        --overwrite --quiet > "runs/$name.stdout" 2> "runs/$name.time"
    mkdir -p "results/$name"
    find "runs/$name" -maxdepth 1 -type f ! -name checkpoint.pt -exec cp {} "results/$name/" \;
    grep -E "Elapsed|Maximum resident" "runs/$name.time" > "results/$name/time.txt"
    cat "runs/$name.stdout"
}
mkdir -p runs
run mnist-cpu-maskaae-m64 &
run mnist-cpu-wae-m64 model.mask=false &
wait
