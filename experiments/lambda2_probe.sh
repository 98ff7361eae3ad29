#!/usr/bin/env bash
# The mask-loss weight lambda2 against n: MaskAAE on the CPU preset `synthetic` (theta ~ U[2, 5], 500 steps
# without mask updates) cut to 3,000 steps like the Fig. 4 sweeps. n = 16 at m = 32 with lambda2 = 1, 2 (the
# preset's 3 is in runs/sweep-table2-n16-m32), and n = 8 at m = 8, 16, 32 with lambda2 = 1. One thread per
# run; re-running continues where it stopped.
#   bash experiments/lambda2_probe.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1
.venv/bin/maskaae sweep --preset synthetic --set data.latent_dim=16 model.latent_dim=32 train.steps=3000 \
    --grid loss.lambda2=1,2 seed=0,1 --out runs/sweep-lambda2-n16-m32 --jobs "${JOBS:-1}"
.venv/bin/maskaae sweep --preset synthetic --set data.latent_dim=8 loss.lambda2=1 train.steps=3000 \
    --grid model.latent_dim=8,16,32 seed=0,1 --out runs/sweep-lambda2-n8 --jobs "${JOBS:-1}"
