"""Data sets by name, plus conversion of user data to tensors."""

from __future__ import annotations

from typing import Callable

import torch

from ..config import DataConfig
from .arrays import DataError, as_tensor
from .fetch import default_data_root, get_dataset
from .files import load_file
from .images import load_celeba, load_cifar10, load_fashion_mnist, load_mnist
from .synthetic import SyntheticMap, make_synthetic

DATASETS: dict[str, Callable[[DataConfig], tuple[torch.Tensor, torch.Tensor]]] = {
    "synthetic": make_synthetic,
    "mnist": load_mnist,
    "fashion-mnist": load_fashion_mnist,
    "cifar10": load_cifar10,
    "celeba": load_celeba,
    "file": load_file,
}


def load_data(cfg: DataConfig) -> tuple[torch.Tensor, torch.Tensor]:
    """(train, test) float32 tensors for the configured data set."""
    try:
        loader = DATASETS[cfg.name]
    except KeyError:
        raise ValueError(f"unknown data set '{cfg.name}' (config key data.name); "
                         f"choose one of {', '.join(DATASETS)}") from None
    return loader(cfg)


__all__ = ["DATASETS", "DataError", "SyntheticMap", "as_tensor", "default_data_root", "get_dataset", "load_data",
           "make_synthetic"]
