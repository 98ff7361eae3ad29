#!/usr/bin/env bash
# Copy a sweep's small results into results/: results.csv, the sweep spec, report/ (report.md + PNGs) and, per
# run, config.json, summary.json and metrics.jsonl (no checkpoints, no per-run PNGs).
#   bash experiments/collect_sweep.sh runs/sweep-synthetic-n8 results/sweep-synthetic-n8
set -euo pipefail
cd "$(dirname "$0")/.."
src=$1 dst=$2
.venv/bin/maskaae report "$src"
rm -rf "$dst" && mkdir -p "$dst"
find "$src" -maxdepth 1 -type f -exec cp {} "$dst/" \;
cp -r "$src/report" "$dst/report"
for run in "$src"/runs/*/; do
    name=$(basename "$run")
    [ -f "$run/summary.json" ] || continue  # unfinished runs stay out
    mkdir -p "$dst/runs/$name"
    cp "$run/config.json" "$run/summary.json" "$run/metrics.jsonl" "$dst/runs/$name/"
done
du -sh "$dst"
