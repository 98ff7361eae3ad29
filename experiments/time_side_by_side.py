"""Equal-time step counts for a variant of a budget sweep's model: both configs timed side by side, two at a
time, one thread each (maskaae/budget.py), as the sweep timed its points.

    OMP_NUM_THREADS=1 .venv/bin/python experiments/time_side_by_side.py > results/maskaae-critic-ratio/timing.json

Run on a machine doing nothing else. The variant's steps at the sweep's budget are then the sweep's own steps for
the default times the ratio of the two predicted step counts (maskaae-critic-ratio in experiments.toml).
"""

from __future__ import annotations

import json
from dataclasses import replace

from maskaae import budget
from maskaae.presets import build_config

BUDGET = 300.0
VARIANTS = {"default": ["model.kind=maskaae"], "critic1": ["model.kind=maskaae", "train.disc_training_ratio=1"]}


def main() -> None:
    configs = {}
    for name, overrides in VARIANTS.items():
        cfg = build_config("mnist", overrides=overrides)
        configs[name] = replace(cfg, train=replace(cfg.train, threads=1))
    out = budget.budget_steps(configs, BUDGET, jobs=2)
    print(json.dumps({"budget": BUDGET, "variants": VARIANTS, "timings": out}, indent=1))


if __name__ == "__main__":
    main()
