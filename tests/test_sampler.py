"""model.sampler=mixture (maskaae/sampling.py CodeDensity, MaskAAE.fit_density): the generator's mixture is
scikit-learn's fit on the active codes, draws 0 on the other dimensions, is fitted at the last step only, travels
with the checkpoint, and changes what the run generates but not what it trains."""

import numpy as np
import pytest
import torch

from maskaae.config import ConfigError
from maskaae.model import build_model
from maskaae.presets import build_config
from maskaae.runs import evaluate_run, load_run, train_run
from maskaae.sampling import CodeDensity, gaussian_mixture
from maskaae.versions import saved_config_from_dict
from state_helpers import _assert_same_state, _trainer_state, _without, kill_at


def test_the_density_is_the_mixture_on_the_active_dimensions_and_zero_elsewhere():
    rng = np.random.default_rng(0)
    codes = torch.from_numpy(rng.standard_normal((400, 5)) * [1.0, 3.0, 1.0, 0.5, 1.0] + [0, 2.0, 0, -1.0, 0])
    active = torch.tensor([1, 3])
    density = CodeDensity(5, components=2)
    assert not bool(density.fitted)
    density.fit(codes, active, seed=3)
    reference = gaussian_mixture(codes[:, active].numpy(), 2, 3)
    np.testing.assert_allclose(density.weights.numpy(), reference.weights_)
    np.testing.assert_allclose(density.means[:, active].numpy(), reference.means_)
    cholesky = density.cholesky[:, active][:, :, active]
    np.testing.assert_allclose((cholesky @ cholesky.transpose(1, 2)).numpy(), reference.covariances_, rtol=1e-10)
    draws = density.sample(20000, torch.Generator().manual_seed(0)).double()
    assert torch.all(draws[:, [0, 2, 4]] == 0)
    # the draws have the codes' own moments on the modelled dimensions (scales 3 and 0.5)
    np.testing.assert_allclose(draws[:, 1].mean(), codes[:, 1].mean(), atol=0.06)
    np.testing.assert_allclose(draws[:, 3].std(), codes[:, 3].std(), rtol=0.03)


def test_the_sampler_applies_to_the_maskaae_family_only():
    build_config(overrides=["model.mask=false", "model.sampler=mixture"])  # WAE-GAN samples a mixture too
    build_config(overrides=["model.kind=rae", "model.sampler=mixture"])  # what the rae does anyway
    with pytest.raises(ConfigError, match="model.sampler"):
        build_config(overrides=["model.kind=vae-gamma", "model.sampler=mixture"])


def test_a_version_17_config_sampled_from_the_prior():
    v17 = build_config().to_dict()
    v17["schema_version"] = 17
    del v17["model"]["sampler"]
    assert saved_config_from_dict(v17).model.sampler == "prior"


def test_a_mixture_run_trains_what_the_prior_run_trains_and_resumes_bitwise_across_the_fit(
        tmp_path, tiny_overrides, monkeypatch):
    from maskaae.train import Trainer

    prior_cfg = build_config(overrides=tiny_overrides)
    cfg = build_config(overrides=[*tiny_overrides, "model.sampler=mixture"])
    prior = train_run(prior_cfg, tmp_path / "prior", quiet=True)
    straight = train_run(cfg, tmp_path / "a", quiet=True)
    a = _trainer_state(tmp_path / "a")
    assert bool(a["model"]["density.fitted"])
    # the same networks, mask and steps: the sampler changes what is generated, not what is trained
    p = _trainer_state(tmp_path / "prior")
    for key, value in p["model"].items():
        assert torch.equal(value, a["model"][key]), key
    assert straight["active_dims"] == prior["active_dims"] and straight["recon"] == prior["recon"]
    assert straight["fd"] != prior["fd"]
    # the generated codes are the mixture's draws, the prior's before the fit
    _, model, _ = load_run(tmp_path / "a")
    codes = model.generation_codes(256, torch.Generator().manual_seed(0))
    assert torch.equal(codes, model.density.sample(256, torch.Generator().manual_seed(0)))
    model.density.fitted.fill_(False)
    assert torch.equal(model.generation_codes(8, torch.Generator().manual_seed(0)),
                       torch.randn(8, model.latent_dim, generator=torch.Generator().manual_seed(0)))

    # killed before the last step: the checkpoint has no fit; the resumed run fits at the same step
    steps = cfg.train.steps
    original = kill_at(monkeypatch, Trainer, steps - 3)
    with pytest.raises(KeyboardInterrupt):
        train_run(cfg, tmp_path / "b", quiet=True)
    assert not bool(_trainer_state(tmp_path / "b")["model"]["density.fitted"])
    monkeypatch.setattr(Trainer, "iteration", original)
    resumed = train_run(None, tmp_path / "b", resume=True, quiet=True)
    assert _without(straight, "seconds") == _without(resumed, "seconds")
    _assert_same_state(a, _trainer_state(tmp_path / "b"))
    assert evaluate_run(tmp_path / "a", fid_samples=0)["fd"] == straight["fd"]


def test_a_saved_mixture_model_loads_with_its_density(tmp_path, tiny_overrides):
    from maskaae.model import MaskAAE
    from maskaae.train import fit

    cfg = build_config(overrides=[*tiny_overrides, "model.sampler=mixture"])
    data = torch.randn(200, 4, generator=torch.Generator().manual_seed(0))
    model = fit(build_model(cfg, (4,)), data, cfg)
    model.save(tmp_path / "m.pt")
    loaded = MaskAAE.load(tmp_path / "m.pt")
    g = lambda: torch.Generator().manual_seed(1)  # noqa: E731
    assert bool(loaded.density.fitted)
    assert torch.equal(loaded.generate(50, g()), model.generate(50, g()))
