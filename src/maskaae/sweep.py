"""Sweeps: a grid of configs trained as independent runs in one sweep folder.

A sweep folder holds
    sweep.json      preset, --config file contents, --set overrides, the grid, the command
    runs/NAME/      one run folder per grid point (see runs.py); NAME comes from the grid values
    results.csv     one row per grid point: its config values, status, summary metrics (those of a later
                    `maskaae evaluate` where the run has one, run_results), error
    errors/NAME.txt the traceback of a point that failed (removed when it later succeeds)

The grid (its syntax and point names in grid.py) is the product of its axes, in the order given. The
axis `model` takes model names (maskaae, wae-gan and every other family's kind, MODEL_CHOICES in
maskaae.models), so one axis covers Table 1. With a budget (--budget SECONDS, maskaae/budget.py) each
point's train.steps is what that much training time buys its config here, timed once when the sweep
starts and saved in sweep.json, and its train.seconds is the budget: the run's clock re-plans its steps as it
trains, so that it ends at the budget under the load it meets (maskaae/clock.py; its summary has the steps it
trained). Every point's config is built and validated before anything starts, so
a typo fails at once. A
sweep is resumable by running the same command again: finished runs
(summary.json present) are skipped, interrupted ones (a checkpoint but no
summary) continue from their checkpoint, and a different grid in the same
folder is refused.

Executors (local processes, Ray) live in executors.py.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import time
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import Any, Callable

from .config import Config, ConfigError, config_from_dict
from .overrides import load_config_file, merge_overrides, parse_value
from .presets import preset_values
from .executors import SweepError, import_ray, run_local, run_ray
from .grid import MODEL_AXIS, grid_overrides, parse_grid, point_names
from .lock import LOCK_NAME, FolderLock
from .openmp import SWEEP_THREADS
from .results import (ACTIVE_DIMS, ERROR, FD, KIND, LATENT_DIM, MODEL, OPTIONAL_COLUMNS, PRECISION, PRESET, RUN,
                      SECONDS, SEED, STATUS, STEPS, SWEEP_COLUMNS, TRUE_N)

SWEEP_FORMAT = "maskaae-sweep-v2"  # v2 saves the resolved base config; v1 saved only preset, file and --set
LEGACY_FORMATS = ("maskaae-sweep-v1",)


# ----------------------------------------------------------------------------
# The sweep's definition and its points

LEGACY_BASE: dict[str, Any] = {}  # marker, compared by identity


@dataclass
class SweepSpec:
    """What defines a sweep; saved in sweep.json and compared when a sweep is continued."""

    grid: list[tuple[str, list[Any]]]
    preset: str = "synthetic"
    overrides: list[str] = field(default_factory=list)  # --set, applied after the file, before the grid
    config_file: dict[str, Any] | None = None  # contents of --config
    # Every key as preset, file and --set resolved them when the sweep started (schema-versioned): a sweep
    # continued by a later maskaae trains its remaining points with these, not with today's preset. None:
    # resolve now; LEGACY_BASE: a v1 sweep.json, which did not save it.
    base: dict[str, Any] | None = None
    budget: float | None = None  # --budget: training seconds per point, turned into train.steps per point
    budget_steps: dict[str, dict[str, Any]] | None = None  # point name -> {"steps", ...}, once timed (budget.py)

    def resolved_base(self) -> dict[str, Any]:
        if self.base is LEGACY_BASE:
            raise SweepError("this sweep.json (maskaae-sweep-v1) was written by an earlier maskaae that did not "
                             f"save the settings preset '{self.preset}' had then; today's preset may differ, so "
                             "its unfinished points cannot be trained to match the finished ones. Start the "
                             "remaining points as a new sweep in another --out")
        if self.base is None:
            self.base = preset_values(self.preset, self.config_file, self.overrides)
        return self.base

    @classmethod
    def from_args(cls, grid: list[str], preset: str | None = None, config_file: str | Path | None = None,
                  overrides: list[str] | None = None, budget: float | None = None) -> "SweepSpec":
        overrides = list(overrides or [])
        for pair in overrides:
            if (pair.split("=", 1)[0].strip() == "train.threads"
                    and parse_value(pair.split("=", 1)[-1]) != SWEEP_THREADS):
                raise SweepError("sweep runs use one thread each (train.threads=1); drop the train.threads override")
        if budget is not None and not (budget > 0 and budget != float("inf")):
            raise SweepError(f"--budget must be a positive number of seconds, got {budget}")
        return cls(grid=parse_grid(grid), preset=preset or "synthetic", overrides=overrides,
                   config_file=load_config_file(config_file) if config_file else None, budget=budget)

    def to_dict(self) -> dict[str, Any]:
        out = {"preset": self.preset, "config_file": self.config_file, "overrides": self.overrides,
               "grid": [{"key": key, "values": values} for key, values in self.grid],
               "base": self.resolved_base()}
        if self.budget is not None:
            out |= {"budget": self.budget, "budget_steps": self.budget_steps}
        return out

    @classmethod
    def from_dict(cls, saved: dict[str, Any]) -> "SweepSpec":
        return cls(grid=[(axis["key"], list(axis["values"])) for axis in saved["grid"]], preset=saved["preset"],
                   overrides=list(saved["overrides"]), config_file=saved.get("config_file"),
                   base=saved["base"] if saved.get("format") == SWEEP_FORMAT else LEGACY_BASE,
                   budget=saved.get("budget"), budget_steps=saved.get("budget_steps"))


@dataclass
class Point:
    name: str  # run folder name under runs/
    values: dict[str, Any]  # grid key -> value
    config: Config


def build_points(spec: SweepSpec) -> list[Point]:
    """Every grid point with its validated config (at its budget's steps once timed); a bad key or value
    fails here, naming the point."""
    from .budget import budgeted, scaled_schedule

    base = spec.resolved_base()
    points = []
    keys = [key for key, _ in spec.grid]
    for name, combo in zip(point_names(spec.grid), product(*(values for _, values in spec.grid))):
        overrides = [o for key, value in zip(keys, combo) for o in grid_overrides(key, value, name)]
        try:
            cfg = config_from_dict(merge_overrides(base, overrides + [f"train.threads={SWEEP_THREADS}"]))
        except ConfigError as err:
            raise ConfigError(f"grid point {name}: {err}") from None
        if spec.budget_steps is not None:  # with its clock, unless the sweep was timed before the clock existed
            planned = spec.budget_steps[name]
            cfg = (budgeted(cfg, int(planned["steps"]), spec.budget) if "phases" in planned
                   else scaled_schedule(cfg, int(planned["steps"])))
        points.append(Point(name, dict(zip(keys, combo)), cfg))
    return points


def _differences(saved: SweepSpec, given: SweepSpec) -> list[str]:
    out = base_differences(saved, given)
    if [k for k, _ in saved.grid] == [k for k, _ in given.grid]:
        for (key, before), (_, now) in zip(saved.grid, given.grid):
            if json.dumps(before) != json.dumps(now):
                out.append(f"grid values of {key} are {before} there and {now} here")
    return out


def base_differences(saved: SweepSpec, given: SweepSpec) -> list[str]:
    """How two sweeps differ apart from their grid values: preset, --config, --set and the grid keys."""
    out = []
    if saved.preset != given.preset:
        out.append(f"preset is '{saved.preset}' there and '{given.preset}' here")
    if saved.config_file != given.config_file:
        out.append(f"--config contents are {json.dumps(saved.config_file)} there and "
                   f"{json.dumps(given.config_file)} here")
    if saved.overrides != given.overrides:
        out.append(f"--set is {saved.overrides} there and {given.overrides} here")
    if saved.budget != given.budget:
        out.append(f"--budget is {saved.budget} there and {given.budget} here")
    saved_keys, given_keys = [k for k, _ in saved.grid], [k for k, _ in given.grid]
    if saved_keys != given_keys:
        out.append(f"grid keys are {saved_keys} there and {given_keys} here")
    return out


def load_spec(sweep_dir: str | Path) -> SweepSpec:
    path = Path(sweep_dir) / "sweep.json"
    if not path.is_file():
        raise SweepError(f"{sweep_dir} is not a sweep folder (no sweep.json); start one with maskaae sweep --grid ...")
    saved = json.loads(path.read_text())
    if saved.get("format") not in (SWEEP_FORMAT, *LEGACY_FORMATS):
        raise SweepError(f"{path} is not a {SWEEP_FORMAT} file")
    return SweepSpec.from_dict(saved)


def _claim_folder(out: Path, spec: SweepSpec, command: list[str]) -> None:
    """Write sweep.json in a new folder, or check that an existing sweep is the same one."""
    from .atomic import atomic_write_json

    if (out / "sweep.json").is_file():
        diff = _differences(load_spec(out), spec)
        if diff:
            raise SweepError(f"{out} holds a different sweep: " + "; ".join(diff)
                             + ". Use another --out, or the same grid, preset and overrides to continue it")
        return
    if out.exists() and any(p.name != LOCK_NAME for p in out.iterdir()):
        raise SweepError(f"{out} is a non-empty folder that is not a maskaae sweep; choose another --out")
    atomic_write_json({"format": SWEEP_FORMAT, **spec.to_dict(), "command": command,
                       "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")}, out / "sweep.json")


# ----------------------------------------------------------------------------
# Results

def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value)


def run_results(run_dir: Path) -> dict[str, Any] | None:
    """A finished run's results (None while it has no summary.json): its summary, with the held-out metrics of
    a later `maskaae evaluate` (evaluation.json, e.g. FID with more samples) in their place when that evaluated
    the summary's final checkpoint; the training time stays the summary's."""
    summary_path = run_dir / "summary.json"
    if not summary_path.is_file():
        return None
    summary = json.loads(summary_path.read_text())
    evaluation = current_evaluation(run_dir, summary)
    if evaluation is not None:
        summary.update({key: value for key, value in evaluation.items() if key != SECONDS})
    return summary


def current_evaluation(run_dir: Path, summary: dict[str, Any]) -> dict[str, Any] | None:
    """run_dir/evaluation.json when it evaluated the checkpoint the summary describes (the same steps), else
    None (none made, or made before the run trained on)."""
    path = run_dir / "evaluation.json"
    evaluation = json.loads(path.read_text()) if path.is_file() else None
    return evaluation if evaluation is not None and evaluation.get(STEPS) == summary.get(STEPS) else None


def error_file(out: Path, name: str) -> Path:
    """Where a sweep keeps the traceback of its point `name` that failed."""
    return out / "errors" / f"{name}.txt"


def result_row(point: Point, status: str, summary: dict[str, Any] | None, error: str | None) -> dict[str, Any]:
    """Identity columns come from the config (so failed points have them too), metrics from the summary."""
    cfg = point.config
    row: dict[str, Any] = {RUN: point.name, STATUS: status, **point.values,
                           # n is known only for synthetic data
                           TRUE_N: cfg.data.latent_dim if cfg.data.name == "synthetic" else None,
                           MODEL: cfg.model_name, KIND: cfg.model.kind if MODEL_AXIS in point.values else None,
                           LATENT_DIM: cfg.model.latent_dim, SEED: cfg.seed, PRESET: cfg.preset}
    for key in SWEEP_COLUMNS:
        if summary is not None and key in summary:
            row[key] = summary[key]
    row[ERROR] = error
    return row


def write_results(rows: list[dict[str, Any]], grid_keys: list[str], path: Path) -> None:
    from .atomic import atomic_write_text

    columns = [RUN, STATUS, *grid_keys]
    for key in (TRUE_N, KIND, *SWEEP_COLUMNS):
        if key not in columns and (key not in OPTIONAL_COLUMNS or any(row.get(key) is not None for row in rows)):
            columns.append(key)
    columns.append(ERROR)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(row.get(key)) for key in columns})
    atomic_write_text(buffer.getvalue(), path)


@dataclass
class SweepResult:
    points: list[str]
    skipped: list[str] = field(default_factory=list)  # finished before this invocation
    ran: list[str] = field(default_factory=list)  # started from scratch and finished
    resumed: list[str] = field(default_factory=list)  # continued from a checkpoint and finished
    failed: dict[str, str] = field(default_factory=dict)  # name -> error
    results: Path | None = None


def run_sweep(spec: SweepSpec, out: str | Path, jobs: int = 1, executor: str = "local", address: str | None = None,
              command: list[str] | None = None, log: Callable[[str], Any] | None = print,
              gpus_per_run: float = 0.0) -> SweepResult:
    """Validate every point, claim the folder, train the unfinished points, write results.csv."""
    if executor not in ("local", "ray"):
        raise SweepError(f"unknown executor '{executor}'; choose local or ray")
    if jobs < 1:
        raise SweepError(f"--jobs must be >= 1, got {jobs}")
    if address is not None and executor != "ray":
        raise SweepError("--address is for --executor ray")
    if gpus_per_run and executor != "ray":
        raise SweepError("--gpus-per-run is for --executor ray; the local executor's runs share this machine's GPU "
                         "(train.device=auto), --jobs at a time")
    if gpus_per_run < 0 or (gpus_per_run > 1 and gpus_per_run != int(gpus_per_run)):
        raise SweepError(f"--gpus-per-run must be a fraction in [0, 1] or a whole number, got {gpus_per_run}")
    if executor == "ray":
        import_ray()  # fail before writing anything
    out = Path(out).resolve()
    if (out / "sweep.json").is_file():
        # continuing: the saved spec decides the settings (a later maskaae may resolve the preset differently)
        saved = load_spec(out)
        diff = _differences(saved, spec)
        if diff:
            raise SweepError(f"{out} holds a different sweep: " + "; ".join(diff)
                             + ". Use another --out, or the same grid, preset and overrides to continue it")
        spec = saved
        if spec.base is LEGACY_BASE and all((out / "runs" / name / "summary.json").is_file()
                                             for name in point_names(spec.grid)):
            spec = SweepSpec(spec.grid, spec.preset, spec.overrides, spec.config_file)  # finished: only collect
    points = build_points(spec)
    if spec.budget is not None and spec.budget_steps is None:  # a new budget sweep: time its configs once
        from .budget import budget_steps

        spec.budget_steps = budget_steps({p.name: p.config for p in points}, spec.budget, log, jobs)
        points = build_points(spec)
    if out.exists() and not out.is_dir():
        raise SweepError(f"--out {out} is a file, not a folder; choose another --out")
    with FolderLock(out, "sweep"):
        return _run_sweep_locked(spec, out, points, jobs, executor, address, command, log, gpus_per_run)


def _run_sweep_locked(spec: SweepSpec, out: Path, points: list[Point], jobs: int, executor: str,
                      address: str | None, command: list[str] | None, log: Callable[[str], Any] | None,
                      gpus_per_run: float = 0.0) -> SweepResult:
    from .budget import clock_timing

    _claim_folder(out, spec, list(command if command is not None else sys.argv))
    log = log or (lambda message: None)
    grid_keys = [key for key, _ in spec.grid]
    by_name = {p.name: p for p in points}
    rows: dict[str, dict[str, Any]] = {}
    result = SweepResult(points=[p.name for p in points], results=out / "results.csv")
    tasks = []
    for p in points:
        summary = run_results(out / "runs" / p.name)
        if summary is not None:
            rows[p.name] = result_row(p, "done", summary, None)
            result.skipped.append(p.name)
        else:
            rows[p.name] = result_row(p, "pending", None, None)
            timed = clock_timing(spec.budget_steps[p.name]) if spec.budget_steps else None
            tasks.append((p.name, p.config.to_dict(), str(out / "runs" / p.name), timed))
    write_results([rows[p.name] for p in points], grid_keys, out / "results.csv")
    where = f"local, {jobs} job{'s' if jobs > 1 else ''}" if executor == "local" else "ray"
    log(f"sweep {out}: {len(points)} points, {len(result.skipped)} finished before, {len(tasks)} to run ({where})")

    def record(name: str, outcome: dict[str, Any]) -> None:
        failure = error_file(out, name)
        if outcome["status"] == "failed":
            rows[name] = result_row(by_name[name], "failed", None, outcome["error"])
            result.failed[name] = outcome["error"]
            failure.parent.mkdir(exist_ok=True)
            failure.write_text(outcome.get("traceback") or outcome["error"])
            message = f"FAILED: {outcome['error']}"
        else:
            summary = outcome["summary"]
            rows[name] = result_row(by_name[name], "done", summary, None)
            (result.resumed if outcome["status"] == "resumed" else result.ran).append(name)
            failure.unlink(missing_ok=True)
            message = (f"{outcome['status']}: m_A={summary[ACTIVE_DIMS]} fd={summary[FD]:.4g} "
                       f"precision={summary[PRECISION]:.3g} ({summary[SECONDS]:.1f} s)")
        write_results([rows[p.name] for p in points], grid_keys, out / "results.csv")
        finished = sum(row[STATUS] in ("done", "failed") for row in rows.values())
        log(f"[{finished}/{len(points)}] {name} {message}")

    try:
        if tasks and executor == "local":
            run_local(tasks, min(jobs, len(tasks)), record)
        elif tasks:
            run_ray(tasks, address, record, gpus_per_run)
    except BaseException:
        # interrupted: record the runs that finished but were not reported yet
        for p in points:
            summary = run_results(out / "runs" / p.name)
            if rows[p.name][STATUS] == "pending" and summary is not None:
                rows[p.name] = result_row(p, "done", summary, None)
        write_results([rows[p.name] for p in points], grid_keys, out / "results.csv")
        raise
    log(f"results: {out / 'results.csv'} ({len(points) - len(result.failed)} done, {len(result.failed)} failed)")
    return result
