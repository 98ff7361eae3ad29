"""Image FID (SPEC 7): Frechet distance of Inception pool3 features.

The distance itself is :mod:`.frechet` (float64 statistics); this module adds
feature extraction and the on-disk cache of reference statistics. Reading image
files is :mod:`.image_files`.

FID is biased upward at small N, so every result carries its sample count
(``fid_samples``); compare only values measured at equal N. The paper's
protocol is 10,000 generated vs the 10,000 test images.

``authors_minmax=True`` reproduces the authors' code, which min-max
normalised each generated image to [0, 1] before the features; it is off by
default and results record which variant produced them (``fid_variant``).

Every result names its values with the keys below (FID, FID_SAMPLES, ...), so
a run's summary and ``maskaae fid`` use the same names for the same numbers.
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

from ..atomic import atomic_write
from ..results import (FID, FID_SAMPLES, FID_SAMPLES_REF, FID_VARIANT, KID, KID_STD, KID_SUBSET_SIZE, PR_K,
                       PRECISION, RECALL, VARIANT_AUTHORS_MINMAX, VARIANT_STANDARD)
from .frechet import _as_samples, _check_same_dim, frechet_distance, frechet_distance_samples, gaussian_stats
from .image_files import load_images
from .kid import kid_from_features
from .precision_recall import precision_recall

__all__ = [
    "FID",
    "FID_SAMPLES",
    "FID_SAMPLES_REF",
    "FID_VARIANT",
    "ReferenceStats",
    "authors_minmax_normalize",
    "compute_fid",
    "fid_between",
    "fid_from_features",
    "reference_stats",
]


Extractor = Callable[[Any], Any]
STATS_FORMAT = 1


def _features(extractor: Extractor, images: Any) -> np.ndarray:
    f = extractor(images)
    if hasattr(f, "detach"):
        f = f.detach().cpu().numpy()
    return np.asarray(f, dtype=np.float64)


def _default_extractor(extractor: Extractor | None, batch_size: int, weights: Any = None,
                       device: Any = "cpu") -> Extractor:
    if extractor is not None:
        return extractor
    from .inception import InceptionFeatures

    return InceptionFeatures(weights, batch_size=batch_size, device=device)


def fid_from_features(f1: Any, f2: Any) -> float:
    """FID of two feature sets (N, d), (M, d): Frechet distance of their float64 Gaussian fits."""
    return frechet_distance_samples(f1, f2)


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
    atomic_write(path, lambda handle: np.savez(handle, mu=mu, sigma=sigma, n=np.int64(n), name=np.str_(name),
                                               split=np.str_(split), weights_sha256=np.str_(wh),
                                               format=np.int64(STATS_FORMAT)))
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

    Returns ``{FID, FID_SAMPLES (N generated), FID_SAMPLES_REF, FID_VARIANT}``.
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
        FID: float(fid),
        FID_SAMPLES: int(fa.shape[0]),
        FID_SAMPLES_REF: int(n_ref),
        FID_VARIANT: _variant(authors_minmax),
    }


def _variant(authors_minmax: bool) -> str:
    return VARIANT_AUTHORS_MINMAX if authors_minmax else VARIANT_STANDARD


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
    device: Any = "cpu",
) -> dict[str, Any]:
    """FID, KID and improved precision/recall between two image sets on disk
    (for ``maskaae fid A B``). A is taken as the generated set (its N is
    FID_SAMPLES), B as the reference (FID_SAMPLES_REF): precision is the fraction of A inside B's feature manifold,
    recall the fraction of B inside A's; ``authors_minmax`` applies to A.
    Features are extracted once per side and shared by all metrics.
    """
    a, b = load_images(path_a), load_images(path_b)
    extractor = _default_extractor(extractor, batch_size, weights, device)
    if authors_minmax:
        a = authors_minmax_normalize(a)
    fa = _as_samples(_features(extractor, a), f"features of {path_a}")
    fb = _as_samples(_features(extractor, b), f"features of {path_b}")
    _check_same_dim(fa, fb, "features of A", "features of B")
    kid = kid_from_features(fa, fb, num_subsets=kid_subsets, subset_size=kid_subset_size, seed=seed)
    k = min(pr_k, fa.shape[0] - 1, fb.shape[0] - 1)
    precision, recall = precision_recall(fb, fa, k=k)
    return {
        FID: float(fid_from_features(fa, fb)),
        FID_SAMPLES: int(fa.shape[0]),
        FID_SAMPLES_REF: int(fb.shape[0]),
        FID_VARIANT: _variant(authors_minmax),
        KID: kid[KID],
        KID_STD: kid[KID_STD],
        KID_SUBSET_SIZE: kid[KID_SUBSET_SIZE],
        PRECISION: float(precision),
        RECALL: float(recall),
        PR_K: int(k),
    }
