"""A straightforward PyTorch implementation of one MaskAAE training iteration.

This is the yardstick of bench_step.py and of tests/test_reference_step.py:
the textbook way to write Algorithm 1 (loss.backward() over everything, the
gradient penalty by double backward, separate critic calls), computing the
same maths as maskaae.train. It is deliberately not optimised.
"""

from __future__ import annotations

import torch

from maskaae.losses import reconstruction, variance_penalty
from maskaae.train import Trainer


def _zero(model: torch.nn.Module) -> None:
    for p in model.parameters():
        p.grad = None


def reference_iteration(trainer: Trainer) -> None:
    """One iteration with the same random draws, in the same order, as Trainer.iteration."""
    trainer.step += 1
    cfg, model, opt = trainer.cfg, trainer.model, trainer.optimizers
    loss = cfg.loss
    for _ in range(cfg.train.ae_training_ratio):
        x = trainer._batch()
        _zero(model)
        mu = model.latent.values().detach()
        codes = model.encoder(x)
        total = loss.alpha1 * reconstruction(x, model.decoder(codes * mu), loss.recon)
        if model.mask_enabled:
            total = total + loss.alpha2 * variance_penalty(codes, mu, loss.gamma, loss.variance_penalty_form,
                                                           loss.variance_penalty_reduction)
        total.backward()
        opt["ae"].step()
    for _ in range(cfg.train.disc_training_ratio):
        x, z = trainer._batch(), trainer._prior()
        eps = torch.rand(cfg.train.batch_size, 1, generator=trainer.generator)
        _zero(model)
        mu = model.latent.values().detach()
        z_code = model.encoder(x).detach() * mu
        z_prior = z * mu
        omega = model.critic(z_prior).mean() - model.critic(z_code).mean()
        z_avg = (eps * z_prior + (1 - eps) * z_code).requires_grad_(True)
        (grad,) = torch.autograd.grad(model.critic(z_avg).sum(), z_avg, create_graph=True)
        penalty = ((grad.norm(dim=1) - 1) ** 2).mean()
        (-omega + loss.beta2 * penalty).backward()
        opt["critic"].step()
    x = trainer._batch()
    _zero(model)
    mu = model.latent.values().detach()
    (-model.critic(model.encoder(x) * mu).mean()).backward()
    opt["gen"].step()
    if model.mask_enabled:
        x, z = trainer._batch(), trainer._prior()
        _zero(model)
        mu = model.latent.values()
        codes = model.encoder(x).detach()
        recon = reconstruction(x, model.decoder(codes * mu), loss.recon)
        omega = model.critic(z * mu).mean() - model.critic(codes * mu).mean()
        total = (loss.lambda1 * recon + loss.lambda2 * (1 + omega) ** 2
                 + trainer.lambda3() * (mu * (mu - 1)).abs().sum())
        total.backward()
        opt["mask"].step()
        model.post_update()
    _zero(model)
