"""Time to result, the figure a user feels: wall-clock seconds until MaskAAE on synthetic n = 8, m = 32 first
reaches m_A = 8 and keeps it to the end of the run, for the default CPU preset ("after") and for the same
networks with the authors' training settings ("before": mask lr 5e-4, lambda2 1, the authors' lambda3 interval,
two threads). Each variant is a `maskaae train` run; the figure is read from its metrics.jsonl, whose records
carry the elapsed seconds. Writes benchmarks/results/time_to_result.json.

    python benchmarks/time_to_result.py [--steps-before 8000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
VARIANTS = {
    "after (default synthetic preset)": [],
    "before (authors' training settings, same networks)": [
        "loss.lambda2=1", "train.lr_mask=5e-4", "train.reg_schedule_interval=null", "train.threads=2"],
}


def first_kept(records: list[dict], target: int) -> dict | None:
    """The first record from which active_dims == target holds to the end of the run."""
    kept = None
    for record in records:
        if record["active_dims"] == target:
            kept = kept or record
        else:
            kept = None
    return kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps-before", type=int, default=8000, help="step budget of the 'before' variant")
    parser.add_argument("--workdir", default=str(HERE.parent / "runs" / "time_to_result"))
    args = parser.parse_args()
    rows = []
    for name, overrides in VARIANTS.items():
        out = Path(args.workdir) / name.split()[0]
        steps = [] if not overrides else [f"train.steps={args.steps_before}"]
        command = [sys.executable, "-m", "maskaae", "train", "--out", str(out), "--overwrite", "--quiet",
                   "--set", "train.log_every=50", *overrides, *steps]
        start = time.perf_counter()
        subprocess.run(command, check=True)
        wall = time.perf_counter() - start
        records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
        summary = json.loads((out / "summary.json").read_text())
        hit = first_kept(records, 8)
        rows.append({"variant": name, "overrides": overrides + steps,
                     "seconds_to_m_A_8_kept": hit["elapsed"] if hit else None,
                     "step_to_m_A_8_kept": hit["step"] if hit else None,
                     "final_active_dims": summary["active_dims"], "steps": summary["steps"],
                     "train_seconds": summary["seconds"], "wall_seconds_with_startup": round(wall, 1),
                     "precision": summary["precision"], "recall": summary["recall"]})
        print(json.dumps(rows[-1]), flush=True)
    result = {"command": " ".join(["python", *sys.argv]), "date": time.strftime("%Y-%m-%d"),
              "log_every": 50, "repeats": 1, "rows": rows}
    (HERE / "results" / "time_to_result.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
