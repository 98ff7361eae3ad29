"""Latent-space diagnostics: active dimensions and normalised absolute covariance.

NAC (mean off-diagonal normalised |covariance|) measures how entangled the
active latent dimensions are: 0 means uncorrelated codes, values near 1 mean
dimensions carry redundant information.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .frechet import _as_samples, _check_finite, _to_float64

__all__ = ["active_dims", "active_indices", "normalized_abs_covariance", "nac"]


def _as_mask(mask: Any) -> np.ndarray:
    m = _to_float64(mask, "mask")
    if m.ndim != 1:
        raise ValueError(
            f"mask must be 1-D with one entry per latent dimension, got shape {m.shape}; "
            "squeeze or flatten it first."
        )
    _check_finite(m, "mask")
    return m


def active_indices(mask: Any, threshold: float = 0.1) -> np.ndarray:
    """Indices of latent dimensions whose mask value is >= threshold (inclusive)."""
    return np.flatnonzero(_as_mask(mask) >= threshold)


def active_dims(mask: Any, threshold: float = 0.1) -> int:
    """Number of latent dimensions whose mask value is >= threshold (inclusive)."""
    return int(active_indices(mask, threshold).size)


def normalized_abs_covariance(codes: Any) -> np.ndarray:
    """|cov(codes)| min-max normalised over the whole (m, m) matrix to [0, 1].

    Normalising makes the score independent of the code scale, so models with
    different latent magnitudes can be compared. If all entries are equal
    (max == min) the normalisation is undefined and zeros are returned.
    """
    c = _as_samples(codes, "codes")
    cov = np.abs(np.atleast_2d(np.cov(c, rowvar=False)))
    lo, hi = cov.min(), cov.max()
    if hi == lo:
        return np.zeros_like(cov)
    return (cov - lo) / (hi - lo)


def nac(codes: Any, mask: Any = None, threshold: float = 0.1) -> float:
    """Mean off-diagonal entry of ``normalized_abs_covariance`` over active dims.

    If ``mask`` is given, only columns with mask >= threshold are kept, so
    pruned dimensions do not dilute the score. With fewer than 2 kept
    dimensions there are no off-diagonal entries, so ``float('nan')`` is
    returned instead of raising (a fully collapsed latent is a valid state
    to log, not an error).
    """
    c = _as_samples(codes, "codes")
    if mask is not None:
        m = _as_mask(mask)
        if m.shape[0] != c.shape[1]:
            raise ValueError(
                f"mask has {m.shape[0]} entries but codes have {c.shape[1]} dimensions; "
                "pass the mask that belongs to these codes."
            )
        c = c[:, m >= threshold]
    d = c.shape[1]
    if d < 2:
        return float("nan")
    a = normalized_abs_covariance(c)
    off = ~np.eye(d, dtype=bool)
    return float(a[off].mean())
