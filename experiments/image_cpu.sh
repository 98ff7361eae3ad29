#!/usr/bin/env bash
# MaskAAE and WAE-GAN side by side on a CPU image preset, one thread each: MNIST at m = 64 (`mnist`: 3 x FC512
# MLPs, 12,000 steps) or Fashion-MNIST at m = 128 (`fashion`: the paper's conv networks at a quarter of the
# channels, 20,000 steps); FID at N = 2,000 in both. NOT the paper's networks, schedule or FID sample count.
# Run folders are copied to results/ without their checkpoints.
#   bash experiments/image_cpu.sh                          # MNIST, m = 64
#   PRESET=fashion DATA=fashion-mnist M=128 bash experiments/image_cpu.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1
source experiments/train_run.sh
preset=${PRESET:-mnist} m=${M:-64}
.venv/bin/maskaae data get "${DATA:-mnist}"
run() {  # name, extra overrides
    local name=$1; shift
    train_run "$name" --preset "$preset" --overwrite --set train.threads=1 model.latent_dim="$m" "$@"
}
mkdir -p runs
run "$preset-cpu-maskaae-m$m" &
run "$preset-cpu-wae-m$m" model.mask=false &
wait
