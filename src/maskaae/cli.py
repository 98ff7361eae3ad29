"""Command line: maskaae train | dimension | evaluate | sample | presets | data | fid | sweep | report.

The command owns its process: `main` chooses the OpenMP wait policy before anything loads torch, and
train and dimension set torch's threads from train.threads (maskaae/openmp.py). Keep torch out of this
module's top-level imports.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from . import cli_parser
from .openmp import SWEEP_THREADS, choose_wait_policy, set_threads
from .results import ACTIVE_DIMS, LATENT_DIM, SUMMARY_COLUMNS, format_value

if TYPE_CHECKING:
    from .data.fetch import PackageMissing


def _print_summary(summary: dict, out: Path | None = None) -> None:
    if out is not None:
        print(f"run folder: {out}")
    if summary[ACTIVE_DIMS] is not None:  # a family without a mask has no m_A
        print(f"discovered m_A = {summary[ACTIVE_DIMS]} (of m = {summary[LATENT_DIM]})")
    print("  " + "  ".join(f"{k}={format_value(summary[k])}" for k in SUMMARY_COLUMNS if k in summary))


def cmd_train(args: argparse.Namespace) -> int:
    from .config import config_from_dict
    from .overrides import merge_overrides
    from .presets import build_config
    from .runs import RunError, read_config, run_config, train_run

    if args.resume and not args.out:
        raise RunError("--resume needs --out DIR (the run folder to continue)")
    cfg = None
    if args.model:  # a name results use: a family's kind, or wae-gan (MaskAAE with the mask off)
        from .models import MODEL_CHOICES

        args.set = [f"{key}={json.dumps(value)}" for key, value in MODEL_CHOICES[args.model].items()] + list(args.set)
    if args.data:
        if args.resume:
            raise RunError("--data starts a new run; --resume continues one from its own config (drop --data)")
        args.set = _data_overrides(args.data, args.set) + list(args.set)
    if args.resume and not (args.preset or args.config):
        # Continue from the run's own config; --set may then only extend train.steps (checked in train_run).
        if args.set:
            cfg = config_from_dict(merge_overrides(read_config(Path(args.out)).to_dict(), args.set))
    else:
        cfg = build_config(args.preset or "synthetic", args.config, args.set)
    if args.out:
        out = Path(args.out)
    else:
        out = Path("runs") / f"{cfg.preset}-{cfg.model_name}-m{cfg.model.latent_dim}-seed{cfg.seed}"
    cfg = run_config(cfg, out, resume=args.resume, overwrite=args.overwrite)  # on resume: the run's own config
    set_threads(cfg.train.threads)
    if not args.quiet:
        from .device import describe_device, resolve_device

        print(f"maskaae: training on {describe_device(resolve_device(cfg.train.device))}", file=sys.stderr)
    timed = None
    if cfg.train.seconds and not args.resume:  # a wall-clock budget: the schedule planned for it first
        from .budget import plan_run

        cfg, timed = plan_run(cfg, None if args.quiet else lambda line: print(f"maskaae: {line}", file=sys.stderr))
    summary = train_run(cfg, out, resume=args.resume, overwrite=args.overwrite, quiet=args.quiet, timed=timed)
    _print_summary(summary, out)
    return 0


def _data_overrides(path: str, sets: list[str]) -> list[str]:
    """The config that fits the user's file or folder, with a note of what was chosen (their --set wins)."""
    from .data.files import file_defaults

    scale = next((s.split("=", 1)[1] for s in reversed(sets) if s.startswith("data.scale=")), "auto")
    overrides, note = file_defaults(path, scale)
    print(f"maskaae: {path}: {note} (override with --set)", file=sys.stderr)
    return overrides


def cmd_dimension(args: argparse.Namespace) -> int:
    """Train with the default settings on the user's data and report m_A beside the classical estimators."""
    from .presets import build_config

    cfg = build_config("synthetic", None, _data_overrides(args.path, args.set) + list(args.set))
    set_threads(cfg.train.threads)
    from .dimension import intrinsic_estimates, train_dimension

    result = train_dimension(cfg, progress=not (args.json or args.quiet))
    result["estimators"], errors = intrinsic_estimates(result.pop("points"))
    if errors:
        result["estimator_errors"] = errors
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{'estimator':<12} dimension")
    print(f"{'MaskAAE m_A':<12} {result['m_A']} (of m = {result['m']}; ordered discovery, {result['seconds']:.0f} s)")
    for name, value in result["estimators"].items():
        print(f"{name:<12} {value:.2f}" if value is not None else f"{name:<12} ({errors[name]})")
    print("mask: " + " ".join(f"{v:.2f}" for v in result["mask"]))
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .runs import RunError, evaluate_run

    if (Path(args.run_dir) / "sweep.json").is_file():
        return _evaluate_sweep(args)
    if args.jobs is not None:
        raise RunError(f"--jobs is for a sweep folder; {args.run_dir} is a run folder (it has no sweep.json)")
    metrics = evaluate_run(args.run_dir, args.fid_samples)
    _print_summary(metrics)
    print(f"written to {Path(args.run_dir) / 'evaluation.json'}")
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from .runs import sample_run

    path = sample_run(args.run_dir, args.num, args.out, args.seed)
    print(f"wrote {args.num} samples to {path}")
    return 0


def cmd_data_get(args: argparse.Namespace) -> int:
    from .data.fetch import PackageMissing, get_dataset

    try:
        folder = get_dataset(args.name, args.root)
    except PackageMissing as missing:
        # The user asked for the data set: as root, install the system package it comes from (the library
        # only names the command), then copy the files.
        _install_package(missing)
        try:
            folder = get_dataset(args.name, args.root)
        except PackageMissing:
            from .data.arrays import DataError

            raise DataError(f"`apt-get install -y {missing.package}` ran but {missing.folder} still lacks the "
                            "data set's files") from None
    print(f"{args.name}: {folder}")
    return 0


def _install_package(missing: PackageMissing) -> None:
    """Install the Debian package a data set needs: as root, with apt-get; otherwise re-raise `missing` (its
    message names the sudo command)."""
    import shutil

    from .data.fetch import is_root, run_command

    if not is_root() or shutil.which("apt-get") is None:
        raise missing
    print(f"maskaae: installing {missing.package}: {missing.command}", file=sys.stderr)
    run_command(["apt-get", "update"])
    run_command(["apt-get", "install", "-y", missing.package])


def cmd_fid(args: argparse.Namespace) -> int:
    from .device import resolve_device
    from .metrics.fid import fid_between

    result = fid_between(args.a, args.b, batch_size=args.batch_size, authors_minmax=args.authors_minmax,
                         pr_k=args.k, device=resolve_device(args.device))
    print(json.dumps(result, indent=2))
    if args.out:
        from .atomic import atomic_write_json

        atomic_write_json(result, args.out)
    return 0


def _evaluate_sweep(args: argparse.Namespace) -> int:
    from .sweep_evaluate import evaluate_sweep

    return _sweep_status(
        lambda: evaluate_sweep(args.run_dir, args.fid_samples, jobs=1 if args.jobs is None else args.jobs),
        "evaluation interrupted; run the same command again to continue (finished evaluations are kept)",
        lambda result: f"{len(result.failed)} evaluations failed ({'; '.join(result.failed.values())}); run the "
                       "same command again to retry them")


def _sweep_status(work: Callable[[], Any], interrupted: str, failures: Callable[[Any], str]) -> int:
    """The exit status of a command over a sweep's runs: 130 after Ctrl-C (saying `interrupted`), 1 when some
    runs failed (saying failures(result)), else 0."""
    try:
        result = work()
    except KeyboardInterrupt:
        print(f"maskaae: {interrupted}", file=sys.stderr)
        return 130
    if result.failed:
        print(f"maskaae: {failures(result)}", file=sys.stderr)
        return 1
    return 0


def cmd_presets(args: argparse.Namespace) -> int:
    from .presets import PRESETS, build_config

    for name in PRESETS:
        cfg = build_config(name)
        print(f"{name}: {cfg.description}")
        if args.verbose:
            print(json.dumps(cfg.to_dict(), indent=2))
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from .sweep import SweepError, SweepSpec, load_spec, run_sweep

    if args.data:
        if not args.grid:
            raise SweepError("--data defines a new sweep and needs --grid")
        args.set = _data_overrides(args.data, args.set) + list(args.set)
    if args.grid:
        spec = SweepSpec.from_args(args.grid, args.preset, args.config, args.set, args.budget)
        if args.budget is not None:
            set_threads(SWEEP_THREADS)  # the budget is timed here, on the one thread each sweep run gets
    elif args.preset or args.config or args.set or args.budget is not None:
        raise SweepError("--preset, --config, --set and --budget define a new sweep and need --grid; "
                         "without them, maskaae sweep --out DIR continues the sweep saved in DIR")
    else:
        spec = load_spec(args.out)  # continue the saved sweep
    if args.jobs is not None and args.executor == "ray":
        raise SweepError("--jobs is for the local executor; Ray runs as many points as the cluster has CPUs")
    jobs = 1 if args.jobs is None else args.jobs
    return _sweep_status(
        lambda: run_sweep(spec, args.out, jobs=jobs, executor=args.executor, address=args.address,
                          gpus_per_run=args.gpus_per_run),
        "sweep interrupted; run the same command again to continue (finished runs are kept, interrupted ones "
        "resume from their last checkpoint)",
        lambda result: f"{len(result.failed)} of {len(result.points)} runs failed (see the error column of "
                       f"{result.results}); run the same command again to retry them")


def cmd_report(args: argparse.Namespace) -> int:
    from .report import write_report

    path = write_report(args.sweep_dirs, args.out)
    print(f"report: {path}")
    return 0


# What Ctrl-C says, by command: where a command can continue, how.
INTERRUPTED = {"train": "continue with --resume", "sweep": "run the same command again to continue",
               "evaluate": "run the same command again", "sample": "nothing was written; run it again",
               "dimension": "nothing was written; run it again"}


def build_parser() -> argparse.ArgumentParser:
    """`maskaae`'s parser (maskaae/cli_parser.py), each command bound to its function here."""
    return cli_parser.build_parser({
        "train": cmd_train,
        "dimension": cmd_dimension,
        "evaluate": cmd_evaluate,
        "sample": cmd_sample,
        "data_get": cmd_data_get,
        "fid": cmd_fid,
        "presets": cmd_presets,
        "sweep": cmd_sweep,
        "report": cmd_report,
    })


def main(argv: list[str] | None = None) -> int:
    choose_wait_policy()  # before torch loads; a no-op where it already has (maskaae/openmp.py)
    args = build_parser().parse_args(argv)
    from .checkpoint import CheckpointError
    from .config import ConfigError
    from .data.arrays import DataError
    from .metrics.inception import InceptionWeightsError
    from .lock import LockError
    from .runs import RunError
    from .train import TrainingDiverged

    try:
        return args.func(args)
    except (ConfigError, CheckpointError, DataError, RunError, TrainingDiverged, InceptionWeightsError, LockError,
            ValueError) as err:
        print(f"maskaae: error: {err}", file=sys.stderr)
        return 2 if not isinstance(err, TrainingDiverged) else 3
    except KeyboardInterrupt:
        print(f"maskaae: interrupted; {INTERRUPTED.get(args.command, 'nothing was changed')}", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
