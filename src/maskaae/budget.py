"""Equal wall-clock budgets: how many steps each point of a sweep gets for the same training time.

Model families differ in what one step costs (a MaskAAE step trains a critic five times; a VAE step is one
pass), and in what a run pays whatever its length (ordered discovery's decisions and TwoNN reading, the RAE's
mixture fit, the periodic evaluations). `maskaae sweep --budget SECONDS` times every distinct config of the
sweep (seeds share one timing) on this machine, one thread, in a sweep worker, before any run starts, from one
whole run of its schedule scaled to TIMING_STEPS steps: the mean of its ordinary steps (per_step) and what the
steps that took clock.ONE_OFF times the median or more cost beyond it (fixed), plus `per_eval` and `per_checkpoint`
seconds for each of the run's periodic evaluations and checkpoints (train.eval_every, train.checkpoint_every;
each timed once). Each point gets the most steps whose predicted time is within the budget (a multiple of
STEP_MULTIPLE), and train.seconds: its clock (maskaae/clock.py) then moves the end while it trains, from the
timing's per-phase costs (`phases`) and the load it meets, so that each run's `seconds` end at the budget. The
plans are saved in sweep.json; a run's summary records the steps it trained (a rerun of that point with those
train.steps and train.seconds=0 trains the same steps).

A schedule that is a share of train.steps (ordered discovery's nested phase, its verification and descent
rounds, the mask warm-up) keeps its share: `scaled_schedule` moves them with the step count.
"""

from __future__ import annotations

import json
import math
import statistics
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Callable

from .clock import one_off_limit, phase_means
from .config import Config, TrainConfig
from .executors import die_with_parent, run_local
from .openmp import SWEEP_THREADS, set_threads

TIMING_STEPS = 600  # steps of the timed run (its schedule scaled to them)
STEP_MULTIPLE = 10  # budgets round down to a multiple of this many steps


@dataclass(frozen=True)
class Timing:
    """What one config's run costs on this machine:
    seconds = fixed + per_step * steps + per_eval * evaluations + per_checkpoint * checkpoints."""

    fixed: float
    per_step: float
    per_eval: float = 0.0
    per_checkpoint: float = 0.0
    phases: dict[str, float] | None = None  # each phase's mean step (one-offs aside): what the clock predicts with
    one_offs: list[list[float]] | None = None  # [share of the run, seconds beyond its phase's step] of each one-off

    def seconds(self, steps: int, train: TrainConfig) -> float:
        return (self.fixed + self.per_step * steps + self.per_eval * every(steps, train.eval_every)
                + self.per_checkpoint * every(steps, train.checkpoint_every))

    def steps_for(self, budget: float, train: TrainConfig) -> int:
        """The most steps (a multiple of STEP_MULTIPLE, at least one multiple) predicted to fit the budget."""
        per_step = max(self.per_step, 1e-9)
        steps = max(STEP_MULTIPLE, int(max(budget - self.fixed, 0.0) / per_step) // STEP_MULTIPLE * STEP_MULTIPLE)
        while steps > STEP_MULTIPLE and self.seconds(steps, train) > budget:  # the evaluations' and checkpoints'
            steps -= STEP_MULTIPLE
        return steps


def every(steps: int, interval: int) -> int:
    """How many times a run of `steps` steps evaluates (or checkpoints) while training: at every multiple of
    the interval and at its last step (maskaae/runs.py); the final evaluation after training is outside its
    `seconds`."""
    return math.ceil(steps / interval)


def scaled_schedule(cfg: Config, steps: int) -> Config:
    """cfg trained for `steps` steps, with the phases that are a share of train.steps at the same share: ordered
    discovery's (maskaae/discovery/schedule.py, scaled_lengths) and the paper mask's warm-up."""
    from .discovery.schedule import scaled_lengths, share_of

    t = cfg.train
    return replace(cfg, train=replace(t, steps=steps, **scaled_lengths(t, steps),
                                      mask_warmup_steps=share_of(t.mask_warmup_steps, t.steps, steps)))


def step_durations(cfg: Config, data: Any, steps: int) -> tuple[list[float], Any, list[str]]:
    """The seconds of each step of a whole run of cfg's scaled schedule of `steps` steps on `data` (train
    tensor), on the caller's threads, its trainer, and each step's phase."""
    from .models import family

    kind = family(cfg.model.kind)
    timed = scaled_schedule(cfg, steps)
    model = kind.build_model(timed, tuple(data.shape[1:]))
    trainer = kind.Trainer(model, data, timed)
    stamps, names = [time.perf_counter()], []

    def stamp(tr: Any, _: Any) -> None:
        stamps.append(time.perf_counter())
        names.append(getattr(tr, "phase", "train"))

    trainer.run(steps, stamp)
    return [b - a for a, b in zip(stamps, stamps[1:])], trainer, names


def phase_paces(durations: list[float], names: list[str]) -> tuple[dict[str, float], list[list[float]]]:
    """Each phase's mean step, the steps over clock.ONE_OFF times the run's median aside (split_durations), and
    those steps as [share of the run, seconds beyond their phase's mean step]."""
    limit = one_off_limit(durations)
    paces = phase_means(durations, names)
    one_offs = [[(i + 1) / len(durations), seconds - paces.get(name, 0.0)]
                for i, (seconds, name) in enumerate(zip(durations, names)) if seconds > limit]
    return paces, one_offs


def clock_timing(entry: dict[str, Any]) -> dict[str, Any] | None:
    """What a run's clock predicts with (maskaae/clock.py), from a Timing or a budget_steps entry."""
    return {"phases": entry["phases"], "one_offs": entry.get("one_offs") or []} if entry.get("phases") else None


def split_durations(durations: list[float]) -> tuple[float, float]:
    """(fixed, per_step) of a run's step durations: a step over clock.ONE_OFF times the median carries a one-off
    cost (a decision, a mixture fit) beyond the mean of the others; the rest is the cost of the steps."""
    limit = one_off_limit(durations)
    regular = [d for d in durations if d <= limit]
    per_step = statistics.fmean(regular)
    return max(sum(durations) - per_step * len(durations), 0.0), per_step


def schedule_timing(cfg: Config, data: Any, test: Any, steps: int | None = None) -> Timing:
    """A whole run of cfg's schedule scaled to `steps` (TIMING_STEPS by default), split into its steps' cost
    and its one-off costs, then one evaluation and one checkpoint write of the trained model."""
    from .checkpoint import atomic_torch_save
    from .evaluate import evaluate

    durations, trainer, names = step_durations(cfg, data, steps or TIMING_STEPS)
    fixed, per_step = split_durations(durations)
    start = time.perf_counter()
    evaluate(trainer.model, test, cfg, cfg.eval.fid_train_samples)
    per_eval = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        atomic_torch_save({"trainer": trainer.state_dict()}, Path(folder) / "checkpoint.pt")
        per_checkpoint = time.perf_counter() - start
    paces, one_offs = phase_paces(durations, names)
    return Timing(fixed=fixed, per_step=per_step, per_eval=per_eval, per_checkpoint=per_checkpoint,
                  phases=paces, one_offs=one_offs)


def _timing_key(cfg: Config) -> str:
    """Configs that differ only in seeds cost the same."""
    values = cfg.to_dict()
    values["seed"] = 0
    values["data"] = {**values["data"], "seed": 0}
    return json.dumps(values, sort_keys=True)


def time_config(config: dict[str, Any], steps: int) -> dict[str, float]:
    """The Timing of a saved config (Config.to_dict) on its data, as a dict: a sweep worker's entry
    (time_point), so that the timing runs in the environment the runs will have."""
    from .data import load_data
    from .versions import saved_config_from_dict

    cfg = saved_config_from_dict(config)
    return asdict(schedule_timing(cfg, *load_data(cfg.data), steps))


def time_point(config: dict[str, Any], steps: int) -> dict[str, Any]:
    """A sweep worker's entry: time_config on SWEEP_THREADS threads; never raises. Returns
    {'status': 'timed', 'timing': {...}} or {'status': 'failed', 'error': ..., 'traceback': ...}."""
    die_with_parent()
    try:
        set_threads(SWEEP_THREADS)
        timing = time_config(config, steps)
    except Exception as err:  # reported by the parent, which starts no run
        return {"status": "failed", "error": f"{type(err).__name__}: {err}", "traceback": traceback.format_exc()}
    return {"status": "timed", "timing": timing}


def measure_timings(configs: list[Config], jobs: int = 1) -> list[Timing]:
    """The Timing of each config, each in a sweep worker process (one thread, the workers' OpenMP settings),
    `jobs` at a time: the load the sweep's runs will have."""
    results: dict[str, dict[str, Any]] = {}
    tasks = [(str(i), cfg.to_dict(), TIMING_STEPS) for i, cfg in enumerate(configs)]
    run_local(tasks, jobs, results.__setitem__, time_point)
    failed = [(configs[int(i)].model_name, r["error"]) for i, r in results.items() if r["status"] != "timed"]
    if failed:
        raise RuntimeError(f"timing {failed[0][0]} for the budget failed: {failed[0][1]}")
    return [Timing(**results[str(i)]["timing"]) for i in range(len(configs))]


def budget_steps(configs: dict[str, Config], seconds: float, log: Callable[[str], Any] | None = None,
                 jobs: int = 1) -> dict[str, dict[str, float | int]]:
    """Point name -> {"steps", "predicted_seconds", and the Timing's fields}, for `seconds` per run of a
    sweep that runs `jobs` at a time."""
    distinct: dict[str, Config] = {}  # seeds share one timing
    for cfg in configs.values():
        distinct.setdefault(_timing_key(cfg), cfg)
    timings = dict(zip(distinct, measure_timings(list(distinct.values()), min(jobs, len(distinct)))))
    out: dict[str, dict[str, float | int]] = {}
    if log:
        for key, cfg in distinct.items():
            t = timings[key]
            log(f"budget: {cfg.model_name} takes {t.per_step * 1000:.1f} ms a step, {t.fixed:.1f} s a run "
                f"and {t.per_eval:.1f} s an evaluation here")
    for name, cfg in configs.items():
        timing = timings[_timing_key(cfg)]
        steps = timing.steps_for(seconds, cfg.train)
        out[name] = {"steps": steps, "predicted_seconds": round(timing.seconds(steps, cfg.train), 3),
                     **{k: _rounded(v) for k, v in asdict(timing).items()}}
    return out


def _rounded(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: round(v, 9) for k, v in value.items()}
    if isinstance(value, list):
        return [[round(share, 6), round(seconds, 6)] for share, seconds in value]
    return None if value is None else round(value, 6)


def budgeted(cfg: Config, steps: int, seconds: float) -> Config:
    """cfg planned for a budget of `seconds`: its schedule scaled to the `steps` a timing gave, and its clock set
    to end the training at the seconds whatever the load (maskaae/clock.py)."""
    cfg = scaled_schedule(cfg, steps)
    return replace(cfg, train=replace(cfg.train, seconds=seconds))


def plan_run(cfg: Config, log: Callable[[str], Any] | None = None) -> tuple[Config, dict[str, Any] | None]:
    """A new run's config for its train.seconds (maskaae train): its schedule timed here, on the caller's
    threads, and scaled to the steps that fit (budgeted); with the timing its clock predicts with."""
    from .data import load_data

    seconds = cfg.train.seconds
    timing = schedule_timing(cfg, *load_data(cfg.data))
    steps = timing.steps_for(seconds, cfg.train)
    if log:
        log(f"budget: {seconds:g} s buy about {steps:,} steps here ({timing.per_step * 1000:.1f} ms a step); "
            "the run re-plans them as it goes")
    return budgeted(cfg, steps, seconds), clock_timing(asdict(timing))
