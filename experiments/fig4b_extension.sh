#!/usr/bin/env bash
# Paper Fig. 4b beyond the issue's m = 48: synthetic n = 16, m = 50..78 step 4 (the paper goes to 78), MaskAAE
# and WAE-GAN, seeds 0-2, on the same `synthetic` CPU preset and 3,000 steps as experiments/fig4_sweeps.sh. A
# sweep folder cannot change its grid, so this is a second sweep with the same preset, --set and grid keys,
# and one report joins both folders. Re-running continues where it stopped.
#   JOBS=2 bash experiments/fig4b_extension.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1
.venv/bin/maskaae sweep --preset synthetic --set data.latent_dim=16 train.steps=3000 \
    --grid seed=0,1,2 model.mask=true,false model.latent_dim=50:78:4 \
    --out runs/sweep-synthetic-n16-m50-78 --jobs "${JOBS:-1}"
.venv/bin/maskaae report runs/sweep-synthetic-n16-m50-78
