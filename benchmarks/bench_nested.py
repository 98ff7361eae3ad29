"""Time ordered discovery's nested step (the step `maskaae dimension` spends its time in) with the three Adam
implementations torch offers: one tensor at a time (torch's default on the CPU until 2026-12-07 here), foreach
and fused (maskaae/optim.py's `adam`, the default since). The variants alternate within one run, so a figure
is a ratio taken under the same load. Writes benchmarks/results/nested_step.json.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_nested.py [--repeats 5] [--steps 500]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import torch

from maskaae import Trainer, build_config, build_model
from maskaae.data import load_data
from maskaae.runrecord import provenance

CASES = {  # name: config overrides of the synthetic preset
    "synthetic (d = 128, m = 32)": [],
    "a 100-feature file's network (d = 100, m = 64)": ["data.data_dim=100", "model.latent_dim=64"],
}
ADAMS = {"single tensor": {"foreach": False}, "foreach": {"foreach": True}, "fused": {"fused": True}}


def step_ms(overrides: list[str], adam: dict, steps: int) -> float:
    """Milliseconds per nested step after 100 warm-up steps, with the discovery optimiser built as `adam` says."""
    cfg = build_config("synthetic", overrides=overrides + ["data.n_train=9000"])
    train, _ = load_data(cfg.data)
    trainer = Trainer(build_model(cfg, tuple(train.shape[1:])), train, cfg)
    params = [p for group in trainer.schedule.optimizer.param_groups for p in group["params"]]
    trainer.schedule.optimizer = trainer.optimizers["nested"] = torch.optim.Adam(params, lr=1e-3, **adam)
    for _ in range(100):
        trainer.iteration()
    start = time.perf_counter()
    for _ in range(steps):
        trainer.iteration()
    return (time.perf_counter() - start) / steps * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "nested_step.json"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    out = {"command": "OMP_NUM_THREADS=1 python benchmarks/bench_nested.py", "repeats": args.repeats,
           "steps_per_repeat": args.steps, "batch": 64, "threads": 1, **provenance(), "cases": {}}
    for name, overrides in CASES.items():
        times: dict[str, list[float]] = {adam: [] for adam in ADAMS}
        for _ in range(args.repeats):  # the variants alternate, so that a change of load hits them alike
            for adam, options in ADAMS.items():
                times[adam].append(step_ms(overrides, options, args.steps))
        medians = {adam: statistics.median(values) for adam, values in times.items()}
        out["cases"][name] = {"median_ms": {k: round(v, 3) for k, v in medians.items()},
                              "all_ms": {k: [round(x, 3) for x in v] for k, v in times.items()},
                              "speedup_fused": round(medians["single tensor"] / medians["fused"], 3)}
        print(name, out["cases"][name]["median_ms"], "fused speed-up", out["cases"][name]["speedup_fused"])
    Path(args.out).write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
