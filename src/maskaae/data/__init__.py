"""Data sets by name (registry.py), plus conversion of user data to tensors.

Only the registry is imported with the package, so that config.py can check data.name against it without
loading torch; the readers and the names below load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Callable

from .registry import DATASET_NAMES, IMAGE_DATASETS, REGISTRY

if TYPE_CHECKING:
    import torch

    from ..config import DataConfig

# name -> reader(cfg) -> (train, test); a plain dict, so a test can put a reader of its own in it
DATASETS: dict[str, Callable[[DataConfig], tuple[torch.Tensor, torch.Tensor]]] = {
    name: entry.load for name, entry in REGISTRY.items()}

_LAZY = {"DataError": "arrays", "as_tensor": "arrays", "default_data_root": "fetch", "get_dataset": "fetch",
         "SyntheticMap": "synthetic", "make_synthetic": "synthetic"}


def load_data(cfg: DataConfig) -> tuple[torch.Tensor, torch.Tensor]:
    """(train, test) float32 tensors for the configured data set."""
    try:
        loader = DATASETS[cfg.name]
    except KeyError:
        raise ValueError(f"unknown data set '{cfg.name}' (config key data.name); "
                         f"choose one of {', '.join(DATASETS)}") from None
    return loader(cfg)


MIN_DISTINCT = 3  # TwoNN, the descent's trigger and any dimension need points with distinct nearest neighbours


def check_distinct(train: "torch.Tensor", source: str) -> None:
    """A DataError, before training (the trainers' entry points call it), for training data with fewer than
    MIN_DISTINCT distinct rows (constant data, or one or two rows repeated): no dimension can be read off it.
    Rows are compared through one random projection (equal rows project alike; distinct ones almost surely
    do not)."""
    import torch

    from .arrays import DataError

    flat = train.flatten(1).double()
    weights = torch.randn(flat.shape[1], generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    distinct = int(torch.unique(flat @ weights.to(flat.device)).numel()) if len(flat) else 0
    if distinct < MIN_DISTINCT:
        raise DataError(f"{source}: the training split has {distinct} distinct sample(s) of {len(flat)}; finding a "
                        f"dimension needs at least {MIN_DISTINCT} (is the data constant, or a few rows repeated?)")


def check_unit_range(splits: dict[str, "torch.Tensor"], source: str) -> None:
    """A DataError, before training, when loss.recon=bce would meet values outside [0, 1] (binary cross-entropy
    is defined there only): `splits` maps a split's name to its tensor."""
    from .arrays import DataError

    spans = {name: (float(x.min()), float(x.max())) for name, x in splits.items() if len(x)}
    outside = {name: span for name, span in spans.items() if span[0] < 0.0 or span[1] > 1.0}
    if outside:
        said = "; ".join(f"the {name} split spans [{low:.4g}, {high:.4g}]" for name, (low, high) in outside.items())
        raise DataError(f"{source}: loss.recon=bce needs values in [0, 1], and {said}. data.scale=minmax maps the "
                        "training split's range to [0, 1], so held-out values can fall outside it. Use "
                        "loss.recon=mse with model.output=linear, or scale the data to [0, 1] yourself and set "
                        "data.scale=none")


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["DATASETS", "DATASET_NAMES", "DataError", "IMAGE_DATASETS", "REGISTRY", "SyntheticMap", "as_tensor",
           "check_distinct", "check_unit_range", "default_data_root", "get_dataset", "load_data", "make_synthetic"]
