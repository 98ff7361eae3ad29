"""One MaskAAE training iteration (Algorithm 1) written out from SPEC sections 2-4 in plain PyTorch.

This is the yardstick of bench_step.py and of tests/test_reference_step.py. It imports nothing from
maskaae: the mask values mu = b(theta), the four losses, the lambda3 schedule and the iteration's random
draws are all written here, the textbook way (loss.backward() into every parameter, the gradient penalty by
double backward, separate critic calls for the prior and the code batch). It is deliberately not optimised.

What it takes from the caller: the networks E, D, H and the mask parameter theta (the model), the config's
numbers, and the optimiser objects (the library's TF-style RMSProp has its own closed-form test in
tests/test_optim.py; sharing it means a benchmark times the same parameter updates on both sides).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

# ----------------------------------------------------------------------------------------------------------
# SPEC 2: the mask


def mask_values(model: Any) -> torch.Tensor:
    """mu = 1 - exp(-theta) (authors' projection form), max(0, 1 - exp(-theta)) (paper form); ones when off."""
    theta = model.latent.theta
    if not model.mask_enabled:
        return torch.ones_like(theta)
    mu = 1.0 - torch.exp(-theta)
    return mu.clamp(min=0.0) if model.latent.param == "paper" else mu


@torch.no_grad()
def project_theta(model: Any) -> None:
    """The authors' form keeps theta >= 0 after every mask update (SPEC 2); the paper's form does not."""
    if model.latent.param == "projection":
        model.latent.theta.clamp_(min=0.0)


# ----------------------------------------------------------------------------------------------------------
# SPEC 3: the losses


def reconstruction(x: torch.Tensor, x_hat: torch.Tensor, kind: str) -> torch.Tensor:
    """mse: mean squared error per element; bce: cross-entropy averaged over elements (each log clamped at
    -100, as torch's binary_cross_entropy does); l2: per-sample Euclidean norm, batch mean."""
    if kind == "mse":
        return ((x - x_hat) ** 2).mean()
    if kind == "bce":
        log_p = torch.log(x_hat).clamp(min=-100.0)
        log_q = torch.log(1.0 - x_hat).clamp(min=-100.0)
        return -(x * log_p + (1.0 - x) * log_q).mean()
    if kind == "l2":
        return ((x - x_hat) ** 2).flatten(1).sum(dim=1).sqrt().mean()
    raise ValueError(f"unknown reconstruction loss {kind!r}")


def variance_penalty(codes: torch.Tensor, mu: torch.Tensor, loss: Any) -> torch.Tensor:
    """sum_j delta_j Var_batch(E(x)_j) (or its mean over j), delta_j = exp(-gamma mu_j) or exp(-gamma mu_j^2).

    Var is the biased batch variance (divide by the batch size), as TF's moments compute it."""
    delta = torch.exp(-loss.gamma * (mu if loss.variance_penalty_form == "linear" else mu * mu))
    centred = codes - codes.mean(dim=0)
    weighted = delta * (centred * centred).mean(dim=0)
    return weighted.sum() if loss.variance_penalty_reduction == "sum" else weighted.mean()


def lambda3(step: int, cfg: Any) -> float:
    """lambda3 of iteration `step` (1-based): doubled every reg_schedule_interval steps (paper), or every
    4 x interval steps up to lambda3_max (authors' code); it starts at loss.lambda3_init, else 2 / m."""
    t, m = cfg.train, cfg.model.latent_dim
    init = cfg.loss.lambda3_init if cfg.loss.lambda3_init is not None else 2.0 / m
    interval = t.reg_schedule_interval or (75 if m <= 20 else min(10000, (1125 * m) // 10))
    if t.lambda3_schedule == "paper":
        return init * 2.0 ** (step // interval)
    return min(t.lambda3_max, init * 2.0 ** (step // (4 * interval)))


# ----------------------------------------------------------------------------------------------------------
# SPEC 4: one iteration


@dataclass
class Draws:
    """The random inputs of one iteration: a fresh batch for every step, prior samples z and the gradient
    penalty's eps ~ U[0, 1] per sample."""

    ae: list[torch.Tensor]
    critic: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]  # (x, z, eps) per critic step
    gen: torch.Tensor
    mask: tuple[torch.Tensor, torch.Tensor] | None  # (x, z), or None when the iteration has no mask step


def draw(data: torch.Tensor, generator: torch.Generator, batch_size: int, latent_dim: int, ae_steps: int,
         critic_steps: int, mask_step: bool) -> Draws:
    """Draws from one generator in the order the steps use them: the auto-encoder batches; per critic step
    x, z, eps; the generator batch; the mask step's x, z. A batch is batch_size indices drawn uniformly
    with replacement; z ~ N(0, I_m)."""
    def batch() -> torch.Tensor:
        return data[torch.randint(len(data), (batch_size,), generator=generator)]

    def prior() -> torch.Tensor:
        return torch.randn(batch_size, latent_dim, generator=generator)

    ae = [batch() for _ in range(ae_steps)]
    critic = []
    for _ in range(critic_steps):
        x = batch()
        z = prior()
        eps = torch.rand(batch_size, 1, generator=generator)
        critic.append((x, z, eps))
    gen = batch()
    mask = None
    if mask_step:
        x = batch()
        mask = (x, prior())
    return Draws(ae, critic, gen, mask)


def _zero(model: torch.nn.Module) -> None:
    for p in model.parameters():
        p.grad = None


def iteration(model: Any, optimizers: dict[str, torch.optim.Optimizer], draws: Draws, loss: Any,
              lambda3_value: float) -> None:
    """Algorithm 1's loop body on the given draws. optimizers: "ae" (E and D), "critic" (H), "gen" (E),
    "mask" (theta; used when draws.mask is set)."""
    model.train()
    for x in draws.ae:  # L_ae = alpha1 recon + alpha2 sum_j delta_j Var(E(x)_j), for E and D
        _zero(model)
        mu = mask_values(model).detach()
        codes = model.encoder(x)
        total = loss.alpha1 * reconstruction(x, model.decoder(codes * mu), loss.recon)
        if model.mask_enabled:
            total = total + loss.alpha2 * variance_penalty(codes, mu, loss)
        total.backward()
        optimizers["ae"].step()
    for x, z, eps in draws.critic:  # WGAN-GP, prior samples as the real data, for H
        _zero(model)
        mu = mask_values(model).detach()
        z_code = model.encoder(x).detach() * mu
        z_prior = z * mu
        h_code = model.critic(z_code).mean()
        h_prior = model.critic(z_prior).mean()
        z_avg = (eps * z_prior + (1.0 - eps) * z_code).requires_grad_(True)
        (grad,) = torch.autograd.grad(model.critic(z_avg).sum(), z_avg, create_graph=True)
        penalty = ((grad.norm(dim=1) - 1.0) ** 2).mean()
        (h_code - h_prior + loss.beta2 * penalty).backward()
        optimizers["critic"].step()
    _zero(model)  # L_gen = -mean H(mu E(x)), for E only
    mu = mask_values(model).detach()
    (-model.critic(model.encoder(draws.gen) * mu).mean()).backward()
    optimizers["gen"].step()
    if draws.mask is not None:  # L_mask, for theta only
        x, z = draws.mask
        _zero(model)
        mu = mask_values(model)
        codes = model.encoder(x).detach()
        recon = reconstruction(x, model.decoder(codes * mu), loss.recon)
        omega = model.critic(z * mu).mean() - model.critic(codes * mu).mean()
        binariness = (mu * (mu - 1.0)).abs().sum()
        (loss.lambda1 * recon + loss.lambda2 * (1.0 + omega) ** 2 + lambda3_value * binariness).backward()
        optimizers["mask"].step()
        project_theta(model)
    _zero(model)


def reference_iteration(trainer: Any) -> None:
    """One iteration on a maskaae Trainer's model, optimisers, data and random stream (its public
    attributes only). Algorithm 1 with the paper's gradient-trained mask, or with the mask off; with
    model.discovery=ordered, only the iterations after the decision (no mask step)."""
    cfg, model = trainer.cfg, trainer.model
    step = trainer.step + 1
    ordered = model.mask_enabled and cfg.model.discovery == "ordered"
    if ordered and step <= cfg.train.discovery_steps:
        raise ValueError("the reference has no nested auto-encoder phase: use model.discovery=paper, "
                         "or iterations after train.discovery_steps")
    mask_step = model.mask_enabled and not ordered and step > cfg.train.mask_warmup_steps
    t = cfg.train
    draws = draw(trainer.data, trainer.generator, t.batch_size, cfg.model.latent_dim, t.ae_training_ratio,
                 t.disc_training_ratio, mask_step)
    iteration(model, trainer.optimizers, draws, cfg.loss, lambda3(step, cfg))
    trainer.step = step
