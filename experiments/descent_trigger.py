"""Which committed default runs would the descent (maskaae/discovery/descent.py) touch? For every run of the seventh default
on the discovery benchmark, its held-out check and its stress cases, on the Fig. 4 / Table 2 grids, and for the
default's MNIST runs, this computes what the descent's trigger computes at the final decision, without
training: TwoNN on the run's LOCAL_POINTS training samples (maskaae.discovery.local_dimension: the same samples, the same
stream) against the reference at the run's committed final answer k (TwoNN on as many samples of a
k-dimensional Gaussian). k / TwoNN, the trigger first tried, is kept beside it. Where the reference is at most
ratio * TwoNN the descent does nothing, and the run with it is the same computation as the committed run
(tests/test_descent.py checks that bit for bit); where it triggers, the run must be trained again.

    OMP_NUM_THREADS=1 .venv/bin/python experiments/descent_trigger.py   # writes results/descent-trigger/trigger.csv

Needs the MNIST files (`.venv/bin/python -m maskaae data get mnist`) for the MNIST rows.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import torch

from maskaae import build_config
from maskaae.config import Config
from maskaae.discovery.descent import triggered
from maskaae.sweep import build_points
from maskaae.versions import saved_config_from_dict

from discovery import groups, holdout_groups
from discovery_report import write_csv
from discovery_stress import cases
from discovery_variants import VARIANTS, trigger_reading, with_variant

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "results" / "descent-trigger"
RATIO = build_config("synthetic").model.discovery_descent_ratio
# source -> (runs.csv, the variant whose rows are the seventh default's, the groups that made them)
BENCHMARKS = {"benchmark": ("results/discovery/runs.csv", "seventh", lambda: groups(False)),
              "holdout": ("results/discovery-holdout-reach16/runs.csv", "reach16", holdout_groups)}
STRESS = ("results/discovery-stress-reach16/runs.csv", "reach16")
MNIST = ["results/mnist-adv12k/results.csv", "results/mnist-adv12k-m32/results.csv"]
FIG4 = ["fig4-reach-n8", "fig4-reach-n16", "fig4-reach-n16-m18-32"]  # the seventh default's Fig. 4 / Table 2 runs


def row(source: str, case: str, n: int | None, k: int, cfg: Config, cache: dict) -> dict:
    local, expected, count = trigger_reading(cfg, k, cache)
    out = {"source": source, "case": case, "n": n, "m": cfg.model.latent_dim, "k": k, "points": count,
           "two_nn": round(local, 3), "reference": round(expected, 3), "k_over_two_nn": round(k / local, 3),
           "reference_over_two_nn": round(expected / local, 3), "triggered": triggered(expected, local, RATIO)}
    print(out, flush=True)
    return out


def main() -> None:
    torch.set_num_threads(1)
    rows, cache = [], {}  # cache: each data set's TwoNN and each (k, points) reference read once
    for source, (path, variant, make_groups) in BENCHMARKS.items():
        committed = {(r["group"], r["run"]): r for r in csv.DictReader((ROOT / path).open()) if r["variant"] == variant}
        for group, spec in make_groups().items():
            for point in build_points(with_variant(spec, variant)):
                r = committed.get((group, point.name))
                if r is not None:
                    rows.append(row(source, f"{group}/{point.name}", int(r["n"]), int(r["m_A"]), point.config,
                                    cache))
    committed = {r["case"]: r for r in csv.DictReader((ROOT / STRESS[0]).open())}
    for case, (n, spec) in cases(ROOT / "runs" / "discovery" / "stress", VARIANTS[STRESS[1]]).items():
        rows.append(row("stress", case, n, int(committed[case]["m_A"]), build_points(spec)[0].config, cache))
    for name in FIG4:
        for summary in sorted((ROOT / "results" / name / "runs").glob("*/summary.json")):
            saved = json.loads((summary.parent / "config.json").read_text())["config"]
            cfg = saved_config_from_dict(saved)
            rows.append(row("fig4", f"{name}/{summary.parent.name}", cfg.data.latent_dim,
                            json.loads(summary.read_text())["active_dims"], cfg, cache))
    for path in MNIST:
        for r in csv.DictReader((ROOT / path).open()):
            cfg = build_config("mnist", overrides=[f"model.latent_dim={r['model.latent_dim']}", f"seed={r['seed']}"])
            rows.append(row("mnist", f"{Path(path).parent.name}/{r['run']}", None, int(r["active_dims"]), cfg, cache))
    OUT.mkdir(parents=True, exist_ok=True)
    write_csv(rows, OUT / "trigger.csv")


if __name__ == "__main__":
    main()
