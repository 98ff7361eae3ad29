#!/usr/bin/env bash
# MNIST m_A and FID against the model capacity m (paper Fig. 4c / Fig. 5), MaskAAE on the `mnist` CPU preset
# (3 x FC512 MLPs, 12,000 steps, FID at N = 2,000; NOT the paper's networks, schedule or N), the same preset as
# results/mnist-cpu-maskaae-m64. One thread per run; re-running continues a stopped sweep.
#   M=16,32,110 JOBS=1 bash experiments/mnist_m_sweep.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1
.venv/bin/maskaae data get mnist
.venv/bin/maskaae sweep --preset mnist --grid model.latent_dim="${M:-16,32,110}" --out runs/sweep-mnist-m \
    --jobs "${JOBS:-1}"
.venv/bin/maskaae report runs/sweep-mnist-m
