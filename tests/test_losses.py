import math

import numpy as np
import pytest
import torch
from torch import nn

from maskaae.losses import (autograd_input_gradient, input_gradient, relu_mlp_layers,
                            binariness, critic_loss, generator_loss, gradient_penalty, mask_loss,
                            per_sample_reconstruction, reconstruction,
                            variance_penalty, variance_weights, wasserstein_estimate)

X = torch.tensor([[0.2, 0.9, 0.5], [1.0, 0.0, 0.3]], dtype=torch.float64)
XH = torch.tensor([[0.1, 0.7, 0.5], [0.6, 0.2, 0.9]], dtype=torch.float64)


def test_mse_by_hand():
    d = (X - XH).numpy()
    assert reconstruction(X, XH, "mse").item() == pytest.approx((d ** 2).sum() / 6)


def test_bce_by_hand():
    x, p = X.numpy(), XH.numpy()
    expected = -(x * np.log(p) + (1 - x) * np.log(1 - p)).mean()
    assert reconstruction(X, XH, "bce").item() == pytest.approx(expected)


def test_l2_is_per_sample_norm_batch_mean():
    x = torch.tensor([[0.0, 0.0], [0.0, 0.0]])
    xh = torch.tensor([[3.0, 4.0], [0.0, 1.0]])
    # norms 5 and 1 -> mean 3 (not the norm of everything, sqrt(26), nor its square)
    assert reconstruction(x, xh, "l2").item() == pytest.approx(3.0)
    # works on image-shaped input too
    assert reconstruction(x.view(2, 1, 2), xh.view(2, 1, 2), "l2").item() == pytest.approx(3.0)


@pytest.mark.parametrize("kind", ["mse", "bce", "l2"])
def test_per_sample_reconstruction_means_to_the_batch_loss(kind):
    assert per_sample_reconstruction(X, XH, kind).mean().item() == pytest.approx(reconstruction(X, XH, kind).item())


def test_unknown_recon():
    with pytest.raises(ValueError):
        reconstruction(X, XH, "l1")


CODES = np.array([[1.0, 2.0, -1.0], [3.0, 0.0, 0.5], [2.0, 5.0, 0.0], [0.0, -1.0, 1.5]])
MU = np.array([0.0, 0.3, 0.9])


@pytest.mark.parametrize("form", ["linear", "squared"])
@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_variance_penalty_against_numpy(form, reduction):
    gamma = 10.0
    delta = np.exp(-gamma * MU) if form == "linear" else np.exp(-gamma * MU ** 2)
    var = CODES.var(axis=0)  # biased: divide by s
    expected = (delta * var).sum()
    if reduction == "mean":
        expected /= CODES.shape[1]
    got = variance_penalty(torch.tensor(CODES), torch.tensor(MU), gamma, form, reduction).item()
    assert got == pytest.approx(expected, rel=1e-12)


def test_variance_penalty_uses_biased_variance():
    codes = torch.tensor([[0.0], [2.0]], dtype=torch.float64)  # biased var 1, unbiased 2
    got = variance_penalty(codes, torch.zeros(1, dtype=torch.float64), 1.0, "linear", "sum")
    assert got.item() == pytest.approx(1.0)


def test_variance_weights_forms_differ():
    mu = torch.tensor([0.5])
    assert variance_weights(mu, 10.0, "linear").item() == pytest.approx(math.exp(-5.0))
    assert variance_weights(mu, 10.0, "squared").item() == pytest.approx(math.exp(-2.5))
    with pytest.raises(ValueError):
        variance_weights(mu, 10.0, "cubic")
    with pytest.raises(ValueError):
        variance_penalty(torch.zeros(2, 1), mu, 10.0, "linear", "max")


def test_wasserstein_sign():
    h_prior = torch.tensor([1.0, 3.0])  # mean 2
    h_code = torch.tensor([-1.0, 0.0, 1.0])  # mean 0
    assert wasserstein_estimate(h_prior, h_code).item() == pytest.approx(2.0)


def _linear_critic(w, b):
    lin = nn.Linear(len(w), 1).double()
    with torch.no_grad():
        lin.weight.copy_(torch.tensor([w], dtype=torch.float64))
        lin.bias.fill_(b)
    return lin


def test_gradient_penalty_linear_critic_closed_form():
    critic = _linear_critic([3.0, 4.0], 0.7)  # ||w|| = 5 -> GP = 16 everywhere
    g = torch.Generator().manual_seed(0)
    zp = torch.randn(6, 2, generator=g, dtype=torch.float64)
    zc = torch.randn(6, 2, generator=g, dtype=torch.float64)
    eps = torch.rand(6, 1, generator=g, dtype=torch.float64)
    gp = gradient_penalty(critic, zp, zc, eps)
    assert gp.item() == pytest.approx(16.0)
    # differentiable in the critic's parameters: d/dw (||w|| - 1)^2 = 2 (||w|| - 1) w / ||w||
    (gw,) = torch.autograd.grad(gp, critic.weight)
    torch.testing.assert_close(gw, torch.tensor([[2 * 4 * 3 / 5, 2 * 4 * 4 / 5]], dtype=torch.float64))


class _Quadratic(nn.Module):
    """H(z) = 0.5 ||z||^2 * c, gradient c z."""

    def __init__(self, c):
        super().__init__()
        self.c = nn.Parameter(torch.tensor(c, dtype=torch.float64))

    def forward(self, z):
        return 0.5 * self.c * (z ** 2).sum(dim=1, keepdim=True)


def test_gradient_penalty_quadratic_critic_closed_form():
    critic = _Quadratic(2.0)
    zp = torch.tensor([[1.0, 0.0], [0.0, 2.0]], dtype=torch.float64)
    zc = torch.tensor([[0.0, 0.0], [0.0, 0.0]], dtype=torch.float64)
    eps = torch.tensor([[0.5], [0.25]], dtype=torch.float64)
    # z_avg = eps * zp + (1 - eps) * zc = [0.5, 0], [0, 0.5]; grad = 2 z_avg, norms 1 and 1 -> GP 0
    assert gradient_penalty(critic, zp, zc, eps).item() == pytest.approx(0.0, abs=1e-12)
    # eps weights the prior: swapping prior and code changes z_avg to [0.5,0] and [0,1.5]: norms 1, 3 -> GP 2
    assert gradient_penalty(critic, zc, zp, eps).item() == pytest.approx((0 + 4) / 2)


def test_gradient_penalty_matches_finite_differences():
    torch.manual_seed(0)
    critic = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 1)).double()
    zp = torch.randn(4, 3, dtype=torch.float64)
    zc = torch.randn(4, 3, dtype=torch.float64)
    eps = torch.rand(4, 1, dtype=torch.float64)
    z_avg = eps * zp + (1 - eps) * zc
    h = 1e-6
    expected = 0.0
    with torch.no_grad():
        for i in range(4):
            g = []
            for j in range(3):
                e = torch.zeros(3, dtype=torch.float64)
                e[j] = h
                g.append((critic(z_avg[i] + e) - critic(z_avg[i] - e)).item() / (2 * h))
            expected += (np.linalg.norm(g) - 1.0) ** 2 / 4
    assert gradient_penalty(critic, zp, zc, eps).item() == pytest.approx(expected, rel=1e-6)


def test_critic_loss_is_minus_omega_plus_beta2_gp():
    critic = _linear_critic([3.0, 4.0], 0.0)  # H(z) = 3 z1 + 4 z2, GP = 16
    zp = torch.tensor([[1.0, 1.0], [1.0, 0.0]], dtype=torch.float64)  # H = 7, 3 -> mean 5
    zc = torch.tensor([[0.0, 0.0], [0.0, -1.0]], dtype=torch.float64)  # H = 0, -4 -> mean -2
    eps = torch.full((2, 1), 0.5, dtype=torch.float64)
    loss, omega = critic_loss(critic, zp, zc, eps, beta2=10.0)
    assert omega.item() == pytest.approx(7.0)
    # L = mean H(code) - mean H(prior) + 10 * 16
    assert loss.item() == pytest.approx(-2.0 - 5.0 + 160.0)
    assert not omega.requires_grad and loss.requires_grad


def test_generator_loss_sign():
    assert generator_loss(torch.tensor([1.0, 2.0, 6.0])).item() == pytest.approx(-3.0)


def test_mask_loss_with_numbers():
    mu = torch.tensor([0.0, 0.5, 1.0, 0.2])
    # |mu (mu - 1)| = 0, 0.25, 0, 0.16 -> 0.41
    assert binariness(mu).item() == pytest.approx(0.41)
    got = mask_loss(torch.tensor(0.3), torch.tensor(-3.0), mu, lambda1=1000.0, lambda2=2.0, lambda3=0.5)
    # 1000 * 0.3 + 2 * (1 - 3)^2 + 0.5 * 0.41
    assert got.item() == pytest.approx(300.0 + 8.0 + 0.205)


# --- closed-form input gradient of ReLU critics ---------------------------------------------


@pytest.mark.parametrize("depth", [0, 1, 3])
def test_closed_form_input_gradient_matches_autograd(depth):
    torch.manual_seed(depth)
    layers = []
    dim = 5
    for _ in range(depth):
        layers += [torch.nn.Linear(dim, 7), torch.nn.ReLU()]
        dim = 7
    critic = torch.nn.Sequential(*layers, torch.nn.Linear(dim, 1)).double()
    z = torch.randn(11, 5, dtype=torch.float64)
    closed = input_gradient(critic, z)
    reference = autograd_input_gradient(critic, z)
    torch.testing.assert_close(closed, reference, rtol=1e-12, atol=1e-12)
    # and the penalty's gradients in the weights agree (first-order vs double backward)
    eps = torch.rand(11, 1, dtype=torch.float64)
    z2 = torch.randn(11, 5, dtype=torch.float64)
    params = list(critic.parameters())
    g_closed = torch.autograd.grad(gradient_penalty(critic, z, z2, eps), params, allow_unused=True)
    g_ref = torch.autograd.grad(gradient_penalty(critic, z, z2, eps, closed_form=False), params,
                                allow_unused=True)
    for a, b in zip(g_closed, g_ref):
        if a is None or b is None:
            assert (a is None or not a.abs().any()) and (b is None or not b.abs().any())
        else:
            torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


def test_relu_mlp_detection():
    lin = torch.nn.Linear
    assert relu_mlp_layers(torch.nn.Sequential(lin(2, 3), torch.nn.ReLU(), lin(3, 1))) is not None
    assert relu_mlp_layers(torch.nn.Sequential(lin(2, 3), torch.nn.Tanh(), lin(3, 1))) is None
    assert relu_mlp_layers(lin(2, 1)) is None
    # a critic that is not a plain ReLU MLP still gets the exact (autograd) gradient
    critic = torch.nn.Sequential(lin(2, 3), torch.nn.Tanh(), lin(3, 1))
    z = torch.randn(4, 2)
    torch.testing.assert_close(input_gradient(critic, z), autograd_input_gradient(critic, z))
