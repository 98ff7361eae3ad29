#!/usr/bin/env bash
# FID at the paper's N = 10,000 (generated images against the 10,000 MNIST test images) for the two m = 64 runs of
# experiments/image_cpu.sh, from their final checkpoints (never a best-of). One Inception thread, so the other core
# stays free; the reference statistics of the test set are computed once and cached. Writes
# results/<run>-fid10000/summary.json: the evaluation (latent_dim, active_dims, fid, fid_samples, ...) plus the
# training time of the run and the wall-clock time of this evaluation.
#   bash experiments/mnist_fid10k.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1
for name in ${RUNS:-mnist-cpu-maskaae-m64 mnist-cpu-wae-m64}; do
    if [ -z "${COLLECT_ONLY:-}" ]; then
        /usr/bin/time -v .venv/bin/maskaae evaluate "runs/$name" --fid-samples 10000 \
            > "runs/$name.fid10k.stdout" 2> "runs/$name.fid10k.time"
    fi
    out="results/$name-fid10000"
    mkdir -p "$out"
    cp "runs/$name/config.json" "$out/config.json"
    .venv/bin/python - "runs/$name" "runs/$name.fid10k.time" "$out/summary.json" <<'PY'
import json, re, sys
from pathlib import Path
run, time_file, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
evaluation = json.loads((run / "evaluation.json").read_text())
trained = json.loads((run / "summary.json").read_text())
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", time_file.read_text()).group(1)
summary = {"preset": trained["preset"], "seed": trained["seed"], **evaluation,
           "train_seconds": trained["seconds"], "evaluation_wall_clock": wall,
           "fid_at_training_end": {"fid": trained.get("fid"), "fid_samples": trained.get("fid_samples")},
           "command": "bash experiments/mnist_fid10k.sh"}
out.write_text(json.dumps(summary, indent=2) + "\n")
print(out, {k: summary[k] for k in ["model", "latent_dim", "active_dims", "fid", "fid_samples"]})
PY
done
