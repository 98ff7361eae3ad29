"""Algorithm 1 (SPEC 4): the four optimisation steps, the lambda3 schedule,
and a `Trainer` whose whole state (weights, optimisers, random stream, step)
fits in one state dict, so a resumed run is identical to an uninterrupted one.

Nothing here touches files; `runs.py` wraps this in a run folder.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from typing import Any, Callable

import torch

from .config import Config, ConfigError, LossConfig, TrainConfig, config_from_dict
from .data.arrays import DataError, as_tensor
from .discovery.schedule import Decisions, OrderedDiscovery
from .losses import (critic_loss, critic_pair, generator_loss, mask_loss, reconstruction, variance_penalty,
                     wasserstein_estimate)
from .model import MaskAAE
from .models.base import BaseTrainer, TrainingDiverged, apply_update  # noqa: F401 - TrainingDiverged re-exported
from .optim import cosine, make_optimizer, set_learning_rate
from .versions import saved_config_from_dict


# ----------------------------------------------------------------------------
# lambda3 schedule

def default_reg_interval(latent_dim: int) -> int:
    """The authors' reg_schedule_interval: 75 if m <= 20 else min(10000, floor(1125 m / 10))."""
    return 75 if latent_dim <= 20 else min(10000, (1125 * latent_dim) // 10)


def lambda3_at(step: int, init: float, schedule: str, interval: int, cap: float) -> float:
    """lambda3 used by the mask update of iteration `step` (1-based).

    Algorithm 1 doubles lambda3 when step % interval == 0, just before the mask
    update, so iteration i sees init * 2^floor(i / interval) (paper). The
    authors' code doubles every 4 * interval steps and stops at `cap`.
    """
    if schedule == "paper":
        return init * 2.0 ** min(step // interval, 1000)
    if schedule == "code":
        return min(cap, init * 2.0 ** min(step // (4 * interval), 1000))
    raise ValueError(f"unknown lambda3 schedule {schedule!r}; use 'paper' or 'code'")


# ----------------------------------------------------------------------------
# The four steps. Each objective computes one step's loss from the model and
# its batch; `apply_update` takes gradients for that step's own parameters only
# (torch.autograd.grad with inputs=those parameters) and steps its optimiser.
# The objectives are plain functions so that `train.compile` can hand them to
# torch.compile unchanged.

def ae_objective(model: MaskAAE, x: torch.Tensor, loss: LossConfig) -> tuple[torch.Tensor, torch.Tensor]:
    """L_ae = alpha1 recon + alpha2 sum_j delta_j Var(E(x)_j) for E and D. Returns (L_ae, recon)."""
    mu = model.latent.values().detach()
    codes = model.encoder(x)
    recon = reconstruction(x, model.decoder(codes * mu), loss.recon)
    total = loss.alpha1 * recon
    if model.mask_enabled:
        total = total + loss.alpha2 * variance_penalty(codes, mu, loss.gamma, loss.variance_penalty_form,
                                                       loss.variance_penalty_reduction)
    return total, recon.detach()


def critic_objective(model: MaskAAE, x: torch.Tensor, z: torch.Tensor, eps: torch.Tensor,
                     beta2: float) -> tuple[torch.Tensor, torch.Tensor]:
    """WGAN-GP critic loss L_dm for H. Returns (L_dm, omega)."""
    with torch.no_grad():
        mu = model.latent.values()
        z_code = model.encoder(x) * mu
    return critic_loss(model.critic, z * mu, z_code, eps, beta2)


def generator_objective(model: MaskAAE, x: torch.Tensor) -> torch.Tensor:
    """L_gen = -mean H(mu E(x)) for E."""
    mu = model.latent.values().detach()
    return generator_loss(model.critic(model.encoder(x) * mu))


def mask_objective(model: MaskAAE, x: torch.Tensor, z: torch.Tensor, lambda3: torch.Tensor,
                   loss: LossConfig) -> torch.Tensor:
    """L_mask (eq. 17) for theta."""
    mu = model.latent.values()
    with torch.no_grad():
        codes = model.encoder(x)
    recon = reconstruction(x, model.decoder(codes * mu), loss.recon)
    omega = wasserstein_estimate(*critic_pair(model.critic, z * mu, codes * mu))
    return mask_loss(recon, omega, mu, loss.lambda1, loss.lambda2, lambda3)


def nested_objective(model: MaskAAE, x: torch.Tensor, keep: torch.Tensor, loss: LossConfig) -> torch.Tensor:
    """Reconstruction from the first k_i code dimensions of each sample (model.discovery=ordered, phase 1)."""
    return reconstruction(x, model.decoder(model.encoder(x) * keep), loss.recon)


def decoder_objective(model: MaskAAE, codes: torch.Tensor, x: torch.Tensor, loss: LossConfig) -> torch.Tensor:
    """Reconstruction of x from its fixed code mu * E(x), for D alone (train.decoder_share)."""
    return reconstruction(x, model.decoder(codes), loss.recon)


CODE_CHUNK = 4096  # training samples encoded at a time for the decoder phase's codes


def fixed_codes(model: MaskAAE, data: torch.Tensor) -> torch.Tensor:
    """mu * E(x) for every training sample, the encoder in eval mode (its batch-norm statistics, as samples and
    reconstructions are made), in chunks of CODE_CHUNK: the decoder phase's inputs."""
    was_training = model.training
    model.eval()
    with torch.no_grad():
        mu = model.latent.values()
        codes = torch.cat([model.encoder(data[i:i + CODE_CHUNK]) * mu for i in range(0, len(data), CODE_CHUNK)])
    model.train(was_training)
    return codes


def ae_step(model: MaskAAE, optimizer: torch.optim.Optimizer, x: torch.Tensor, loss: LossConfig,
            objective: Callable[..., Any] = ae_objective) -> torch.Tensor:
    """Updates E and D by L_ae. Returns recon."""
    total, recon = objective(model, x, loss)
    apply_update(optimizer, total)
    return recon


def critic_step(model: MaskAAE, optimizer: torch.optim.Optimizer, x: torch.Tensor, z: torch.Tensor,
                eps: torch.Tensor, beta2: float,
                objective: Callable[..., Any] = critic_objective) -> tuple[torch.Tensor, torch.Tensor]:
    """Updates H by L_dm. Returns (loss, omega)."""
    total, omega = objective(model, x, z, eps, beta2)
    apply_update(optimizer, total)
    return total.detach(), omega


def generator_step(model: MaskAAE, optimizer: torch.optim.Optimizer, x: torch.Tensor,
                   objective: Callable[..., Any] = generator_objective) -> torch.Tensor:
    """Updates E only by L_gen."""
    total = objective(model, x)
    apply_update(optimizer, total)
    return total.detach()


def mask_step(model: MaskAAE, optimizer: torch.optim.Optimizer, x: torch.Tensor, z: torch.Tensor,
              lambda3: float, loss: LossConfig, objective: Callable[..., Any] = mask_objective) -> torch.Tensor:
    """Updates theta only by L_mask, then projects it (SPEC 2)."""
    # lambda3 as a tensor: a compiled objective then does not recompile when the schedule doubles it.
    total = objective(model, x, z, torch.tensor(lambda3, device=x.device), loss)
    apply_update(optimizer, total)
    model.post_update()
    return total.detach()


def decoder_start(train: TrainConfig, steps: int) -> int:
    """The last step before train.decoder_share's decoder-only phase in a run of `steps` steps."""
    return steps - round(train.decoder_share * steps)


OBJECTIVES = {"ae": ae_objective, "critic": critic_objective, "gen": generator_objective, "mask": mask_objective,
              "nested": nested_objective, "decoder": decoder_objective}
# ----------------------------------------------------------------------------

class Trainer(BaseTrainer):
    """Runs Algorithm 1 on a model and an in-memory training tensor."""

    def __init__(self, model: MaskAAE, data: torch.Tensor, cfg: Config) -> None:
        super().__init__(model, data, cfg)
        t = cfg.train
        self.optimizers: dict[str, torch.optim.Optimizer] = {
            "ae": make_optimizer([*model.encoder.parameters(), *model.decoder.parameters()], t.lr_ae, t.optimizer),
            "critic": make_optimizer(model.critic.parameters(), t.lr_critic, t.optimizer),
            "gen": make_optimizer(model.encoder.parameters(), t.lr_gen, t.optimizer),
        }
        # ordered discovery (maskaae/discovery/): nested auto-encoder first, then a fixed prefix mask
        self.ordered = model.mask_enabled and cfg.model.discovery == "ordered"
        self.schedule: OrderedDiscovery | None = None
        if self.ordered:
            self.schedule = OrderedDiscovery(self)
            self.optimizers["nested"] = self.schedule.optimizer
        elif model.mask_enabled:
            self.optimizers["mask"] = make_optimizer([model.latent.theta], t.lr_mask, t.optimizer)
        # train.decoder_share: the last steps train the decoder alone on the codes of the training set (with
        # train.decoder_phase_encoder, the encoder too, through the fixed mask)
        self.codes: torch.Tensor | None = None  # computed when the decoder phase starts or resumes
        self.started: int | None = None  # the decoder phase's first step - 1, once it has begun (the clock's end moves)
        if self.decoder_start < t.steps:
            if not self.can_end_at(t.steps):
                raise ConfigError(
                    f"train.decoder_share={t.decoder_share} starts the decoder phase at step {self.decoder_start}, "
                    f"before ordered discovery ends at step {t.discovery_end}; "
                    "lower train.decoder_share or raise train.steps")
            trained = [*model.encoder.parameters()] if t.decoder_phase_encoder else []
            self.optimizers["decoder"] = torch.optim.Adam([*trained, *model.decoder.parameters()], lr=t.lr_discovery)
        self.objectives = dict(OBJECTIVES)
        if t.compile:
            self._compile()
        self.interval = t.reg_schedule_interval or default_reg_interval(model.latent_dim)

    @property
    def decoder_start(self) -> int:
        """The last step before the decoder phase (train.decoder_share); train.steps when it has none. Once the
        phase has begun, where it began: the clock may then move the end, and the phase runs to it."""
        return self._start(self.cfg.train.steps)

    def _start(self, steps: int) -> int:
        return self.started if self.started is not None else decoder_start(self.cfg.train, steps)

    def phase_ends(self, steps: int) -> list[tuple[str, int]]:
        out = [(p.name, min(p.last, steps)) for p in self.schedule.phases if p.first <= steps] if self.ordered else []
        return out + [("critic", self._start(steps)), ("decoder", steps)]

    def end_free(self, steps: int) -> int:
        """The decoder phase starts at a share of the run from its end."""
        return min(steps - 1, self._start(steps))

    def can_end_at(self, steps: int) -> bool:
        t = self.cfg.train
        start = self._start(steps)
        return super().can_end_at(steps) and (start == steps or not self.ordered or start >= t.discovery_end)

    def stretches(self) -> bool:
        """The decoder phase, once begun, decays its learning rate to 0 at whatever end the clock plans."""
        return self.started is not None

    def _compile(self) -> None:
        """train.compile: the same objectives and optimiser steps through torch.compile (fused kernels,
        the same maths to float rounding). Inductor writes C++ for the CPU, so it needs a compiler."""
        if not any(shutil.which(c) for c in (os.environ.get("CXX"), "g++", "c++", "clang++") if c):
            raise RuntimeError("train.compile=true needs a C++ compiler (g++ or clang++) on PATH; install one "
                               "(e.g. apt install g++) or set train.compile=false")
        options = {"cpp_wrapper": True}  # the generated code calls its kernels from C++, not Python
        self.objectives = {name: torch.compile(f, options=options) for name, f in OBJECTIVES.items()}
        for o in self.optimizers.values():
            o.step = torch.compile(o.step, options=options)

    def lambda3(self, step: int | None = None) -> float:
        t = self.cfg.train
        return lambda3_at(self.step if step is None else step, self.cfg.lambda3_init, t.lambda3_schedule,
                          self.interval, t.lambda3_max)

    def iteration(self) -> dict[str, float]:
        """One pass of Algorithm 1's loop body; returns the step's losses. At the last step, model.sampler=mixture
        fits the generator's mixture to the codes (inside the step, so the checkpoint and the budget hold it)."""
        losses = self._algorithm_step()
        if self.step == self.cfg.train.steps and self.model.density is not None:
            self.model.fit_density(self.data, self.cfg.seed)
        return losses

    def _algorithm_step(self) -> dict[str, float]:
        self.step += 1
        cfg, model, opt, f = self.cfg, self.model, self.optimizers, self.objectives
        model.train()
        if self.discovering:
            return self.schedule.iteration(self.step)
        if self.step > self.decoder_start:
            self.started = self.decoder_start
            return self.decoder_iteration()
        for _ in range(cfg.train.ae_training_ratio):
            recon = ae_step(model, opt["ae"], self._batch(), cfg.loss, f["ae"])
        for _ in range(cfg.train.disc_training_ratio):
            x, z = self._batch(), self._prior()
            eps = self.draw(torch.rand(cfg.train.batch_size, 1, generator=self.generator))
            critic, omega = critic_step(model, opt["critic"], x, z, eps, cfg.loss.beta2, f["critic"])
        gen = generator_step(model, opt["gen"], self._batch(), f["gen"])
        values = [recon, critic, omega, gen]
        if "mask" in opt and self.step > cfg.train.mask_warmup_steps:
            values.append(mask_step(model, opt["mask"], self._batch(), self._prior(), self.lambda3(), cfg.loss,
                                    f["mask"]))
        return dict(zip(["recon", "critic_loss", "wasserstein", "gen_loss", "mask_loss"], values))

    @property
    def discovering(self) -> bool:
        """Whether the current step is one of ordered discovery's nested steps (verification included)."""
        return self.ordered and self.step <= self.cfg.train.discovery_end

    @property
    def phase(self) -> str:
        if self.discovering:
            return self.schedule.phase_at(self.step)
        return "decoder" if self.step > self.decoder_start else "critic"

    @property
    def discovery(self) -> dict[str, Any] | None:
        """What ordered discovery has decided (its record, as runs write it); None without it."""
        return self.schedule.decisions.record() if self.schedule is not None else None

    def state_dict(self) -> dict[str, Any]:
        return {**super().state_dict(), "discovery": self.discovery, "decoder_start": self.started}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        # a checkpoint from before the key: its end never moved inside the phase, which began where the config says
        started = state.get("decoder_start", decoder_start(self.cfg.train, self.cfg.train.steps))
        self.started = started if started is not None and self.step > started else None
        if self.schedule is not None:
            self.schedule.decisions = Decisions.from_record(state.get("discovery"))
        self.codes = None  # from the loaded encoder when the decoder phase next steps

    def decoder_iteration(self) -> dict[str, float]:
        """train.decoder_share: one Adam step of the decoder alone on the fixed codes of a batch (or with
        train.decoder_phase_encoder, of encoder and decoder on the batch through the fixed mask), its learning
        rate lr_discovery cosine-decayed over the phase."""
        t = self.cfg.train
        opt = self.optimizers["decoder"]
        set_learning_rate(opt, cosine(t.lr_discovery, self.step - self.decoder_start - 1, t.steps - self.decoder_start))
        idx = self.indices()
        if t.decoder_phase_encoder:
            keep = self.model.latent.values().detach()
            recon = self.objectives["nested"](self.model, self.data[idx], keep, self.cfg.loss)
        else:
            if self.codes is None:
                self.codes = fixed_codes(self.model, self.data)
            recon = self.objectives["decoder"](self.model, self.codes[idx], self.data[idx], self.cfg.loss)
        apply_update(opt, recon)
        return {"recon": recon.detach()}

    def log_fields(self) -> dict[str, Any]:
        return {"lambda3": self.lambda3(), "active_dims": self.model.active_dims,
                "mask": [round(float(v), 5) for v in self.model.mask]}


def fit(model: MaskAAE, data: Any, config: Config | None = None, steps: int | None = None,
        seed: int | None = None, on_step: Callable[[Trainer, dict[str, float]], None] | None = None) -> MaskAAE:
    """Train `model` on `data` (numpy array, tensor, Dataset or DataLoader) and return it.

    `config` defaults to the default preset's losses and schedule with the
    model's own m and mask switch; `steps` and `seed` override it.
    """
    if isinstance(config, dict):  # a saved config (with its schema_version) is upgraded
        config = saved_config_from_dict(config) if "schema_version" in config else config_from_dict(config)
    elif config is not None and not isinstance(config, Config):
        raise TypeError(f"config must be a maskaae Config or a dict, got {type(config).__name__}; "
                        "build one with maskaae.build_config(preset, overrides=[...])")
    cfg = config or Config()
    cfg = replace(cfg, model=replace(cfg.model, latent_dim=model.latent_dim, mask=model.mask_enabled))
    if steps is not None:
        cfg = replace(cfg, train=replace(cfg.train, steps=steps))
    if seed is not None:
        cfg = replace(cfg, seed=seed)
    cfg.validate()
    x = as_tensor(data, "training data", min_samples=2)
    if model.data_shape is None:
        model.data_shape = tuple(x.shape[1:])
    model.check_input(x)
    model.check_networks(x)
    if cfg.loss.recon == "bce" and (float(x.min()) < 0.0 or float(x.max()) > 1.0):
        raise DataError(f"loss.recon = bce needs data in [0, 1]; this data spans [{float(x.min()):.4g}, "
                        f"{float(x.max()):.4g}]. Scale it to [0, 1] or use loss.recon=mse with a linear decoder")
    trainer = Trainer(model, x, cfg)
    trainer.run(cfg.train.steps, on_step)
    model.eval()
    return model
