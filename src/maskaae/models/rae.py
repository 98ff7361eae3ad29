"""RAE-L2 (Ghosh et al. 2020, "From variational to deterministic autoencoders"), with its ex-post density.

A deterministic encoder E and decoder D (the run's networks, `model.network`; the builder's critic is not used).
Each step minimises, on a batch x with codes z = E(x), the paper's L_RAE = L_REC + beta L_Z + lambda L_REG with
the L2 decoder regulariser:

    c(x, D(z)) + beta ||z||^2 / 2 + lambda ||theta_D||^2

c: the reconstruction cost of one sample as for WAE-MMD (loss.recon summed over its elements), batch mean; the
latent term per sample, batch mean; ||theta_D||^2 the sum of squares of every decoder parameter, weights and
biases (the authors' Keras code puts it on the transposed-conv kernels; pythae on every decoder parameter, as
weight decay). beta: loss.rae_latent_weight, lambda: loss.rae_decoder_l2. The authors' MNIST values, 1e-4 and
1e-7, weigh a reconstruction that is a mean over pixels and mean_j z_j^2; on this loss (d times theirs, and
||z||^2 / 2 = m / 2 mean_j z_j^2) they are beta = 2e-4 d / m = 0.0098 and lambda = 1e-7 d = 7.8e-5 for d = 784,
m = 16: the defaults 1e-2 and 1e-4, pythae's MNIST values. One update of E and D per step with the optimiser
and learning rate of MaskAAE's auto-encoder step (train.optimizer, train.lr_ae), as for WAE-MMD.

Ex-post density estimation: in the run's last iteration (step == train.steps), after its update, a Gaussian
mixture of loss.rae_components full-covariance components is fitted to the codes E(x) of the whole training set
(eval mode) with scikit-learn's GaussianMixture: k-means initialisation seeded with the run's seed, max_iter
2000 and tol 1e-3 as in the authors' code (whose MNIST config comments also report a Dirichlet-process mixture),
on one thread so that the fit does not depend on the machine's thread count. Its weights, means and covariance
Cholesky factors are float64 buffers of the model, so the last checkpoint and a saved model hold it; `generate`
draws a component and then z = mean + L eps from it with the caller's generator, and decodes. Until the mixture
is fitted (evaluations during training, a checkpoint before the last step) generation draws z from N(0, I),
which nothing trains the codes towards: those samples and their fd say little about the RAE. Extending a
finished run (resume with a larger train.steps) fits the mixture again at the new last step.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from ..config import Config, LossConfig
from ..losses import reconstruction
from ..nets import build_networks
from .base import AutoEncoder, BaseTrainer, apply_update
from ..sampling import gaussian_mixture, sample_mixture
from .wae_mmd import per_sample_cost



def latent_penalty(codes: torch.Tensor) -> torch.Tensor:
    """L_Z = ||z||^2 / 2 per sample, batch mean."""
    return 0.5 * codes.pow(2).sum(dim=1).mean()


def decoder_l2(decoder: nn.Module) -> torch.Tensor:
    """L_REG = ||theta_D||^2: the sum of squares of every decoder parameter."""
    return sum(p.pow(2).sum() for p in decoder.parameters())


def rae_objective(model: AutoEncoder, x: torch.Tensor, loss_cfg: LossConfig) -> tuple[torch.Tensor, dict[str, Any]]:
    """The loss of one batch and its parts: c(x, D(E(x))) + beta L_Z + lambda L_REG."""
    codes = model.encoder(x)
    x_hat = model.decoder(codes)
    latent, l2 = latent_penalty(codes), decoder_l2(model.decoder)
    total = (per_sample_cost(x, x_hat, loss_cfg.recon) + loss_cfg.rae_latent_weight * latent
             + loss_cfg.rae_decoder_l2 * l2)
    return total, {"x_hat": x_hat, "latent": latent, "decoder_l2": l2}


class RAE(AutoEncoder):
    """A deterministic auto-encoder that generates from a Gaussian mixture fitted to its codes."""

    def __init__(self, encoder: nn.Module, decoder: nn.Module, latent_dim: int, components: int,
                 data_shape: tuple[int, ...] | None = None) -> None:
        super().__init__(encoder, decoder, latent_dim, data_shape)
        eye = torch.eye(latent_dim, dtype=torch.float64)
        self.register_buffer("mixture_fitted", torch.tensor(False))
        self.register_buffer("mixture_weights", torch.full((components,), 1.0 / components, dtype=torch.float64))
        self.register_buffer("mixture_means", torch.zeros(components, latent_dim, dtype=torch.float64))
        self.register_buffer("mixture_cholesky", eye.repeat(components, 1, 1))

    @torch.no_grad()
    def fit_mixture(self, data: torch.Tensor, components: int, seed: int, batch_size: int = 4096) -> None:
        """Fit the mixture to the codes of data (eval mode) and store it in the buffers."""
        codes = self.encoder_outputs(data, batch_size)
        mixture = gaussian_mixture(codes.double().cpu().numpy(), components, seed)
        self.mixture_weights.copy_(torch.from_numpy(mixture.weights_))
        self.mixture_means.copy_(torch.from_numpy(mixture.means_))
        self.mixture_cholesky.copy_(torch.linalg.cholesky(torch.from_numpy(mixture.covariances_)))
        self.mixture_fitted.fill_(True)

    def sample_prior(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Codes from the fitted mixture; N(0, I) before it is fitted (module docstring)."""
        if not bool(self.mixture_fitted):
            return super().sample_prior(n, generator)
        # drawn on the CPU from the CPU generator, as every prior draw is (maskaae/device.py)
        z, _ = sample_mixture(self.mixture_weights.cpu(), self.mixture_means.cpu(), self.mixture_cholesky.cpu(), n,
                              generator)
        return z.to(torch.get_default_dtype()).to(self.device)


def build_model(cfg: Config, data_shape: tuple[int, ...] | list[int]) -> RAE:
    """The run's networks, initialised from cfg.seed (the caller's random state is left as it was)."""
    data_shape = tuple(data_shape)
    with torch.random.fork_rng(devices=[]):
        torch.random.default_generator.manual_seed(cfg.seed)
        encoder, decoder, _ = build_networks(data_shape, cfg.model)
        model = RAE(encoder, decoder, cfg.model.latent_dim, cfg.loss.rae_components, data_shape)
    model.config = cfg.to_dict()
    return model


class Trainer(BaseTrainer):
    def __init__(self, model: RAE, data: torch.Tensor, cfg: Config) -> None:
        super().__init__(model, data, cfg)
        if len(data) < cfg.loss.rae_components:
            raise ValueError(f"loss.rae_components = {cfg.loss.rae_components} exceeds the {len(data)} training "
                             "samples the RAE's mixture is fitted to; lower it")
        self.optimizers["ae"] = self.ae_optimizer([*model.encoder.parameters(), *model.decoder.parameters()])

    def iteration(self) -> dict[str, Any]:
        self.step += 1
        model, loss_cfg = self.model, self.cfg.loss
        model.train()
        x = self._batch()
        total, parts = rae_objective(model, x, loss_cfg)
        apply_update(self.optimizers["ae"], total)
        losses = {"recon": reconstruction(x, parts["x_hat"].detach(), loss_cfg.recon),
                  "latent": parts["latent"].detach(), "decoder_l2": parts["decoder_l2"].detach()}
        if self.step == self.cfg.train.steps:  # the last step: the ex-post density, inside the checkpoint
            model.fit_mixture(self.data, loss_cfg.rae_components, self.cfg.seed)
        return losses
