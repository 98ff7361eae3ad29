"""Held-out metrics of a model (SPEC 7): m_A, mask, reconstruction error,
omega, data-space Frechet distance, improved precision/recall, NAC.

Evaluation draws from its own seeded generator, never from the training
stream, so evaluating during training does not change the training run.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import torch

from .config import Config
from .losses import reconstruction
from .metrics import frechet_distance_samples, nac, precision_recall
from .models.base import AutoEncoder

EVAL_SEED_OFFSET = 1_000_003


@torch.inference_mode()
def encode_all(model: AutoEncoder, x: torch.Tensor, batch_size: int = 4096) -> torch.Tensor:
    """The codes the decoder sees (MaskAAE: mu * E(x)) for a whole tensor, in batches, on the model's device."""
    return torch.cat([model.encode(x[i:i + batch_size]) for i in range(0, len(x), batch_size)])


def evaluation_needs(cfg: Config, n_test: int) -> str | None:
    """What a held-out split of n_test samples lacks for the run's evaluation, or None; checked before
    training (maskaae/runs.py), so that a run too small to evaluate fails before it trains."""
    need = cfg.eval.pr_k + 1  # precision/recall's k-th neighbour among the real samples
    if n_test < need:
        return (f"the held-out split has {n_test} sample(s); the metrics need at least {need} (eval.pr_k + 1): "
                "give more data or a larger data.test_fraction")
    fid = max(cfg.eval.fid_samples, cfg.eval.fid_train_samples)
    if fid > n_test:
        return (f"FID with N = {fid} needs {fid} held-out images, the held-out split has {n_test}; lower "
                "eval.fid_samples")
    return None


@torch.inference_mode()
def evaluate(model: AutoEncoder, test: torch.Tensor, cfg: Config, fid_samples: int = 0) -> dict[str, Any]:
    """Metrics on test data; the returned dict is JSON-serialisable.

    fid_samples > 0 adds the Inception FID of that many generated images (image data, `image_fid`).
    """
    was_training = model.training
    model.eval()
    e = cfg.eval
    g = torch.Generator().manual_seed(cfg.seed + EVAL_SEED_OFFSET)
    n = min(e.n_samples, len(test))
    real = test[torch.randperm(len(test), generator=g)[:n]]
    fake = model.generate(n, generator=g)
    codes = encode_all(model, real)
    recon = reconstruction(real.to(codes.device), model.decoder(codes), cfg.loss.recon)
    omega = model.critic_estimate(codes, n, g)  # None for a family without a critic
    real_flat, fake_flat = real.flatten(1).double().numpy(), fake.flatten(1).double().numpy()
    precision, recall = precision_recall(real_flat, fake_flat, k=e.pr_k)
    nac_codes = encode_all(model, test[: e.nac_samples]).double().cpu().numpy()
    mask = model.mask
    metrics = {
        "active_dims": model.active_dims,
        "mask": [float(v) for v in mask],
        "recon": float(recon),
        "wasserstein": omega,
        "fd": float(frechet_distance_samples(real_flat, fake_flat)),
        "precision": float(precision),
        "recall": float(recall),
        "nac": float(nac(nac_codes, mask if model.mask_enabled else None, e.active_threshold)),
        "eval_samples": n,
        "nac_samples": int(len(nac_codes)),
    }
    if fid_samples:
        metrics.update(image_fid(model, test, cfg, fid_samples))
    model.train(was_training)
    return metrics


def _samples(model: AutoEncoder, test: torch.Tensor, train: torch.Tensor | None, cfg: Config, n: int,
             generator: torch.Generator) -> torch.Tensor:
    return model.generate(n, generator=generator)


def _reconstructions(model: AutoEncoder, test: torch.Tensor, train: torch.Tensor | None, cfg: Config, n: int,
                     generator: torch.Generator) -> torch.Tensor:
    # test images other than the reference's first n where the test set has them (else the same ones)
    held = test[n:2 * n] if len(test) >= 2 * n else test[:n]
    return torch.cat([model.reconstruct(held[i:i + 4096]).cpu() for i in range(0, n, 4096)])


def _mixture(model: AutoEncoder, test: torch.Tensor, train: torch.Tensor | None, cfg: Config, n: int,
             generator: torch.Generator) -> torch.Tensor:
    from .sampling import decode_mixture, fit_code_mixture

    if train is None:
        raise ValueError("FID of mixture samples needs the training data the mixture is fitted to")
    return decode_mixture(model, fit_code_mixture(model, train, cfg.eval.active_threshold, cfg.seed), n, generator)


# What FID can measure of a model (`image_fid`'s source): its samples (its own prior), reconstructions of
# held-out test images (what the decoder can render: a bound on samples through it), and decodes of a Gaussian
# mixture fitted to the training codes' active dimensions (maskaae/sampling.py).
FID_SOURCES: dict[str, Callable[..., torch.Tensor]] = {
    "samples": _samples, "reconstructions": _reconstructions, "mixture": _mixture}


@torch.inference_mode()
def image_fid(model: AutoEncoder, test: torch.Tensor, cfg: Config, n: int, draw: int = 0,
              source: str = "samples", train: torch.Tensor | None = None) -> dict[str, Any]:
    """Inception FID of n images from `source` (FID_SOURCES) against the first n test images (SPEC 7).

    The reference statistics are cached per (data set, split, N, weights hash)
    under the data folder, so repeated evaluations only pay for the generated side. `draw` > 0 generates
    from the draw-th seed after evaluation's own (draw 0), to measure how FID moves with the generated set.
    """
    from .data.fetch import default_data_root
    from .metrics.fid import compute_fid, reference_stats
    from .metrics.inception import InceptionFeatures

    if source not in FID_SOURCES:
        raise ValueError(f"unknown FID source {source!r}; choose one of {', '.join(FID_SOURCES)}")
    if n > len(test):
        raise ValueError(f"FID with N = {n} needs {n} test images, the test set has {len(test)}; "
                         "lower eval.fid_samples")
    e = cfg.eval
    inception = InceptionFeatures(batch_size=e.fid_batch_size, device=model.device)  # beside the model
    ref = reference_stats(cfg.data.name, "test", test, n, default_data_root() / "fid-stats", extractor=inception)
    was_training = model.training
    model.eval()
    try:
        generator = torch.Generator().manual_seed(cfg.seed + EVAL_SEED_OFFSET + 1 + draw)
        images = FID_SOURCES[source](model, test, train, cfg, n, generator)
    finally:
        model.train(was_training)
    return compute_fid(images, ref, inception, authors_minmax=e.fid_authors_minmax)


@torch.inference_mode()
def latent_covariance(model: AutoEncoder, test: torch.Tensor, cfg: Config) -> np.ndarray:
    """Covariance of mu * E(x) over the NAC samples (paper Figs. 10-13)."""
    codes = encode_all(model, test[: cfg.eval.nac_samples]).double().cpu().numpy()
    return np.atleast_2d(np.cov(codes, rowvar=False))  # (1, 1) at m = 1
