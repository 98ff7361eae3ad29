"""Readers for the image data sets (SPEC 6): IDX (MNIST, Fashion-MNIST), CIFAR-10
python batches and CelebA's img_align_celeba JPEGs.

Every reader returns float32 tensors (N, C, H, W) scaled to [0, 1]:
MNIST and Fashion-MNIST (N, 1, 28, 28), CIFAR-10 (N, 3, 32, 32), CelebA
(N, 3, 64, 64). A missing, truncated or malformed file is a DataError (a
ValueError) that names the file; a missing file's error also says how to get it.

CIFAR-10's batches are Python pickles, and unpickling can run code: use files
from a trusted source only (the CIFAR-10 authors' 'python version'). As a
guard, the unpickler here only accepts the numpy globals that those batches
contain (arrays and dtypes) and refuses anything else.
"""

from __future__ import annotations

import gzip
import pickle
import re
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..config import DataConfig
from .arrays import DataError
from .fetch import IDX_STEMS, dataset_folder, find_idx_file, get_hint
from .registry import REGISTRY

IDX_IMAGES = 0x00000803  # unsigned bytes, 3 dimensions (N, rows, cols)
IDX_LABELS = 0x00000801  # unsigned bytes, 1 dimension (N,)

# Sizes of the standard sets (registry.py); the loaders check them so that a partial copy fails loudly.
EXPECTED_COUNTS: dict[str, dict[str, int]] = {name: dict(entry.counts) for name, entry in REGISTRY.items()
                                              if entry.counts}

CELEBA_CROP = 140
CELEBA_SIZE = REGISTRY["celeba"].shape[-1]  # the crop is resized to 64 x 64
CIFAR_SHAPE = REGISTRY["cifar10"].shape  # (3, 32, 32)
# Standard split of the 202,599 aligned images when list_eval_partition.txt is absent:
# 000001-162770 train, 162771-182637 valid, 182638-202599 test.
CELEBA_TRAIN_END = 162770
CELEBA_VALID_END = 182637
CELEBA_SPLITS = {"train": 0, "valid": 1, "test": 2}


# ----------------------------------------------------------------------------
# IDX

def _read_bytes(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise DataError(f"file {path} does not exist") from None
    except OSError as err:
        raise DataError(f"cannot read {path}: {err}") from err
    if raw[:2] == b"\x1f\x8b":  # gzip, whatever the suffix
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as err:
            raise DataError(f"{path} is a truncated or corrupt gzip file: {err}") from err
    return raw


def read_idx(path: str | Path, magic: int) -> np.ndarray:
    """A uint8 IDX file (raw or gzipped) as a numpy array of the header's shape.

    magic is the expected magic number (IDX_IMAGES or IDX_LABELS); a different
    one, a short header or data of the wrong length is a DataError naming the file.
    """
    path = Path(path)
    raw = _read_bytes(path)
    if len(raw) < 4:
        raise DataError(f"{path} is truncated: {len(raw)} bytes, too short for an IDX header")
    found = int.from_bytes(raw[:4], "big")
    if found != magic:
        kinds = {IDX_IMAGES: "images", IDX_LABELS: "labels"}
        what = f" (an IDX {kinds[found]} file)" if found in kinds else ""
        raise DataError(f"{path} has magic number 0x{found:08x}{what}; expected 0x{magic:08x} "
                        f"(IDX {kinds.get(magic, 'file')} of unsigned bytes): wrong or corrupt file")
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{path} is truncated: {len(raw)} bytes, shorter than its {header}-byte header")
    dims = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    size = int(np.prod(dims, dtype=np.int64))
    have = len(raw) - header
    if have < size:
        raise DataError(f"{path} is truncated: its header says {' x '.join(map(str, dims))} = {size} bytes "
                        f"of data, the file has {have}")
    if have > size:
        raise DataError(f"{path} has {have - size} bytes after the {size} its header "
                        f"({' x '.join(map(str, dims))}) announces: wrong or corrupt file")
    return np.frombuffer(raw, dtype=np.uint8, count=size, offset=header).reshape(dims)


def _to_unit(array: np.ndarray, path: Any) -> torch.Tensor:
    """uint8 array -> float32 tensor in [0, 1] (x / 255: the range holds by construction)."""
    if array.dtype != np.uint8:
        raise DataError(f"{path}: pixel data has dtype {array.dtype}; expected uint8")
    if not array.flags.writeable or not array.flags.c_contiguous:  # IDX arrays are read-only views
        array = np.array(array, order="C")
    return torch.from_numpy(array).to(torch.float32).div_(255.0)


def read_idx_images(path: str | Path, image_shape: tuple[int, int] | None = None) -> torch.Tensor:
    """IDX images -> float32 (N, 1, H, W) in [0, 1]; image_shape checks (H, W)."""
    array = read_idx(path, IDX_IMAGES)
    if image_shape is not None and array.shape[1:] != tuple(image_shape):
        raise DataError(f"{path} holds images of {array.shape[1]} x {array.shape[2]}; expected "
                        f"{image_shape[0]} x {image_shape[1]}")
    if array.shape[0] == 0:
        raise DataError(f"{path} holds no images")
    return _to_unit(array[:, None], path)


def read_idx_labels(path: str | Path) -> np.ndarray:
    """IDX labels -> uint8 (N,)."""
    return read_idx(path, IDX_LABELS)


def read_idx_folder(folder: str | Path, name: str = "mnist", split: str = "train",
                    expected: int | None = None) -> torch.Tensor:
    """One split of the IDX data set `name` (registry.py) in folder: (N, 1, 28, 28) in [0, 1].

    The labels file, where present, must have as many entries as there are
    images; expected, if given, is the required number of images.
    """
    folder = Path(folder)
    image_stem, label_stem = IDX_STEMS[split]
    image_path = find_idx_file(folder, image_stem)
    if image_path is None:
        raise DataError(f"{name}: file {image_stem} (or {image_stem}.gz) not found in {folder}; "
                        f"{get_hint(name)}")
    images = read_idx_images(image_path, REGISTRY[name].shape[1:])
    label_path = find_idx_file(folder, label_stem)
    if label_path is not None:
        labels = read_idx_labels(label_path)
        if len(labels) != len(images):
            raise DataError(f"{label_path} has {len(labels)} labels but {image_path} has {len(images)} images")
    if expected is not None and len(images) != expected:
        raise DataError(f"{image_path} has {len(images)} images; the {name} {split} set has {expected} "
                        f"(partial or wrong file); {get_hint(name)}")
    return images


# ----------------------------------------------------------------------------
# CIFAR-10

_NUMPY_GLOBALS = {
    ("numpy", "ndarray"), ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
    ("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer"),
    ("_codecs", "encode"),
}


class _ArrayUnpickler(pickle.Unpickler):
    """Unpickler that resolves only numpy's array-rebuilding globals."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _NUMPY_GLOBALS:
            raise pickle.UnpicklingError(f"refusing to load global {module}.{name}: a CIFAR-10 batch "
                                         "holds only numpy arrays, lists and strings")
        if module.startswith("numpy.core."):  # pickles from numpy 1.x; numpy 2 calls it numpy._core
            module = "numpy._core." + module[len("numpy.core."):]
        return super().find_class(module, name)


def read_cifar_batch(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """One CIFAR-10 python batch -> (uint8 images (N, 3, 32, 32), int64 labels (N,)).

    The file must come from a trusted source: it is a pickle (only numpy arrays
    are accepted here, but pickle remains a code-loading format).
    """
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            batch = _ArrayUnpickler(fh, encoding="bytes").load()
    except FileNotFoundError:
        raise DataError(f"file {path} does not exist") from None
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError,
            ImportError, OSError) as err:
        raise DataError(f"{path} is not a readable CIFAR-10 python batch: {err}") from err
    if not isinstance(batch, dict):
        raise DataError(f"{path} holds a {type(batch).__name__}; a CIFAR-10 batch is a dict")
    data = batch.get(b"data", batch.get("data"))
    labels = batch.get(b"labels", batch.get("labels"))
    if data is None or labels is None:
        raise DataError(f"{path} lacks the keys b'data' and b'labels' of a CIFAR-10 batch "
                        f"(keys: {sorted(map(repr, batch))})")
    if (not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2
            or data.shape[1] != np.prod(CIFAR_SHAPE)):
        desc = f"{data.dtype} {data.shape}" if isinstance(data, np.ndarray) else type(data).__name__
        raise DataError(f"{path}: b'data' is {desc}; expected uint8 (N, 3072)")
    labels = np.asarray(labels)
    if labels.shape != (data.shape[0],) or not np.issubdtype(labels.dtype, np.integer):
        raise DataError(f"{path}: b'labels' has shape {labels.shape} and dtype {labels.dtype}; expected "
                        f"{data.shape[0]} integers")
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise DataError(f"{path}: labels outside 0..9")
    # rows are 1024 red, 1024 green, 1024 blue values, each a 32 x 32 image in row-major order
    return data.reshape(-1, *CIFAR_SHAPE), labels.astype(np.int64)


def _cifar_dir(folder: Path) -> Path:
    sub = folder / "cifar-10-batches-py"
    return sub if sub.is_dir() else folder


def read_cifar10_folder(folder: str | Path, split: str = "train",
                        expected: int | None = None) -> torch.Tensor:
    """CIFAR-10 train (data_batch_1..5) or test (test_batch) -> (N, 3, 32, 32) in [0, 1].

    folder is cifar-10-batches-py/ or the folder holding it.
    """
    folder = _cifar_dir(Path(folder))
    names = [f"data_batch_{i}" for i in range(1, 6)] if split == "train" else ["test_batch"]
    parts = []
    for name in names:
        path = folder / name
        if not path.is_file():
            raise DataError(f"cifar10: file {name} not found in {folder}; {get_hint('cifar10')}")
        parts.append(read_cifar_batch(path)[0])
    images = np.concatenate(parts)
    if expected is not None and len(images) != expected:
        raise DataError(f"cifar10: {folder} holds {len(images)} {split} images; expected {expected}")
    return _to_unit(images, folder)


# ----------------------------------------------------------------------------
# CelebA

def celeba_image(path: str | Path) -> np.ndarray:
    """One CelebA image: centre crop 140 x 140, resize to 64 x 64 (Pillow's
    antialiased bilinear) -> uint8 (3, 64, 64)."""
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    try:
        with Image.open(path) as img:
            img = img.convert("RGB")
            width, height = img.size
            if width < CELEBA_CROP or height < CELEBA_CROP:
                raise DataError(f"{path} is {width} x {height}; CelebA images must be at least "
                                f"{CELEBA_CROP} x {CELEBA_CROP} for the centre crop")
            left, top = (width - CELEBA_CROP) // 2, (height - CELEBA_CROP) // 2
            img = img.crop((left, top, left + CELEBA_CROP, top + CELEBA_CROP))
            img = img.resize((CELEBA_SIZE, CELEBA_SIZE), Image.Resampling.BILINEAR)
            return np.asarray(img, dtype=np.uint8).transpose(2, 0, 1)
    except Image.DecompressionBombError as err:
        from .files import bomb_error

        raise bomb_error(path, err) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        if isinstance(err, DataError):
            raise
        raise DataError(f"{path} is not a readable image: {err}") from err


def _celeba_partition(folder: Path) -> dict[str, int] | None:
    """file name -> partition from list_eval_partition.txt (or Kaggle's .csv), if present."""
    for base in (folder, folder.parent):
        for name in ("list_eval_partition.txt", "list_eval_partition.csv"):
            path = base / name
            if path.is_file():
                table: dict[str, int] = {}
                for number, line in enumerate(path.read_text().splitlines(), 1):
                    fields = line.replace(",", " ").split()
                    if not fields or fields[0] == "image_id":
                        continue
                    if len(fields) != 2 or fields[1] not in ("0", "1", "2"):
                        raise DataError(f"{path} line {number}: expected '<file> <0|1|2>', got {line!r}")
                    table[fields[0]] = int(fields[1])
                return table
    return None


def _standard_partition(files: list[Path]) -> list[int]:
    """Partition by the standard index ranges: by the file number where names are
    numbers (000001.jpg), else by position in sorted order."""
    if all(re.fullmatch(r"\d+", f.stem) for f in files):
        numbers = [int(f.stem) for f in files]
    else:
        numbers = list(range(1, len(files) + 1))
    return [0 if n <= CELEBA_TRAIN_END else 1 if n <= CELEBA_VALID_END else 2 for n in numbers]


def celeba_files(folder: str | Path, split: str = "train") -> list[Path]:
    """Sorted .jpg files of one CelebA split (train, valid or test).

    folder is img_align_celeba/ or the folder holding it. The split comes from
    list_eval_partition.txt (0 train, 1 valid, 2 test) next to the images or
    one level up, else from the standard ranges.
    """
    if split not in CELEBA_SPLITS:
        raise DataError(f"unknown CelebA split '{split}'; choose one of {', '.join(CELEBA_SPLITS)}")
    folder = Path(folder)
    image_dir = folder / "img_align_celeba" if (folder / "img_align_celeba").is_dir() else folder
    files = sorted(image_dir.glob("*.jpg")) if image_dir.is_dir() else []
    if not files:
        raise DataError(f"celeba: no img_align_celeba/*.jpg files in {folder}; {get_hint('celeba')}")
    table = _celeba_partition(image_dir)
    if table is not None:
        parts = [table.get(f.name, -1) for f in files]
    else:
        parts = _standard_partition(files)
    return [f for f, p in zip(files, parts) if p == CELEBA_SPLITS[split]]


def read_celeba_folder(folder: str | Path, split: str = "train", max_images: int | None = None) -> torch.Tensor:
    """CelebA split -> (N, 3, 64, 64) in [0, 1]: the first max_images files in sorted order."""
    files = celeba_files(folder, split)
    if max_images is not None:
        files = files[:max_images]
    if not files:
        raise DataError(f"celeba: the {split} split of {folder} has no images")
    images = np.empty((len(files), 3, CELEBA_SIZE, CELEBA_SIZE), dtype=np.uint8)
    for i, path in enumerate(files):
        images[i] = celeba_image(path)
    return _to_unit(images, folder)


# ----------------------------------------------------------------------------
# Readers by name (registry.py): loader(cfg) -> (train, test)

def _idx_loader(name: str, cfg: DataConfig) -> tuple[torch.Tensor, torch.Tensor]:
    folder = dataset_folder(name, cfg.data_dir)
    counts = EXPECTED_COUNTS[name]
    return tuple(read_idx_folder(folder, name, split, counts[split])  # type: ignore[return-value]
                 for split in ("train", "test"))


def load_mnist(cfg: DataConfig) -> tuple[torch.Tensor, torch.Tensor]:
    """MNIST: 60,000 train and 10,000 test images, (N, 1, 28, 28) in [0, 1]."""
    return _idx_loader("mnist", cfg)


def load_fashion_mnist(cfg: DataConfig) -> tuple[torch.Tensor, torch.Tensor]:
    """Fashion-MNIST: 60,000 train and 10,000 test images, (N, 1, 28, 28) in [0, 1]."""
    return _idx_loader("fashion-mnist", cfg)


def load_cifar10(cfg: DataConfig) -> tuple[torch.Tensor, torch.Tensor]:
    """CIFAR-10: 50,000 train and 10,000 test images, (N, 3, 32, 32) in [0, 1]."""
    folder = dataset_folder("cifar10", cfg.data_dir)
    counts = EXPECTED_COUNTS["cifar10"]
    return (read_cifar10_folder(folder, "train", counts["train"]),
            read_cifar10_folder(folder, "test", counts["test"]))


def load_celeba(cfg: DataConfig) -> tuple[torch.Tensor, torch.Tensor]:
    """CelebA, (N, 3, 64, 64) in [0, 1]: the first data.n_train images of the train
    split and the first data.n_test of the test split (the full train split,
    162,770 images, would take 8 GB as float32)."""
    folder = dataset_folder("celeba", cfg.data_dir)
    return (read_celeba_folder(folder, "train", cfg.n_train),
            read_celeba_folder(folder, "test", cfg.n_test))


__all__ = ["CELEBA_CROP", "CELEBA_SIZE", "EXPECTED_COUNTS", "IDX_IMAGES", "IDX_LABELS", "celeba_files",
           "celeba_image", "load_celeba", "load_cifar10", "load_fashion_mnist", "load_mnist",
           "read_celeba_folder", "read_cifar10_folder", "read_cifar_batch", "read_idx", "read_idx_folder",
           "read_idx_images", "read_idx_labels"]
