#!/usr/bin/env bash
# Fashion-MNIST, m = 128, `fashion` CPU preset: MaskAAE with seed 1, to see whether seed 0's m_A (from
# experiments/image_cpu.sh) holds for another seed. One thread; the run folder is copied to results/ without
# its checkpoint. A stopped run continues with the same command (--resume when a checkpoint exists).
#   bash experiments/fashion_seed1.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1
name=fashion-cpu-maskaae-m128-seed1
mode=--overwrite
[ -f "runs/$name/checkpoint.pt" ] && mode=--resume
.venv/bin/maskaae data get fashion-mnist
/usr/bin/time -v .venv/bin/maskaae train --preset fashion --set train.threads=1 seed=1 --out "runs/$name" $mode \
    --quiet > "runs/$name.stdout" 2> "runs/$name.time"
mkdir -p "results/$name"
find "runs/$name" -maxdepth 1 -type f ! -name checkpoint.pt -exec cp {} "results/$name/" \;
grep -E "Elapsed|Maximum resident" "runs/$name.time" > "results/$name/time.txt"
cat "runs/$name.stdout"
