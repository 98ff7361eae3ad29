"""A scikit-learn estimator: `MaskAAEDimension().fit(X).dimension_`, like scikit-dimension's global estimators.

Needs scikit-learn (`pip install 'maskaae[intrinsic]'`). X is (samples, features); it is standardised
with its own statistics (data.files.standard_scaling, as `maskaae train --data` does for vectors), the model is
trained on all of it with the preset's settings, and:
- `dimension_`: m_A; `mask_`: mu; `model_`: the trained `MaskAAE`;
- `transform(X)`: the codes of the active dimensions, mu * E(X) restricted to them, shape (samples, m_A);
- `sample(n)`: n generated samples in X's units (the standardisation undone).
"""

from __future__ import annotations

import copy

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from .data import check_distinct
from .data.files import standard_scaling
from .presets import build_config
from .model import build_model
from .train import fit


class MaskAAEDimension(TransformerMixin, BaseEstimator):
    """latent_dim: m (None: min(features, 64)); steps: train.steps (None: the preset's; the ordered discovery
    decides at min(steps, train.discovery_steps + train.discovery_verify_steps)); overrides: further config
    overrides, e.g. ("model.width=64",)."""

    def __init__(self, latent_dim: int | None = None, preset: str = "synthetic", steps: int | None = None,
                 seed: int = 0, overrides: tuple[str, ...] = ()) -> None:
        self.latent_dim = latent_dim
        self.preset = preset
        self.steps = steps
        self.seed = seed
        self.overrides = overrides

    def fit(self, X, y=None):
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2)
        m = self.latent_dim if self.latent_dim is not None else min(X.shape[1], 64)
        overrides = [f"model.latent_dim={m}", f"seed={self.seed}", "model.network=mlp", "model.output=linear",
                     "loss.recon=mse", *self.overrides]
        if self.steps is not None:
            overrides.append(f"train.steps={self.steps}")
        cfg = build_config(self.preset, None, overrides)
        self.peak_, self.mean_, self.scale_ = standard_scaling(X)
        data = torch.from_numpy(self._standardise(X).astype(np.float32))
        check_distinct(data, "X")
        self.model_ = fit(build_model(cfg, (X.shape[1],)), data, config=cfg)
        self.mask_ = self.model_.mask
        self.dimension_ = int(self.model_.active_dims)
        return self

    def transform(self, X):
        check_is_fitted(self, "model_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        # in float64 on a float64 copy of the networks: a row's code then does not depend on the rows encoded
        # with it (float32 matrix products round differently with the batch's size on some CPUs)
        model = copy.deepcopy(self.model_).to("cpu", torch.float64)
        with torch.no_grad():
            codes = model.latent(model.encoder(torch.from_numpy(self._standardise(X)))).numpy()
        return codes[:, self.model_.latent.active(self.model_.active_threshold).numpy()]

    def sample(self, n: int, seed: int = 0) -> np.ndarray:
        check_is_fitted(self, "model_")
        x = self.model_.generate(n, generator=torch.Generator().manual_seed(seed)).numpy().astype(np.float64)
        return (x * self.scale_ + self.mean_) * self.peak_

    def _standardise(self, X: np.ndarray) -> np.ndarray:
        return (X / self.peak_ - self.mean_) / self.scale_
