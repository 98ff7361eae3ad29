"""What every model family shares: the auto-encoder with a N(0, I) prior, and the training loop's state.

`AutoEncoder` holds an encoder E and a decoder D and offers the maps the shared layers use (encode,
decode, reconstruct, generate), the input checks, and saving. `BaseTrainer` holds the random stream (one
generator for every draw of training: batches, prior samples, noise), the step, the optimisers and their
exact state for resume; a family writes `iteration()`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

import math

import numpy as np
import torch
from torch import nn

from ..checkpoint import CheckpointError, atomic_torch_save, safe_load
from ..config import Config
from ..data.arrays import DataError
from ..device import precision_context

MODEL_FORMAT = "maskaae-model-v1"


class TrainingDiverged(RuntimeError):
    def __init__(self, step: int, losses: dict[str, float],
                 advice: str = "lower the learning rates (train.lr_*) or use another seed") -> None:
        bad = ", ".join(f"{k}={v}" for k, v in losses.items() if not math.isfinite(v))
        super().__init__(f"training diverged at step {step}: {bad}; {advice}")
        self.step = step
        self.losses = losses


def finite_losses(step: int, losses: dict[str, Any]) -> dict[str, float]:
    """A step's losses (0-dim tensors or floats) as floats, read from the device (the host synchronisation a
    step has only where its losses are read), or TrainingDiverged when one is NaN or infinite."""
    values = {name: float(value) for name, value in losses.items()}
    if not all(math.isfinite(v) for v in values.values()):
        raise TrainingDiverged(step, values)
    return values


def apply_update(optimizer: torch.optim.Optimizer, loss: torch.Tensor) -> None:
    """Gradients of `loss` for this optimiser's own parameters only, then its step."""
    params = [p for group in optimizer.param_groups for p in group["params"]]
    grads = torch.autograd.grad(loss, params)
    for param, grad in zip(params, grads):
        param.grad = grad
    optimizer.step()


class AutoEncoder(nn.Module):
    """E: x -> R^m, D: R^m -> x, prior N(0, I_m); generation is D(z), z from the prior."""

    def __init__(self, encoder: nn.Module, decoder: nn.Module, latent_dim: int,
                 data_shape: tuple[int, ...] | None = None) -> None:
        super().__init__()
        if latent_dim < 1:
            raise ValueError(f"latent_dim (m) must be >= 1, got {latent_dim}")
        self.encoder = encoder
        self.decoder = decoder
        self.latent_dim = latent_dim
        self.data_shape = tuple(data_shape) if data_shape is not None else None
        self.config: dict[str, Any] | None = None  # the run config, for models built from one

    # -- what a family without a mask reports -------------------------------------
    @property
    def mask_enabled(self) -> bool:
        return False

    @property
    def mask(self) -> np.ndarray:
        """The mask the codes are multiplied by: ones for a family without one."""
        return np.ones(self.latent_dim)

    @property
    def active_dims(self) -> int | None:
        """m_A, for a family that finds one; None otherwise."""
        return None

    # -- checks -------------------------------------------------------------------
    def check_input(self, x: torch.Tensor) -> None:
        if self.data_shape is not None and tuple(x.shape[1:]) != self.data_shape:
            raise ValueError(f"input has sample shape {tuple(x.shape[1:])}, the model expects {self.data_shape}")

    @property
    def code_width(self) -> int:
        """How many numbers the encoder outputs per sample (a VAE's encoder outputs 2m)."""
        return self.latent_dim

    @torch.no_grad()
    def check_networks(self, x: torch.Tensor) -> None:
        """Run the networks once on two samples (eval mode, nothing updated) and say clearly what does not
        fit: input the encoder cannot take, an encoder output of the wrong width, a decoder whose output is
        not shaped like the data (and what `check_more` checks for the family)."""
        was_training = self.training
        self.eval()
        try:
            sample = x[:2]
            try:
                out = self.encoder(sample)
            except RuntimeError as err:
                raise DataError(f"the encoder cannot take samples of shape {tuple(sample.shape[1:])}: "
                                f"{str(err).splitlines()[0]}; give data shaped as the encoder expects (an MLP "
                                "takes vectors: reshape with x.reshape(len(x), -1))") from None
            if out.ndim != 2 or out.shape[1] != self.code_width:
                what = f"latent_dim = {self.latent_dim}" if self.code_width == self.latent_dim \
                    else f"2 x latent_dim = {self.code_width} (a mean and a log-variance per dimension)"
                raise DataError(f"the encoder outputs shape {tuple(out.shape[1:])} per sample; it must output "
                                f"{what} numbers (make its last layer {self.code_width} wide)")
            codes = out[:, :self.latent_dim]
            decoded = self.decoder(codes)
            if tuple(decoded.shape[1:]) != tuple(sample.shape[1:]):
                raise DataError(f"the decoder outputs shape {tuple(decoded.shape[1:])} per sample; the data has "
                                f"{tuple(sample.shape[1:])}")
            self.check_more(codes)
        finally:
            self.train(was_training)

    def check_more(self, codes: torch.Tensor) -> None:
        """A family's own networks beyond E and D (MaskAAE: the critic)."""

    @property
    def device(self) -> torch.device:
        """Where the networks are (maskaae/device.py): inputs are moved there, samples come back to the CPU."""
        return next(self.parameters()).device

    # -- the maps -----------------------------------------------------------------
    def encode(self, x: torch.Tensor | np.ndarray) -> torch.Tensor:
        """The code of x the decoder reconstructs from (for a VAE, the posterior mean), on the model's device."""
        x = torch.as_tensor(x, dtype=torch.float32, device=self.device)
        self.check_input(x)
        return self.encoder(x)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """D(z) for z from the prior."""
        return self.decoder(z)

    def reconstruct(self, x: torch.Tensor | np.ndarray) -> torch.Tensor:
        return self.decoder(self.encode(x))

    def sample_prior(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """n prior draws on the model's device, drawn on the CPU from `generator` (the same on every device)."""
        return torch.randn(n, self.latent_dim, generator=generator).to(self.device)

    @torch.no_grad()
    def encoder_outputs(self, data: torch.Tensor, batch_size: int = 4096) -> torch.Tensor:
        """E(x) of every row of data, in eval mode and in batches, on the model's device (what an ex-post density
        is fitted to); the model's mode is restored."""
        was_training = self.training
        self.eval()
        try:
            return torch.cat([self.encoder(data[i:i + batch_size].to(self.device))
                              for i in range(0, len(data), batch_size)])
        finally:
            self.train(was_training)

    def generation_codes(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """The n codes that `generate` decodes: prior draws (a family with an ex-post density overrides it)."""
        return self.sample_prior(n, generator)

    @torch.inference_mode()
    def generate(self, n: int, generator: torch.Generator | None = None, batch_size: int = 4096) -> torch.Tensor:
        """n samples decode(z), z from generation_codes (the prior, unless a density was fitted), in batches, on
        the CPU."""
        if n < 1:
            raise ValueError(f"number of samples must be >= 1, got {n}")
        was_training = self.training
        self.eval()
        try:
            parts = [self.decode(self.generation_codes(min(batch_size, n - i), generator)).cpu()
                     for i in range(0, n, batch_size)]
        finally:
            self.train(was_training)
        return torch.cat(parts)

    def critic_estimate(self, real_codes: torch.Tensor, n: int, generator: torch.Generator) -> float | None:
        """The held-out Wasserstein estimate between prior and codes, for a family with a critic."""
        return None

    # -- files ----------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """State dict plus the config it was built from; never a pickled class."""
        if self.config is None:
            raise CheckpointError("only models built from a maskaae config (build_model) can be saved this way")
        atomic_torch_save({"format": MODEL_FORMAT, "state": self.state_dict(), "latent_dim": self.latent_dim,
                           "data_shape": list(self.data_shape) if self.data_shape else None,
                           "config": self.config}, path)


def load_model(path: str | Path, device: str = "cpu") -> AutoEncoder:
    """A model saved by `save` from any family, rebuilt from its config (model.kind chooses the family), on
    `device` (a train.device name; the file is read onto the CPU first, whatever device saved it)."""
    from ..device import resolve_device
    from ..versions import saved_config_from_dict
    from . import family

    obj = safe_load(path, MODEL_FORMAT)
    if obj.get("config") is None:
        raise CheckpointError(f"{path} holds a model with user-defined networks: load it with MaskAAE.load and "
                              "pass encoder=, decoder= and critic=")
    cfg = saved_config_from_dict(obj["config"])
    model = family(cfg.model.kind).build_model(cfg, obj["data_shape"])
    try:
        model.load_state_dict(obj["state"])
    except RuntimeError as err:
        raise CheckpointError(f"{path} does not match its config: {err}") from err
    return model.to(resolve_device(device))


class BaseTrainer:
    """The loop, the random stream and the exact state every family's trainer shares."""

    def __init__(self, model: AutoEncoder, data: torch.Tensor, cfg: Config) -> None:
        from ..device import resolve_device

        self.device = resolve_device(cfg.train.device)
        self.model = model.to(self.device)
        self.data = data.to(self.device)  # once: batches are drawn on the device
        self.cfg = cfg
        self.optimizers: dict[str, torch.optim.Optimizer] = {}
        self.generator = torch.Generator().manual_seed(cfg.seed)
        self.step = 0

    def ae_optimizer(self, params: list[torch.nn.Parameter]) -> torch.optim.Optimizer:
        """The optimiser and learning rate of MaskAAE's auto-encoder step (train.optimizer, train.lr_ae), so
        that the families train on equal terms."""
        from ..optim import make_optimizer

        return make_optimizer(params, self.cfg.train.lr_ae, self.cfg.train.optimizer)

    def indices(self, generator: torch.Generator | None = None) -> torch.Tensor:
        """A batch of training-sample indices, drawn with replacement from `generator` (the run's stream by
        default) on the CPU, on the device."""
        return self.draw(torch.randint(len(self.data), (self.cfg.train.batch_size,),
                                       generator=self.generator if generator is None else generator))

    def _batch(self) -> torch.Tensor:
        return self.data[self.indices()]

    def _prior(self) -> torch.Tensor:
        return self.draw(torch.randn(self.cfg.train.batch_size, self.model.latent_dim, generator=self.generator))

    def draw(self, values: torch.Tensor) -> torch.Tensor:
        """Random numbers drawn on the CPU (the run's stream, the same on every device), on the device."""
        return values.to(self.device)

    def iteration(self) -> dict[str, float]:
        """One training step; returns its losses (the first is "recon")."""
        raise NotImplementedError

    def log_fields(self) -> dict[str, Any]:
        """What the run log records at a logged step beside the losses."""
        return {}

    @property
    def phase(self) -> str:
        """The schedule's phase at the current step, as the progress bar names it."""
        return "train"

    @property
    def discovery(self) -> dict[str, Any] | None:
        """What the family decided about its latent space while training, for the run record (MaskAAE's ordered
        discovery: maskaae/train.py); None for a family that decides nothing."""
        return None

    def phase_ends(self, steps: int) -> list[tuple[str, int]]:
        """The schedule of a run of `steps` steps: (phase, its last step) in run order, as `phase` names them."""
        return [("train", steps)]

    def end_free(self, steps: int) -> int:
        """How many leading steps a run of `steps` steps trains alike whatever its last step: the steps the clock
        (maskaae/clock.py) may re-plan the end after. A family whose steps read the end earlier says so."""
        return steps - 1

    def can_end_at(self, steps: int) -> bool:
        """Whether a run of this config may end after `steps` steps (a re-plan must keep the config valid)."""
        return steps >= 1

    def stretches(self) -> bool:
        """Whether the run is in a last phase that began where the plan of its time put it and runs to whatever
        end the clock plans (MaskAAE's decoder phase, the two-stage VAE's second stage): the clock may then move
        the end although the steps done differ from those a run planned for that end would have done."""
        return False

    def set_steps(self, steps: int) -> None:
        """End this run after `steps` steps instead (the clock's re-plan): the steps done so far are those a run
        planned for `steps` would have done, which the clock checks with end_free before it asks."""
        self.cfg = replace(self.cfg, train=replace(self.cfg.train, steps=steps))

    def reads_losses(self, steps: int) -> bool:
        """Whether this step's losses are read: a logged, evaluated or checkpointed step, or the last of `steps`.
        Only then are they copied from the device and checked (finite_losses); in between, a step queues its
        work without waiting for it, and a NaN is caught at the next such step, before any checkpoint."""
        t = self.cfg.train
        return self.step == steps or any(self.step % every == 0
                                         for every in (t.log_every, t.eval_every, t.checkpoint_every))

    def run(self, steps: int | None = None, on_step: Callable[[Any, dict[str, Any]], None] | None = None) -> None:
        """Iterate until `steps` iterations are done in total (continues from self.step); None: until
        train.steps, read at every step (the clock may move it from on_step). `on_step` gets the step's losses as
        floats where reads_losses says so, else as 0-dim tensors."""
        precision = precision_context(self.cfg.train.precision, self.device)
        while self.step < (end := self.cfg.train.steps if steps is None else steps):
            with precision():
                losses = self.iteration()
            if self.reads_losses(end):
                losses = finite_losses(self.step, losses)
            if on_step is not None:
                on_step(self, losses)

    def state_dict(self) -> dict[str, Any]:
        return {"step": self.step, "model": self.model.state_dict(),
                "optimizers": {name: o.state_dict() for name, o in self.optimizers.items()},
                "generator": self.generator.get_state()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.model.load_state_dict(state["model"])
        if set(state["optimizers"]) != set(self.optimizers):
            raise ValueError(f"checkpoint optimisers {sorted(state['optimizers'])} do not match this model's "
                             f"{sorted(self.optimizers)} (model.kind or model.mask differs)")
        for name, o in self.optimizers.items():
            o.load_state_dict(state["optimizers"][name])
        self.generator.set_state(state["generator"])
        self.step = int(state["step"])
