"""Model families, chosen by `model.kind` from the registry `MODELS` (issue 12).

A family is one module under maskaae/models/ that provides

    build_model(cfg, data_shape) -> the model (an `models.base.AutoEncoder`: encode, decode, reconstruct,
                                     generate, mask, active_dims, save)
    Trainer(model, data, cfg)    -> its training iteration (`models.base.BaseTrainer`: iteration, run,
                                     state_dict, load_state_dict, log_fields)

The shared layers (data, networks, run folder, checkpoints, metrics, sweep, report, CLI) call only these
and know nothing of any one family. Adding a family is one module and one line below (README, "Add a
model"). This module imports nothing heavy, so the config can validate `model.kind` without torch.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class Family:
    module: str  # the module under maskaae.models that builds and trains it
    description: str

    def load(self) -> ModuleType:
        return importlib.import_module(f"{__name__}.{self.module}")


MODELS: dict[str, Family] = {
    "maskaae": Family("maskaae", "MaskAAE, the paper's model; with model.mask=false it is WAE-GAN"),
    "wae-mmd": Family("wae_mmd", "WAE-MMD (Tolstikhin et al. 2018): the inverse multiquadratic kernel's unbiased "
                                 "MMD between codes and the prior instead of a critic"),
    "vae-bernoulli": Family("vae", "VAE with a Bernoulli decoder (binary cross-entropy; data in [0, 1])"),
    "vae-gaussian": Family("vae", "VAE with a Gaussian decoder of fixed unit variance"),
    "vae-gamma": Family("vae", "VAE with a Gaussian decoder of one learned variance gamma^2 (Dai and Wipf 2019)"),
    "vae-iaf": Family("vae", "VAE with inverse autoregressive flow steps on the posterior (Kingma et al. 2016)"),
    "vae-2stage": Family("two_stage", "2-Stage VAE (Dai and Wipf 2019): a learned-gamma VAE, then a VAE on its codes"),
    "rae": Family("rae", "RAE-L2 (Ghosh et al. 2020): a regularised deterministic AE sampling a mixture on its codes"),
}


# A model by the name results use (the `model` column): each family by its kind, and WAE-GAN, which is the
# maskaae family with the mask off. A sweep's `model` axis takes these names (maskaae/sweep.py), so one grid
# covers all of Table 1.
MODEL_CHOICES: dict[str, dict[str, object]] = {
    "maskaae": {"model.kind": "maskaae", "model.mask": True},
    "wae-gan": {"model.kind": "maskaae", "model.mask": False},
    **{kind: {"model.kind": kind} for kind in MODELS if kind != "maskaae"},
}


def family(kind: str) -> ModuleType:
    """The module of the family `kind` (its build_model and Trainer)."""
    if kind not in MODELS:
        raise ValueError(f"unknown model.kind {kind!r}; choose one of {', '.join(MODELS)}")
    return MODELS[kind].load()
