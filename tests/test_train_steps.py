import math

import pytest
import torch

from maskaae import Trainer, TrainingDiverged, build_config, build_model
from maskaae.config import ConfigError
from maskaae.train import ae_step, critic_step, generator_step, mask_step

from conftest import TINY_FAST

TINY = TINY_FAST + ["model.discovery=paper", "train.disc_training_ratio=2", "train.reg_schedule_interval=2",
                    "train.mask_warmup_steps=0"]
D = 6


def _setup(*extra, seed=0):
    cfg = build_config("synthetic", overrides=TINY + list(extra) + [f"seed={seed}"])
    model = build_model(cfg, (D,))
    data = torch.randn(32, D, generator=torch.Generator().manual_seed(123))
    return cfg, model, Trainer(model, data, cfg)


def _groups(model):
    return {
        "encoder": list(model.encoder.parameters()),
        "decoder": list(model.decoder.parameters()),
        "critic": list(model.critic.parameters()),
        "theta": [model.latent.theta],
    }


def _snapshot(model):
    return {k: [p.detach().clone() for p in ps] for k, ps in _groups(model).items()}


def _changed(model, before):
    out = {}
    for k, ps in _groups(model).items():
        out[k] = any(not torch.equal(p.detach(), b) for p, b in zip(ps, before[k]))
    return out


def _grads(model):
    return {k: [p.grad is not None for p in ps] for k, ps in _groups(model).items()}


def _run(name, trainer):
    cfg, model, opt = trainer.cfg, trainer.model, trainer.optimizers
    g = torch.Generator().manual_seed(5)
    x = trainer.data[:8]
    z = torch.randn(8, model.latent_dim, generator=g)
    eps = torch.rand(8, 1, generator=g)
    if name == "ae":
        return ae_step(model, opt["ae"], x, cfg.loss)
    if name == "critic":
        return critic_step(model, opt["critic"], x, z, eps, cfg.loss.beta2)
    if name == "gen":
        return generator_step(model, opt["gen"], x)
    return mask_step(model, opt["mask"], x, z, 1.0, cfg.loss)


OWN = {"ae": {"encoder", "decoder"}, "critic": {"critic"}, "gen": {"encoder"}, "mask": {"theta"}}


@pytest.mark.parametrize("name", ["ae", "critic", "gen", "mask"])
def test_step_changes_exactly_its_own_parameters(name):
    _, model, trainer = _setup()
    before = _snapshot(model)
    _run(name, trainer)
    changed = _changed(model, before)
    assert {k for k, v in changed.items() if v} == OWN[name]
    # every parameter of its own groups moved (no frozen piece), and no grad was written elsewhere
    for group, ps in _groups(model).items():
        if group in OWN[name]:
            moved = [not torch.equal(p.detach(), b) for p, b in zip(ps, before[group])]
            if group == "critic":
                # the critic's output bias cancels in L_dm (and is absent from the GP): its gradient is 0
                assert moved == [True] * (len(ps) - 1) + [False]
            else:
                assert all(moved), group
        else:
            assert all(p.grad is None for p in ps), f"{name} step left .grad on {group}"


def test_steps_in_sequence_do_not_leak_gradients():
    # After an ae step the encoder has a .grad; the generator step must not reuse it,
    # and the critic step must not change the encoder or decoder.
    _, model, trainer = _setup()
    _run("ae", trainer)
    before = _snapshot(model)
    _run("critic", trainer)
    assert {k for k, v in _changed(model, before).items() if v} == {"critic"}
    before = _snapshot(model)
    _run("mask", trainer)
    assert {k for k, v in _changed(model, before).items() if v} == {"theta"}
    before = _snapshot(model)
    _run("gen", trainer)
    assert {k for k, v in _changed(model, before).items() if v} == {"encoder"}


def test_mask_step_projects_theta_only_in_projection_form():
    _, model, trainer = _setup()
    with torch.no_grad():
        model.latent.theta.copy_(torch.tensor([-1.0, -0.5, 1.0, 2.0]))
    _run("mask", trainer)
    theta = model.latent.theta.detach()
    assert (theta >= 0).all() and theta[0] == 0.0
    # paper form: no projection, and a dimension with theta < 0 has mu = 0 and zero gradient: it stays put
    _, model, trainer = _setup("model.mask_param=paper")
    with torch.no_grad():
        model.latent.theta.copy_(torch.tensor([-1.0, -0.5, 1.0, 2.0]))
    _run("mask", trainer)
    theta = model.latent.theta.detach()
    assert theta[:2].tolist() == [-1.0, -0.5]
    assert theta[2] != 1.0


def test_wae_gan_has_no_mask_optimizer_and_theta_is_fixed():
    _, model, trainer = _setup("model.mask=false")
    assert "mask" not in trainer.optimizers
    assert set(trainer.optimizers) == {"ae", "critic", "gen"}
    theta = model.latent.theta.detach().clone()
    for _ in range(2):
        losses = trainer.iteration()
    assert torch.equal(model.latent.theta, theta)
    assert "mask_loss" not in losses and set(losses) == {"recon", "critic_loss", "wasserstein", "gen_loss"}
    assert torch.equal(model.latent.values(), torch.ones(4))


def test_wae_gan_ae_loss_has_no_variance_penalty():
    results = []
    for alpha2 in (0, 100):
        _, model, trainer = _setup("model.mask=false", f"loss.alpha2={alpha2}")
        _run("ae", trainer)
        results.append([p.detach().clone() for p in model.parameters()])
    for a, b in zip(*results):
        assert torch.equal(a, b)


def test_maskaae_ae_loss_has_variance_penalty():
    # the counterpart: with the mask on, alpha2 changes the update
    results = []
    for alpha2 in (0, 100):
        _, model, trainer = _setup(f"loss.alpha2={alpha2}")
        _run("ae", trainer)
        results.append([p.detach().clone() for p in model.encoder.parameters()])
    assert any(not torch.equal(a, b) for a, b in zip(*results))


def _params_after(seed, iterations=3):
    _, model, trainer = _setup(seed=seed)
    for _ in range(iterations):
        trainer.iteration()
    return [p.detach().clone() for p in model.parameters()]


def test_same_seed_is_bitwise_identical_and_different_seed_differs():
    a, b, c = _params_after(0), _params_after(0), _params_after(1)
    assert all(torch.equal(x, y) for x, y in zip(a, b))
    assert any(not torch.equal(x, y) for x, y in zip(a, c))


def test_iteration_returns_finite_losses_and_counts_steps():
    _, _, trainer = _setup()
    losses = trainer.iteration()
    assert trainer.step == 1
    assert set(losses) == {"recon", "critic_loss", "wasserstein", "gen_loss", "mask_loss"}
    assert all(math.isfinite(v) for v in losses.values())


def test_lambda3_follows_step():
    _, _, trainer = _setup("train.lambda3_schedule=paper", "loss.lambda3_init=0.5")
    assert trainer.interval == 2
    assert trainer.lambda3(1) == 0.5 and trainer.lambda3(2) == 1.0 and trainer.lambda3(4) == 2.0


def test_default_lambda3_init_is_two_over_m():
    cfg, _, trainer = _setup("train.lambda3_schedule=paper")
    assert trainer.lambda3(1) == pytest.approx(2.0 / 4)


def test_nan_data_raises_training_diverged():
    _, _, trainer = _setup()
    trainer.data[:] = float("nan")
    with pytest.raises(TrainingDiverged, match="step 1") as info:
        trainer.run(1)  # the last step is read
    assert info.value.step == 1
    assert "recon=nan" in str(info.value)


def test_mask_warmup_holds_the_mask_then_trains_it():
    from maskaae import build_config, build_model
    from maskaae.train import Trainer

    cfg = build_config(overrides=TINY_FAST + ["data.n_train=64", "data.n_test=32", "train.mask_warmup_steps=3",
                                              "model.discovery=paper"])
    import torch
    from maskaae.data import load_data

    train, _ = load_data(cfg.data)
    trainer = Trainer(build_model(cfg, (128,)), train, cfg)
    theta0 = trainer.model.latent.theta.detach().clone()
    for _ in range(3):
        losses = trainer.iteration()
        assert "mask_loss" not in losses
    assert torch.equal(trainer.model.latent.theta, theta0)
    assert "mask_loss" in trainer.iteration()
    assert not torch.equal(trainer.model.latent.theta, theta0)


def test_the_decoder_phase_trains_the_decoder_alone_and_lowers_the_reconstruction():
    from maskaae.train import fixed_codes

    cfg = build_config("synthetic", overrides=TINY + ["train.steps=60", "train.decoder_share=0.5"])
    data = torch.randn(128, D, generator=torch.Generator().manual_seed(1))
    model = build_model(cfg, (D,))
    trainer = Trainer(model, data, cfg)
    assert trainer.decoder_start == 30
    trainer.run(30)
    fixed = {name: p.detach().clone() for name, p in model.named_parameters() if not name.startswith("decoder.")}
    codes = fixed_codes(model, data)
    with torch.no_grad():
        before = float(((model.decoder(codes) - data) ** 2).mean())
    trainer.run(60)
    for name, p in model.named_parameters():
        if name in fixed:
            assert torch.equal(p, fixed[name]), name
    assert torch.equal(fixed_codes(model, data), codes)
    with torch.no_grad():
        after = float(((model.decoder(codes) - data) ** 2).mean())
    assert after < before


def test_the_decoder_phase_with_the_encoder_trains_both_through_the_fixed_mask():
    cfg = build_config("synthetic", overrides=TINY + ["train.steps=60", "train.decoder_share=0.5",
                                                      "train.decoder_phase_encoder=true", "model.sampler=mixture"])
    data = torch.randn(128, D, generator=torch.Generator().manual_seed(1))
    model = build_model(cfg, (D,))
    trainer = Trainer(model, data, cfg)
    trainer.run(30)
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    with torch.no_grad():
        error = float(((model.decoder(model.encoder(data) * model.latent.values()) - data) ** 2).mean())
    trainer.run(60)
    moved = {name for name, p in model.named_parameters() if not torch.equal(p, before[name])}
    assert any(n.startswith("encoder.") for n in moved) and any(n.startswith("decoder.") for n in moved)
    assert not any(n.startswith(("critic.", "latent.")) for n in moved), moved
    with torch.no_grad():
        after = float(((model.decoder(model.encoder(data) * model.latent.values()) - data) ** 2).mean())
    assert after < error


@pytest.mark.parametrize("extra, message", [
    (["train.decoder_phase_encoder=true", "model.sampler=mixture"], "train.decoder_share = 0 has none"),
    (["train.decoder_phase_encoder=true", "train.decoder_share=0.5"], "set model.sampler=mixture"),
])
def test_the_decoder_phase_with_the_encoder_needs_a_phase_and_the_mixture(extra, message):
    with pytest.raises(ConfigError, match=message):
        build_config("synthetic", overrides=TINY + extra)


def test_the_decoder_phase_cannot_start_inside_ordered_discovery():
    cfg = build_config("synthetic", overrides=TINY_FAST + ["train.steps=20", "train.discovery_steps=10",
                                                            "train.discovery_verify_steps=4",
                                                            "train.decoder_share=0.5"])
    data = torch.randn(128, D)
    with pytest.raises(ConfigError, match="before ordered discovery ends at step 14"):
        Trainer(build_model(cfg, (D,)), data, cfg)


def test_the_phase_follows_the_schedule():
    cfg = build_config("synthetic", overrides=TINY_FAST + ["train.steps=20", "train.discovery_steps=10",
                                                            "train.discovery_verify_steps=4",
                                                            "train.decoder_share=0.2"])
    trainer = Trainer(build_model(cfg, (D,)), torch.randn(128, D), cfg)
    phases = []
    for _ in range(20):
        trainer.iteration()
        phases.append(trainer.phase)
    assert phases == ["discovery"] * 10 + ["verify"] * 4 + ["critic"] * 2 + ["decoder"] * 4


def test_a_step_reads_its_losses_only_where_they_are_logged_evaluated_or_saved():
    """Issue 32 item 2: no host synchronisation inside a step except where a logged value is written. A step
    returns its losses as 0-dim tensors; run() reads them (floats, checked finite) at logged, evaluated and
    checkpointed steps and the last."""
    cfg, _, trainer = _setup("train.log_every=3", "train.eval_every=4", "train.checkpoint_every=100",
                             "train.steps=7")
    assert all(isinstance(v, torch.Tensor) and v.dim() == 0 for v in trainer.iteration().values())
    seen = {}
    trainer.run(7, lambda tr, losses: seen.__setitem__(tr.step, all(isinstance(v, float) for v in losses.values())))
    assert seen == {2: False, 3: True, 4: True, 5: False, 6: True, 7: True}
