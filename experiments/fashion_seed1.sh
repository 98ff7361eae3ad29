#!/usr/bin/env bash
# Fashion-MNIST, m = 128, `fashion` CPU preset: MaskAAE with seed 1, to see whether seed 0's m_A (from
# experiments/image_cpu.sh) holds for another seed. One thread; the run folder is copied to results/ without
# its checkpoint. A stopped run continues with the same command (--resume when a checkpoint exists).
#   bash experiments/fashion_seed1.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1
source experiments/train_run.sh
name=fashion-cpu-maskaae-m128-seed1
mode=--overwrite
[ -f "runs/$name/checkpoint.pt" ] && mode=--resume
.venv/bin/maskaae data get fashion-mnist
mkdir -p runs
train_run "$name" --preset fashion $mode --set train.threads=1 seed=1
