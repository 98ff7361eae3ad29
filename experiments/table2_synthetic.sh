#!/usr/bin/env bash
# Paper Table 2, synthetic n = 16 row at the paper's m = 32 (not on the Fig. 4b grid 2:48:4), and a probe of the
# mask-loss weight lambda2 at that point, on the CPU preset `synthetic` cut to 3,000 steps like the Fig. 4 sweeps.
# One thread per run; re-running continues where it stopped.
#   bash experiments/table2_synthetic.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1
common=(--preset synthetic --set data.latent_dim=16 model.latent_dim=32 train.steps=3000 --jobs "${JOBS:-1}")
.venv/bin/maskaae sweep "${common[@]}" --grid seed=0,1,2 model.mask=true,false --out runs/sweep-table2-n16-m32
.venv/bin/maskaae sweep "${common[@]}" --grid loss.lambda2=1,2 seed=0,1 --out runs/sweep-lambda2-n16-m32
