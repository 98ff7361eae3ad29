#!/usr/bin/env bash
# Does a narrow mask start change what MaskAAE keeps? On MNIST and Fashion-MNIST the kept dimensions were those
# that started with the highest mu (docs/REPRODUCTION.md). Synthetic n = 8 and n = 16 at m = 32 with
# theta ~ U[4.5, 5] instead of the preset's U[2, 5], lambda2 3 (the preset) and 2, seeds 0 and 1; `synthetic`
# preset at 3,000 steps as in the Fig. 4 sweeps, one thread. The U[2, 5], lambda2 3 cells are the Fig. 4 and
# Table 2 runs. Resumable like any sweep.
#   bash experiments/mask_start_probe.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1
.venv/bin/maskaae sweep --preset synthetic --set model.latent_dim=32 train.steps=3000 model.mask_init_min=4.5 \
    --grid data.latent_dim=8,16 loss.lambda2=3,2 seed=0,1 --out runs/sweep-mask-start --jobs "${JOBS:-1}"
.venv/bin/maskaae report runs/sweep-mask-start
