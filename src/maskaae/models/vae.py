"""The VAE baselines of the paper's Table 1: three decoder likelihoods, and a posterior with an IAF.

A Gaussian posterior q(z|x) = N(mu(x), diag(exp(logvar(x)))) from an encoder that outputs 2m numbers (the
run's encoder built with latent_dim = 2m: mean, then log-variance), the run's decoder D: R^m -> x, the prior
N(0, I_m). Each step minimises the negative ELBO on a batch x, per sample and then averaged over the batch:

    -log p(x | z) + KL(q(z|x) || N(0, I)),    z = mu + sigma * eps, eps ~ N(0, I) (one draw per sample)

-log p(x|z) sums over a sample's d elements; the decoder likelihood comes from model.kind (`VARIANTS`):

    vae-bernoulli  Bernoulli with probabilities D(z): binary cross-entropy. The data must lie in [0, 1]
                   (DataError otherwise), and the decoder ends in a sigmoid whatever model.output says
                   (the conv networks always do).
    vae-gaussian   N(D(z), I): 0.5 ||x - D(z)||^2 + (d / 2) log 2 pi.
    vae-gamma      N(D(z), gamma^2 I) with one learned scalar gamma (log gamma a parameter of the model,
                   trained with the networks): ||x - D(z)||^2 / (2 gamma^2) + d log gamma + (d / 2) log 2 pi
                   (Dai and Wipf 2019, "Diagnosing and enhancing VAE models").
    vae-iaf        Kingma et al. 2016, "Improving variational inference with inverse autoregressive flow":
                   loss.iaf_steps IAF steps on the posterior sample; the decoder likelihood is Bernoulli when
                   loss.recon = bce (image presets) and N(D(z), I) otherwise, as the authors' VAE-with-flow
                   baselines use the plain likelihoods.

The Gaussian KL is in closed form, 0.5 sum(mu^2 + sigma^2 - 1 - log sigma^2). With the flow it is the one-draw
Monte Carlo estimate log q(z_T|x) - log p(z_T), log q(z_T|x) = log N(z_0; mu, sigma^2) - sum_t log det_t.
Each IAF step is a MADE on z giving (m_t, s_t) autoregressively, and the numerically stable update
z <- sigma_t * z + (1 - sigma_t) * m_t, sigma_t = sigmoid(s_t), log det_t = sum log sigma_t (the paper's
eqs. 14-15); the order of z is reversed between steps. Generation decodes z ~ N(0, I) (the flow acts on the
posterior only); `encode` gives the code the decoder reconstructs from, the posterior mean mu (with the flow,
the image of mu through it, the sample at eps = 0). One update of all parameters per step with the optimiser
and learning rate of MaskAAE's auto-encoder step (train.optimizer, train.lr_ae), as for WAE-MMD.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..config import Config
from ..data.arrays import DataError
from ..losses import binary_cross_entropy, reconstruction
from ..nets import build_networks
from ..optim import make_optimizer
from .base import AutoEncoder, BaseTrainer, apply_update

LOG_2PI = math.log(2.0 * math.pi)
MADE_HIDDEN = 4  # the MADE's two hidden layers are MADE_HIDDEN * m wide (Kingma et al.: a few times m)
IAF_GATE_BIAS = 1.0  # s starts near +1 so sigma = sigmoid(s) starts near 1: each step starts close to identity


# -- likelihoods: -log p(x | x_hat) per sample, summed over its elements -------------------------------------
def bernoulli_nll(x: torch.Tensor, p: torch.Tensor, log_gamma: torch.Tensor | None = None) -> torch.Tensor:
    return binary_cross_entropy(p, x, reduction="none").flatten(1).sum(1)


def gaussian_nll(x: torch.Tensor, x_hat: torch.Tensor, log_gamma: torch.Tensor | None = None) -> torch.Tensor:
    d = x[0].numel()
    return 0.5 * (x - x_hat).flatten(1).pow(2).sum(1) + 0.5 * d * LOG_2PI


def gamma_nll(x: torch.Tensor, x_hat: torch.Tensor, log_gamma: torch.Tensor) -> torch.Tensor:
    d = x[0].numel()
    sq = (x - x_hat).flatten(1).pow(2).sum(1)
    return sq / (2.0 * torch.exp(2.0 * log_gamma)) + d * log_gamma + 0.5 * d * LOG_2PI


@dataclass(frozen=True)
class Likelihood:
    nll: Callable[..., torch.Tensor]
    unit_interval: bool = False  # needs data in [0, 1] and a decoder that outputs probabilities
    learned_gamma: bool = False  # the model has a trained log gamma


LIKELIHOODS: dict[str, Likelihood] = {
    "bernoulli": Likelihood(bernoulli_nll, unit_interval=True),
    "gaussian": Likelihood(gaussian_nll),
    "gamma": Likelihood(gamma_nll, learned_gamma=True),
}


@dataclass(frozen=True)
class Variant:
    likelihood: str | None  # a key of LIKELIHOODS; None: from loss.recon (`IAF_LIKELIHOOD`)
    flow: bool = False  # loss.iaf_steps IAF steps on the posterior sample


VARIANTS: dict[str, Variant] = {
    "vae-bernoulli": Variant("bernoulli"),
    "vae-gaussian": Variant("gaussian"),
    "vae-gamma": Variant("gamma"),
    "vae-iaf": Variant(None, flow=True),
}
IAF_LIKELIHOOD: dict[str, str] = {"bce": "bernoulli"}  # loss.recon -> likelihood; any other: "gaussian"


def gaussian_kl(mean: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mean, diag exp(logvar)) || N(0, I)) per sample, in closed form."""
    return 0.5 * (mean.pow(2) + logvar.exp() - 1.0 - logvar).sum(1)


def standard_normal_log_density(z: torch.Tensor) -> torch.Tensor:
    return -0.5 * (z.pow(2) + LOG_2PI).sum(1)


# -- the inverse autoregressive flow ----------------------------------------------------------------------
class MaskedLinear(nn.Linear):
    def __init__(self, mask: torch.Tensor) -> None:
        super().__init__(mask.shape[1], mask.shape[0])
        self.register_buffer("mask", mask)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight * self.mask, self.bias)


class MADE(nn.Module):
    """(m, s) = MADE(z): output i depends on z_1..z_{i-1} only (Germain et al. 2015), two hidden layers."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        d_in = torch.arange(1, dim + 1)
        d_hidden = torch.arange(MADE_HIDDEN * dim) % max(1, dim - 1) + 1  # degrees 1..dim-1, cycled
        hidden = (d_hidden[:, None] >= d_in[None, :]).float()
        middle = (d_hidden[:, None] >= d_hidden[None, :]).float()
        out = (d_in[:, None] > d_hidden[None, :]).float()  # strictly: unit i sees degrees < i
        self.net = nn.Sequential(MaskedLinear(hidden), nn.ELU(), MaskedLinear(middle), nn.ELU(),
                                 MaskedLinear(torch.cat([out, out])))
        with torch.no_grad():
            self.net[-1].bias[dim:].fill_(IAF_GATE_BIAS)

    def forward(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        m, s = self.net(z).chunk(2, dim=1)
        return m, s


class IAF(nn.Module):
    """z_T and the per-sample sum over steps of log det dz_t / dz_{t-1} (order reversed between steps)."""

    def __init__(self, dim: int, steps: int) -> None:
        super().__init__()
        self.steps = nn.ModuleList(MADE(dim) for _ in range(steps))

    def forward(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        log_det = z.new_zeros(len(z))
        for t, made in enumerate(self.steps):
            if t > 0:
                z = z.flip(1)
            m, s = made(z)
            sigma = torch.sigmoid(s)
            z = sigma * z + (1.0 - sigma) * m  # Kingma et al. 2016, eq. 15
            log_det = log_det + F.logsigmoid(s).sum(1)
        return z, log_det


# -- the model ---------------------------------------------------------------------------------------------
class VAE(AutoEncoder):
    """Encoder E: x -> (mu, logvar) in R^2m, decoder D: R^m -> x, an optional IAF and learned log gamma."""

    def __init__(self, encoder: nn.Module, decoder: nn.Module, latent_dim: int, data_shape: tuple[int, ...] | None,
                 likelihood: str, flow_steps: int = 0) -> None:
        super().__init__(encoder, decoder, latent_dim, data_shape)
        self.likelihood = likelihood
        self.flow = IAF(latent_dim, flow_steps) if flow_steps else None
        self.log_gamma = nn.Parameter(torch.zeros(())) if LIKELIHOODS[likelihood].learned_gamma else None

    @property
    def code_width(self) -> int:
        return 2 * self.latent_dim

    def posterior(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(mu, logvar) of q(z|x)."""
        out = self.encoder(x)
        return out[:, :self.latent_dim], out[:, self.latent_dim:]

    def sample_posterior(self, mean: torch.Tensor, logvar: torch.Tensor,
                         eps: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(z, the per-sample KL term) for the standard normal draw eps: closed form, or with the flow the
        Monte Carlo estimate log q(z_T|x) - log p(z_T)."""
        z = mean + torch.exp(0.5 * logvar) * eps
        if self.flow is None:
            return z, gaussian_kl(mean, logvar)
        log_q0 = standard_normal_log_density(eps) - 0.5 * logvar.sum(1)  # log N(z_0; mean, sigma^2)
        z, log_det = self.flow(z)
        return z, log_q0 - log_det - standard_normal_log_density(z)

    def nll(self, x: torch.Tensor, x_hat: torch.Tensor) -> torch.Tensor:
        """-log p(x | z) per sample, x_hat = D(z)."""
        return LIKELIHOODS[self.likelihood].nll(x, x_hat, self.log_gamma)

    def encode(self, x: torch.Tensor | np.ndarray) -> torch.Tensor:
        """The posterior mean (with the flow: its image through the flow)."""
        mean = super().encode(x)[:, :self.latent_dim]
        return mean if self.flow is None else self.flow(mean)[0]


def likelihood_of(cfg: Config) -> str:
    if cfg.model.kind not in VARIANTS:
        raise ValueError(f"model.kind {cfg.model.kind!r} is not a VAE of maskaae.models.vae; its kinds are "
                         f"{', '.join(VARIANTS)}")
    variant = VARIANTS[cfg.model.kind]
    return variant.likelihood or IAF_LIKELIHOOD.get(cfg.loss.recon, "gaussian")


def build_model(cfg: Config, data_shape: tuple[int, ...] | list[int]) -> VAE:
    """The run's networks (encoder 2m wide), the flow and log gamma, initialised from cfg.seed (the caller's
    random state is left as it was)."""
    data_shape = tuple(data_shape)
    likelihood = likelihood_of(cfg)
    m = cfg.model.latent_dim
    decoder_cfg = cfg.model
    if LIKELIHOODS[likelihood].unit_interval:
        decoder_cfg = dataclasses.replace(decoder_cfg, output="sigmoid")  # probabilities (mlp; conv: always)
    with torch.random.fork_rng(devices=[]):
        torch.random.default_generator.manual_seed(cfg.seed)
        encoder, _, _ = build_networks(data_shape, dataclasses.replace(cfg.model, latent_dim=2 * m))
        _, decoder, _ = build_networks(data_shape, decoder_cfg)
        steps = cfg.loss.iaf_steps if VARIANTS[cfg.model.kind].flow else 0
        model = VAE(encoder, decoder, m, data_shape, likelihood, steps)
    model.config = cfg.to_dict()
    return model


class Trainer(BaseTrainer):
    def __init__(self, model: VAE, data: torch.Tensor, cfg: Config) -> None:
        super().__init__(model, data, cfg)
        if LIKELIHOODS[model.likelihood].unit_interval and len(data) and (data.min() < 0 or data.max() > 1):
            raise DataError(f"model.kind={cfg.model.kind} uses a Bernoulli decoder, which needs data in [0, 1]; "
                            f"the training data spans [{float(data.min()):.4g}, {float(data.max()):.4g}]. Use "
                            "image data, data.scale=minmax for a file, or model.kind=vae-gaussian")
        self.optimizers["ae"] = make_optimizer(model.parameters(), cfg.train.lr_ae, cfg.train.optimizer)

    def iteration(self) -> dict[str, Any]:
        self.step += 1
        model = self.model
        model.train()
        x = self._batch()
        mean, logvar = model.posterior(x)
        eps = self.draw(torch.randn(mean.shape, generator=self.generator))
        z, kl = model.sample_posterior(mean, logvar, eps)
        x_hat = model.decoder(z)
        nll = model.nll(x, x_hat).mean()
        kl = kl.mean()
        apply_update(self.optimizers["ae"], nll + kl)
        return {"recon": reconstruction(x, x_hat.detach(), self.cfg.loss.recon), "nll": nll.detach(),
                "kl": kl.detach()}

    def log_fields(self) -> dict[str, Any]:
        return {} if self.model.log_gamma is None else {"gamma": float(self.model.log_gamma.detach().exp())}
