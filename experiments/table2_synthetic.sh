#!/usr/bin/env bash
# Paper Table 2, synthetic n = 16 row at the paper's m = 32 (not on the Fig. 4b grid 2:48:4), on the CPU preset
# `synthetic` cut to 3,000 steps like the Fig. 4 sweeps; MaskAAE and WAE-GAN, seeds 0, 1, 2. One thread per
# run; re-running continues where it stopped.
#   bash experiments/table2_synthetic.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1
.venv/bin/maskaae sweep --preset synthetic --set data.latent_dim=16 model.latent_dim=32 train.steps=3000 \
    --grid seed=0,1,2 model.mask=true,false --out runs/sweep-table2-n16-m32 --jobs "${JOBS:-1}"
