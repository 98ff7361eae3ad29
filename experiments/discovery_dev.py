"""Issue 33's development grid: cases of the fresh grid's kinds from a seed of their own, with every decision's
curve kept, for studying why discovery misses and for comparing variants before a design is frozen.

The fresh grids (experiments/fresh_grid.py) judge a frozen design and keep only m_A. This grid is for looking at:
the same generators and ranges (`fresh_grid.draw_grid`) drawn from `DEV_SEED`, with the data seeds moved to
[10^6, 10^9), a range apart from the fresh grids' [10^9, 2^31), so no development case is a fresh grid's case.
Each case trains as `maskaae dimension FILE` does (the file's defaults, the 10% test split held out, training up to
the decision), with each variant's overrides (VARIANTS), and OUT/VARIANT/cases/<case>.json keeps m_A, the curve of
every decision (preliminary, provisional, candidate, final: u(k) on the decision's training samples) and the final
model's curve on the held-out test split, which no step trained on. Resumable: a case with its file is not run
again.

    python experiments/discovery_dev.py --out results/discovery-dev [--variants default plain short] [--cases 18]

OUT/summary.md and OUT/summary.json put, per case, each variant's m_A, the first variant's decisions on the way
and TwoNN, MLE and DANCo (on the first 2,000 training points) beside n; per answer, how many cases it got exactly
and its mean absolute error and bias.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import fresh_grid  # noqa: E402

DEV_SEED = 20261208  # the day the development grid was written
DEV_DATA_SEEDS = (10**6, 10**9)  # below the fresh grids' data seeds, [10^9, 2^31)
STAGES = ("preliminary", "provisional", "candidate")  # the default's decisions before its final one
# The variants: overrides of the file's defaults, or a function of the case that gives them. "plain" drops the reach,
# the focus and the verification (uniform truncations over 1..m for the whole nested phase, then the rule and the
# descent); "short" is plain in 4,500 nested steps, the step of the default's preliminary answer; "epochs" is the
# default's schedule in the epochs that its 12,000 + 2,000 steps of 64 give 9,000 training samples (85 + 14): fewer
# steps for a smaller data set (2,400 + 400 at 2,000 points, 6,000 + 1,000 at 5,000), the default's at 10,000.
NO_STAGES = ["train.discovery_reach=0", "train.discovery_focus=0", "train.discovery_verify_steps=0"]
EPOCHS_OF = 9000  # the training samples whose epochs the default's steps are


def epochs_overrides(case: dict) -> list[str]:
    """The "epochs" variant's overrides for a case: the default's nested and verification steps scaled by its
    training samples (what `maskaae dimension` trains on: its points less the test split) over EPOCHS_OF, at
    most 1."""
    from maskaae.presets import build_config

    default = build_config("synthetic", None, [])
    share = min(1.0, round((1 - default.data.test_fraction) * case["points"]) / EPOCHS_OF)
    nested = round(default.train.discovery_steps * share)
    verify = round(default.train.discovery_verify_steps * share)
    return [f"train.discovery_steps={nested}", f"train.discovery_verify_steps={verify}",
            f"train.steps={nested + verify}"]


VARIANTS: dict[str, list[str] | Callable[[dict], list[str]]] = {
    "default": [], "plain": NO_STAGES, "short": [*NO_STAGES, "train.discovery_steps=4500", "train.steps=4500"],
    "epochs": epochs_overrides}


def dev_grid(cases: int, seed: int = DEV_SEED, points: int | None = None) -> list[dict]:
    """The fresh grid's draw from `seed`, each case's data seed redrawn in DEV_DATA_SEEDS; with `points`, every case
    has that many points (the same data seed and dimensions)."""
    rng = np.random.default_rng(seed + 1)
    grid = [{**case, "data_seed": int(rng.integers(*DEV_DATA_SEEDS))} for case in fresh_grid.draw_grid(seed, cases)]
    return grid if points is None else [{**case, "points": points} for case in grid]


def run_case(case: dict, overrides: list[str]) -> dict:
    """m_A, every decision's curve and the held-out curve of one case, trained as `maskaae dimension` trains."""
    from maskaae.data import load_data
    from maskaae.data.files import file_defaults
    from maskaae.dimension import decision_step, intrinsic_estimates
    from maskaae.discovery.rules import unexplained_curve
    from maskaae.model import build_model
    from maskaae.presets import build_config
    from maskaae.train import fit
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{case['case']}.npy"
        np.save(path, fresh_grid.make_case(case))
        cfg = build_config("synthetic", None, file_defaults(str(path), "auto")[0] + overrides)
        train, test = load_data(cfg.data)
    cfg = replace(cfg, train=replace(cfg.train, steps=decision_step(cfg), decoder_share=0.0))
    model = build_model(cfg, tuple(train.shape[1:]))
    seen = {}
    start = time.perf_counter()
    fit(model, train, config=cfg, on_step=lambda trainer, losses: seen.update(trainer=trainer))
    seconds = time.perf_counter() - start
    estimates, _ = intrinsic_estimates(train[:2000].flatten(1).double().numpy())
    return {**case, "m_A": model.active_dims, "m": model.latent_dim, "training_s": round(seconds, 1),
            "overrides": overrides, "estimators": estimates, "discovery": seen["trainer"].discovery,
            "held_out_curve": [round(float(u), 6) for u in unexplained_curve(model, test)]}


def load(folder: Path) -> dict[str, dict]:
    """A variant folder's case records by case name."""
    return {f.stem: json.loads(f.read_text()) for f in sorted((folder / "cases").glob("*.json"))}


def summarise(out: Path, folders: list[Path]) -> dict:
    """OUT/summary.json and OUT/summary.md over the variant folders (their common cases)."""
    variants = {f.name: load(f) for f in folders}
    cases = sorted(set.intersection(*(set(v) for v in variants.values())))
    first = variants[folders[0].name]
    answers = {c: {**{f"{name} m_A": v[c]["m_A"] for name, v in variants.items()},
                   **{f"{folders[0].name} {s}": first[c]["discovery"].get(s, {}).get("dimension") for s in STAGES},
                   **{name: (None if e is None else int(round(e))) for name, e in first[c]["estimators"].items()}}
               for c in cases}
    columns = list(answers[cases[0]])
    figures = {}
    for col in columns:
        errors = np.array([answers[c][col] - first[c]["n"] for c in cases if answers[c][col] is not None])
        figures[col] = {"cases": len(errors), "exact": int((errors == 0).sum()),
                        "mae": round(float(np.abs(errors).mean()), 3), "bias": round(float(errors.mean()), 3)}
    overrides = {name: sorted({json.dumps(r["overrides"]) for r in v.values()}) for name, v in variants.items()}
    summary = {"variants": overrides,
               "figures": figures, "cases": {c: {"n": first[c]["n"], "points": first[c]["points"],
                                                 "noise": first[c]["noise"], **answers[c]} for c in cases}}
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    lines = ["| answer | cases | exact | MAE | bias |", "|---|---|---|---|---|"]
    lines += [f"| {col} | {f['cases']} | {f['exact']} | {f['mae']:.2f} | {f['bias']:+.2f} |"
              for col, f in figures.items()]
    lines += ["", "| case | n | points | noise | " + " | ".join(columns) + " |", "|---" * (4 + len(columns)) + "|"]
    for c in cases:
        row = summary["cases"][c]
        lines.append(f"| {c} | {row['n']} | {row['points']} | {row['noise']} | "
                     + " | ".join("-" if row[col] is None else str(row[col]) for col in columns) + " |")
    (out / "summary.md").write_text("\n".join(lines) + "\n")
    return summary


def run_variant(folder: Path, variant: list[str] | Callable[[dict], list[str]], cases: int,
                points: int | None = None) -> None:
    """Every case of the grid not yet in FOLDER/cases through `run_case` with the variant's overrides."""
    out = folder / "cases"
    out.mkdir(parents=True, exist_ok=True)
    record = folder / "provenance.json"
    if not record.is_file():  # the code, packages and machine the first case ran with
        from maskaae.runrecord import provenance

        record.write_text(json.dumps({"command": " ".join(["python", *sys.argv]), "dev_seed": DEV_SEED,
                                      "variant": getattr(variant, "__name__", variant), **provenance()},
                                     indent=1) + "\n")
    for case in dev_grid(cases, points=points):
        done = out / f"{case['case']}.json"
        if not done.is_file():
            done.write_text(json.dumps(run_case(case, variant(case) if callable(variant) else variant)) + "\n")
        result = json.loads(done.read_text())
        stages = {k: v["dimension"] for k, v in result["discovery"].items() if k in STAGES}
        print(f"{folder.name:8s} {case['case']:24s} n={case['n']:2d} m_A={result['m_A']:2d} {stages} "
              f"({result['training_s']} s)", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="OUT/VARIANT/cases/<case>.json and OUT/summary.* (resumable)")
    parser.add_argument("--variants", nargs="+", choices=sorted(VARIANTS), default=list(VARIANTS))
    parser.add_argument("--cases", type=int, default=18, help="how many cases to draw (default 18: two per kind)")
    parser.add_argument("--points", type=int, help="every case with this many points (default: the drawn sizes)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    for name in args.variants:
        run_variant(out / name, VARIANTS[name], args.cases, args.points)
    summary = summarise(out, [out / name for name in args.variants])
    print(json.dumps(summary["figures"], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
