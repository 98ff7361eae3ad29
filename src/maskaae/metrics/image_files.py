"""Image sets on disk for the metrics: a folder of PNGs or an .npy/.npz array -> an (N, C, H, W) tensor.

What ``maskaae fid A B`` reads (:func:`maskaae.metrics.fid.fid_between`). Every problem with a file (missing,
unreadable, pickled, of an unsupported layout, dtype or range) is a ValueError that names the file.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import torch

__all__ = ["load_images"]


def _array_to_images(a: np.ndarray, src: str) -> torch.Tensor:
    """(N,H,W) / (N,H,W,C) / (N,C,H,W), uint8 or float in [0, 1] -> (N, C, H, W) tensor.

    uint8 stays uint8 (4x less memory; the extractor divides by 255 per batch).
    """
    if a.dtype == np.uint8:
        pass
    elif np.issubdtype(a.dtype, np.floating):
        if a.size:
            lo, hi = float(np.min(a)), float(np.max(a))
            if not (np.isfinite(lo) and np.isfinite(hi)):
                raise ValueError(f"{src}: images contain NaN or inf values.")
            if lo < 0.0 or hi > 1.0:
                hint = " (looks like 0..255: store uint8 or divide by 255)" if hi > 1.0 and hi <= 255.0 else ""
                raise ValueError(f"{src}: float images must be in [0, 1], got [{lo:.4g}, {hi:.4g}]{hint}.")
        a = a.astype(np.float32, copy=False)
    else:
        raise ValueError(f"{src}: images must be uint8 (0..255) or float (0..1), got dtype {a.dtype}.")
    if a.ndim == 3:
        a = a[:, None]
    elif a.ndim == 4:
        first, last = a.shape[1] in (1, 3), a.shape[-1] in (1, 3)
        if last and not first:
            a = a.transpose(0, 3, 1, 2)
        elif first and last:
            raise ValueError(f"{src}: shape {a.shape} is ambiguous between (N,H,W,C) and (N,C,H,W).")
        elif not first:
            raise ValueError(f"{src}: shape {a.shape} has no channel axis of size 1 or 3 (first or last).")
    else:
        raise ValueError(f"{src}: expected images of shape (N,H,W), (N,H,W,C) or (N,C,H,W), got {a.shape}.")
    if a.shape[0] < 2:
        raise ValueError(f"{src}: at least 2 images are needed, got {a.shape[0]}.")
    return torch.from_numpy(np.ascontiguousarray(a))


def _load_png_folder(folder: Path) -> np.ndarray:
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".png")
    if not files:
        raise ValueError(f"{folder}: no .png files in this folder.")
    try:
        from PIL import Image
    except ImportError as exc:
        raise RuntimeError(f"reading PNG folders needs Pillow (pip install pillow); {folder} is a folder.") from exc
    arrays = []
    for f in files:
        try:
            with Image.open(f) as im:
                if im.mode in ("1", "L", "LA", "P", "RGB", "RGBA"):
                    grey = im.mode in ("1", "L", "LA") or (im.mode == "P" and _palette_is_grey(im))
                    im = im.convert("L" if grey else "RGB")
                else:
                    raise ValueError(f"{f}: unsupported PNG mode {im.mode!r} (use 8-bit grey or RGB).")
                arrays.append(np.asarray(im, dtype=np.uint8))
        except Image.DecompressionBombError as err:
            raise ValueError(f"{f}: refused as a possible decompression bomb ({err}); resize it to the size of "
                             "the other images or remove it") from None
        except (OSError, SyntaxError) as err:  # PIL's errors for truncated or non-PNG files
            raise ValueError(f"{f}: not a readable PNG image ({err}); remove or replace it") from None
    if len({a.shape[:2] for a in arrays}) > 1:
        raise ValueError(f"{folder}: PNGs have different sizes; all images must share one size.")
    if len({a.ndim for a in arrays}) > 1:  # mixed grey and colour: grey repeated to RGB
        arrays = [np.repeat(a[..., None], 3, axis=2) if a.ndim == 2 else a for a in arrays]
    return np.stack(arrays)


def _palette_is_grey(im: Any) -> bool:
    rgb = np.asarray(im.convert("RGB"))
    return bool(np.all(rgb[..., 0] == rgb[..., 1]) and np.all(rgb[..., 1] == rgb[..., 2]))


def load_images(path: str | os.PathLike) -> torch.Tensor:
    """Images from a folder of PNGs or an .npy/.npz array as an (N, C, H, W) tensor,
    uint8 or float32 in [0, 1]. An .npz must hold one array or an ``images`` array.
    """
    p = Path(path)
    if p.is_dir():
        return _array_to_images(_load_png_folder(p), str(p))
    if not p.is_file():
        raise ValueError(f"{p}: no such file or folder (expected a PNG folder or an .npy/.npz file).")
    suffix = p.suffix.lower()
    if suffix not in (".npy", ".npz"):
        raise ValueError(f"{p}: unsupported file type {suffix!r}; use a PNG folder, .npy or .npz.")
    try:
        if suffix == ".npy":
            a = np.load(p, allow_pickle=False)
        else:
            with np.load(p, allow_pickle=False) as z:
                arrays = {key: z[key] for key in z.keys()}
    except (OSError, EOFError, ValueError, zipfile.BadZipFile) as err:
        # numpy's own message for a pickled file suggests allow_pickle=True; never pass that advice on
        reason = "it holds pickled objects, which are refused" if "pickle" in str(err) else str(err)
        raise ValueError(f"{p}: not a readable {suffix} array of numbers ({reason}); write it with "
                         "numpy.save/savez") from None
    if suffix == ".npz":
        if len(arrays) == 1:
            a = next(iter(arrays.values()))
        elif "images" in arrays:
            a = arrays["images"]
        else:
            raise ValueError(f"{p}: .npz holds arrays {list(arrays)}; store one array or name it 'images'.")
    return _array_to_images(np.asarray(a), str(p))
