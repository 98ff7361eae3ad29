"""The paper's synthetic data (SPEC 6, paper 5.1 and 9.1).

z ~ N(0, I_n), x = f(z) with f = two fully connected layers n -> k -> d and a
leaky ReLU after both. Choices the paper leaves open, fixed here:
- weights W ~ N(0, 2 / ((1 + slope^2) fan_in)) (He scaling for leaky ReLU, so
  the data has coordinates of order one), biases zero, slope 0.2;
- 20,000 training and 5,000 test samples, drawn from separate random streams;
- everything from numpy's PCG64 seeded by data.seed, so the data do not
  depend on the torch version.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..config import DataConfig
from .manifolds import make_manifold


@dataclass(frozen=True)
class SyntheticMap:
    w1: np.ndarray  # (n, k)
    w2: np.ndarray  # (k, d)
    slope: float

    @classmethod
    def from_seed(cls, n: int, k: int, d: int, seed: int, slope: float) -> "SyntheticMap":
        rng = np.random.default_rng([seed, 0])
        scale = lambda fan_in: np.sqrt(2.0 / ((1.0 + slope**2) * fan_in))  # noqa: E731
        return cls(rng.normal(0.0, scale(n), (n, k)), rng.normal(0.0, scale(k), (k, d)), slope)

    def _leaky(self, h: np.ndarray) -> np.ndarray:
        return np.where(h > 0, h, self.slope * h)

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return self._leaky(self._leaky(z @ self.w1) @ self.w2)


def make_synthetic(cfg: DataConfig) -> tuple[torch.Tensor, torch.Tensor]:
    """(train, test) float32 tensors of shape (N, d): data.kind "gaussian" (SPEC 6) or a manifold kind."""
    if cfg.kind != "gaussian":
        splits = list(make_manifold(cfg.kind, cfg.latent_dim, cfg.data_dim, cfg.seed, cfg.n_train, cfg.n_test,
                                    cfg.noise))
    else:
        f = SyntheticMap.from_seed(cfg.latent_dim, cfg.hidden_dim, cfg.data_dim, cfg.seed, cfg.leaky_slope)
        splits = [f(np.random.default_rng([cfg.seed, stream]).standard_normal((count, cfg.latent_dim)))
                  for stream, count in ((1, cfg.n_train), (2, cfg.n_test))]
        if cfg.noise > 0:  # relative to the clean training data's coordinate standard deviation, like the manifolds
            scale = cfg.noise * np.sqrt(splits[0].var(axis=0).mean())
            splits = [x + scale * np.random.default_rng([cfg.seed, stream]).standard_normal(x.shape)
                      for stream, x in zip((3, 4), splits)]
    return torch.from_numpy(splits[0].astype(np.float32)), torch.from_numpy(splits[1].astype(np.float32))
