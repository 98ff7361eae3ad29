"""A user's own data from a file or folder (`data.name = "file"`, `maskaae train --data PATH`).

Accepted: a `.npy` array or a `.npz` with one array (or one named `x`), a `.csv` / `.tsv` of numbers (a
header row is detected: a first row that does not parse as numbers), or a folder of PNG/JPEG images of one
size (grey or RGB). Vectors are (samples, features); images become (samples, channels, height, width) in
[0, 1]. A held-out split of `data.test_fraction` (default 10%) is drawn with `data.seed` and used only for
the metrics. Scaling (`data.scale`): `auto` is `standardize` for vectors (each feature to mean 0 and
standard deviation 1, with the training split's statistics) and the [0, 1] pixel scale for images;
`minmax` maps each feature to [0, 1]; `none` leaves the numbers as they are.
"""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..config import DataConfig
from .arrays import DataError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
WIDE_FEATURES = 1024  # vectors wider than this are evaluated at the end of training only (issue 34 C13)
EVAL_ONLY_AT_END = 10**9  # train.eval_every for them: the last step always evaluates
# image side -> (network, m, width) for `--data FOLDER`: the paper's conv networks for these sizes, at widths that
# train in minutes on a CPU (the default width 256 gave fashion-conv 250 M parameters, 6.5 s an auto-encoder pass
# on one thread; at 16 it has 1.0 M, the fashion preset's size; cifar-resnet at 32 has 1.4 M)
IMAGE_NETWORKS = {28: ("fashion-conv", 64, 16), 32: ("cifar-resnet", 128, 32), 64: ("celeba-resnet", 128, 16)}


def fingerprint(path: Path) -> dict[str, Any]:
    """What identifies a data file or image folder's contents: its path, size in bytes and SHA-256 (for a folder,
    over its image files' names and contents in name order). A run records it; resume and evaluate compare."""
    import hashlib

    digest, size = hashlib.sha256(), 0
    files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES) \
        if path.is_dir() else [path]
    for f in files:
        if path.is_dir():
            digest.update(f.name.encode() + b"\0")
        with f.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
                size += len(block)
    return {"path": str(path), "bytes": size, "sha256": digest.hexdigest()}


# The last array file_defaults read, for the training that follows it in the same process: `maskaae train --data`
# and `maskaae dimension` read the file once (a 115 MB CSV takes seconds). Keyed by the file's path, size and
# modification time; the next read_array of that file takes it out, so it is not held twice.
_HELD: dict[tuple, np.ndarray] = {}


def _file_key(path: Path) -> tuple:
    stat = path.stat()
    return str(path.resolve()), stat.st_size, stat.st_mtime_ns


def read_array(path: Path, hold: bool = False) -> np.ndarray:
    """The raw numbers of a data file or image folder (float64 vectors, or float32 images in [0, 1]). `hold`:
    keep the array for the next read of the same unchanged file (file_defaults, then the training)."""
    key = _file_key(path) if path.exists() else None
    if key is not None and key in _HELD:
        return _HELD.pop(key)
    array = _read_array(path)
    _HELD.clear()
    if hold and key is not None:
        _HELD[key] = array
    return array


def _read_array(path: Path) -> np.ndarray:
    if path.is_dir():
        return _read_images(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file or folder; --data takes a .npy, .npz, .csv or .tsv file or a folder "
                        "of PNG/JPEG images")
    suffix = path.suffix.lower()
    try:
        if suffix == ".npy":
            array = np.load(path, allow_pickle=False)
        elif suffix == ".npz":
            with np.load(path, allow_pickle=False) as z:
                keys = list(z.keys())
                if len(keys) != 1 and "x" not in keys:
                    raise DataError(f"{path} holds arrays {keys}; store one array, or name the data 'x'")
                array = z["x" if "x" in keys else keys[0]]
        elif suffix in (".csv", ".tsv"):
            array = _read_table(path, "\t" if suffix == ".tsv" else ",")
        else:
            raise DataError(f"{path}: {suffix or 'no suffix'} is not a data format maskaae reads; use .npy, .npz, "
                            ".csv, .tsv or a folder of PNG/JPEG images")
    except (OSError, EOFError, zipfile.BadZipFile) as err:
        raise DataError(f"{path} cannot be read ({err}); check the file") from None
    except ValueError as err:  # numpy: a pickled or malformed array
        reason = "it holds pickled objects, which are refused" if "pickle" in str(err) else str(err)
        raise DataError(f"{path} is not an array of numbers ({reason}); save it with numpy.save") from None
    if array.dtype.kind not in "biuf":
        raise DataError(f"{path} holds {array.dtype} values; it must hold numbers")
    if array.ndim != 2:
        raise DataError(f"{path} has shape {array.shape}; vector data must be (samples, features) - for images "
                        "give a folder of image files")
    return array.astype(np.float64)


def _read_regular_table(path: Path, delimiter: str) -> np.ndarray | None:
    """The numbers of a CSV/TSV whose rows are all numbers (after at most one header row), or None for anything
    else (an empty file, a header alone, a pandas index, ragged rows, words, blank fields), which
    _read_table's row-by-row reader then reports."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        first = next((row for row in csv.reader(handle, delimiter=delimiter) if row and any(c.strip() for c in row)),
                     None)
    if first is None or first[0].strip() == "":  # empty, or an unnamed first column (a pandas index?)
        return None
    try:
        [float(c) for c in first]
        header = 0
    except ValueError:
        header = 1
    try:
        array = np.loadtxt(path, delimiter=delimiter, skiprows=header, ndmin=2, encoding="utf-8-sig",
                           dtype=np.float64)
    except ValueError:
        return None
    return array if array.size else None


def _counts_rows(rows: list[list[str]]) -> bool:
    try:
        return [float(r[0]) for r in rows] == list(range(len(rows)))
    except (ValueError, IndexError):
        return False


def _read_table(path: Path, delimiter: str) -> np.ndarray:
    """A table of numbers: numpy's C reader when the file is regular (a large CSV is read once into one
    float64 array), else the row-by-row reader below, whose errors name the row and the fix."""
    fast = _read_regular_table(path, delimiter)
    if fast is not None:
        return fast
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = [row for row in csv.reader(handle, delimiter=delimiter) if row and any(c.strip() for c in row)]
    if not rows:
        raise DataError(f"{path} is empty; it needs one sample per row")
    try:
        [float(c) for c in rows[0]]
    except ValueError:
        header, rows = rows[0], rows[1:]
        if not rows:
            raise DataError(f"{path} has a header row ({', '.join(header[:5])}{', ...' if len(header) > 5 else ''}) "
                            "and no data rows; it needs one sample per row") from None
        if header[0].strip() == "" and _counts_rows(rows):
            raise DataError(f"{path}: the first column is unnamed and counts the rows 0, 1, 2, ...: a pandas index "
                            "saved with the data, which would be read as a feature. Save with "
                            "DataFrame.to_csv(..., index=False), or drop that column") from None
    widths = {len(r) for r in rows}
    if len(widths) > 1:
        bad = next(i for i, r in enumerate(rows) if len(r) != len(rows[0]))
        raise DataError(f"{path}: rows have {sorted(widths)} fields (row {bad + 1} of the data differs); every "
                        "row needs the same number of columns")
    try:
        return np.array([[float(c) for c in r] for r in rows], dtype=np.float64)
    except ValueError as err:
        raise DataError(f"{path}: a value is not a number ({err}); only the first row may be a header") from None


SIXTEEN_BIT = ("I;16", "I;16B", "I;16L", "I;16N")  # Pillow's modes of 16-bit greyscale


def image_pixels(im: Any, path: Path) -> np.ndarray:
    """An opened image's pixels in [0, 1] at its own depth: 8-bit grey or RGB over 255, 16-bit grey over 65,535
    (Pillow reads a 16-bit PNG as I;16 or as 32-bit I; convert("L") would clip it to nearly white)."""
    if im.mode in SIXTEEN_BIT or im.mode == "I":
        values = np.asarray(im, dtype=np.float64)
        if values.min() < 0 or values.max() > 65535:
            raise DataError(f"{path} is a {im.mode} image with values in [{values.min():g}, {values.max():g}]; "
                            "maskaae reads 8- and 16-bit images: save it as one")
        return (values / 65535.0).astype(np.float32)
    grey = im.mode in ("1", "L", "LA")
    return np.asarray(im.convert("L" if grey else "RGB"), dtype=np.float32) / 255.0


def bomb_error(path: Path, err: Exception) -> DataError:
    """Pillow's refusal of an image larger than Image.MAX_IMAGE_PIXELS, as a DataError that says what to do."""
    return DataError(f"{path} is refused as a possible decompression bomb ({err}); an image this large is not "
                     "training data for these networks: resize it (all images to one size, e.g. 64 x 64) or "
                     "remove it")


def _read_images(folder: Path) -> np.ndarray:
    from PIL import Image

    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise DataError(f"{folder} holds no PNG or JPEG images")
    images = []
    for f in files:
        try:
            with Image.open(f) as im:
                images.append(image_pixels(im, f))
        except Image.DecompressionBombError as err:
            raise bomb_error(f, err) from None
        except (OSError, SyntaxError) as err:
            raise DataError(f"{f} is not a readable image ({err}); remove or replace it") from None
    sizes = {a.shape for a in images}
    if len(sizes) > 1:
        raise DataError(f"{folder}: images of different sizes or colour modes {sorted(sizes)}; give one size "
                        "(and all grey or all colour)")
    stack = np.stack(images)
    return stack[:, None] if stack.ndim == 3 else stack.transpose(0, 3, 1, 2)


def standard_scaling(train: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(peak, mean, std) per feature such that (x / peak - mean) / std standardises the training rows: peak is 1
    unless values near float64's limit (1e300) overflow the sums, then each feature's largest magnitude; a
    constant feature gets std 1. The one standardisation of vector data (--data files, MaskAAEDimension)."""
    peak = np.ones(train.shape[1:])
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is detected below
        mean, std = train.mean(axis=0), train.std(axis=0)
    if not (np.isfinite(mean).all() and np.isfinite(std).all()):
        peak = np.abs(train).max(axis=0)
        peak = np.where(peak > 0, peak, 1.0)
        mean, std = (train / peak).mean(axis=0), (train / peak).std(axis=0)
    return peak, mean, np.where(std > 0, std, 1.0)


UNSCALED_LIMIT = 1e6  # data.scale=none: larger values diverge in training (issue 34 C11)


def split_and_scale(array: np.ndarray, cfg: DataConfig, source: str) -> tuple[torch.Tensor, torch.Tensor]:
    if len(array) < 4:
        raise DataError(f"{source} has {len(array)} samples; at least 4 are needed (some are held out)")
    if not np.isfinite(array).all():
        rows = np.nonzero(~np.isfinite(array.reshape(len(array), -1)).all(axis=1))[0]
        raise DataError(f"{source} contains NaN or inf in {len(rows)} sample(s), first at row {rows[0]}; remove or "
                        "impute them")
    order = np.random.default_rng([cfg.seed, 7]).permutation(len(array))
    n_test = max(1, int(round(cfg.test_fraction * len(array))))
    train, test = array[order[n_test:]], array[order[:n_test]]
    scale = cfg.scale if cfg.scale != "auto" else ("none" if array.ndim == 4 else "standardize")
    if scale == "standardize":
        peak, mean, std = standard_scaling(train)
        train, test = (train / peak - mean) / std, (test / peak - mean) / std
    elif scale == "minmax":
        low, high = train.min(axis=0), train.max(axis=0)
        span = np.where(high > low, high - low, 1.0)
        train, test = (train - low) / span, (test - low) / span
    elif np.abs(array).max() > UNSCALED_LIMIT:
        raise DataError(f"{source} holds values up to {np.abs(array).max():.3g} and data.scale=none keeps them: "
                        f"networks do not train on values beyond {UNSCALED_LIMIT:g} (and float32 ends at 3.4e38); "
                        "use data.scale=standardize or minmax")
    return torch.from_numpy(train.astype(np.float32)), torch.from_numpy(test.astype(np.float32))


def load_file(cfg: DataConfig) -> tuple[torch.Tensor, torch.Tensor]:
    if not cfg.path:
        raise DataError("data.name = file needs data.path (maskaae train --data PATH)")
    path = Path(cfg.path).expanduser()
    return split_and_scale(read_array(path), cfg, str(path))


SCALE_NOTES = {"auto": "features standardised", "standardize": "features standardised",
               "minmax": "features min-max scaled to [0, 1]", "none": "features as they are (data.scale=none)"}


def file_defaults(path: str | Path, scale: str = "auto") -> tuple[list[str], str]:
    """Config overrides that fit the data in PATH (networks, output, loss, m), and a note saying what was chosen;
    `scale`: the data.scale the user set (the note says what it does).

    m for vectors is min(features, 64); for images the network of the paper for that size and its m.
    """
    array = read_array(Path(path).expanduser(), hold=True)
    base = ["data.name=file", f"data.path={Path(path).expanduser().resolve()}"]
    if array.ndim == 4:
        side = array.shape[-1]
        if side not in IMAGE_NETWORKS or array.shape[-2] != side:
            raise DataError(f"{path}: images of {array.shape[-2]} x {side} pixels; the conv networks take square "
                            f"images of {', '.join(str(s) for s in IMAGE_NETWORKS)} pixels")
        network, m, width = IMAGE_NETWORKS[side]
        overrides = base + [f"model.network={network}", "model.output=sigmoid", "loss.recon=bce",
                            f"model.latent_dim={m}", f"model.width={width}"]
        note = (f"{len(array)} images of {array.shape[1]} x {side} x {side}: network {network} at width {width} "
                f"(CPU-sized; the paper's is larger: --set model.width=...), m = {m}, pixels in [0, 1], binary "
                "cross-entropy")
    else:
        m = min(array.shape[1], 64)
        overrides = base + ["model.network=mlp", "model.output=linear", "loss.recon=mse", f"model.latent_dim={m}"]
        note = (f"{len(array)} samples of {array.shape[1]} features: MLP networks, m = min(features, 64) = {m}, "
                f"{SCALE_NOTES.get(scale, SCALE_NOTES['auto'])}")
        if array.shape[1] > WIDE_FEATURES:
            # the Frechet distance's matrix square root grows as features^3: 35 s at 5,000 features, one thread
            overrides.append(f"train.eval_every={EVAL_ONLY_AT_END}")
            note += (f"; wider than {WIDE_FEATURES} features, so the held-out metrics are computed at the end only "
                     "(each evaluation takes tens of seconds at this width)")
    return overrides, note

