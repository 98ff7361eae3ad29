"""The 2-Stage VAE (maskaae/models/two_stage.py): its negative ELBO against scipy's densities, each stage's step
against a hand computation, the sampler, stage two training only its own parameters, and a run that resumes
bitwise across the switch."""

import math
from dataclasses import replace

import numpy as np
import pytest
import torch
from scipy.stats import norm

from maskaae.models.two_stage import Trainer, build_model, negative_elbo
from maskaae.presets import build_config
from maskaae.runs import evaluate_run, load_run, read_metrics, train_run
from state_helpers import _assert_same_state, _trainer_state, _without, kill_at


def _cfg(*more):
    return build_config(overrides=["model.kind=vae-2stage", "model.width=3", "model.depth=1", "model.latent_dim=2",
                                   "train.batch_size=4", *more])


def test_the_negative_elbo_is_the_gaussian_nll_plus_the_kl_of_the_textbook():
    g = torch.Generator().manual_seed(0)
    x, stats, eps = torch.randn(4, 5, generator=g), torch.randn(4, 4, generator=g), torch.randn(4, 2, generator=g)
    decoder = torch.nn.Linear(2, 5)
    log_gamma = torch.tensor(-0.4)
    with torch.no_grad():
        loss, nll, kl, x_hat = negative_elbo(x, stats, decoder, log_gamma, eps)
    xn, s, e = x.double().numpy(), stats.double().numpy(), eps.double().numpy()
    mean, logvar = s[:, :2], s[:, 2:]
    z = mean + np.exp(0.5 * logvar) * e
    hand_x_hat = z @ decoder.weight.detach().double().numpy().T + decoder.bias.detach().double().numpy()
    np.testing.assert_allclose(x_hat.numpy(), hand_x_hat, rtol=1e-5, atol=1e-6)
    hand_nll = -norm.logpdf(xn, hand_x_hat, math.exp(-0.4)).sum(1).mean()
    # KL(N(mu, S) || N(0, I)) = (tr S + mu^T mu - m - log det S) / 2
    hand_kl = np.mean([0.5 * (np.trace(np.diag(np.exp(lv))) + mu @ mu - 2 - np.log(np.linalg.det(np.diag(np.exp(lv)))))
                       for mu, lv in zip(mean, logvar)])
    assert float(nll) == pytest.approx(hand_nll, rel=1e-5)
    assert float(kl) == pytest.approx(hand_kl, rel=1e-5)
    assert float(loss) == pytest.approx(hand_nll + hand_kl, rel=1e-5)


def _relu_mlp(params, h):
    """(W, b) pairs with ReLU between, in float64."""
    pairs = list(zip(params[0::2], params[1::2]))
    for i, (w, b) in enumerate(pairs):
        h = h @ w.T + b
        if i < len(pairs) - 1:
            h = torch.relu(h)
    return h


def _hand_elbo(x, stats, decode, log_gamma, eps):
    m = eps.shape[1]
    mean, logvar = stats[:, :m], stats[:, m:]
    x_hat = decode(mean + torch.exp(0.5 * logvar) * eps)
    d = x.shape[1]
    nll = ((x - x_hat) ** 2).sum(1) / (2 * torch.exp(2 * log_gamma)) + d * log_gamma + 0.5 * d * math.log(2 * math.pi)
    kl = 0.5 * (mean ** 2 + logvar.exp() - 1 - logvar).sum(1)
    return (nll + kl).mean()


def _assert_rmsprop_step(before, loss, after, lr):
    """after = one TF-RMSProp step from ms = 1 (maskaae/optim.py) on the gradient of loss at before."""
    grads = torch.autograd.grad(loss, before)
    for p0, grad, p1 in zip(before, grads, after):
        expected = p0 - lr * grad / torch.sqrt(0.9 + 0.1 * grad * grad + 1e-10)
        torch.testing.assert_close(p1.detach().double(), expected.detach(), rtol=1e-5, atol=1e-8)


def test_each_stage_steps_on_its_own_negative_elbo_with_the_trainers_draws():
    cfg = _cfg("train.steps=2", "train.stage2_share=0.5", "train.optimizer=tf")
    model = build_model(cfg, (5,))
    data = torch.randn(16, 5, generator=torch.Generator().manual_seed(1))
    trainer = Trainer(model, data, cfg)
    g = torch.Generator().manual_seed(cfg.seed)  # the trainer's draws: batch, then noise, each step
    lr = cfg.train.lr_ae

    stage1 = [p.detach().double().clone().requires_grad_(True) for p in model.stage1_parameters()]
    x = data[torch.randint(16, (4,), generator=g)].double()
    eps = torch.randn(4, 2, generator=g).double()
    loss = _hand_elbo(x, _relu_mlp(stage1[:4], x), lambda z: _relu_mlp(stage1[4:8], z), stage1[8], eps)
    trainer.iteration()
    _assert_rmsprop_step(stage1, loss, model.stage1_parameters(), lr)

    two = model.stage2
    stage2 = [p.detach().double().clone().requires_grad_(True)
              for p in [*two.encoder.parameters(), *two.decoder.parameters(), two.log_gamma]]
    x = data[torch.randint(16, (4,), generator=g)].double()
    codes = _relu_mlp([p.detach().double() for p in model.stage1_parameters()[:4]], x)[:, :2]  # posterior means
    eps = torch.randn(4, 2, generator=g).double()
    loss = _hand_elbo(codes, _relu_mlp(stage2[:8], codes), lambda u: _relu_mlp(stage2[8:16], u), stage2[16], eps)
    trainer.iteration()
    _assert_rmsprop_step(stage2, loss, [*two.encoder.parameters(), *two.decoder.parameters(), two.log_gamma], lr)


@pytest.mark.parametrize("network, shape", [("mlp", (128,)), ("fashion-conv", (1, 8, 8))])
def test_the_sampler_decodes_stage_two_samples_through_stage_one(network, shape):
    model = build_model(_cfg(f"model.network={network}", "model.latent_dim=3"), shape)
    model.eval()
    x = torch.randn(5, *shape)
    assert model.code_width == 6 and tuple(model.encoder(x).shape) == (5, 6)
    with torch.no_grad():
        torch.testing.assert_close(model.encode(x), model.encoder(x)[:, :3])
    u = torch.randn(7, 3, generator=torch.Generator().manual_seed(2))
    torch.testing.assert_close(model.sample_prior(7, torch.Generator().manual_seed(2)), u)  # before stage two
    model.stage2_started.fill_(True)
    with torch.no_grad():
        z = model.sample_prior(7, torch.Generator().manual_seed(2))
        assert tuple(z.shape) == (7, 3)
        torch.testing.assert_close(z, model.stage2.decoder(u))
        samples = model.generate(7, torch.Generator().manual_seed(2))
        assert tuple(samples.shape) == (7, *shape)
        torch.testing.assert_close(samples, model.decoder(model.stage2.decoder(u)))


def _split(model):
    """Copies of (stage one's state, stage two's state), batch-norm statistics included."""
    state = {k: v.clone() for k, v in model.state_dict().items()}
    return ({k: v for k, v in state.items() if not k.startswith("stage2")},
            {k: v for k, v in state.items() if k.startswith("stage2.")})


def test_stage_two_trains_only_its_own_parameters_and_stage_one_only_its_own():
    cfg = _cfg("model.network=fashion-conv", "model.width=8", "train.steps=6", "train.stage2_share=0.5")
    model = build_model(cfg, (1, 8, 8))
    trainer = Trainer(model, torch.rand(32, 1, 8, 8, generator=torch.Generator().manual_seed(3)), cfg)
    one0, two0 = _split(model)
    trainer.run(3)
    one1, two1 = _split(model)
    assert not bool(model.stage2_started) and trainer.log_fields() == {"stage": 1}
    assert all(torch.equal(two0[k], two1[k]) for k in two0)
    changed = [k for k in one0 if not torch.equal(one0[k], one1[k])]
    assert "log_gamma" in changed and any("running_mean" in k for k in changed)
    # every weight moved (a bias just before a batch norm has no gradient: the norm removes it)
    assert all(k in changed for k, _ in model.named_parameters() if k.endswith("weight") and "stage2" not in k)
    trainer.run(6)
    one2, two2 = _split(model)
    assert bool(model.stage2_started) and trainer.log_fields() == {"stage": 2}
    assert all(torch.equal(one1[k], one2[k]) for k in one1), [k for k in one1 if not torch.equal(one1[k], one2[k])]
    assert all(not torch.equal(two1[k], two2[k]) for k in two1)  # every stage-two parameter moved


def test_a_run_resumes_bitwise_across_the_stage_switch(tmp_path, tiny_overrides, monkeypatch):
    cfg = build_config(overrides=[*tiny_overrides, "model.kind=vae-2stage"])  # 20 steps: stage two from step 11
    straight = train_run(cfg, tmp_path / "a", quiet=True)
    assert straight["model"] == "vae-2stage" and np.isfinite(straight["fd"]) and straight["active_dims"] is None
    assert [r["stage"] for r in read_metrics(tmp_path / "a")] == [1] * 5 + [2] * 5  # logged every 2 steps

    original = kill_at(monkeypatch, Trainer, 8)  # killed at step 8: the checkpoint of step 5 is in stage one
    with pytest.raises(KeyboardInterrupt):
        train_run(cfg, tmp_path / "b", quiet=True)
    assert _trainer_state(tmp_path / "b")["step"] == 5
    monkeypatch.setattr(Trainer, "iteration", original)
    resumed = train_run(None, tmp_path / "b", resume=True, quiet=True)
    assert _without(straight, "seconds") == _without(resumed, "seconds")
    _assert_same_state(_trainer_state(tmp_path / "a"), _trainer_state(tmp_path / "b"))
    assert [_without(r, "elapsed", "eval_seconds") for r in read_metrics(tmp_path / "a")] == \
        [_without(r, "elapsed", "eval_seconds") for r in read_metrics(tmp_path / "b")]
    # the run folder's model generates through stage two: evaluating it again gives the run's fd
    _, model, _ = load_run(tmp_path / "a")
    assert bool(model.stage2_started)
    assert evaluate_run(tmp_path / "a", fid_samples=0)["fd"] == straight["fd"]


def test_extending_a_run_past_its_switch_trains_stage_two_longer(tmp_path, tiny_overrides):
    cfg = build_config(overrides=[*tiny_overrides, "model.kind=vae-2stage", "train.steps=10"])  # switch after 5
    train_run(cfg, tmp_path / "c", quiet=True)
    before = _trainer_state(tmp_path / "c")["model"]
    train_run(replace(cfg, train=replace(cfg.train, steps=20)), tmp_path / "c", resume=True, quiet=True)
    after = _trainer_state(tmp_path / "c")["model"]
    assert [r["stage"] for r in read_metrics(tmp_path / "c")] == [1, 1] + [2] * 8
    assert all(torch.equal(before[k], after[k]) for k in before if not k.startswith("stage2"))


def test_the_config_takes_a_stage_two_share_in_zero_to_one():
    from maskaae.config import ConfigError

    for bad in ["1.0", "-0.1"]:
        with pytest.raises(ConfigError, match="train.stage2_share' = .* must be in \\[0, 1\\)"):
            build_config(overrides=["model.kind=vae-2stage", f"train.stage2_share={bad}"])
