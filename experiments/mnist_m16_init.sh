#!/usr/bin/env bash
# MNIST at m = 16 with the synthetic preset's mask start (theta ~ U[2, 5]) instead of the `mnist` preset's
# U[0, 5]: does the start decide whether MaskAAE collapses at small m (results of mnist_m_sweep.sh)? Same preset
# otherwise (3 x FC512, 12,000 steps, FID at N = 2,000), one thread. The run folder is copied to results/
# without its checkpoint.
#   bash experiments/mnist_m16_init.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1
source experiments/train_run.sh
name=mnist-cpu-maskaae-m16-init2
.venv/bin/maskaae train --preset mnist --set model.latent_dim=16 model.mask_init_min=2 train.threads=1 \
    --out "runs/$name" --quiet ${RESUME:+--resume}
collect_run "$name"
