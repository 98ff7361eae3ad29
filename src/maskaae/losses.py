"""The four MaskAAE losses (SPEC 3; paper eqs. 14-17).

Each function takes tensors (and, where it must evaluate it, the critic), so
the tests can compare it against a hand computation.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


AUTOCAST_DEVICES = ("cpu", "cuda", "mps")  # torch.is_autocast_enabled raises for others (such as meta)


def binary_cross_entropy(p: torch.Tensor, x: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """F.binary_cross_entropy in float32 also under autocast (train.precision=bf16), which refuses it on CUDA:
    log(p) near 0 and 1 needs more than bfloat16's 8 bits of mantissa."""
    if p.device.type in AUTOCAST_DEVICES and torch.is_autocast_enabled(p.device.type):
        with torch.autocast(p.device.type, enabled=False):
            return F.binary_cross_entropy(p.float(), x.float(), reduction=reduction)
    return F.binary_cross_entropy(p, x, reduction=reduction)


def reconstruction(x: torch.Tensor, x_hat: torch.Tensor, kind: str) -> torch.Tensor:
    """recon(x, x_hat). mse: mean over elements; bce: binary cross-entropy mean
    over elements (the authors' MNIST loss); l2: per-sample Euclidean norm
    ||x - x_hat||, batch mean (the paper's eq. 14 as written)."""
    if kind == "mse":
        return F.mse_loss(x_hat, x)
    if kind == "bce":
        return binary_cross_entropy(x_hat, x)
    if kind == "l2":
        return (x - x_hat).flatten(1).norm(dim=1).mean()
    raise ValueError(f"unknown reconstruction loss {kind!r}; use 'mse', 'bce' or 'l2'")


def per_sample_reconstruction(x: torch.Tensor, x_hat: torch.Tensor, kind: str) -> torch.Tensor:
    """recon(x_i, x_hat_i) for each sample i (shape (batch,)); its batch mean is `reconstruction`."""
    if kind == "mse":
        return ((x_hat - x) ** 2).flatten(1).mean(1)
    if kind == "bce":
        return binary_cross_entropy(x_hat, x, reduction="none").flatten(1).mean(1)
    if kind == "l2":
        return (x - x_hat).flatten(1).norm(dim=1)
    raise ValueError(f"unknown reconstruction loss {kind!r}; use 'mse', 'bce' or 'l2'")


def variance_weights(mu: torch.Tensor, gamma: float, form: str) -> torch.Tensor:
    """delta_j = exp(-gamma mu_j) (paper) or exp(-gamma mu_j^2) (authors' code)."""
    if form == "linear":
        return torch.exp(-gamma * mu)
    if form == "squared":
        return torch.exp(-gamma * mu * mu)
    raise ValueError(f"unknown variance_penalty_form {form!r}; use 'linear' or 'squared'")


def variance_penalty(codes: torch.Tensor, mu: torch.Tensor, gamma: float, form: str,
                     reduction: str) -> torch.Tensor:
    """delta^T Diag(A): batch variance of each code dimension weighted by delta.

    Var is the biased batch variance (divide by s), as TF's moments compute it.
    reduction 'sum' is the paper's inner product; 'mean' the authors' code (1/m).
    """
    weighted = variance_weights(mu, gamma, form) * codes.var(dim=0, unbiased=False)
    if reduction == "sum":
        return weighted.sum()
    if reduction == "mean":
        return weighted.mean()
    raise ValueError(f"unknown variance_penalty_reduction {reduction!r}; use 'sum' or 'mean'")


def wasserstein_estimate(h_prior: torch.Tensor, h_code: torch.Tensor) -> torch.Tensor:
    """omega = mean H(mu z) - mean H(mu E(x))."""
    return h_prior.mean() - h_code.mean()


def relu_mlp_layers(critic: nn.Module) -> list[nn.Linear] | None:
    """The Linear layers of a critic that is Sequential(Linear, ReLU, ..., Linear), else None."""
    if not isinstance(critic, nn.Sequential) or len(critic) % 2 == 0:
        return None
    for i, layer in enumerate(critic):
        if not isinstance(layer, nn.Linear if i % 2 == 0 else nn.ReLU):
            return None
    return [critic[i] for i in range(0, len(critic), 2)]


def _relu_mlp_forward(layers: list[nn.Linear], z: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """Output and the ReLU gates (pre-activation > 0) of every hidden layer."""
    gates = []
    h = z
    for layer in layers[:-1]:
        a = layer(h)
        gate = a > 0
        gates.append(gate)
        h = a * gate
    return layers[-1](h), gates


def _relu_mlp_input_gradient(layers: list[nn.Linear], gates: list[torch.Tensor], batch: int) -> torch.Tensor:
    """dH/dz = W_1^T D_1 W_2^T D_2 ... W_L^T, D_i = diag(gate_i), row by row.

    A ReLU network is piecewise linear, so this closed form equals autograd's
    input gradient, and differentiating it in the weights needs only first-order
    autograd (no double backward, which torch.compile cannot handle either).
    """
    g = layers[-1].weight.expand(batch, -1)
    for layer, gate in zip(reversed(layers[:-1]), reversed(gates)):
        g = (g * gate) @ layer.weight
    return g


def autograd_input_gradient(critic: nn.Module, z: torch.Tensor) -> torch.Tensor:
    """dH/dz through autograd, with the graph kept for a second differentiation."""
    z = z.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(z).sum(), z, create_graph=True)
    return grad


def input_gradient(critic: nn.Module, z: torch.Tensor, closed_form: bool = True) -> torch.Tensor:
    """dH/dz, differentiable in the critic's parameters: closed form for a plain ReLU MLP, else autograd."""
    layers = relu_mlp_layers(critic) if closed_form else None
    if layers is None or len(z) == 0:
        return autograd_input_gradient(critic, z)
    _, gates = _relu_mlp_forward(layers, z.detach())
    return _relu_mlp_input_gradient(layers, gates, len(z))


def gradient_penalty(critic: nn.Module, z_prior: torch.Tensor, z_code: torch.Tensor,
                     eps: torch.Tensor, closed_form: bool = True) -> torch.Tensor:
    """mean_i (||grad H(z_avg_i)|| - 1)^2, z_avg = eps mu z + (1 - eps) mu z_hat (SPEC 3.2).

    z_prior and z_code are already masked; eps has shape (s, 1).
    closed_form=False forces double backward (the reference the closed form is tested against).
    """
    z_avg = eps * z_prior + (1.0 - eps) * z_code
    grad = input_gradient(critic, z_avg, closed_form)
    return ((grad.norm(dim=1) - 1.0) ** 2).mean()


def critic_loss(critic: nn.Module, z_prior: torch.Tensor, z_code: torch.Tensor, eps: torch.Tensor,
                beta2: float) -> tuple[torch.Tensor, torch.Tensor]:
    """L_dm = mean H(mu z_hat) - mean H(mu z) + beta2 GP; returns (loss, omega)."""
    omega = wasserstein_estimate(*critic_pair(critic, z_prior, z_code))
    return -omega + beta2 * gradient_penalty(critic, z_prior, z_code, eps), omega.detach()


def critic_pair(critic: nn.Module, z_prior: torch.Tensor, z_code: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(H(z_prior), H(z_code)) from one forward pass over both batches (fewer, larger matmuls)."""
    h = critic(torch.cat([z_prior, z_code]))
    return h[: len(z_prior)], h[len(z_prior):]


def generator_loss(h_code: torch.Tensor) -> torch.Tensor:
    """L_gen = -mean H(mu E(x))."""
    return -h_code.mean()


def binariness(mu: torch.Tensor) -> torch.Tensor:
    """sum_j |mu_j (mu_j - 1)|: zero exactly when mu is binary."""
    return (mu * (mu - 1.0)).abs().sum()


def mask_loss(recon: torch.Tensor, omega: torch.Tensor, mu: torch.Tensor, lambda1: float, lambda2: float,
              lambda3: float) -> torch.Tensor:
    """L_mask = lambda1 recon + lambda2 (1 + omega)^2 + lambda3 sum_j |mu_j (mu_j - 1)| (eq. 17)."""
    return lambda1 * recon + lambda2 * (1.0 + omega) ** 2 + lambda3 * binariness(mu)
