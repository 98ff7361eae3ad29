"""Synthetic data whose latent is not Gaussian: known manifolds of dimension n, lifted to d dimensions.

Each kind draws latent points t of intrinsic dimension n and maps them to R^d:
- `hypercube`: t ~ U[-1, 1]^n, embedded linearly (a random orthonormal n x d frame).
- `sphere`:    t uniform on the unit sphere S^n in R^(n+1), embedded linearly.
- `torus`:     the flat torus T^n: angles a ~ U[0, 2 pi)^n, (cos a_i, sin a_i) in R^(2n), embedded linearly.
- `curved1`:   t ~ U[-1, 1]^n through one smooth random layer, tanh(t W + b), W n x d.
- `curved3`:   t ~ U[-1, 1]^n through three smooth random layers n -> k -> k -> d (tanh after each).
The clean training data are scaled so that the mean coordinate variance is one (the same factor is used for
the test split), then `noise` times a standard normal is added to every coordinate (noise 0.01: additive
noise at 1% of the data's standard deviation). Everything comes from numpy's PCG64 seeded by data.seed, with
separate streams for the map, the training and the test samples.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

Sampler = Callable[[np.random.Generator, int, int], np.ndarray]
Lift = Callable[[np.ndarray], np.ndarray]


def _cube(rng: np.random.Generator, count: int, n: int) -> np.ndarray:
    return rng.uniform(-1.0, 1.0, (count, n))


def _sphere(rng: np.random.Generator, count: int, n: int) -> np.ndarray:
    g = rng.standard_normal((count, n + 1))
    return g / np.linalg.norm(g, axis=1, keepdims=True)


def _torus(rng: np.random.Generator, count: int, n: int) -> np.ndarray:
    angles = rng.uniform(0.0, 2.0 * np.pi, (count, n))
    return np.concatenate([np.cos(angles), np.sin(angles)], axis=1)


def _frame(rng: np.random.Generator, rows: int, d: int) -> np.ndarray:
    """A random rows x d matrix with orthonormal rows (rows <= d)."""
    q, _ = np.linalg.qr(rng.standard_normal((d, rows)))
    return q.T


def _smooth(layers: int) -> Callable[[np.random.Generator, int, int], Lift]:
    def build(rng: np.random.Generator, n: int, d: int) -> Lift:
        widths = [n] + [max(d, 2 * n)] * (layers - 1) + [d]
        # Weights scaled so that each tanh sees pre-activations of order one: curved, not saturated.
        weights = [rng.normal(0.0, 1.5 / np.sqrt(a), (a, b)) for a, b in zip(widths[:-1], widths[1:])]
        biases = [rng.uniform(-0.5, 0.5, b) for b in widths[1:]]

        def lift(t: np.ndarray) -> np.ndarray:
            for w, b in zip(weights, biases):
                t = np.tanh(t @ w + b)
            return t
        return lift
    return build


def _embedding_rows(kind: str, n: int) -> int:
    return {"hypercube": n, "sphere": n + 1, "torus": 2 * n}[kind]


# kind -> (latent sampler, builder of the lift from (rng, n, d))
KINDS: dict[str, tuple[Sampler, Callable[[np.random.Generator, int, int], Lift]]] = {
    "hypercube": (_cube, lambda rng, n, d: _linear_lift(rng, _embedding_rows("hypercube", n), d)),
    "sphere": (_sphere, lambda rng, n, d: _linear_lift(rng, _embedding_rows("sphere", n), d)),
    "torus": (_torus, lambda rng, n, d: _linear_lift(rng, _embedding_rows("torus", n), d)),
    "curved1": (_cube, _smooth(1)),
    "curved3": (_cube, _smooth(3)),
}


def _linear_lift(rng: np.random.Generator, rows: int, d: int) -> Lift:
    if rows > d:
        raise ValueError(f"the embedding needs {rows} coordinates but data.data_dim is {d}; raise data.data_dim")
    w = _frame(rng, rows, d)
    return lambda t: t @ w


def make_manifold(kind: str, n: int, d: int, seed: int, n_train: int, n_test: int,
                  noise: float) -> tuple[np.ndarray, np.ndarray]:
    """(train, test) float64 arrays of shape (count, d) for one of `KINDS`."""
    try:
        sampler, build = KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown manifold kind {kind!r}; choose one of {', '.join(KINDS)}") from None
    lift = build(np.random.default_rng([seed, 0]), n, d)
    clean = [lift(sampler(np.random.default_rng([seed, stream]), count, n))
             for stream, count in ((1, n_train), (2, n_test))]
    scale = 1.0 / np.sqrt(clean[0].var(axis=0).mean())
    out = []
    for stream, x in zip((3, 4), clean):
        x = x * scale
        if noise > 0:
            x = x + noise * np.random.default_rng([seed, stream]).standard_normal(x.shape)
        out.append(x)
    return out[0], out[1]
