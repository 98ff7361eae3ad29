"""Equal wall-clock budgets: how many steps each point of a sweep gets for the same training time.

Model families differ in what one step costs (a MaskAAE step trains a critic five times; a VAE step is one
pass), so comparing them at equal steps favours the slow ones. `maskaae sweep --budget SECONDS` times every
distinct config of the sweep (seeds share one timing) on this machine, one thread, before any run starts,
and gives each point floor(SECONDS / seconds per step) steps. The steps are saved in sweep.json, so a
continued sweep and a rerun from the saved spec train the same steps; the runs' own `seconds` say what the
budget became under the sweep's real load.

A schedule that is a share of train.steps (ordered discovery's nested phase, the mask warm-up) keeps
its share: `scaled_schedule` moves discovery_steps, discovery_verify_steps and mask_warmup_steps with the step count.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from typing import Any, Callable

from .config import Config

TIMING_STEPS = 200  # steps timed per distinct config, after WARMUP_STEPS untimed ones
WARMUP_STEPS = 10
STEP_MULTIPLE = 10  # budgets round down to a multiple of this many steps


def scaled_schedule(cfg: Config, steps: int) -> Config:
    """cfg trained for `steps` steps, with the phases that are a share of train.steps at the same share."""
    t = cfg.train

    def share(value: int) -> int:  # a phase that is off (0 steps) stays off
        return value if value == 0 or value >= t.steps else max(1, round(value * steps / t.steps))

    return replace(cfg, train=replace(t, steps=steps, discovery_steps=share(t.discovery_steps),
                                      discovery_verify_steps=share(t.discovery_verify_steps),
                                      mask_warmup_steps=share(t.mask_warmup_steps)))


def step_seconds(cfg: Config, data: Any, steps: int = TIMING_STEPS) -> float:
    """Seconds per step of cfg's family on `data` (train tensor), over `steps` steps of its scaled schedule
    (its phases at their shares), on the caller's threads."""
    from .models import family

    kind = family(cfg.model.kind)
    # one step more than is run: a family's last step may do one-off work (RAE fits its mixture there)
    timed = scaled_schedule(cfg, WARMUP_STEPS + steps + 1)
    model = kind.build_model(timed, tuple(data.shape[1:]))
    trainer = kind.Trainer(model, data, timed)
    trainer.run(WARMUP_STEPS)
    start = time.perf_counter()
    trainer.run(WARMUP_STEPS + steps)
    return (time.perf_counter() - start) / steps


def _timing_key(cfg: Config) -> str:
    """Configs that differ only in seeds cost the same per step."""
    values = cfg.to_dict()
    values["seed"] = 0
    values["data"] = {**values["data"], "seed": 0}
    return json.dumps(values, sort_keys=True)


def budget_steps(configs: dict[str, Config], seconds: float,
                 log: Callable[[str], Any] | None = None) -> dict[str, dict[str, float | int]]:
    """Point name -> {"steps", "step_seconds"}: floor(seconds / step_seconds) rounded down to STEP_MULTIPLE."""
    from .data import load_data

    timings: dict[str, float] = {}
    data: dict[str, Any] = {}  # the models of a sweep usually share one data set: read it once
    out: dict[str, dict[str, float | int]] = {}
    for name, cfg in configs.items():
        key = _timing_key(cfg)
        if key not in timings:
            data_key = json.dumps(cfg.to_dict()["data"], sort_keys=True)
            if data_key not in data:
                data[data_key] = load_data(cfg.data)[0]
            timings[key] = step_seconds(cfg, data[data_key])
            if log:
                log(f"budget: {cfg.model_name} takes {timings[key] * 1000:.1f} ms a step here")
        per_step = timings[key]
        steps = max(STEP_MULTIPLE, int(seconds / per_step) // STEP_MULTIPLE * STEP_MULTIPLE)
        out[name] = {"steps": steps, "step_seconds": round(per_step, 6)}
    return out
