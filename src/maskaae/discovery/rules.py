"""Ordered discovery's measurements and decisions, as functions of a model and a curve: the nested truncations,
the unexplained curve u(k), the decision rule and its tolerances, the windows that the later nested steps
draw from, the verification's answer, and the prefix mask. The design, in the order it runs, is in
maskaae/discovery/__init__.py; the schedule that calls these is maskaae/discovery/schedule.py."""


from __future__ import annotations

import math

import numpy as np
import torch

from ..losses import per_sample_reconstruction
from ..model import MaskAAE

# theta for a dimension that is on: mu = 1 - exp(-30) is 1 in float32.
THETA_ON = 30.0


def nested_truncation(batch: int, dim: int, generator: torch.Generator,
                      window: tuple[int, int] | None = None, full_share: float = 0.5) -> torch.Tensor:
    """(batch, dim) 0/1 multipliers: each row keeps all entries with probability `full_share` (a half by
    default), else the first k_i, k_i uniform over the window (lo, hi) when one is given, else over 1..dim.

    Draws 2 * batch numbers from `generator` whatever the outcome, so the random stream does not depend on it.
    """
    lo, hi = window if window is not None else (1, dim)
    k = torch.randint(lo, hi + 1, (batch, 1), generator=generator)
    full = torch.rand(batch, 1, generator=generator) < full_share
    k = torch.where(full, torch.full_like(k, dim), k)
    return (torch.arange(dim) < k).to(torch.float32)


FOCUS_HALF_WIDTH = 2


def focus_window(k: int, dim: int) -> tuple[int, int]:
    """The truncations the focus phase draws around a provisional answer k: k +- FOCUS_HALF_WIDTH in 1..dim."""
    return max(1, k - FOCUS_HALF_WIDTH), min(dim, k + FOCUS_HALF_WIDTH)


def reach_window(k: int, dim: int, reach: float, least: int = 0) -> tuple[int, int]:
    """The truncations drawn after a preliminary answer k (train.discovery_reach = r): 1 .. ceil(r k), at least
    k + FOCUS_HALF_WIDTH and `least` (train.discovery_reach_min), at most dim. Under U{1..m} a prefix near the
    answer gets 1/(2m) of the samples, so how tightly the first dimensions are packed depends on m (MNIST's
    answer grew with it, record-2026-12: experiments/README.md); over the range here it depends on the data's
    answer only, once m is above `least`."""
    return 1, min(dim, max(math.ceil(reach * k), k + FOCUS_HALF_WIDTH, least))


# The verification steps' learning rate starts at this share of train.lr_discovery and decays by a cosine.
VERIFY_LR_SHARE = 0.3


def verify_window(k: int) -> tuple[int, int]:
    """The truncations the verification steps draw after a candidate answer k: k - 1 and k (k = 1: 1). Training
    at k - 1 moves a factor split over dimensions k - 1 and k into the first k - 1; training at k keeps a use
    for a real k-th factor, so it is not squeezed out (with k - 2 and k - 1 instead it was: the sphere and the
    hypercube at n = 10 lost a real dimension; record-2026-12: experiments/README.md)."""
    return max(1, k - 1), k


def shares(curve: np.ndarray | list[float]) -> np.ndarray:
    """What each dimension explains, as a share of the total reduction: (u(k-1) - u(k)) / (u(0) - u*), k = 1..m;
    zeros when the curve explains nothing."""
    u = np.asarray(curve, dtype=np.float64)
    total = u[0] - u[1:].min()
    return (u[:-1] - u[1:]) / total if total > 0 else np.zeros(len(u) - 1)


def dimension_share(curve: np.ndarray | list[float], k: int) -> float:
    """What the k-th dimension explains, as a share of the total reduction (shares)."""
    return float(shares(curve)[k - 1])


def inverted_order(curve: np.ndarray | list[float], k: int) -> bool:
    """Whether the k-th dimension explains more than the (k - 1)-th (shares; k = 1: False). Nested training
    orders real factors by what they explain, so an inversion at the candidate is a factor split over the two
    dimensions (the lopsided split at n = 16, m = 34: 0.14% then 1.41%; record-2026-12: experiments/README.md)."""
    s = shares(curve)
    return bool(k > 1 and s[k - 1] > s[k - 2])


def candidate_signals(candidate: dict) -> tuple[float, bool]:
    """What the verification weighs from a decision record ({"dimension": k, "curve": u}): the k-th dimension's
    share of the total (dimension_share) and whether it explained more than the (k - 1)-th (inverted_order)."""
    k, curve = candidate["dimension"], candidate["curve"]
    return dimension_share(curve, k), inverted_order(curve, k)


def verified_dimension(candidate: int, answer: int, share: float = 0.0, gate: float | None = None,
                       inverted: bool = False) -> int:
    """The final answer after the verification steps: candidate - 1 when the rule, applied again after them,
    answers exactly candidate - 1 and the candidate's k-th dimension was borderline: it explained less than
    `gate` of the total (`share`; gate None: any share), or more than the (k - 1)-th (`inverted`, with
    model.discovery_verify_inversion); else the candidate. An answer below candidate - 1 means the steps
    squeezed other dimensions too, so the test is not trusted; a k-th dimension above the gate and in order is
    not borderline, and the steps can squeeze a real one (the curved maps' 6th dimension, 1.5-2.6% of the
    total, went to 0.5-0.75%)."""
    borderline = gate is None or share < gate or inverted
    return candidate - 1 if candidate > 1 and answer == candidate - 1 and borderline else candidate


# How unexplained_curve summarises the samples' errors: the decision uses the median (a few badly reconstructed
# samples, such as those at a sphere's seam, do not decide alone); the mean is there for probes.
CURVE_STATISTICS = {"median": torch.median, "mean": torch.mean}


@torch.inference_mode()
def unexplained_curve(model: MaskAAE, x: torch.Tensor, batch_size: int = 4096,
                      statistic: str = "median") -> np.ndarray:
    """u(k), k = 0..m: `statistic` (median or mean) over samples of ||x - D(E(x)[:k], 0, ..)||^2 / (d Var(x)), Var
    the mean coordinate variance of x. Uses the raw codes E(x) (the mask is not applied)."""
    reduce = CURVE_STATISTICS[statistic]
    was_training = model.training
    model.eval()
    try:
        codes = torch.cat([model.encoder(x[i:i + batch_size]) for i in range(0, len(x), batch_size)])
        flat = x.flatten(1)
        variance = float(((flat - flat.mean(0)) ** 2).mean())
        m = codes.shape[1]
        curve = []
        for k in range(m + 1):
            keep = (torch.arange(m, device=codes.device) < k).to(codes.dtype)
            errors = torch.cat([per_sample_reconstruction(flat[i:i + batch_size],
                                                          model.decoder(codes[i:i + batch_size] * keep).flatten(1),
                                                          "mse") for i in range(0, len(x), batch_size)])
            curve.append(float(reduce(errors)) / max(variance, 1e-12))
    finally:
        model.train(was_training)
    return np.asarray(curve)


def tolerances(u: np.ndarray, tolerance: float, relative: float | None) -> np.ndarray:
    """t(k), k = 0..m, as shares of the total reduction u(0) - u*: `tolerance`, capped when `relative` is
    given at relative * the mean share of the first k dimensions, (u(0) - u(k)) / (k (u(0) - u*))."""
    t = np.full(len(u), tolerance)
    if relative is not None:
        k = np.arange(1, len(u))
        t[1:] = np.minimum(tolerance, relative * (u[0] - u[1:]) / (k * (u[0] - u[1:].min())))
    return t


def gain_rule(u: np.ndarray, t: np.ndarray) -> int:
    """Smallest k >= 1 whose next GAIN_WINDOW dimensions each explain at most t(k) (u(0) - u*) on average:
    u(k) - u(min(k + w, m)) <= t(k) (min(k + w, m) - k) (u(0) - u*); m when none is."""
    m, total = len(u) - 1, u[0] - u[1:].min()
    for k in range(1, m):
        j = min(k + GAIN_WINDOW, m)
        if u[k] - u[j] <= t[k] * (j - k) * total:
            return k
    return m


GAIN_WINDOW = 2  # the gain rule looks at the next two dimensions, so one noisy step does not stop it


def choose_dimension(curve: np.ndarray | list[float], tolerance: float, relative: float | None = None) -> int:
    """How many leading dimensions to keep, from u(0) .. u(m), by the gain rule; m when the curve explains
    nothing. `relative` caps the tolerance at that share of the kept dimensions' mean share (None: no cap)."""
    u = np.asarray(curve, dtype=np.float64)
    if u.ndim != 1 or len(u) < 2:
        raise ValueError(f"the curve needs u(0) .. u(m) with m >= 1, got shape {u.shape}")
    if not 0.0 <= tolerance < 1.0:
        raise ValueError(f"tolerance must be in [0, 1), got {tolerance}")
    if relative is not None and not 0.0 < relative < 1.0:
        raise ValueError(f"relative tolerance must be in (0, 1) or None, got {relative}")
    total = u[0] - u[1:].min()
    if not np.isfinite(total) or total <= 0:
        return len(u) - 1
    return gain_rule(u, tolerances(u, tolerance, relative))


@torch.no_grad()
def set_prefix_mask(model: MaskAAE, k: int) -> None:
    """mu = 1 on the first k dimensions, 0 on the rest (theta = THETA_ON / 0)."""
    theta = model.latent.theta
    theta.fill_(0.0)
    theta[:k] = THETA_ON
