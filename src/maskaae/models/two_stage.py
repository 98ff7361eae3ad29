"""2-Stage VAE (Dai and Wipf 2019, "Diagnosing and enhancing VAE models").

Stage one is a VAE on the data: the posterior q(z|x) = N(mu(x), diag(exp(logvar(x)))) from the run's encoder
built with latent_dim = 2m (mean, then log-variance), the run's decoder D1: R^m -> x, and the decoder likelihood
N(D1(z), gamma^2 I) with one learned scalar gamma (log gamma a parameter starting at 0, as in the authors'
code). Each step minimises the negative ELBO per sample, batch mean, with one draw z = mu + sigma eps:

    ||x - D1(z)||^2 / (2 gamma^2) + d log gamma + (d / 2) log 2 pi + KL(q(z|x) || N(0, I))

d: the elements of a sample; KL in closed form, 0.5 sum(mu^2 + sigma^2 - 1 - log sigma^2); the constant
(d / 2) log 2 pi makes the logged nll the true negative log-likelihood, as vae-gamma logs it.

Stage two is a VAE of the same form on the stage-one codes, the posterior means mu(x) of the training batches
(stage one frozen, in eval mode, under no_grad), with d = m, its own learned gamma and its own networks: MLPs
m -> 3 x [FC width, ReLU] -> 2m and m -> 3 x [FC width, ReLU] -> m (the paper: 3 x 1024; the width is
1024 at the paper's network size and scales with model.width like the critic's, nets.scaled_fc_width).

The first train.steps - round(train.steps * train.stage2_share) steps train stage one (its networks and gamma,
one optimiser), the rest stage two (a second optimiser on stage two's parameters only); both are the optimiser
and learning rate of MaskAAE's auto-encoder step (train.optimizer, train.lr_ae). Once stage two has trained a
step (a buffer of the model, so in the checkpoint) the run stays in it: resuming a run past its switch with a
larger train.steps trains stage two longer instead of returning to stage one, so that run is not the one a
straight run to the new length gives. The logged "recon" is stage one's reconstruction of the batch: from the
posterior sample in stage one, from the posterior mean (what evaluation measures) in stage two.

Generation: u ~ N(0, I_m), z = D2(u), x = D1(z), decoder means without added noise, as the authors sample.
Until stage two has trained a step (evaluations during stage one; train.stage2_share = 0) the model generates
as the stage-one VAE, x = D1(u). `encode` gives the stage-one posterior mean, the code D1 reconstructs from.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import torch
from torch import nn

from ..config import Config
from ..losses import reconstruction
from ..nets import build_networks, mlp, scaled_fc_width
from ..optim import make_optimizer
from .base import AutoEncoder, BaseTrainer, apply_update

LOG_2PI = math.log(2.0 * math.pi)
STAGE2_DEPTH = 3  # hidden layers of stage two's MLPs (the paper's 3 x 1024)


def gaussian_kl(mean: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mean, diag(exp(logvar))) || N(0, I)) per sample."""
    return 0.5 * (mean.pow(2) + logvar.exp() - 1.0 - logvar).sum(dim=1)


def gamma_nll(x: torch.Tensor, x_hat: torch.Tensor, log_gamma: torch.Tensor) -> torch.Tensor:
    """-log N(x; x_hat, gamma^2 I) per sample: ||x - x_hat||^2 / (2 gamma^2) + d log gamma + (d / 2) log 2 pi."""
    d = x[0].numel()
    return (x - x_hat).pow(2).flatten(1).sum(1) / (2.0 * torch.exp(2.0 * log_gamma)) + d * (log_gamma + 0.5 * LOG_2PI)


def negative_elbo(x: torch.Tensor, stats: torch.Tensor, decoder: nn.Module, log_gamma: torch.Tensor,
                  eps: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """(nll + kl, nll, kl, decoded sample), batch means, for encoder output stats = (mean, logvar) and noise eps."""
    m = eps.shape[1]
    mean, logvar = stats[:, :m], stats[:, m:]
    x_hat = decoder(mean + torch.exp(0.5 * logvar) * eps)
    nll, kl = gamma_nll(x, x_hat, log_gamma).mean(), gaussian_kl(mean, logvar).mean()
    return nll + kl, nll, kl, x_hat


def stage_one_steps(steps: int, stage2_share: float) -> int:
    """How many of `steps` train stage one: the rest, round(steps * stage2_share), train stage two."""
    return steps - round(steps * stage2_share)


class CodeVAE(nn.Module):
    """Stage two: a VAE on R^m with MLP encoder (to mean and log-variance) and decoder, and its own gamma."""

    def __init__(self, latent_dim: int, width: int, depth: int = STAGE2_DEPTH) -> None:
        super().__init__()
        self.encoder = mlp(latent_dim, width, depth, 2 * latent_dim)
        self.decoder = mlp(latent_dim, width, depth, latent_dim)
        self.log_gamma = nn.Parameter(torch.zeros(()))


class TwoStageVAE(AutoEncoder):
    """Stage one's encoder (2m outputs), decoder and log gamma, stage two (`stage2`), and whether it started."""

    def __init__(self, encoder: nn.Module, decoder: nn.Module, stage2: CodeVAE, latent_dim: int,
                 data_shape: tuple[int, ...] | None = None) -> None:
        super().__init__(encoder, decoder, latent_dim, data_shape)
        self.log_gamma = nn.Parameter(torch.zeros(()))
        self.stage2 = stage2
        self.register_buffer("stage2_started", torch.tensor(False))

    @property
    def code_width(self) -> int:
        return 2 * self.latent_dim

    def stage1_parameters(self) -> list[nn.Parameter]:
        return [*self.encoder.parameters(), *self.decoder.parameters(), self.log_gamma]

    def encode(self, x: torch.Tensor | np.ndarray) -> torch.Tensor:
        """The stage-one posterior mean."""
        return super().encode(x)[:, :self.latent_dim]

    def sample_prior(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Stage-one codes z = D2(u), u ~ N(0, I); u itself before stage two has trained (module docstring)."""
        u = super().sample_prior(n, generator)
        return self.stage2.decoder(u) if bool(self.stage2_started) else u


def build_model(cfg: Config, data_shape: tuple[int, ...] | list[int]) -> TwoStageVAE:
    """The run's networks (the encoder 2m wide) and stage two's, initialised from cfg.seed (the caller's random
    state is left as it was)."""
    data_shape = tuple(data_shape)
    m = cfg.model.latent_dim
    with torch.random.fork_rng(devices=[]):
        torch.random.default_generator.manual_seed(cfg.seed)
        encoder, _, _ = build_networks(data_shape, dataclasses.replace(cfg.model, latent_dim=2 * m))
        _, decoder, _ = build_networks(data_shape, cfg.model)
        model = TwoStageVAE(encoder, decoder, CodeVAE(m, scaled_fc_width(cfg.model, cfg.model.network)), m, data_shape)
    model.config = cfg.to_dict()
    return model


class Trainer(BaseTrainer):
    def __init__(self, model: TwoStageVAE, data: torch.Tensor, cfg: Config) -> None:
        seen = bool(model.stage2_started)  # read where the model is built, before it moves to the device
        super().__init__(model, data, cfg)
        t = cfg.train
        self.optimizers["stage1"] = make_optimizer(model.stage1_parameters(), t.lr_ae, t.optimizer)
        self.optimizers["stage2"] = make_optimizer(model.stage2.parameters(), t.lr_ae, t.optimizer)
        self.stage2_seen = seen  # not read in every step

    @property
    def stage1_steps(self) -> int:
        return stage_one_steps(self.cfg.train.steps, self.cfg.train.stage2_share)

    def phase_ends(self, steps: int) -> list[tuple[str, int]]:
        first = stage_one_steps(steps, self.cfg.train.stage2_share)
        return [("stage 1", min(first, self.step) if self.stage2_seen else first), ("stage 2", steps)]

    def stretches(self) -> bool:
        """Stage two, once begun, runs to the end (iteration)."""
        return self.stage2_seen

    def end_free(self, steps: int) -> int:
        """Stage two starts at a share of the run from its end."""
        return min(steps - 1, stage_one_steps(steps, self.cfg.train.stage2_share))

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        self.stage2_seen = bool(self.model.stage2_started)

    @property
    def phase(self) -> str:
        return "stage 2" if self.stage2_seen or self.step > self.stage1_steps else "stage 1"

    def iteration(self) -> dict[str, Any]:
        self.step += 1
        # a run extended on resume stays in stage two once it has begun (train.steps moves stage1_steps)
        in_stage_two = self.stage2_seen or self.step > self.stage1_steps
        return self._stage_two() if in_stage_two else self._stage_one()

    def _stage_one(self) -> dict[str, float]:
        model = self.model
        model.train()
        x = self._batch()
        loss, nll, kl, x_hat = negative_elbo(x, model.encoder(x), model.decoder, model.log_gamma, self._prior())
        apply_update(self.optimizers["stage1"], loss)
        return {"recon": reconstruction(x, x_hat.detach(), self.cfg.loss.recon), "nll": nll.detach(),
                "kl": kl.detach(), "gamma": model.log_gamma.detach().exp()}

    def _stage_two(self) -> dict[str, float]:
        model, stage2 = self.model, self.model.stage2
        model.eval()  # stage one frozen: no batch-norm statistics updated either
        stage2.train()
        x = self._batch()
        with torch.no_grad():
            codes = model.encode(x)
            recon = reconstruction(x, model.decoder(codes), self.cfg.loss.recon)
        loss, nll, kl, _ = negative_elbo(codes, stage2.encoder(codes), stage2.decoder, stage2.log_gamma,
                                         self._prior())
        apply_update(self.optimizers["stage2"], loss)
        model.stage2_started.fill_(True)
        self.stage2_seen = True
        return {"recon": recon, "nll2": nll.detach(), "kl2": kl.detach(), "gamma2": stage2.log_gamma.detach().exp()}

    def log_fields(self) -> dict[str, Any]:
        return {"stage": 2 if bool(self.model.stage2_started) else 1}
