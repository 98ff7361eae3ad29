"""The learned latent mask mu = b(theta) (SPEC 2, paper section 4.2).

A `LatentMask` multiplies any code by mu. It can sit after any encoder: give it
the code's width and call it on the code. `enabled=False` fixes mu to ones,
which turns MaskAAE into WAE-GAN without a second code path.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import nn

from .config import EvalConfig, ModelConfig
from .metrics.latent import active_indices

_DEFAULTS, _THRESHOLD = ModelConfig(), EvalConfig().active_threshold  # one source for the defaults


class LatentMask(nn.Module):
    """mu = b(theta), theta ~ U[init_min, init_max] at initialisation (the paper: U[0, a]).

    param="projection" (the authors' code): mu = 1 - exp(-theta) and theta is
    projected back to >= 0 after every update, so a dimension at 0 still has a
    gradient and can come back.
    param="paper": mu = max(0, 1 - exp(-theta)); theta may go negative, where
    mu and its gradient are 0, so a switched-off dimension stays off.
    """

    def __init__(self, dim: int, param: Literal["projection", "paper"] = _DEFAULTS.mask_param,
                 init_max: float = _DEFAULTS.mask_init_max, enabled: bool = True,
                 generator: torch.Generator | None = None, init_min: float = _DEFAULTS.mask_init_min) -> None:
        super().__init__()
        if dim < 1:
            raise ValueError(f"mask dimension must be >= 1, got {dim}")
        if param not in ("projection", "paper"):
            raise ValueError(f"mask param must be 'projection' or 'paper', got {param!r}")
        if not 0.0 <= init_min < init_max:
            raise ValueError(f"mask init range needs 0 <= init_min < init_max, got [{init_min}, {init_max}]")
        self.dim = dim
        self.param = param
        self.enabled = enabled
        theta = torch.rand(dim, generator=generator) * (init_max - init_min) + init_min
        # A disabled mask keeps theta (so checkpoints have one layout) but never trains it.
        self.theta = nn.Parameter(theta, requires_grad=enabled)

    def values(self) -> torch.Tensor:
        """mu, shape (dim,); ones when the mask is disabled."""
        if not self.enabled:
            return torch.ones_like(self.theta)
        mu = 1.0 - torch.exp(-self.theta)
        if self.param == "paper":
            mu = torch.clamp(mu, min=0.0)
        return mu

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        if z.shape[-1] != self.dim:
            raise ValueError(f"mask expects codes with last dimension {self.dim}, got shape {tuple(z.shape)}")
        if not self.enabled:
            return z
        return z * self.values()

    @torch.no_grad()
    def project_(self) -> None:
        """Keep theta >= 0 in the projection form; a no-op in the paper's form."""
        if self.enabled and self.param == "projection":
            self.theta.clamp_(min=0.0)

    def active(self, threshold: float = _THRESHOLD) -> torch.Tensor:
        """Boolean vector of dimensions with mu >= threshold (maskaae.metrics.active_indices decides)."""
        out = torch.zeros(self.dim, dtype=torch.bool)
        out[torch.from_numpy(active_indices(self.values().detach().cpu().numpy(), threshold))] = True
        return out

    def active_dims(self, threshold: float = _THRESHOLD) -> int:
        return int(self.active(threshold).sum())

    def extra_repr(self) -> str:
        return f"dim={self.dim}, param={self.param}, enabled={self.enabled}"
