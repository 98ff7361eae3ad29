#!/usr/bin/env bash
# Paper Fig. 4a/4b and the synthetic rows of Table 2 on the CPU preset `synthetic` (3 x FC256 networks, NOT the
# paper's networks), cut to 2,000 steps per run so both sweeps fit a session on 2 cores: synthetic n = 8 with
# m = 2..32 step 2, and n = 16 with m = 2..48 step 4; MaskAAE and WAE-GAN; seeds 0, 1, 2. Seeds are the outer
# axis, so a sweep stopped early still has whole curves. Re-running the script continues where it stopped.
#   JOBS=2 bash experiments/fig4_sweeps.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1
JOBS=${JOBS:-1}
for n in 8 16; do
    if [ "$n" = 8 ]; then ms=2:32:2; else ms=2:48:4; fi
    .venv/bin/maskaae sweep --preset synthetic --set data.latent_dim=$n train.steps=2000 \
        --grid seed=0,1,2 model.mask=true,false model.latent_dim=$ms \
        --out "runs/sweep-synthetic-n$n" --jobs "$JOBS"
    .venv/bin/maskaae report "runs/sweep-synthetic-n$n"
done
