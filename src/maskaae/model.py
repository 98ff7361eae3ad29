"""The adversarial auto-encoder with a latent mask (SPEC 2).

`MaskAAE` holds an encoder E, a decoder D, a latent critic H and a
`LatentMask`. With the mask disabled it is WAE-GAN: the same model and the
same training loop, with mu fixed to ones.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

from .checkpoint import CheckpointError, atomic_torch_save, safe_load
from .config import Config, EvalConfig, ModelConfig
from .data.arrays import DataError
from .losses import wasserstein_estimate
from .mask import LatentMask
from .models.base import MODEL_FORMAT, AutoEncoder
from .nets import build_networks
from .sampling import CodeDensity
from .versions import saved_config_from_dict
_DEFAULTS, _THRESHOLD = ModelConfig(), EvalConfig().active_threshold  # the config's defaults, not copies


class MaskAAE(AutoEncoder):
    """E: x -> R^m, D: R^m -> x, H: R^m -> R, and the mask mu.

    Generation is x = D(mu * z), z ~ N(0, I_m), with the mask as learned
    (continuous values, SPEC 2); with sampler="mixture", z is drawn from a Gaussian mixture fitted to the
    codes E(x) of the training data on the active dimensions at the end of training (`fit_density`; 0 on the
    others), as the RAE samples.
    """

    def __init__(self, encoder: nn.Module, decoder: nn.Module, critic: nn.Module, latent_dim: int,
                 mask: bool = True, mask_param: str = _DEFAULTS.mask_param,
                 mask_init_max: float = _DEFAULTS.mask_init_max, mask_init_min: float = _DEFAULTS.mask_init_min,
                 active_threshold: float = _THRESHOLD, data_shape: tuple[int, ...] | None = None,
                 generator: torch.Generator | None = None, sampler: str = _DEFAULTS.sampler) -> None:
        super().__init__(encoder, decoder, latent_dim, data_shape)
        self.critic = critic
        self.latent = LatentMask(latent_dim, mask_param, mask_init_max, enabled=mask, generator=generator,
                                 init_min=mask_init_min)
        self.active_threshold = active_threshold
        self.sampler = sampler
        self.density = CodeDensity(latent_dim) if sampler == "mixture" else None

    # -- the parts a user reads -------------------------------------------------
    @property
    def mask_enabled(self) -> bool:
        return self.latent.enabled

    @property
    def mask(self) -> np.ndarray:
        """mu as a numpy array of floats."""
        return self.latent.values().detach().cpu().numpy().astype(np.float64)

    @property
    def active_dims(self) -> int:
        """m_A: the number of dimensions with mu >= active_threshold."""
        return self.latent.active_dims(self.active_threshold)

    def check_more(self, codes: torch.Tensor) -> None:
        scores = self.critic(codes)
        if scores.numel() != len(codes):
            raise DataError(f"the critic outputs {scores.numel() // len(codes)} numbers per code; it must "
                            "output one (last layer of width 1)")

    # -- the maps ---------------------------------------------------------------
    def encode(self, x: torch.Tensor | np.ndarray) -> torch.Tensor:
        """mu * E(x): the code the decoder sees."""
        x = torch.as_tensor(x, dtype=torch.float32)
        self.check_input(x)
        return self.latent(self.encoder(x))

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """D(mu * z)."""
        return self.decoder(self.latent(z))

    def critic_estimate(self, real_codes: torch.Tensor, n: int, generator: torch.Generator) -> float:
        """omega: the critic's Wasserstein estimate between mu * z, z from the prior, and the codes."""
        mu = self.latent.values()
        return float(wasserstein_estimate(self.critic(self.sample_prior(n, generator) * mu), self.critic(real_codes)))

    def generation_codes(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """z for D(mu * z): the fitted mixture's draws with sampler="mixture", else (and before the fit) N(0, I)."""
        if self.density is None or not bool(self.density.fitted):
            return self.sample_prior(n, generator)
        return self.density.sample(n, generator).to(self.device)

    @torch.no_grad()
    def fit_density(self, data: torch.Tensor, seed: int, batch_size: int = 4096) -> None:
        """sampler="mixture": fit the mixture to E(x) of data (eval mode) on the active dimensions."""
        codes = self.encoder_outputs(data, batch_size)
        self.density.fit(codes, torch.from_numpy(np.flatnonzero(self.mask >= self.active_threshold)), seed)

    def post_update(self) -> None:
        """Projection of theta after a mask update (SPEC 2)."""
        self.latent.project_()

    # -- files ------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """State dict plus what is needed to rebuild; never a pickled class."""
        atomic_torch_save({
            "format": MODEL_FORMAT,
            "state": self.state_dict(),
            "latent_dim": self.latent_dim,
            "mask": self.mask_enabled,
            "mask_param": self.latent.param,
            "active_threshold": self.active_threshold,
            "sampler": self.sampler,
            "data_shape": list(self.data_shape) if self.data_shape else None,
            "config": self.config,
        }, path)

    @classmethod
    def load(cls, path: str | Path, encoder: nn.Module | None = None, decoder: nn.Module | None = None,
             critic: nn.Module | None = None) -> "MaskAAE":
        """Load a saved model. Pass your own (fresh) networks when the model was
        built from them; models built from a maskaae config rebuild their own."""
        obj = safe_load(path, MODEL_FORMAT)
        nets = (encoder, decoder, critic)
        if any(n is None for n in nets):
            if any(n is not None for n in nets) or obj.get("config") is None:
                raise CheckpointError(
                    f"{path} holds a model with user-defined networks: pass encoder=, decoder= and critic= "
                    "(fresh instances of the same classes) to MaskAAE.load")
            model = build_model(saved_config_from_dict(obj["config"]), obj["data_shape"])
        else:
            model = cls(encoder, decoder, critic, obj["latent_dim"], mask=obj["mask"],
                        mask_param=obj["mask_param"], active_threshold=obj["active_threshold"],
                        data_shape=obj["data_shape"], sampler=obj.get("sampler", "prior"))
        try:
            model.load_state_dict(obj["state"])
        except RuntimeError as err:
            raise CheckpointError(f"{path} does not match the given networks: {err}") from err
        model.config = obj.get("config")
        return model


def build_model(cfg: Config, data_shape: tuple[int, ...] | list[int]) -> MaskAAE:
    """Networks from the registry plus the mask, initialised from cfg.seed.

    The networks' initialisers draw from torch's global CPU generator; it is seeded with cfg.seed inside
    `fork_rng`, so the caller's random state is the same after the call as before it.
    """
    data_shape = tuple(data_shape)
    with torch.random.fork_rng(devices=[]):
        torch.random.default_generator.manual_seed(cfg.seed)
        encoder, decoder, critic = build_networks(data_shape, cfg.model)
        generator = torch.Generator().manual_seed(cfg.seed)
        model = MaskAAE(encoder, decoder, critic, cfg.model.latent_dim, mask=cfg.model.mask,
                        mask_param=cfg.model.mask_param, mask_init_max=cfg.model.mask_init_max,
                        mask_init_min=cfg.model.mask_init_min,
                        active_threshold=cfg.eval.active_threshold, data_shape=data_shape, generator=generator,
                        sampler=cfg.model.sampler)
    model.config = cfg.to_dict()
    return model
