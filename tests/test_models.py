"""Model families: the registry, WAE-MMD's estimator against a direct computation, and the shared layers
(run folder, resume, sweep, report, saving) working for a family other than MaskAAE."""

import json

import numpy as np
import pytest
import torch

import maskaae.models
from maskaae.cli import build_parser
from maskaae.config import ConfigError
from maskaae.models import MODEL_CHOICES, MODELS, Family, family
from maskaae.models.base import AutoEncoder, BaseTrainer, load_model
from maskaae.models.wae_mmd import IMQ_SCALES, imq_mmd, per_sample_cost
from maskaae.presets import build_config
from maskaae.runs import train_run
from maskaae.sweep import SweepSpec, run_sweep


def test_every_family_provides_a_model_and_a_trainer():
    for kind in MODELS:
        module = family(kind)
        cfg = build_config(overrides=[f"model.kind={kind}", "model.width=8", "model.depth=1", "model.latent_dim=3"])
        model = module.build_model(cfg, (128,))
        assert isinstance(model, AutoEncoder) and issubclass(module.Trainer, BaseTrainer)
        assert tuple(model.generate(2, torch.Generator().manual_seed(0)).shape) == (2, 128)


def test_the_cli_and_the_config_take_the_families_from_the_registry():
    train = next(a for a in build_parser()._subparsers._group_actions[0].choices["train"]._actions
                 if a.dest == "model")
    assert list(train.choices) == list(MODEL_CHOICES) and set(MODELS) < set(MODEL_CHOICES)
    with pytest.raises(ConfigError, match=r"model.kind' = 'vae' must be one of \['maskaae', 'wae-mmd'"):
        build_config(overrides=["model.kind=vae"])


def _mmd_by_loops(x, y, scales):
    n, k, m = len(x), len(y), x.shape[1]
    total = 0.0
    for s in scales:
        c = 2.0 * m * s
        kern = lambda a, b: c / (c + float(((a - b) ** 2).sum()))  # noqa: E731
        xx = sum(kern(x[i], x[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
        yy = sum(kern(y[i], y[j]) for i in range(k) for j in range(k) if i != j) / (k * (k - 1))
        xy = sum(kern(x[i], y[j]) for i in range(n) for j in range(k)) / (n * k)
        total += xx + yy - 2 * xy
    return total


def test_imq_mmd_is_the_unbiased_estimate_of_the_direct_double_loop():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(5, 3)), rng.normal(loc=0.5, size=(7, 3))
    got = float(imq_mmd(torch.from_numpy(x), torch.from_numpy(y)))
    assert got == pytest.approx(_mmd_by_loops(x, y, IMQ_SCALES), rel=1e-10)
    assert got > 0
    # unbiased: on two samples of the same distribution it averages to 0 (it can be negative)
    same = [float(imq_mmd(torch.randn(8, 3, generator=torch.Generator().manual_seed(2 * i)),
                          torch.randn(8, 3, generator=torch.Generator().manual_seed(2 * i + 1)))) for i in range(200)]
    assert min(same) < 0 and abs(np.mean(same)) < 3 * np.std(same) / np.sqrt(len(same))


def test_the_reconstruction_cost_is_per_sample():
    x, x_hat = torch.rand(4, 6), torch.rand(4, 6)
    assert float(per_sample_cost(x, x_hat, "mse")) == pytest.approx(float(((x - x_hat) ** 2).sum(1).mean()))
    assert float(per_sample_cost(x, x_hat, "l2")) == pytest.approx(float((x - x_hat).norm(dim=1).mean()))


def _tiny(tiny_overrides, kind="wae-mmd"):
    return build_config(overrides=[*tiny_overrides, f"model.kind={kind}"])


def test_a_family_run_resumes_bitwise(tmp_path, tiny_overrides):
    cfg = _tiny(tiny_overrides)
    straight = train_run(cfg, tmp_path / "a", quiet=True)
    from dataclasses import replace

    train_run(replace(cfg, train=replace(cfg.train, steps=10)), tmp_path / "b", quiet=True)
    resumed = train_run(cfg, tmp_path / "b", resume=True, quiet=True)
    assert {k: v for k, v in straight.items() if k != "seconds"} == {k: v for k, v in resumed.items() if k != "seconds"}
    assert straight["model"] == "wae-mmd" and straight["active_dims"] is None and straight["wasserstein"] is None
    a = torch.load(tmp_path / "a" / "checkpoint.pt", weights_only=True)["trainer"]["model"]
    b = torch.load(tmp_path / "b" / "checkpoint.pt", weights_only=True)["trainer"]["model"]
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_a_family_model_saves_and_loads_through_the_library(tmp_path, tiny_overrides):
    cfg = _tiny(tiny_overrides)
    model = family("wae-mmd").build_model(cfg, (128,))
    model.save(tmp_path / "m.pt")
    again = load_model(tmp_path / "m.pt")
    x = torch.randn(3, 128)
    assert type(again) is type(model)
    torch.testing.assert_close(again.encode(x), model.encode(x))


def test_a_sweep_over_model_kind_and_its_report(tmp_path, tiny_overrides):
    from maskaae.report import write_report

    spec = SweepSpec.from_args(["model.kind=maskaae,wae-mmd"], "synthetic", None,
                               [o for o in tiny_overrides if not o.startswith("train.threads")])
    result = run_sweep(spec, tmp_path / "s", log=None)
    assert not result.failed
    rows = (tmp_path / "s" / "results.csv").read_text().splitlines()
    header = rows[0].split(",")
    kinds = {r.split(",")[header.index("model")]: r.split(",")[header.index("active_dims")] for r in rows[1:]}
    assert kinds["wae-mmd"] == "" and int(kinds["maskaae"]) >= 1
    write_report([tmp_path / "s"])
    assert (tmp_path / "s" / "report" / "report.md").is_file()


def test_adding_a_family_is_one_module_and_one_registry_line(tmp_path, tiny_overrides, monkeypatch):
    # a "new" family: the wae_mmd module under another name, registered with one line
    monkeypatch.setitem(maskaae.models.MODELS, "my-ae", Family("wae_mmd", "a family added by a user"))
    summary = train_run(_tiny(tiny_overrides, "my-ae"), tmp_path / "run", quiet=True)
    assert summary["model"] == "my-ae"
    assert json.loads((tmp_path / "run" / "config.json").read_text())["config"]["model"]["kind"] == "my-ae"
