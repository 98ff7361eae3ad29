"""Fréchet distance between Gaussians fitted to two sample sets (FID-style).

Only numpy/scipy are used so the metric can run anywhere (no GPU or torch
needed); torch tensors are still accepted through a duck-typed conversion.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import linalg

__all__ = ["gaussian_stats", "frechet_distance", "frechet_distance_samples"]


def _to_float64(x: Any, name: str = "x") -> np.ndarray:
    """Convert a numpy array or torch tensor to a float64 numpy array.

    Duck-typed (checks for ``.detach``) so this module never has to import
    torch, which keeps the metrics usable and cheap to import without it.
    """
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    try:
        return np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name} could not be converted to a float array ({exc}); "
            "pass a numeric numpy array or torch tensor."
        ) from exc


def _check_finite(a: np.ndarray, name: str) -> None:
    if not np.all(np.isfinite(a)):
        raise ValueError(
            f"{name} contains NaN or inf values; remove or fix those entries "
            "(e.g. check the model outputs) before computing the metric."
        )


def _as_samples(x: Any, name: str = "x") -> np.ndarray:
    """Validate and convert a sample matrix of shape (N, d) with N >= 2.

    Shared by all metric modules so they report bad inputs identically.
    """
    a = _to_float64(x, name)
    if a.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D with shape (N, d), got shape {a.shape}; "
            "flatten each sample to a feature vector first (e.g. x.reshape(len(x), -1))."
        )
    if a.shape[0] < 2:
        raise ValueError(
            f"{name} has {a.shape[0]} sample(s) but at least 2 are needed "
            "(a covariance / neighbourhood is undefined otherwise); pass more samples."
        )
    if a.shape[1] < 1:
        raise ValueError(f"{name} has zero feature dimensions (shape {a.shape}); pass d >= 1.")
    _check_finite(a, name)
    return a


def _check_same_dim(a: np.ndarray, b: np.ndarray, na: str, nb: str) -> None:
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"{na} and {nb} must have the same feature dimension d, got "
            f"{a.shape[1]} and {b.shape[1]}; extract features with the same model/layer."
        )


def gaussian_stats(x: Any) -> tuple[np.ndarray, np.ndarray]:
    """Mean and unbiased covariance (ddof=1, like ``np.cov``) of samples (N, d).

    Returned in float64 because the Fréchet trace term is a difference of
    large, nearly equal numbers and loses accuracy in float32.
    """
    a = _as_samples(x, "x")
    mu = a.mean(axis=0)
    sigma = np.atleast_2d(np.cov(a, rowvar=False, ddof=1))
    return mu, sigma


def _check_stats(mu: np.ndarray, sigma: np.ndarray, i: int) -> None:
    if mu.ndim != 1:
        raise ValueError(f"mu{i} must be 1-D with shape (d,), got shape {mu.shape}.")
    d = mu.shape[0]
    if sigma.shape != (d, d):
        raise ValueError(
            f"sigma{i} must have shape ({d}, {d}) to match mu{i}, got {sigma.shape}; "
            "pass the covariance that belongs to the same features as the mean."
        )
    _check_finite(mu, f"mu{i}")
    _check_finite(sigma, f"sigma{i}")


def _trace_sqrt_product(s1: np.ndarray, s2: np.ndarray) -> float:
    """tr((S1 S2)^{1/2}) for symmetric PSD S1, S2 via two symmetric eigensolves.

    With S1 = V diag(w) V^T and A = V diag(sqrt(w)), the matrix
    S1^{1/2} S2 S1^{1/2} = V (A^T S2 A) V^T is similar to A^T S2 A, so the
    trace of its square root is sum(sqrt(eig(A^T S2 A))). Forming A instead
    of S1^{1/2} saves one d^3 product.

    Eigenvalues below d * eps * max(eig) are set to 0: they are rounding noise
    (typical when N < d makes the covariances rank-deficient), and taking
    their square root would bias the trace upwards by ~sqrt(eps) per
    eigenvalue, making FD(x, x) visibly negative.
    """
    w, v = linalg.eigh(s1, driver="evd", check_finite=False)
    a = v * np.sqrt(np.clip(w, 0.0, None))
    m = a.T @ (s2 @ a)
    m = 0.5 * (m + m.T)
    eig = linalg.eigh(m, eigvals_only=True, driver="evd", check_finite=False)
    cutoff = m.shape[0] * np.finfo(np.float64).eps * max(float(eig.max()), 0.0)
    eig = np.where(eig > cutoff, eig, 0.0)
    return float(np.sum(np.sqrt(eig)))


def frechet_distance(mu1: Any, sigma1: Any, mu2: Any, sigma2: Any) -> float:
    """Fréchet distance ||mu1-mu2||^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^{1/2}).

    tr((S1 S2)^{1/2}) equals tr((S1^{1/2} S2 S1^{1/2})^{1/2}); the inner matrix
    is symmetric PSD, so its square-root trace is the sum of square roots of
    its eigenvalues. Two symmetric eigendecompositions are faster (at 2048-d:
    ``frechet_2048_s`` against ``scipy_sqrtm_2048_s`` in
    benchmarks/results/fid.json) and more stable than ``scipy.linalg.sqrtm``
    on the non-symmetric product (which can also return spurious complex parts).

    The exact value is >= 0; rounding can make it slightly negative for
    (near-)identical distributions, so values in [-1e-6 * scale, 0) with
    scale = ||mu1-mu2||^2 + tr(S1) + tr(S2) are returned as 0.0. A clearly
    negative value (beyond rounding) is returned unclipped, as it signals that
    a covariance is not positive semi-definite.
    """
    m1, m2 = _to_float64(mu1, "mu1"), _to_float64(mu2, "mu2")
    s1, s2 = _to_float64(sigma1, "sigma1"), _to_float64(sigma2, "sigma2")
    _check_stats(m1, s1, 1)
    _check_stats(m2, s2, 2)
    if m1.shape != m2.shape:
        raise ValueError(
            f"mu1 and mu2 have different dimensions {m1.shape[0]} and {m2.shape[0]}; "
            "both statistics must come from features of the same size."
        )

    tr_covmean = _trace_sqrt_product(s1, s2)

    diff = m1 - m2
    mean_term = float(diff @ diff)
    tr_sum = float(np.trace(s1) + np.trace(s2))
    fd = mean_term + tr_sum - 2.0 * tr_covmean
    tol = 1e-6 * max(mean_term + tr_sum, 1.0)
    if -tol <= fd < 0.0:
        fd = 0.0
    return fd


def frechet_distance_samples(x: Any, y: Any) -> float:
    """Fréchet distance between Gaussians fitted to samples x (N, d) and y (M, d)."""
    a, b = _as_samples(x, "x"), _as_samples(y, "y")
    _check_same_dim(a, b, "x", "y")
    mu1, s1 = gaussian_stats(a)
    mu2, s2 = gaussian_stats(b)
    return frechet_distance(mu1, s1, mu2, s2)
