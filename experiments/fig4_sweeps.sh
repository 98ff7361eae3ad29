#!/usr/bin/env bash
# Paper Fig. 4a/4b and the synthetic rows of Table 2 on the CPU preset `synthetic` (3 x FC256 networks, NOT the
# paper's networks), cut to 3,000 steps per run: synthetic n = 8 with m = 2..32 step 2, and n = 16 with
# m = 2..48 step 4; MaskAAE and WAE-GAN; seeds 0, 1, 2. Seeds are the outer axis, so a sweep stopped early has
# whole curves for the first seeds. Re-running continues where it stopped (finished runs are kept).
#   NS="8 16" JOBS=1 bash experiments/fig4_sweeps.sh      # or NS=8 and NS=16 in two shells, one core each
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1
for n in ${NS:-8 16}; do
    if [ "$n" = 8 ]; then ms=2:32:2; else ms=2:48:4; fi
    .venv/bin/maskaae sweep --preset synthetic --set data.latent_dim=$n train.steps=3000 \
        --grid seed=0,1,2 model.mask=true,false model.latent_dim=$ms \
        --out "runs/sweep-synthetic-n$n" --jobs "${JOBS:-1}"
    .venv/bin/maskaae report "runs/sweep-synthetic-n$n"
done
