"""m_A of a user's data set in one call, beside the classical intrinsic-dimension estimators.

`train_dimension(cfg)` trains a model with the config (in memory, no run folder) and returns m_A, the mask
and the training points; `intrinsic_estimates(points)` runs scikit-dimension's TwoNN, MLE and DANCo on
(at most 2,000 of) the same points when the `intrinsic` extra is installed, else gives None for each.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from .config import Config
from .data import load_data
from .model import build_model
from .train import fit

ESTIMATOR_POINTS = 2000


def train_dimension(cfg: Config, progress: bool = False) -> dict[str, Any]:
    train, _ = load_data(cfg.data)
    model = build_model(cfg, tuple(train.shape[1:]))
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=cfg.train.steps, desc="maskaae dimension", unit="step", leave=False)
    start = time.perf_counter()
    fit(model, train, config=cfg, on_step=(lambda tr, losses: bar.update(1)) if bar is not None else None)
    if bar is not None:
        bar.close()
    return {"m_A": model.active_dims, "m": model.latent_dim, "mask": [round(float(v), 4) for v in model.mask],
            "seconds": round(time.perf_counter() - start, 1), "samples": len(train),
            "points": train[:ESTIMATOR_POINTS].flatten(1).double().numpy()}


def intrinsic_estimates(points: np.ndarray) -> dict[str, float | None]:
    try:
        import skdim
    except ImportError:
        return {"TwoNN": None, "MLE": None, "DANCo": None}
    return {name: float(cls().fit(points).dimension_)
            for name, cls in (("TwoNN", skdim.id.TwoNN), ("MLE", skdim.id.MLE), ("DANCo", skdim.id.DANCo))}
