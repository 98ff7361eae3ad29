"""Ordered discovery: how many latent dimensions the data needs, decided from a nested auto-encoder.

The paper's mask is trained by gradient on lambda1 recon + lambda2 (1 + omega)^2 + lambda3 binariness, so
the number of dimensions it keeps is where those weighted forces balance, and which ones survive is decided
by the random start (record-2026-12: experiments/README.md, "Why m_A did not follow n"). The ordered variant
removes both:

1. Nested training (Rippel et al. 2014's nested dropout): for a random half of every batch the code is
   truncated after its first k_i dimensions, k_i ~ U{1..m}; the other half keeps all m. The decoder learns
   to reconstruct from any prefix, so the dimensions are ordered by how much they explain and the first
   ones carry the most. This phase trains only the encoder and decoder (Adam, cosine-decayed learning
   rate): a well-converged auto-encoder is what makes the signal sharp (record-2026-12: experiments/README.md).
   Focus (train.discovery_focus, default the last quarter of the phase): a provisional decision k' is
   taken, and from then on the truncated half of every batch draws k_i ~ U{k' - 2 .. k' + 2} (within
   1..m). Under uniform truncations each prefix gets 1/(2m) of the samples, so at large n and m the
   prefixes near the answer stay under-trained and the n-th dimension's share leaks into the (n+1)-th;
   the benchmark's two Gaussian misses (n = 16 at m = 32, n = 20 at m = 64, both n + 1) came from that.
   The window depends only on the provisional answer, never on n or m.
   Reach (train.discovery_reach = r, 2 by default): a preliminary decision k0 halfway to the focus phase, then
   k_i ~ U{1..max(ceil(r k0), k0 + 2, L)} (within 1..m; L = train.discovery_reach_min, 16) until the focus. Under
   U{1..m} the prefixes near the answer get 1/(2m) of the samples each, so how tightly the first dimensions are
   packed depends on m: MNIST's provisional answer grew with it (10, 11, 13, 18 at m = 16, 32, 64, 110); over
   1..2 k0 the range depends on the data's own answer. The minimum keeps a small answer's range from getting so
   narrow that the first prefixes take most of the samples and squeeze a weak real factor (over 1..10, curved3's
   5th dimension fell under the verification's gate); where m <= L the run is the computation without the reach.
   The price: prefixes beyond the range are trained only through the full half, so an answer much above the
   range would be hard to reach; on the benchmark k0 was never below the final answer
   (record-2026-12: experiments/README.md, "The reach" and "The seventh default").
2. A decision: u(k) is the median over samples of the squared reconstruction error from the first k
   dimensions, relative to the data's variance (k = 0..m), on training samples. With u* = min_k>=1 u(k)
   and the total reduction u(0) - u*, the default `gain` rule keeps the smallest k after which the next
   two dimensions explain at most `tolerance` (0.5%) of the total each, on average:
       u(k) - u(k + 2) <= 2 * tolerance * (u(0) - u*).
   The `level` rule (the first default) keeps the smallest k within `tolerance` of the best prefix,
       u(k) - u* <= tolerance * (u(0) - u*);
   on data with a spectrum rather than an edge (MNIST) it follows the floor u*, which falls as m grows, so
   its answer grew with m (11, 16, 24, 41 at m = 16, 32, 64, 110); the gain rule asks only what the next
   dimensions add and gave 10-13 there (record-2026-12: experiments/README.md). The median keeps a few badly
   reconstructed samples from deciding alone; it does not make the answer local: on a sphere S^n the benchmark found
   n + 1 before the focus phase (n since, up to n = 10; 15 for S^14) and on a flat torus up to 2n, the
   coordinates a continuous encoder needs (record-2026-12: experiments/README.md).
   Relative cap (model.discovery_relative_tolerance, default 0.05): at k, the tolerance is at most that
   share of what the k kept dimensions explain on average, (u(0) - u(k)) / k, so the rule stays with the
   data as n grows. A fixed share of the total alone cannot: at n = 40 dimensions 33-40 explain 0.1-0.6%
   of the total each, most under the 0.5% (held-out check, record-2026-12: experiments/README.md: 28
   for n = 32 and 31 for n = 40 without the cap). For n up to about 10 the mean share is 10% or more,
   so the cap is above 0.5% and changes nothing.
3. Verification (train.discovery_verify_steps, default 2,000): the decision k is tested by that many more
   nested steps whose truncated half keeps k - 1 or k dimensions (Adam, cosine from VERIFY_LR_SHARE of the
   phase's learning rate), then the rule again on the new curve: k - 1 when it now answers exactly k - 1 and
   the k-th dimension was borderline (below the gate), else k. At n >= 20 the n-th factor is often split over
   code dimensions n and n + 1 (shares such as 0.21% then 0.84% of the total, then the floor near 0.02%),
   and the rule counts n + 1; training at k - 1 moves a split factor into the first k - 1 dimensions, while
   training at k keeps a use for a real k-th factor (record-2026-12: experiments/verify_probe.py: with k - 2 and k - 1
   instead, the sphere and the hypercube at n = 10 lost a real dimension). One step down at most: an answer
   below k - 1 means other dimensions were squeezed too. Ungated, the steps also took the real but weak 6th
   dimension of the curved maps (1.5-2.6% of the total, 0.5-0.75% after them), trading n + 1 at large n for
   n - 1 elsewhere; the gate (model.discovery_verify_gate, 1%) takes k - 1 only when the candidate's k-th
   dimension explained less than that: the split fragments of the benchmark and the held-out check
   explained 0.2-0.9%. A split can also be lopsided, its larger part second (n = 16, m = 34: 0.14% then
   1.41%); nested training puts real factors in order of what they explain, so a k-th dimension that explains
   more than the (k - 1)-th is borderline too (model.discovery_verify_inversion, inverted_order).
4. The descent (model.discovery_descent_ratio, maskaae/descent.py): when TwoNN on the training data reads more
   than 1.3 times less than on as many k-dimensional Gaussian samples, rounds of nested steps at exactly k - 1,
   k - 2, .. keep each j whose first j dimensions still reconstruct within 1% of the decision's total of what the
   first k did. A continuous code keeps a
   circle on two coordinates (a flat torus T^n answered up to 2n); the rounds cut it to one. The trigger keeps
   the rounds away from data whose weak last factor they would fold into the others (the curved maps).
5. The mask is then set to ones on the first k dimensions and zeros after them and training continues as
   MaskAAE with that mask (critic and generator on the k kept dimensions).

Nothing here depends on n; `tolerance` is one number for all data (the descent's ratio and tolerance too). The
level rule's 1% was fixed on development probes before the discovery benchmark ran; the gain rule and its 0.5%
were chosen on the benchmark's saved curves and two MNIST curves at m = 64, then checked on MNIST at m = 16, 32
and 110 and on Fashion-MNIST, which played no part in the choice (record-2026-12: experiments/README.md).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from .losses import per_sample_reconstruction
from .model import MaskAAE

# theta for a dimension that is on: mu = 1 - exp(-30) is 1 in float32.
THETA_ON = 30.0


def nested_truncation(batch: int, dim: int, generator: torch.Generator,
                      window: tuple[int, int] | None = None, law: str = "uniform",
                      full_share: float = 0.5) -> torch.Tensor:
    """(batch, dim) 0/1 multipliers: each row keeps all entries with probability `full_share` (a half by
    default), else the first k_i. k_i is uniform over the window (lo, hi) when one is given, else drawn by `law`
    over 1..dim: uniform, or log (P(k) = ln((k + 1) / k) / ln(dim + 1), about 1 / (k ln dim): each prefix's
    share falls slowly with dim).

    Draws 2 * batch numbers from `generator` whatever the outcome, so the random stream does not depend on it.
    """
    if window is not None:
        k = torch.randint(window[0], window[1] + 1, (batch, 1), generator=generator)
    elif law == "log":
        u = torch.rand(batch, 1, generator=generator, dtype=torch.float64)
        k = torch.exp(u * math.log(dim + 1)).floor().long().clamp(1, dim)
    else:
        k = torch.randint(1, dim + 1, (batch, 1), generator=generator)
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


def level_rule(u: np.ndarray, t: np.ndarray) -> int:
    """Smallest k >= 1 with u(k) - u* <= t(k) (u(0) - u*): within tolerance of the best prefix."""
    floor = u[1:].min()
    return int(np.nonzero(u[1:] - floor <= t[1:] * (u[0] - floor))[0][0]) + 1


def gain_rule(u: np.ndarray, t: np.ndarray) -> int:
    """Smallest k >= 1 whose next GAIN_WINDOW dimensions each explain at most t(k) (u(0) - u*) on average:
    u(k) - u(min(k + w, m)) <= t(k) (min(k + w, m) - k) (u(0) - u*); m when none is."""
    m, total = len(u) - 1, u[0] - u[1:].min()
    for k in range(1, m):
        j = min(k + GAIN_WINDOW, m)
        if u[k] - u[j] <= t[k] * (j - k) * total:
            return k
    return m


# How many dimensions the decision keeps, by model.discovery_rule (record-2026-12: experiments/README.md compares them).
DECISION_RULES = {"gain": gain_rule, "level": level_rule}
GAIN_WINDOW = 2  # the gain rule looks at the next two dimensions, so one noisy step does not stop it


def choose_dimension(curve: np.ndarray | list[float], tolerance: float, rule: str = "gain",
                     relative: float | None = None) -> int:
    """How many leading dimensions to keep, from u(0) .. u(m); m when the curve explains nothing. `relative`
    caps the tolerance at that share of the kept dimensions' mean share (None: no cap)."""
    u = np.asarray(curve, dtype=np.float64)
    if u.ndim != 1 or len(u) < 2:
        raise ValueError(f"the curve needs u(0) .. u(m) with m >= 1, got shape {u.shape}")
    if not 0.0 <= tolerance < 1.0:
        raise ValueError(f"tolerance must be in [0, 1), got {tolerance}")
    if relative is not None and not 0.0 < relative < 1.0:
        raise ValueError(f"relative tolerance must be in (0, 1) or None, got {relative}")
    if rule not in DECISION_RULES:
        raise ValueError(f"unknown decision rule {rule!r}; choose one of {', '.join(DECISION_RULES)}")
    total = u[0] - u[1:].min()
    if not np.isfinite(total) or total <= 0:
        return len(u) - 1
    return DECISION_RULES[rule](u, tolerances(u, tolerance, relative))


@torch.no_grad()
def set_prefix_mask(model: MaskAAE, k: int) -> None:
    """mu = 1 on the first k dimensions, 0 on the rest (theta = THETA_ON / 0)."""
    theta = model.latent.theta
    theta.fill_(0.0)
    theta[:k] = THETA_ON
