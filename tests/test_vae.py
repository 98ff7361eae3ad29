"""The VAE families (maskaae/models/vae.py): the KL, the likelihoods and the IAF against independent
computations (numpy and scipy formulas, Monte Carlo, autograd Jacobians), and tiny runs through the run layer."""

import json
from dataclasses import replace

import numpy as np
import pytest
import torch
from scipy.stats import norm

from maskaae.data.arrays import DataError
from maskaae.models import MODELS, family
from maskaae.models.base import load_model
from maskaae.models.vae import (IAF, LIKELIHOODS, MADE, VAE, VARIANTS, bernoulli_nll, gamma_nll, gaussian_kl,
                                gaussian_nll, likelihood_of)
from maskaae.presets import build_config
from maskaae.runs import train_run

KINDS = ["vae-bernoulli", "vae-gaussian", "vae-gamma", "vae-iaf"]


def _tiny(tiny_overrides, kind, *more):
    return build_config(overrides=[*tiny_overrides, f"model.kind={kind}", *more])


def _unit_interval_file(path):
    """Vector data in [0, 1] (a Bernoulli decoder's data), as a file run reads it with data.scale=none."""
    rng = np.random.default_rng(0)
    z = rng.normal(size=(320, 2))
    np.save(path, 1.0 / (1.0 + np.exp(-z @ rng.normal(size=(2, 32)))))
    return ["data.name=file", f"data.path={path}", "data.scale=none"]


def test_the_four_kinds_are_registered_to_the_vae_module_and_choose_their_likelihood():
    assert all(MODELS[k].module == "vae" for k in KINDS) and set(VARIANTS) == set(KINDS)
    chosen = {k: likelihood_of(build_config(overrides=[f"model.kind={k}"])) for k in KINDS}
    assert chosen == {"vae-bernoulli": "bernoulli", "vae-gaussian": "gaussian", "vae-gamma": "gamma",
                      "vae-iaf": "gaussian"}
    assert likelihood_of(build_config(overrides=["model.kind=vae-iaf", "loss.recon=bce"])) == "bernoulli"
    cfg = build_config(overrides=["model.kind=vae-iaf", "loss.iaf_steps=3", "model.latent_dim=5"])
    model = family("vae-iaf").build_model(cfg, (128,))
    assert len(model.flow.steps) == 3 and model.log_gamma is None and model.code_width == 10
    assert torch.all(model.flow.steps[0].net[-1].bias[5:] == 1.0)  # sigma starts near 1: close to the identity
    gamma = family("vae-gamma").build_model(build_config(overrides=["model.kind=vae-gamma"]), (128,))
    assert gamma.flow is None and float(gamma.log_gamma.detach()) == 0.0 and "log_gamma" in gamma.state_dict()
    # a Bernoulli decoder outputs probabilities even where model.output says linear
    bern = family("vae-bernoulli").build_model(build_config(overrides=["model.kind=vae-bernoulli",
                                                                       "model.output=linear"]), (128,))
    assert isinstance(bern.decoder[-1], torch.nn.Sigmoid)


def test_the_gaussian_kl_is_the_closed_form_and_the_monte_carlo_mean():
    rng = np.random.default_rng(1)
    mean, logvar = rng.normal(size=(3, 4)), rng.normal(scale=0.7, size=(3, 4))
    sigma = np.exp(0.5 * logvar)
    # by hand: KL of N(mu, s^2) from N(0, 1) is log(1 / s) + (s^2 + mu^2) / 2 - 1 / 2 per dimension
    by_hand = (np.log(1.0 / sigma) + (sigma ** 2 + mean ** 2) / 2 - 0.5).sum(1)
    got = gaussian_kl(torch.from_numpy(mean), torch.from_numpy(logvar)).numpy()
    np.testing.assert_allclose(got, by_hand, rtol=1e-12)

    # Monte Carlo in numpy: mean of log q(z) - log p(z) over z ~ q, within 4 standard errors
    n = 200_000
    z = mean[:, None, :] + sigma[:, None, :] * rng.normal(size=(3, n, 4))
    terms = (norm.logpdf(z, mean[:, None, :], sigma[:, None, :]) - norm.logpdf(z)).sum(2)
    se = terms.std(1) / np.sqrt(n)
    assert np.all(np.abs(terms.mean(1) - by_hand) < 4 * se), (terms.mean(1), by_hand, se)

    # the flow's estimator log q(z_0) - log p(z_0) (a flow of no steps) averages to the same KL
    model = VAE(torch.nn.Identity(), torch.nn.Identity(), 4, None, "gaussian")
    model.flow = IAF(4, 0)
    eps = torch.randn(3, n, 4, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    m_t, lv_t = torch.from_numpy(mean)[:, None].expand(3, n, 4), torch.from_numpy(logvar)[:, None].expand(3, n, 4)
    _, est = model.sample_posterior(m_t.reshape(-1, 4), lv_t.reshape(-1, 4), eps.reshape(-1, 4))
    est = est.reshape(3, n).numpy()
    assert np.all(np.abs(est.mean(1) - by_hand) < 4 * est.std(1) / np.sqrt(n))


def test_each_likelihood_is_its_direct_formula():
    rng = np.random.default_rng(2)
    x, x_hat = rng.uniform(size=(5, 2, 3)), rng.uniform(0.01, 0.99, size=(5, 2, 3))
    tx, th = torch.from_numpy(x), torch.from_numpy(x_hat)
    bce = -(x * np.log(x_hat) + (1 - x) * np.log(1 - x_hat)).reshape(5, -1).sum(1)
    np.testing.assert_allclose(bernoulli_nll(tx, th).numpy(), bce, rtol=1e-12)
    unit = -norm.logpdf(x, x_hat, 1.0).reshape(5, -1).sum(1)
    np.testing.assert_allclose(gaussian_nll(tx, th).numpy(), unit, rtol=1e-12)
    for gamma in (0.05, 1.0, 3.0):
        learned = -norm.logpdf(x, x_hat, gamma).reshape(5, -1).sum(1)
        got = gamma_nll(tx, th, torch.tensor(np.log(gamma), dtype=torch.float64)).numpy()
        np.testing.assert_allclose(got, learned, rtol=1e-12)
    assert LIKELIHOODS["bernoulli"].unit_interval and LIKELIHOODS["gamma"].learned_gamma


def _flow(dim, steps, seed=3):
    torch.manual_seed(seed)
    flow = IAF(dim, steps).double()
    with torch.no_grad():  # larger weights than the initialisation, so every step is far from the identity
        for p in flow.parameters():
            p.mul_(3.0)
    return flow


def test_the_iaf_log_determinant_is_log_abs_det_of_the_flows_jacobian():
    flow = _flow(5, 3)
    z = torch.randn(4, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(4))
    with torch.no_grad():
        _, log_det = flow(z)
    for i in range(len(z)):
        jac = torch.autograd.functional.jacobian(lambda v: flow(v[None])[0][0], z[i])
        sign, logabs = torch.linalg.slogdet(jac)
        assert float(log_det[i]) == pytest.approx(float(logabs), abs=1e-10)
        assert abs(float(logabs)) > 0.1  # a flow far from volume-preserving, so the check has teeth
    # the KL term with the flow is log q(z_T|x) - log p(z_T), q(z_T|x) = N(z_0; mu, sigma^2) / |det dz_T/dz_0|
    model = VAE(torch.nn.Identity(), torch.nn.Identity(), 5, None, "gaussian")
    model.flow = flow
    mean, logvar = torch.randn(4, 5, dtype=torch.float64), torch.randn(4, 5, dtype=torch.float64)
    with torch.no_grad():
        z_t, kl = model.sample_posterior(mean, logvar, z)
    z_0 = mean + torch.exp(0.5 * logvar) * z
    for i in range(len(z)):
        logabs = torch.linalg.slogdet(torch.autograd.functional.jacobian(lambda v: flow(v[None])[0][0], z_0[i]))[1]
        log_q = norm.logpdf(z_0[i].numpy(), mean[i].numpy(), np.exp(0.5 * logvar[i].numpy())).sum() - float(logabs)
        assert float(kl[i]) == pytest.approx(log_q - norm.logpdf(z_t[i].numpy()).sum(), abs=1e-10)
    single = _flow(1, 2)  # m = 1: the MADE's outputs are constants, the flow an affine map
    jac = torch.autograd.functional.jacobian(lambda v: single(v[None])[0][0], z[0, :1])
    assert float(single(z[:1, :1])[1].detach()) == pytest.approx(float(torch.log(jac.abs())), abs=1e-12)


def test_made_is_autoregressive_and_each_step_lower_triangular_with_diagonal_sigma():
    dim = 6
    flow = _flow(dim, 2)
    z = torch.randn(dim, dtype=torch.float64, generator=torch.Generator().manual_seed(5))
    strictly_lower = torch.ones(dim, dim, dtype=torch.bool).tril(-1)
    for made in flow.steps:
        assert isinstance(made, MADE)
        jac = torch.autograd.functional.jacobian(lambda v: torch.cat(made(v[None]), 1)[0], z)  # (2m, m)
        for block in (jac[:dim], jac[dim:]):  # d m / d z and d s / d z
            assert torch.all(block[~strictly_lower] == 0)
            assert torch.all(block[strictly_lower] != 0)
        one_step = IAF(dim, 1).double()
        one_step.steps[0] = made
        step_jac = torch.autograd.functional.jacobian(lambda v: one_step(v[None])[0][0], z)
        assert torch.all(step_jac.triu(1) == 0)
        torch.testing.assert_close(step_jac.diagonal(), torch.sigmoid(made(z[None])[1][0]).detach())
    # the order is reversed between steps: the whole flow's Jacobian is neither lower nor upper triangular
    whole = torch.autograd.functional.jacobian(lambda v: flow(v[None])[0][0], z)
    assert torch.all(whole.tril(-1)[strictly_lower] != 0) and torch.any(whole.triu(1) != 0)


@pytest.mark.parametrize("kind,more", [("vae-bernoulli", "file"), ("vae-gaussian", ""), ("vae-gamma", ""),
                                       ("vae-iaf", ""), ("vae-iaf", "file")])
def test_every_vae_kind_trains_through_a_run(tmp_path, tiny_overrides, kind, more):
    extra = _unit_interval_file(tmp_path / "x.npy") + ["loss.recon=bce"] if more == "file" else []
    summary = train_run(_tiny(tiny_overrides, kind, *extra), tmp_path / "run", quiet=True)
    assert summary["model"] == kind and np.isfinite(summary["fd"]) and np.isfinite(summary["recon"])
    assert summary["active_dims"] is None and summary["wasserstein"] is None
    log = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert list(log[0])[2] == "recon" and all(np.isfinite(r["nll"]) and np.isfinite(r["kl"]) for r in log)
    if kind != "vae-iaf":  # the closed form is >= 0; the flow's one-draw estimate need not be
        assert all(r["kl"] >= 0 for r in log)
    assert ("gamma" in log[-1]) == (kind == "vae-gamma")


@pytest.mark.parametrize("kind", ["vae-gamma", "vae-iaf"])
def test_a_vae_run_resumes_bitwise(tmp_path, tiny_overrides, kind):
    cfg = _tiny(tiny_overrides, kind)
    straight = train_run(cfg, tmp_path / "a", quiet=True)
    train_run(replace(cfg, train=replace(cfg.train, steps=10)), tmp_path / "b", quiet=True)
    resumed = train_run(cfg, tmp_path / "b", resume=True, quiet=True)
    assert {k: v for k, v in straight.items() if k != "seconds"} == {k: v for k, v in resumed.items() if k != "seconds"}
    a = torch.load(tmp_path / "a" / "checkpoint.pt", weights_only=True)["trainer"]["model"]
    b = torch.load(tmp_path / "b" / "checkpoint.pt", weights_only=True)["trainer"]["model"]
    assert set(a) == set(b) and all(torch.equal(a[k], b[k]) for k in a)
    if kind == "vae-gamma":
        assert float(a["log_gamma"]) != 0.0  # gamma is trained, and resumed with the rest
    else:
        assert any(k.startswith("flow.steps.1.") for k in a)


@pytest.mark.parametrize("kind", ["vae-gamma", "vae-iaf"])
def test_a_vae_saves_and_loads_through_the_library(tmp_path, tiny_overrides, kind):
    model = family(kind).build_model(_tiny(tiny_overrides, kind, "seed=7"), (128,))
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.01)
    model.save(tmp_path / "m.pt")
    again = load_model(tmp_path / "m.pt")
    x = torch.randn(3, 128)
    assert type(again) is VAE and again.likelihood == model.likelihood
    torch.testing.assert_close(again.encode(x), model.encode(x), rtol=0, atol=0)
    assert tuple(again.encode(x).shape) == (3, 4)


def test_a_bernoulli_vae_on_data_outside_the_unit_interval_fails_clearly(tmp_path, tiny_overrides):
    with pytest.raises(DataError, match=r"vae-bernoulli uses a Bernoulli decoder, which needs data in \[0, 1\]"):
        train_run(_tiny(tiny_overrides, "vae-bernoulli"), tmp_path / "run", quiet=True)
    assert not (tmp_path / "run").exists()
    with pytest.raises(DataError, match="vae-iaf uses a Bernoulli decoder"):
        train_run(_tiny(tiny_overrides, "vae-iaf", "loss.recon=bce"), tmp_path / "run", quiet=True)
