"""RAE-L2 (maskaae/models/rae.py): its loss and its step against a hand computation, the ex-post mixture against
scikit-learn's own fit and its sampler against the mixture's moments, and a run that resumes bitwise across the
fit."""

from dataclasses import replace

import numpy as np
import pytest
import torch
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from maskaae.data import load_data
from maskaae.models.rae import Trainer, build_model, rae_objective, sample_mixture
from maskaae.presets import build_config
from maskaae.runs import evaluate_run, load_run, read_metrics, train_run
from state_helpers import _assert_same_state, _trainer_state, _without, kill_at


def _np(t):
    return t.detach().double().numpy()


def _mlp_forward(layers, h):
    """A Sequential(Linear, ReLU, ..., Linear) in float64 numpy."""
    linears = [m for m in layers if isinstance(m, torch.nn.Linear)]
    for i, lin in enumerate(linears):
        h = h @ _np(lin.weight).T + _np(lin.bias)
        if i < len(linears) - 1:
            h = np.maximum(h, 0.0)
    return h


def _hand_loss(model, x, beta, lam):
    z = _mlp_forward(model.encoder, x)
    x_hat = _mlp_forward(model.decoder, z)
    recon = np.mean(np.sum((x - x_hat) ** 2, axis=1))
    latent = np.mean([0.5 * sum(v * v for v in row) for row in z])
    l2 = sum(float((_np(p) ** 2).sum()) for p in model.decoder.parameters())
    return recon + beta * latent + lam * l2, latent, l2


def _tiny_cfg(*more):
    return build_config(overrides=["model.kind=rae", "model.width=3", "model.depth=1", "model.latent_dim=2",
                                   "loss.recon=mse", "loss.rae_latent_weight=0.3", "loss.rae_decoder_l2=0.05",
                                   "train.batch_size=4", "train.steps=5", *more])


def test_the_rae_loss_is_the_hand_computation():
    cfg = _tiny_cfg()
    model = build_model(cfg, (5,))
    x = torch.randn(4, 5, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        total, parts = rae_objective(model, x, cfg.loss)
    hand, latent, l2 = _hand_loss(model, x.double().numpy(), 0.3, 0.05)
    assert float(parts["latent"]) == pytest.approx(latent, rel=1e-6)
    assert float(parts["decoder_l2"]) == pytest.approx(l2, rel=1e-6)
    assert float(total) == pytest.approx(hand, rel=1e-6)
    # the two weights enter as weights: the penalties matter (a missing factor would show)
    assert 0.3 * latent + 0.05 * l2 > 1e-3 * hand


def test_one_iteration_is_one_rmsprop_step_on_the_hand_loss():
    cfg = _tiny_cfg("train.optimizer=tf")
    model = build_model(cfg, (5,))
    data = torch.randn(16, 5, generator=torch.Generator().manual_seed(2))
    before = [p.detach().clone().double() for p in [*model.encoder.parameters(), *model.decoder.parameters()]]
    # the hand loss in float64 autograd, on the batch the trainer draws first from its seeded generator
    idx = torch.randint(16, (4,), generator=torch.Generator().manual_seed(cfg.seed))
    params = [p.clone().requires_grad_(True) for p in before]
    x = data[idx].double()
    enc_w, enc_b, enc_w2, enc_b2, dec_w, dec_b, dec_w2, dec_b2 = params
    z = torch.relu(x @ enc_w.T + enc_b) @ enc_w2.T + enc_b2
    x_hat = torch.relu(z @ dec_w.T + dec_b) @ dec_w2.T + dec_b2
    loss = ((x - x_hat) ** 2).sum(1).mean() + 0.3 * 0.5 * (z ** 2).sum(1).mean() \
        + 0.05 * sum((p ** 2).sum() for p in params[4:])
    grads = torch.autograd.grad(loss, params)
    Trainer(model, data, cfg).iteration()
    after = [*model.encoder.parameters(), *model.decoder.parameters()]
    for p0, g, p1 in zip(before, grads, after):
        # TF RMSProp from ms = 1 (maskaae/optim.py): ms = 0.9 + 0.1 g^2, p -= lr g / sqrt(ms + 1e-10)
        expected = p0 - cfg.train.lr_ae * g / torch.sqrt(0.9 + 0.1 * g * g + 1e-10)
        torch.testing.assert_close(p1.detach().double(), expected, rtol=1e-5, atol=1e-8)


@pytest.fixture(scope="module")
def fitted():
    """A tiny RAE trained to its last step (the mixture fitted then), the trainer one step before it, the data."""
    from conftest import TINY

    cfg = build_config(overrides=[*TINY, "model.kind=rae"])
    train, _ = load_data(cfg.data)
    model = build_model(cfg, tuple(train.shape[1:]))
    trainer = Trainer(model, train, cfg)
    trainer.run(cfg.train.steps - 1)
    fitted_early = bool(model.mixture_fitted)
    trainer.run(cfg.train.steps)
    return cfg, model, train, fitted_early


def _mixture_log_density(model, codes):
    w, mu, chol = _np(model.mixture_weights), _np(model.mixture_means), _np(model.mixture_cholesky)
    parts = [np.log(w[k]) + multivariate_normal(mu[k], chol[k] @ chol[k].T).logpdf(codes) for k in range(len(w))]
    return logsumexp(np.stack(parts), axis=0)


def test_the_mixture_is_the_one_gaussian_mixture_fits_on_the_codes(fitted):
    from sklearn.mixture import GaussianMixture
    from threadpoolctl import threadpool_limits

    cfg, model, train, fitted_early = fitted
    assert not fitted_early and bool(model.mixture_fitted)  # fitted in the last iteration, not before
    codes = _np(model.encode(train))
    with threadpool_limits(limits=1):  # the same fit, faster on a busy machine
        reference = GaussianMixture(10, covariance_type="full", max_iter=2000, tol=1e-3,
                                    random_state=cfg.seed).fit(codes)
    ours = _mixture_log_density(model, codes)
    np.testing.assert_allclose(ours, reference.score_samples(codes), rtol=1e-9, atol=1e-9)
    assert ours.mean() == pytest.approx(reference.score(codes), rel=1e-10)
    np.testing.assert_allclose(_np(model.mixture_weights), reference.weights_, rtol=1e-9)
    # the fit is a real one: it explains the codes better than N(0, I) and than one Gaussian
    with threadpool_limits(limits=1):
        single = GaussianMixture(1, covariance_type="full", random_state=0).fit(codes)
    assert ours.mean() > single.score(codes) > multivariate_normal(np.zeros(codes.shape[1])).logpdf(codes).mean()


def test_the_mixture_draws_have_the_fitted_moments(fitted):
    _, model, _, _ = fitted
    n = 200_000
    w, mu, chol = model.mixture_weights, model.mixture_means, model.mixture_cholesky
    z, k = sample_mixture(w, mu, chol, n, torch.Generator().manual_seed(3))
    z, k, w, mu = z.numpy(), k.numpy(), w.numpy(), mu.numpy()
    cov = _np(chol @ chol.transpose(1, 2))
    counts = np.bincount(k, minlength=len(w))
    worst = {"weight": np.max(np.abs(counts / n - w) / np.sqrt(w * (1 - w) / n))}
    worst_mean, worst_cov = 0.0, 0.0
    for j in range(len(w)):
        zj = z[k == j] - mu[j]
        worst_mean = max(worst_mean, np.max(np.abs(zj.mean(0)) / np.sqrt(np.diag(cov[j]) / len(zj))))
        products = zj[:, :, None] * zj[:, None, :]  # E[(z - mu)(z - mu)^T] = Sigma, with its standard error
        se = products.std(0) / np.sqrt(len(zj))
        worst_cov = max(worst_cov, np.max(np.abs(products.mean(0) - cov[j]) / se))
    worst.update(mean=worst_mean, cov=worst_cov)
    print("largest |deviation| / standard error:", {key: round(float(v), 2) for key, v in worst.items()})
    assert all(v < 4.5 for v in worst.values()), worst
    # generate decodes exactly these draws
    got = model.generate(7, torch.Generator().manual_seed(4))
    drawn, _ = sample_mixture(model.mixture_weights, model.mixture_means, model.mixture_cholesky, 7,
                              torch.Generator().manual_seed(4))
    with torch.no_grad():
        torch.testing.assert_close(got, model.decoder(drawn.float()), rtol=0, atol=0)


def test_before_the_fit_the_codes_are_drawn_from_the_standard_normal():
    model = build_model(_tiny_cfg(), (5,))
    assert not bool(model.mixture_fitted)
    torch.testing.assert_close(model.sample_prior(6, torch.Generator().manual_seed(5)),
                               torch.randn(6, 2, generator=torch.Generator().manual_seed(5)))


def test_a_run_resumes_bitwise_across_the_mixture_fit(tmp_path, tiny_overrides, monkeypatch):
    cfg = build_config(overrides=[*tiny_overrides, "model.kind=rae"])
    straight = train_run(cfg, tmp_path / "a", quiet=True)
    assert straight["model"] == "rae" and np.isfinite(straight["fd"]) and straight["active_dims"] is None

    # killed at step 17: the checkpoint of step 15 has no mixture; the resumed run fits it at step 20
    original = kill_at(monkeypatch, Trainer, 17)
    with pytest.raises(KeyboardInterrupt):
        train_run(cfg, tmp_path / "b", quiet=True)
    assert _trainer_state(tmp_path / "b")["step"] == 15
    assert not bool(_trainer_state(tmp_path / "b")["model"]["mixture_fitted"])
    monkeypatch.setattr(Trainer, "iteration", original)
    resumed = train_run(None, tmp_path / "b", resume=True, quiet=True)

    # extended: a 10-step run (fitted at its step 10) resumed to 20 steps fits again at step 20
    train_run(replace(cfg, train=replace(cfg.train, steps=10)), tmp_path / "c", quiet=True)
    assert bool(_trainer_state(tmp_path / "c")["model"]["mixture_fitted"])
    extended = train_run(cfg, tmp_path / "c", resume=True, quiet=True)

    a = _trainer_state(tmp_path / "a")
    assert bool(a["model"]["mixture_fitted"])
    for other, summary in [("b", resumed), ("c", extended)]:
        assert _without(straight, "seconds") == _without(summary, "seconds")
        _assert_same_state(a, _trainer_state(tmp_path / other))
    assert [_without(r, "elapsed", "eval_seconds") for r in read_metrics(tmp_path / "a")] == \
        [_without(r, "elapsed", "eval_seconds") for r in read_metrics(tmp_path / "b")]
    # the run folder's model is the fitted one: evaluating it again gives the run's fd
    _, model, _ = load_run(tmp_path / "a")
    assert bool(model.mixture_fitted)
    assert evaluate_run(tmp_path / "a", fid_samples=0)["fd"] == straight["fd"]


def test_the_config_rejects_what_the_rae_cannot_use():
    from maskaae.config import ConfigError

    for bad, message in [("loss.rae_components=0", "loss.rae_components' = 0 must be >= 1"),
                         ("loss.rae_latent_weight=-1", "loss.rae_latent_weight' = -1.0 must be finite"),
                         ("loss.rae_decoder_l2=-0.5", "loss.rae_decoder_l2' = -0.5 must be finite")]:
        with pytest.raises(ConfigError, match=message):
            build_config(overrides=["model.kind=rae", bad])
