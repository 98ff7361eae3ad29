"""How a trained auto-encoder generates: from its own prior, or from a Gaussian mixture fitted to its codes.

Every family generates `model.generate(n)`: decode(z) with z from its prior (MaskAAE: D(mu * z), z ~ N(0, I),
the paper's sampling; RAE: its mixture; 2-Stage VAE: its second VAE). The ex-post alternative (Ghosh et al.
2020, the RAE's sampler) fits a Gaussian mixture with full covariances to the codes the decoder sees on the
training data, over the active dimensions (MaskAAE: mu_j >= eval.active_threshold; others: all), and
decodes draws from it with the other dimensions at 0. It corrects codes whose distribution the prior
matches only roughly, and cannot do better than the decoder does on reconstructions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

MIXTURE_COMPONENTS = 10  # the RAE authors' default for MNIST-sized data
MIXTURE_MAX_ITER = 2000  # the authors' GaussianMixture settings (my_utility/estimate_density_and_sample.py)
MIXTURE_TOL = 1e-3


def gaussian_mixture(codes: np.ndarray, components: int, seed: int):
    """scikit-learn's GaussianMixture with full covariances fitted to codes (n, m), on one thread."""
    try:
        from sklearn.mixture import GaussianMixture
        from threadpoolctl import threadpool_limits
    except ImportError:
        raise ImportError("a mixture on the codes is fitted with scikit-learn: pip install scikit-learn==1.9.1") \
            from None
    if len(codes) < components:
        raise ValueError(f"a mixture of {components} components needs at least as many samples; the training "
                         f"set has {len(codes)}")
    mixture = GaussianMixture(components, covariance_type="full", max_iter=MIXTURE_MAX_ITER, tol=MIXTURE_TOL,
                              random_state=seed)
    with threadpool_limits(limits=1):
        return mixture.fit(codes)


def sample_mixture(weights: torch.Tensor, means: torch.Tensor, cholesky: torch.Tensor, n: int,
                   generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """n draws z = means[k] + cholesky[k] eps, k ~ weights, eps ~ N(0, I), and their components k."""
    component = torch.multinomial(weights, n, replacement=True, generator=generator)
    eps = torch.randn(n, means.shape[1], generator=generator, dtype=means.dtype)
    z = means[component] + torch.einsum("nij,nj->ni", cholesky[component], eps)
    return z, component


@dataclass(frozen=True)
class CodeMixture:
    """A Gaussian mixture over the active dimensions of the codes a decoder sees."""

    active: torch.Tensor  # indices of the modelled code dimensions
    dim: int  # the code's length
    weights: torch.Tensor
    means: torch.Tensor
    cholesky: torch.Tensor

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """n codes (n, dim): mixture draws on the active dimensions, 0 elsewhere."""
        draws, _ = sample_mixture(self.weights, self.means, self.cholesky, n, generator)
        codes = torch.zeros(n, self.dim, dtype=torch.get_default_dtype())
        codes[:, self.active] = draws.to(codes.dtype)
        return codes


class CodeDensity(torch.nn.Module):
    """A Gaussian mixture over some of the m code dimensions, kept in buffers so that it travels with the model's
    state (checkpoints, devices): draws are the mixture on the modelled dimensions and 0 on the others.
    model.sampler=mixture gives the MaskAAE family one, fitted at the last training step."""

    def __init__(self, latent_dim: int, components: int = MIXTURE_COMPONENTS) -> None:
        super().__init__()
        self.register_buffer("fitted", torch.tensor(False))
        self.register_buffer("weights", torch.full((components,), 1.0 / components, dtype=torch.float64))
        self.register_buffer("means", torch.zeros(components, latent_dim, dtype=torch.float64))
        self.register_buffer("cholesky", torch.zeros(components, latent_dim, latent_dim, dtype=torch.float64))

    def fit(self, codes: torch.Tensor, active: torch.Tensor, seed: int) -> None:
        """Fit the mixture to codes (n, m) on the dimensions `active` (indices); the others draw 0."""
        mixture = gaussian_mixture(codes[:, active].double().cpu().numpy(), len(self.weights), seed)
        block = active.cpu()
        self.means.zero_()
        self.cholesky.zero_()
        self.weights.copy_(torch.from_numpy(mixture.weights_))
        self.means[:, block] = torch.from_numpy(mixture.means_).to(self.means)
        chol = torch.linalg.cholesky(torch.from_numpy(mixture.covariances_)).to(self.cholesky)
        self.cholesky[:, block.unsqueeze(1), block.unsqueeze(0)] = chol
        self.fitted.fill_(True)

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """n draws (n, m) in the default dtype, on the CPU from the CPU generator (maskaae/device.py)."""
        z, _ = sample_mixture(self.weights.cpu(), self.means.cpu(), self.cholesky.cpu(), n, generator)
        return z.to(torch.get_default_dtype())


def active_dimensions(model, threshold: float) -> torch.Tensor:
    """The code dimensions a mixture models: those the mask keeps (all, for a family without a mask)."""
    return torch.from_numpy(np.flatnonzero(np.asarray(model.mask) >= threshold))


@torch.inference_mode()
def fit_code_mixture(model, data: torch.Tensor, threshold: float, seed: int,
                     components: int = MIXTURE_COMPONENTS, batch_size: int = 4096) -> CodeMixture:
    """The mixture fitted to model.encode(data) (the codes its decoder sees) on the active dimensions."""
    model.eval()
    codes = torch.cat([model.encode(data[i:i + batch_size]) for i in range(0, len(data), batch_size)])
    active = active_dimensions(model, threshold)
    mixture = gaussian_mixture(codes[:, active].double().cpu().numpy(), components, seed)
    return CodeMixture(active, codes.shape[1], torch.from_numpy(mixture.weights_),
                       torch.from_numpy(mixture.means_),
                       torch.linalg.cholesky(torch.from_numpy(mixture.covariances_)))


@torch.inference_mode()
def decode_mixture(model, mixture: CodeMixture, n: int, generator: torch.Generator | None = None,
                   batch_size: int = 4096) -> torch.Tensor:
    """n images decoder(c) on the CPU, c from the mixture (the codes are already what the decoder sees: no
    mask), drawn on the CPU."""
    codes = mixture.sample(n, generator)
    return torch.cat([model.decoder(codes[i:i + batch_size].to(model.device)).cpu() for i in range(0, n, batch_size)])
