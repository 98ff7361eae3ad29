"""Image FID (SPEC 7): Frechet distance of Inception pool3 features.

The distance itself is :mod:`.frechet` (float64 statistics); this module adds
feature extraction, cached reference statistics and image loading.

FID is biased upward at small N, so every result carries its sample count
(``fid_samples``); compare only values measured at equal N. The paper's
protocol is 10,000 generated vs the 10,000 test images.

``authors_minmax=True`` reproduces the authors' code, which min-max
normalised each generated image to [0, 1] before the features; it is off by
default and results record which variant produced them (``fid_variant``).
"""

from __future__ import annotations

import os
import re
import zipfile

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch

from .frechet import _as_samples, _check_same_dim, frechet_distance, frechet_distance_samples, gaussian_stats
from .kid import kid_from_features
from .precision_recall import precision_recall

__all__ = [
    "ReferenceStats",
    "authors_minmax_normalize",
    "compute_fid",
    "fid_between",
    "fid_from_features",
    "fid_from_stats",
    "load_images",
    "reference_stats",
]

Extractor = Callable[[Any], Any]
STATS_FORMAT = 1


def _features(extractor: Extractor, images: Any) -> np.ndarray:
    f = extractor(images)
    if hasattr(f, "detach"):
        f = f.detach().cpu().numpy()
    return np.asarray(f, dtype=np.float64)


def _default_extractor(extractor: Extractor | None, batch_size: int, weights: Any = None) -> Extractor:
    if extractor is not None:
        return extractor
    from .inception import InceptionFeatures

    return InceptionFeatures(weights, batch_size=batch_size)


def fid_from_features(f1: Any, f2: Any) -> float:
    """FID of two feature sets (N, d), (M, d): Frechet distance of their float64 Gaussian fits."""
    return frechet_distance_samples(f1, f2)


def fid_from_stats(mu1: Any, sigma1: Any, mu2: Any, sigma2: Any) -> float:
    """FID from precomputed means and covariances."""
    return frechet_distance(mu1, sigma1, mu2, sigma2)


def authors_minmax_normalize(images: Any) -> torch.Tensor:
    """Each image (over all its channels and pixels) mapped to [0, 1] by its own
    min and max, as the authors' evaluation code did; constant images -> 0.
    Only for the labelled ``authors_minmax`` variant of FID.
    """
    x = torch.as_tensor(images)
    x = x.float() if x.dtype == torch.uint8 or not x.is_floating_point() else x
    flat = x.reshape(x.shape[0], -1)
    lo = flat.min(dim=1, keepdim=True).values
    span = flat.max(dim=1, keepdim=True).values - lo
    out = (flat - lo) / torch.where(span > 0, span, torch.ones_like(span))
    return out.reshape(x.shape)


@dataclass(frozen=True)
class ReferenceStats:
    """Gaussian statistics of reference (real) features and what they were computed from."""

    mu: np.ndarray
    sigma: np.ndarray
    n: int
    name: str
    split: str
    weights_sha256: str
    path: Path | None = None


def _slug(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", s).strip("._") or "_"


def _weights_hash(extractor: Extractor | None, weights_hash: str | None) -> str:
    h = weights_hash if weights_hash is not None else getattr(extractor, "weights_sha256", None)
    if not isinstance(h, str) or not h:
        raise ValueError(
            "reference statistics are cached per feature-extractor weights: pass weights_hash=..., or an "
            "extractor with a weights_sha256 attribute (InceptionFeatures has one)."
        )
    return h


def _stats_path(cache_dir: Path, name: str, split: str, n: int, weights_hash: str) -> Path:
    return cache_dir / f"fidstats-{_slug(name)}-{_slug(split)}-n{n}-{weights_hash[:16]}.npz"


def _load_cached(path: Path, name: str, split: str, n: int, weights_hash: str) -> ReferenceStats | None:
    """Stored stats if the file exists, is readable and its metadata match exactly."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            meta_ok = (
                int(z["format"]) == STATS_FORMAT
                and str(z["name"]) == name
                and str(z["split"]) == split
                and int(z["n"]) == n
                and str(z["weights_sha256"]) == weights_hash
            )
            if not meta_ok:
                return None
            mu, sigma = z["mu"].astype(np.float64), z["sigma"].astype(np.float64)
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):
        return None  # unreadable or foreign file: recompute and overwrite
    if mu.ndim != 1 or sigma.shape != (mu.shape[0], mu.shape[0]):
        return None
    return ReferenceStats(mu, sigma, n, name, split, weights_hash, path)


def reference_stats(
    name: str,
    split: str,
    images: Any,
    n: int,
    cache_dir: str | os.PathLike,
    extractor: Extractor | None = None,
    *,
    weights_hash: str | None = None,
    batch_size: int = 10,
) -> ReferenceStats:
    """mu/sigma of the features of the first ``n`` reference images, cached on disk.

    The cache file (``cache_dir/fidstats-<name>-<split>-n<n>-<hash16>.npz``)
    stores the data set name, split, N and the full weights SHA-256 next to
    mu and sigma; the statistics are recomputed (and the file rewritten)
    whenever any of the four differs. ``images`` may be a zero-argument
    callable that returns the images, so a cache hit does not load the data.
    ``weights_hash`` defaults to ``extractor.weights_sha256``; with no
    extractor the Inception network is used.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an integer >= 2 (number of reference images), got {n!r}.")
    n = int(n)
    if extractor is None and weights_hash is None:
        from .inception import find_inception_weights, verify_inception_weights

        weights_hash = verify_inception_weights(find_inception_weights())  # a cache hit needs no model
    wh = _weights_hash(extractor, weights_hash)
    cache = Path(cache_dir)
    path = _stats_path(cache, name, split, n, wh)
    cached = _load_cached(path, name, split, n, wh)
    if cached is not None:
        return cached

    extractor = _default_extractor(extractor, batch_size)
    imgs = images() if callable(images) else images
    if len(imgs) < n:
        raise ValueError(f"reference set {name}/{split} has {len(imgs)} images, fewer than n={n}.")
    mu, sigma = gaussian_stats(_features(extractor, imgs[:n]))
    cache.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}.npz")
    np.savez(tmp, mu=mu, sigma=sigma, n=np.int64(n), name=np.str_(name), split=np.str_(split),
             weights_sha256=np.str_(wh), format=np.int64(STATS_FORMAT))
    os.replace(tmp, path)  # atomic: a concurrent reader never sees a half-written file
    return ReferenceStats(mu, sigma, n, name, split, wh, path)


def compute_fid(
    images_a: Any,
    images_b: Any,
    extractor: Extractor | None = None,
    *,
    authors_minmax: bool = False,
    batch_size: int = 10,
) -> dict[str, Any]:
    """FID between generated images ``images_a`` and reference ``images_b``.

    Images are (N, C, H, W), float in [0, 1] (or uint8). ``images_b`` may also
    be a :class:`ReferenceStats` (see :func:`reference_stats`). ``extractor``
    maps images to (N, d) features (default: :class:`InceptionFeatures` with
    ``batch_size``). ``authors_minmax`` min-max normalises each generated image
    first (the authors' variant; off by default).

    Returns ``{"fid", "fid_samples" (N generated), "fid_samples_ref",
    "fid_variant"}``.
    """
    extractor = _default_extractor(extractor, batch_size)
    if isinstance(images_b, ReferenceStats):
        h = getattr(extractor, "weights_sha256", None)
        if h is not None and h != images_b.weights_sha256:
            raise ValueError(
                f"reference statistics {images_b.name}/{images_b.split} were computed with weights "
                f"{images_b.weights_sha256[:16]}..., the extractor has {h[:16]}...; recompute them."
            )
    if authors_minmax:
        images_a = authors_minmax_normalize(images_a)
    fa = _as_samples(_features(extractor, images_a), "generated features")
    if isinstance(images_b, ReferenceStats):
        mu_a, s_a = gaussian_stats(fa)
        fid = frechet_distance(mu_a, s_a, images_b.mu, images_b.sigma)
        n_ref = images_b.n
    else:
        fb = _as_samples(_features(extractor, images_b), "reference features")
        _check_same_dim(fa, fb, "generated features", "reference features")
        fid = fid_from_features(fa, fb)
        n_ref = fb.shape[0]
    return {
        "fid": float(fid),
        "fid_samples": int(fa.shape[0]),
        "fid_samples_ref": int(n_ref),
        "fid_variant": "authors_minmax" if authors_minmax else "standard",
    }


# ---------------------------------------------------------------- image files


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


def fid_between(
    path_a: str | os.PathLike,
    path_b: str | os.PathLike,
    *,
    extractor: Extractor | None = None,
    weights: str | os.PathLike | None = None,
    batch_size: int = 10,
    authors_minmax: bool = False,
    kid_subsets: int = 100,
    kid_subset_size: int = 1000,
    pr_k: int = 3,
    seed: int = 0,
) -> dict[str, Any]:
    """FID, KID and improved precision/recall between two image sets on disk
    (for ``maskaae fid A B``). A is taken as the generated set, B as the
    reference: precision is the fraction of A inside B's feature manifold,
    recall the fraction of B inside A's; ``authors_minmax`` applies to A.
    Features are extracted once per side and shared by all metrics.
    """
    a, b = load_images(path_a), load_images(path_b)
    extractor = _default_extractor(extractor, batch_size, weights)
    if authors_minmax:
        a = authors_minmax_normalize(a)
    fa = _as_samples(_features(extractor, a), f"features of {path_a}")
    fb = _as_samples(_features(extractor, b), f"features of {path_b}")
    _check_same_dim(fa, fb, "features of A", "features of B")
    kid = kid_from_features(fa, fb, num_subsets=kid_subsets, subset_size=kid_subset_size, seed=seed)
    k = min(pr_k, fa.shape[0] - 1, fb.shape[0] - 1)
    precision, recall = precision_recall(fb, fa, k=k)
    return {
        "fid": float(fid_from_features(fa, fb)),
        "fid_samples_a": int(fa.shape[0]),
        "fid_samples_b": int(fb.shape[0]),
        "fid_variant": "authors_minmax" if authors_minmax else "standard",
        "kid": kid["kid"],
        "kid_std": kid["kid_std"],
        "kid_subset_size": kid["kid_subset_size"],
        "precision": float(precision),
        "recall": float(recall),
        "pr_k": int(k),
    }
