"""Evaluating a finished sweep again: `maskaae evaluate SWEEP_DIR --fid-samples N [--jobs J]`.

Every finished run of the sweep whose evaluation.json is not yet at N (or was made from an older checkpoint)
is evaluated from its checkpoint (runs.evaluate_run, one thread each, J at a time), and results.csv is
rewritten with each run's latest evaluation (sweep.run_results). Running the same command again skips the
runs already evaluated at N, so a stopped evaluation continues where it stopped. What this is for: FID with
more generated images than training measured (Table 1 on MNIST: N = 10,000 where the runs measured 2,000).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .executors import SweepError, evaluate_point, run_local
from .lock import FolderLock
from .results import FID_SAMPLES
from .sweep import (Point, build_points, current_evaluation, error_file, load_spec, result_row, run_results,
                    write_results)


@dataclass
class EvaluationResult:
    skipped: list[str] = field(default_factory=list)  # evaluated at N before this invocation
    evaluated: list[str] = field(default_factory=list)
    unfinished: list[str] = field(default_factory=list)  # no summary.json: nothing to evaluate yet
    failed: dict[str, str] = field(default_factory=dict)  # name -> error
    results: Path | None = None


def evaluated_at(run_dir: Path, fid_samples: int) -> bool:
    """Whether run_dir/evaluation.json holds an evaluation of the final checkpoint with FID at fid_samples
    (0: one without FID)."""
    summary = run_dir / "summary.json"
    evaluation = current_evaluation(run_dir, json.loads(summary.read_text())) if summary.is_file() else None
    return evaluation is not None and (evaluation.get(FID_SAMPLES) or 0) == fid_samples


def _unfinished_row(out: Path, point: Point) -> dict[str, Any]:
    """The row of a point without a summary: failed, with its error's last line, when the sweep recorded a
    failure (errors/NAME.txt), else pending."""
    failure = error_file(out, point.name)
    if failure.is_file():
        lines = failure.read_text().strip().splitlines()
        return result_row(point, "failed", None, lines[-1] if lines else "failed")
    return result_row(point, "pending", None, None)


def evaluate_sweep(sweep_dir: str | Path, fid_samples: int | None = None, jobs: int = 1,
                   log: Callable[[str], Any] | None = print) -> EvaluationResult:
    """Evaluate the sweep's finished runs that are not yet evaluated at fid_samples (None: each run's
    eval.fid_samples), then rewrite results.csv."""
    if jobs < 1:
        raise SweepError(f"--jobs must be >= 1, got {jobs}")
    if fid_samples is not None and fid_samples < 0:
        raise SweepError(f"--fid-samples must be >= 0, got {fid_samples}")
    out = Path(sweep_dir).resolve()
    spec = load_spec(out)
    points = build_points(spec)
    log = log or (lambda message: None)
    with FolderLock(out, "sweep"):
        return _evaluate_locked(out, [key for key, _ in spec.grid], points, fid_samples, jobs, log)


def _evaluate_locked(out: Path, grid_keys: list[str], points: list[Point], fid_samples: int | None, jobs: int,
                     log: Callable[[str], Any]) -> EvaluationResult:
    result = EvaluationResult(results=out / "results.csv")
    rows: dict[str, dict[str, Any]] = {}
    tasks = []
    for p in points:
        run_dir = out / "runs" / p.name
        summary = run_results(run_dir)
        rows[p.name] = result_row(p, "done", summary, None) if summary is not None else _unfinished_row(out, p)
        n = p.config.eval.fid_samples if fid_samples is None else fid_samples
        if summary is None:
            result.unfinished.append(p.name)
        elif evaluated_at(run_dir, n):
            result.skipped.append(p.name)
        else:
            tasks.append((p.name, str(run_dir), n))
    log(f"evaluate {out}: {len(points)} points, {len(result.skipped)} evaluated before, {len(tasks)} to evaluate, "
        f"{len(result.unfinished)} not finished")
    by_name = {p.name: p for p in points}

    def record(name: str, outcome: dict[str, Any]) -> None:
        if outcome["status"] == "failed":
            result.failed[name] = outcome["error"]
            message = f"FAILED: {outcome['error']}"
        else:
            result.evaluated.append(name)
            rows[name] = result_row(by_name[name], "done", run_results(out / "runs" / name), None)
            metrics = outcome["summary"]
            message = "evaluated" + (f": FID {metrics['fid']:.4g} (N = {metrics[FID_SAMPLES]})" if "fid" in metrics
                                     else "")
        write_results([rows[p.name] for p in points], grid_keys, out / "results.csv")
        log(f"[{len(result.evaluated) + len(result.failed)}/{len(tasks)}] {name} {message}")

    if tasks:
        run_local(tasks, min(jobs, len(tasks)), record, worker=evaluate_point)
    write_results([rows[p.name] for p in points], grid_keys, out / "results.csv")
    log(f"results: {out / 'results.csv'}")
    return result
