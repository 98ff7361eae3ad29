"""The descent: after the ordered discovery's final decision k, remove code coordinates that only re-code factors
the others already hold.

A continuous encoder keeps a circle on two coordinates (its cosine and sine), so on a flat torus T^n the nested
auto-encoder answers up to 2n (T^6 gave 9 and T^10 gave 18 on the discovery benchmark) although the data are
n-dimensional at every point; cutting a circle to one coordinate is reachable, but the nested phase learns it
slowly, and everything that pushes it to learn it faster also folds a real but weak factor of other data into
the rest (record-2026-12: experiments/README.md, "The torus"). The descent separates the two cases by two tests:

1. The trigger: the descent runs only when the data's local dimension, TwoNN (Facco et al. 2017) on up to
   LOCAL_POINTS training samples, is more than `ratio` times lower than what TwoNN reads on as many samples of a
   k-dimensional standard Gaussian (reference_dimension): data that really need k coordinates. TwoNN reads the
   dimension at every point from the ratio of each point's two nearest-neighbour distances, so a circle counts
   once however the code holds it; it reads low at larger dimensions (a 32-dimensional Gaussian with 10,000
   points reads about 25), and the reference carries the same bias, so the comparison holds at any k. Against
   TwoNN itself, k / TwoNN was 1.35-1.58 on held-out Gaussians with n = 30-48 whose answers were right or
   close, and the rounds then gave up 6 and 7 real dimensions at n = 30 and 32; against the reference, every
   committed run it leaves alone read at most 1.153, the torus 1.43-1.46 (docs/RESULTS.md;
   record-2026-12: experiments/README.md, "The descent").
2. Rounds: from j = k - 1 down, the auto-encoder trains for a round of nested steps with every truncated row at
   exactly j (the other rows whole), then j is kept when the first j dimensions reconstruct within `tolerance`
   of the decision's total reduction of what the first k did at the decision:
       u_after(j) - u_decision(k) <= tolerance * (u_decision(0) - u_decision(k)),
   u the median unexplained curve (maskaae/discovery/). The reference is fixed, so what the rounds may give up
   adds up to at most `tolerance` in all. The first round that fails ends the descent at the last j kept.
   The rule's own curve after a round cannot judge it: a model trained at exactly j reconstructs worse from the
   longer prefixes, so its best prefix is j itself, and the rule kept every j down to 1 or 2
   (record-2026-12: experiments/README.md).

Nothing here depends on n; `ratio` and `tolerance` are one number each for all data.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
from sklearn.neighbors import NearestNeighbors

# TwoNN reads at most this many training samples (drawn at random from the training split).
LOCAL_POINTS = 10000
TWO_NN_DISCARD = 0.1  # Facco et al.'s heuristic: the largest 10% of the distance ratios are left out of the fit


def two_nn(points: np.ndarray, discard: float = TWO_NN_DISCARD) -> float:
    """TwoNN's estimate of the local dimension of `points` (samples on rows, any shape after the first axis):
    mu_i = r2_i / r1_i, the ratio of each point's second to first nearest-neighbour distance, follows
    P(mu <= x) = 1 - x^(-d); with the mu sorted and the largest `discard` share left out, d is the slope through
    the origin of -log(1 - i / N) against log mu_(i). Points at distance 0 from their nearest neighbour
    (duplicates) are left out."""
    x = np.asarray(points, dtype=np.float64).reshape(len(points), -1)
    if len(x) < 3:
        raise ValueError(f"TwoNN needs at least 3 points, got {len(x)}")
    distances, _ = NearestNeighbors(n_neighbors=3).fit(x).kneighbors(x)
    r1, r2 = distances[:, 1], distances[:, 2]
    mu = np.sort(r2[r1 > 0] / r1[r1 > 0])
    kept = int(len(mu) * (1.0 - discard))
    if kept < 2:
        raise ValueError("TwoNN needs at least 2 points with distinct nearest neighbours")
    log_mu = np.log(mu[:kept])
    ecdf = -np.log(1.0 - np.arange(1, kept + 1) / len(mu))
    return float(log_mu @ ecdf / (log_mu @ log_mu))


def reference_dimension(k: int, count: int) -> float:
    """TwoNN on `count` samples of a k-dimensional standard Gaussian (a fixed stream for each (k, count)): what
    TwoNN reads, its bias at that dimension and sample size included, on data that need all k coordinates."""
    return two_nn(np.random.default_rng([k, count]).standard_normal((count, k)))


def triggered(reference: float, local_dimension: float, ratio: float) -> bool:
    """Whether the descent runs: the data's local dimension is more than `ratio` times below the reference
    (reference_dimension at the decision's k)."""
    return reference > ratio * local_dimension


def excess(curve: np.ndarray | list[float], j: int, reference: np.ndarray | list[float], k: int) -> float:
    """How much worse the first j dimensions reconstruct (`curve`, after a round) than the first k did at the
    decision (`reference`), as a share of the decision's total reduction u(0) - u(k); inf when that is not
    positive."""
    total = float(reference[0]) - float(reference[k])
    return (float(curve[j]) - float(reference[k])) / total if total > 0 else float("inf")


def descend(k: int, reference: np.ndarray | list[float], train_round: Callable[[int], None],
            curve: Callable[[], np.ndarray], tolerance: float) -> tuple[int, list[dict[str, Any]]]:
    """The rounds from j = k - 1 down (module docstring): `train_round(j)` trains one round at exactly j and
    `curve()` gives the unexplained curve after it. Returns the last j kept (k when none) and one record per
    round ({"j", "excess", "kept"})."""
    rounds: list[dict[str, Any]] = []
    answer = k
    for j in range(k - 1, 0, -1):
        train_round(j)
        share = excess(curve(), j, reference, k)
        kept = share <= tolerance
        rounds.append({"j": j, "excess": round(share, 6), "kept": kept})
        if not kept:
            break
        answer = j
    return answer, rounds
