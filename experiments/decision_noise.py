"""How much of a decision is the choice of the samples it is taken on? The ordered discovery's curve u(k) is a
median over DECISION_SAMPLES (2,000) training samples; this takes a trained run's checkpoint and applies the
run's own rule to the curve on other samples, no training:

    .venv/bin/python experiments/decision_noise.py RUN_DIR [RUN_DIR ...] --out results/NAME/noise.json

For each run: the decision on its own 2,000 samples (train.decision_samples, as in training), on 5 disjoint
sets of 2,000 other training samples, on 10,000 training samples (median and mean), and on the held-out test
set (median). The runs should stop right after their decision (train.steps = train.discovery_steps +
train.discovery_verify_steps), so that the checkpoint is the model the decision was taken on.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from maskaae.data import load_data
from maskaae.discovery import choose_dimension, unexplained_curve
from maskaae.runs import load_run
from maskaae.train import DECISION_SAMPLES, decision_samples

SETS = 5
LARGE = 10000


def probe(run_dir: Path) -> dict:
    cfg, model, test = load_run(run_dir)
    train, _ = load_data(cfg.data)
    rule = lambda curve: choose_dimension(curve, cfg.model.discovery_tolerance, cfg.model.discovery_rule,  # noqa: E731
                                          cfg.model.discovery_relative_tolerance)
    summary = json.loads((run_dir / "summary.json").read_text())
    order = torch.randperm(len(train), generator=torch.Generator().manual_seed(12345))
    sets = [train[order[i * DECISION_SAMPLES:(i + 1) * DECISION_SAMPLES]] for i in range(SETS)]
    large = train[order[:LARGE]]
    own = unexplained_curve(model, decision_samples(train, cfg.seed))
    return {"run": str(run_dir), "m": cfg.model.latent_dim, "seed": cfg.seed,
            "recorded_final": summary["discovery"]["dimension"], "recorded_answer": summary["discovery"].get("answer"),
            "own_samples": rule(own),
            "other_sets": [rule(unexplained_curve(model, s)) for s in sets],
            "median_10000": rule(unexplained_curve(model, large)),
            "mean_10000": rule(unexplained_curve(model, large, statistic="mean")),
            "test_median": rule(unexplained_curve(model, test[:LARGE]))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    rows = [probe(run) for run in args.runs]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=1) + "\n")
    for r in rows:
        print(r)


if __name__ == "__main__":
    main()
