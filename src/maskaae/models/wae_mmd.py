"""WAE-MMD (Tolstikhin et al. 2018, "Wasserstein Auto-Encoders", Algorithm 2).

The deterministic encoder and decoder of the run's networks (`model.network`, the same as MaskAAE's; the
builder's critic is not used) with the prior N(0, I_m). Each step minimises, on a batch x and prior draws z,

    c(x, D(E(x))) + lambda MMD_k(E(x), z)

c: the reconstruction cost of one sample (loss.recon summed over its elements: squared error or binary
cross-entropy; `l2` is already per sample), batch mean; lambda: loss.mmd_weight. MMD_k: the unbiased
estimate with the inverse multiquadratic kernel k(a, b) = C / (C + ||a - b||^2), summed over the scales
C = 2 m s (prior variance 1) for s in IMQ_SCALES, as in the authors' code. One update of E and D per step
with the optimiser and learning rate of MaskAAE's auto-encoder step (train.optimizer, train.lr_ae), so the
families train on equal terms.
"""

from __future__ import annotations

from typing import Any

import torch

from ..config import Config
from ..losses import reconstruction
from ..nets import build_networks
from .base import AutoEncoder, BaseTrainer, apply_update

IMQ_SCALES = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)


def imq_mmd(x: torch.Tensor, y: torch.Tensor, scales: tuple[float, ...] = IMQ_SCALES) -> torch.Tensor:
    """Unbiased MMD^2 between samples x (n, m) and y (n', m) with k = sum over s of C_s / (C_s + ||a - b||^2),
    C_s = 2 m s: the within-sample means leave out the diagonal, the cross term takes every pair."""
    n, k, m = len(x), len(y), x.shape[1]
    dxx, dyy, dxy = torch.cdist(x, x) ** 2, torch.cdist(y, y) ** 2, torch.cdist(x, y) ** 2
    total = x.new_zeros(())
    for s in scales:
        c = 2.0 * m * s
        kxx, kyy, kxy = c / (c + dxx), c / (c + dyy), c / (c + dxy)
        total = total + ((kxx.sum() - kxx.diagonal().sum()) / (n * (n - 1))
                         + (kyy.sum() - kyy.diagonal().sum()) / (k * (k - 1)) - 2.0 * kxy.mean())
    return total


def per_sample_cost(x: torch.Tensor, x_hat: torch.Tensor, kind: str) -> torch.Tensor:
    """c(x, x_hat): loss.recon summed over a sample's elements (mse, bce) or as it is (l2), batch mean."""
    value = reconstruction(x, x_hat, kind)
    return value if kind == "l2" else value * x[0].numel()


class WAEMMD(AutoEncoder):
    """An auto-encoder whose codes are matched to the prior by MMD; no mask, so no m_A."""


def build_model(cfg: Config, data_shape: tuple[int, ...] | list[int]) -> WAEMMD:
    """The run's networks, initialised from cfg.seed (the caller's random state is left as it was)."""
    data_shape = tuple(data_shape)
    with torch.random.fork_rng(devices=[]):
        torch.random.default_generator.manual_seed(cfg.seed)
        encoder, decoder, _ = build_networks(data_shape, cfg.model)
        model = WAEMMD(encoder, decoder, cfg.model.latent_dim, data_shape)
    model.config = cfg.to_dict()
    return model


class Trainer(BaseTrainer):
    def __init__(self, model: WAEMMD, data: torch.Tensor, cfg: Config) -> None:
        super().__init__(model, data, cfg)
        self.optimizers["ae"] = self.ae_optimizer([*model.encoder.parameters(), *model.decoder.parameters()])

    def iteration(self) -> dict[str, Any]:
        self.step += 1
        model, loss_cfg = self.model, self.cfg.loss
        model.train()
        x, z = self._batch(), self._prior()
        codes = model.encoder(x)
        x_hat = model.decoder(codes)
        mmd = imq_mmd(codes, z)
        apply_update(self.optimizers["ae"], per_sample_cost(x, x_hat, loss_cfg.recon) + loss_cfg.mmd_weight * mmd)
        return {"recon": reconstruction(x, x_hat.detach(), loss_cfg.recon), "mmd": mmd.detach()}
