"""What a run folder records and how it is read back: the code and package versions (provenance), the metrics
log, the saved config, the --data file's fingerprint, and the checks that a folder's config and data still match
what its checkpoint trained with. maskaae/runs.py trains, evaluates and samples runs with these."""

from __future__ import annotations

import json
import platform
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import torch

from . import openmp
from .config import Config, ConfigError
from .runfolder import RunError, recover_replaced
from .versions import saved_config_from_dict

CHECKPOINT_FORMAT = "maskaae-checkpoint-v1"


def code_version() -> dict[str, Any]:
    """Package version and, when the code sits in a git checkout, its commit."""
    info: dict[str, Any] = {"maskaae": __import__("maskaae").__version__, "git_commit": None, "git_dirty": None}
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5)
        if commit.returncode == 0:
            info["git_commit"] = commit.stdout.strip()
            status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=here,
                                    capture_output=True, text=True, timeout=5)
            info["git_dirty"] = bool(status.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    return info


def provenance() -> dict[str, Any]:
    import matplotlib
    import scipy
    import tqdm

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": {"torch": torch.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
                     "matplotlib": matplotlib.__version__, "tqdm": tqdm.__version__},
        "torch_threads": torch.get_num_threads(),
        "openmp_wait": openmp.describe(),
        **code_version(),
    }


def read_metrics(run_dir: Path) -> list[dict[str, Any]]:
    path = Path(run_dir) / "metrics.jsonl"
    if not path.exists():
        return []
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    records = []
    for i, line in enumerate(lines):
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            if i == len(lines) - 1:  # a process killed mid-write leaves half a last line
                break
            raise RunError(f"{path} line {i + 1} is not valid JSON; the metrics log is damaged") from None
        if not isinstance(record, dict) or not isinstance(record.get("step"), int):
            raise RunError(f"{path} line {i + 1} is not a metrics record (an object with an integer 'step'); "
                           "the metrics log is damaged - restore it or train again with --overwrite")
        records.append(record)
    return records


def read_config(run_dir: Path) -> Config:
    recover_replaced(Path(run_dir))
    path = Path(run_dir) / "config.json"
    if not path.is_file():
        raise RunError(f"{run_dir} is not a run folder (no config.json); train one with maskaae train --out DIR")
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise RunError(f"{path} is not valid JSON ({err}); the run folder is damaged - restore the file or "
                       "train again with --overwrite") from None
    if not isinstance(saved, dict) or not isinstance(saved.get("config"), dict):
        raise RunError(f"{path} has no 'config' mapping; the run folder is damaged - restore the file or train "
                       "again with --overwrite")
    try:
        return saved_config_from_dict(saved["config"])
    except ConfigError as err:
        raise RunError(f"{path}: {err}") from None


def data_record(cfg: Config) -> dict[str, Any] | None:
    """The fingerprint (path, bytes, SHA-256) of a run's --data file or folder; None for built-in data or a
    file that is not there."""
    if cfg.data.name != "file" or not Path(cfg.data.path).exists():
        return None
    from .data.files import fingerprint

    return fingerprint(Path(cfg.data.path))


def check_data_file(run_dir: Path, now: dict[str, Any] | None, doing: str) -> None:
    """A RunError when the run's --data file, whose data_record is `now`, differs from the one it trained on
    (config.json's data_file)."""
    try:
        recorded = json.loads((run_dir / "config.json").read_text(encoding="utf-8")).get("data_file")
    except (OSError, ValueError):
        return  # read_config reports a damaged config.json
    if not recorded:
        return  # built-in data, or a run from before the record
    if now is None or (now["bytes"], now["sha256"]) != (recorded["bytes"], recorded["sha256"]):
        said = "is gone" if now is None else f"now has {now['bytes']} bytes, SHA-256 {now['sha256'][:12]}"
        raise RunError(f"{recorded['path']} changed since {run_dir} trained on it: it had {recorded['bytes']} "
                       f"bytes, SHA-256 {recorded['sha256'][:12]}, and {said}; {doing} would use other data "
                       "than the run's. Restore the file, or train a new run on it")


def check_unedited(run_dir: Path, trained: Config, cfg: Config, doing: str) -> None:
    """A RunError when the run's config.json (`cfg`) differs from the config its checkpoint trained with
    (`trained`), train.steps aside, which a resume may extend."""
    changed = _first_difference(trained.to_dict(), cfg.to_dict())
    if changed is not None:
        raise RunError(f"{run_dir}/config.json differs from the config its checkpoint trained with ({changed}); "
                       f"{doing} would go by a config the run did not train with. Restore config.json, or train "
                       "the new config into a new folder (--out) or with --overwrite")


def _first_difference(a: dict[str, Any], b: dict[str, Any], prefix: str = "") -> str | None:
    """'key: A in the checkpoint, B in config.json' for the first differing leaf, ignoring train.steps (it may
    grow on resume)."""
    for key in sorted(set(a) | set(b)):
        name = f"{prefix}{key}"
        if name == "train.steps":
            continue
        x, y = a.get(key), b.get(key)
        if isinstance(x, dict) and isinstance(y, dict):
            found = _first_difference(x, y, name + ".")
            if found:
                return found
        elif x != y:
            return f"{name}: {x!r} in the checkpoint, {y!r} in config.json"
    return None
