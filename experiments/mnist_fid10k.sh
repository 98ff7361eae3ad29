#!/usr/bin/env bash
# FID at the paper's N = 10,000 (generated images against the 10,000 MNIST test images) for the two m = 64 runs of
# experiments/mnist_cpu.sh, from their final checkpoints (never a best-of). One Inception thread, so the other core
# stays free; the reference statistics of the test set are computed once and cached.
#   bash experiments/mnist_fid10k.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1
for name in mnist-cpu-maskaae-m64 mnist-cpu-wae-m64; do
    /usr/bin/time -v .venv/bin/maskaae evaluate "runs/$name" --fid-samples 10000 \
        > "runs/$name.fid10k.stdout" 2> "runs/$name.fid10k.time"
    cp "runs/$name/evaluation.json" "results/$name/evaluation-fid10000.json"
    grep -E "Elapsed|Maximum resident" "runs/$name.fid10k.time" > "results/$name/evaluation-fid10000-time.txt"
    cat "runs/$name.fid10k.stdout"
done
