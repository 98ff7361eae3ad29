"""Time to result, the figure a user feels.

synthetic: wall-clock seconds until MaskAAE on synthetic n = 8, m = 32 first reaches m_A = 8 and keeps it to
the end of the run (and, beside it, until it first reaches its final m_A and keeps it), for the default CPU
preset ("after") and for the same networks with the authors' training settings ("before": mask lr 5e-4,
lambda2 1, the authors' lambda3 interval, theta ~ U[0, 5], mask updates from the first step, two threads).
Writes benchmarks/results/time_to_result.json.

mnist: FID (N = 2,000 generated against the first 2,000 test images) against training time for the `mnist`
CPU preset, measured every --fid-every steps inside one run; the training seconds exclude the time spent
measuring FID. Writes benchmarks/results/mnist_fid_vs_time.json.

Each variant is a `maskaae train` run; the figures are read from its metrics.jsonl, whose records carry the
elapsed seconds.

    python benchmarks/time_to_result.py [--part synthetic|mnist|all] [--steps-before 8000] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_step import run_header  # noqa: E402
VARIANTS = {
    "after (default synthetic preset)": [],
    "before (authors' training settings, same networks)": [
        "loss.lambda2=1", "train.lr_mask=5e-4", "train.reg_schedule_interval=null", "model.mask_init_min=0",
        "train.mask_warmup_steps=0", "train.threads=2"],
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


def train(out: Path, args: list[str]) -> tuple[list[dict], dict, float]:
    """One `maskaae train` run; returns its metric records, its summary and the wall-clock seconds."""
    command = [sys.executable, "-m", "maskaae", "train", "--out", str(out), "--overwrite", "--quiet", *args]
    start = time.perf_counter()
    subprocess.run(command, check=True)
    wall = time.perf_counter() - start
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    return records, json.loads((out / "summary.json").read_text()), wall


def header(threads: int | None) -> dict:
    return {**run_header(), "threads_override": threads, "repeats": 1}


def synthetic_part(workdir: Path, steps_before: int, threads: int | None) -> None:
    rows = []
    for name, overrides in VARIANTS.items():
        steps = [] if not overrides else [f"train.steps={steps_before}"]
        extra = [f"train.threads={threads}"] if threads else []
        out = workdir / name.split()[0]
        records, summary, wall = train(out, ["--set", "train.log_every=50", *overrides, *steps, *extra])
        hit = first_kept(records, 8)
        final = first_kept(records, summary["active_dims"])
        rows.append({"variant": name, "overrides": overrides + steps + extra,
                     "seconds_to_m_A_8_kept": hit["elapsed"] if hit else None,
                     "step_to_m_A_8_kept": hit["step"] if hit else None,
                     "final_active_dims": summary["active_dims"],
                     "seconds_to_final_m_A_kept": final["elapsed"] if final else None,
                     "step_to_final_m_A_kept": final["step"] if final else None,
                     "steps": summary["steps"], "train_seconds": summary["seconds"],
                     "wall_seconds_with_startup": round(wall, 1), "openmp_wait": _openmp(out),
                     "fd": summary["fd"], "precision": summary["precision"], "recall": summary["recall"]})
        print(json.dumps(rows[-1]), flush=True)
    result = {**header(threads), "log_every": 50, "rows": rows}
    (HERE / "results" / "time_to_result.json").write_text(json.dumps(result, indent=2) + "\n")


def mnist_part(workdir: Path, fid_every: int, fid_samples: int, threads: int | None) -> None:
    out = workdir / "mnist"
    extra = [f"train.threads={threads}"] if threads else []
    records, summary, wall = train(out, ["--preset", "mnist", "--set", f"train.eval_every={fid_every}",
                                         f"eval.fid_train_samples={fid_samples}", "eval.fid_samples=0", *extra])
    points, eval_time = [], 0.0
    for record in records:
        if "eval" in record:
            points.append({"step": record["step"], "train_seconds": round(record["elapsed"] - eval_time, 1),
                           "fid": record["eval"]["fid"], "active_dims": record["active_dims"],
                           "fid_seconds": record["eval_seconds"]})
            eval_time += record["eval_seconds"]
            print(json.dumps(points[-1]), flush=True)
    result = {**header(threads), "preset": "mnist", "fid_samples": fid_samples, "fid_every": fid_every,
              "openmp_wait": _openmp(out), "wall_seconds_with_startup": round(wall, 1), "points": points}
    (HERE / "results" / "mnist_fid_vs_time.json").write_text(json.dumps(result, indent=2) + "\n")
    plot_fid_vs_time(HERE / "results" / "mnist_fid_vs_time.json")


def plot_fid_vs_time(path: Path) -> None:
    """FID against training minutes, from the JSON mnist_part writes, to the same name with .png."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    result = json.loads(path.read_text())
    points = result["points"]
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot([p["train_seconds"] / 60 for p in points], [p["fid"] for p in points], "o-")
    for p in points:
        ax.annotate(f"step {p['step']}, m_A {p['active_dims']}", (p["train_seconds"] / 60, p["fid"]),
                    textcoords="offset points", xytext=(4, 4), fontsize=7)
    ax.margins(x=0.3, y=0.1)
    ax.set_xlabel("training time (min, FID time excluded)")
    ax.set_ylabel(f"FID (N = {result['fid_samples']})")
    threads = result["threads_override"] or "the preset's"
    ax.set_title(f"MaskAAE, {result['preset']} CPU preset, {threads} thread(s)", fontsize=8)
    fig.tight_layout()
    fig.savefig(path.with_suffix(".png"), dpi=120)
    plt.close(fig)


def _openmp(run_dir: Path) -> str | None:
    return json.loads((run_dir / "config.json").read_text()).get("openmp_wait")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["synthetic", "mnist", "all", "plot"], default="all",
                        help="plot: redraw mnist_fid_vs_time.png from its JSON")
    parser.add_argument("--steps-before", type=int, default=8000, help="step budget of the 'before' variant")
    parser.add_argument("--fid-every", type=int, default=4000, help="mnist: steps between FID measurements")
    parser.add_argument("--fid-samples", type=int, default=2000, help="mnist: FID sample count N")
    parser.add_argument("--threads", type=int, default=None, help="override every run's train.threads")
    parser.add_argument("--workdir", default=str(HERE.parent / "runs" / "time_to_result"))
    args = parser.parse_args()
    if args.part in ("synthetic", "all"):
        synthetic_part(Path(args.workdir), args.steps_before, args.threads)
    if args.part in ("mnist", "all"):
        mnist_part(Path(args.workdir), args.fid_every, args.fid_samples, args.threads)
    if args.part == "plot":
        plot_fid_vs_time(HERE / "results" / "mnist_fid_vs_time.json")


if __name__ == "__main__":
    main()
