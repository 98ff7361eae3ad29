"""m_A of a user's data set in one call, beside the classical intrinsic-dimension estimators.

`train_dimension(cfg)` trains a model with the config (in memory, no run folder) until its mask is decided
and returns m_A, the mask and the training points: under ordered discovery that is the final decision's step,
so the critic's phase, which trains with the mask fixed, is skipped and m_A is the one a whole run reports;
`intrinsic_estimates(points)` runs TwoNN (the one in maskaae/discovery/descent.py, which the descent's trigger reads; the
same numbers as scikit-dimension's) and scikit-dimension's MLE and DANCo on (at most 2,000 of) the same points;
without the `intrinsic` extra, MLE and DANCo are None.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import numpy as np

from .config import Config
from .data import check_distinct, load_data
from .discovery.descent import two_nn
from .model import build_model
from .train import fit

ESTIMATOR_POINTS = 2000


def decision_step(cfg: Config) -> int:
    """The step after which the mask no longer changes: the end of ordered discovery (its final decision, and
    the descent inside it), else the whole run (the paper's mask trains to the end)."""
    if cfg.model.mask and cfg.model.discovery == "ordered":
        return min(cfg.train.steps, cfg.train.discovery_end)
    return cfg.train.steps


def train_dimension(cfg: Config, progress: bool = False) -> dict[str, Any]:
    train, _ = load_data(cfg.data)
    check_distinct(train, cfg.data.source)
    model = build_model(cfg, tuple(train.shape[1:]))
    steps = decision_step(cfg)
    cfg = replace(cfg, train=replace(cfg.train, steps=steps, decoder_share=0.0))  # no step after the decision
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=steps, desc="maskaae dimension", unit="step", leave=False)
    start = time.perf_counter()
    fit(model, train, config=cfg, on_step=(lambda tr, losses: bar.update(1)) if bar is not None else None)
    if bar is not None:
        bar.close()
    return {"m_A": model.active_dims, "m": model.latent_dim, "steps": steps,
            "mask": [round(float(v), 4) for v in model.mask],
            "seconds": round(time.perf_counter() - start, 1), "samples": len(train),
            "points": train[:ESTIMATOR_POINTS].flatten(1).double().numpy()}


ESTIMATORS = ("TwoNN", "MLE", "DANCo")
NOT_INSTALLED = "not installed: pip install 'maskaae[intrinsic]'"


def intrinsic_estimates(points: np.ndarray) -> tuple[dict[str, float | None], dict[str, str]]:
    """Each estimator's dimension (None where it could not run) and, for those, why: scikit-dimension missing
    (MLE and DANCo), or the estimator refusing the points (one feature, too few rows). m_A is reported either
    way."""
    try:
        import skdim
    except ImportError:
        skdim = None
    estimators = {"TwoNN": two_nn}
    for name in ESTIMATORS[1:]:
        estimators[name] = (lambda x, name=name: getattr(skdim.id, name)().fit(x).dimension_) if skdim else None
    values: dict[str, float | None] = {}
    errors: dict[str, str] = {}
    for name, estimate in estimators.items():
        values[name] = None
        if estimate is None:
            errors[name] = NOT_INSTALLED
            continue
        try:
            values[name] = float(estimate(points))
        except Exception as err:  # noqa: BLE001 - any estimator's refusal is reported, not raised
            errors[name] = f"could not run on these {points.shape[0]} x {points.shape[1]} points: " \
                           f"{type(err).__name__}: {err}"
    return values, errors
