"""Sweeps over models at an equal wall-clock budget (issue 12, item 4): the `model` axis, the budget's steps,
and the Table 1 report."""

import csv
import json
import re

import pytest

from maskaae import budget
from maskaae.config import ConfigError
from maskaae.presets import build_config
from maskaae.report import write_report
from maskaae.sweep import SweepError, SweepSpec, build_points, run_sweep

from conftest import TINY_FAST

MODELS = ["maskaae", "wae-gan", "vae-gaussian", "rae"]
# seconds per step each model is said to take (the tests do not time this machine)
FAKE_STEP_SECONDS = {"maskaae": 0.004, "wae-gan": 0.007, "vae-gaussian": 0.0013, "rae": 0.003}


def _spec(budget_seconds=0.1, models=MODELS, seeds="0,1"):
    return SweepSpec.from_args([f"model={','.join(models)}", f"seed={seeds}"], "synthetic", None,
                               TINY_FAST + ["train.discovery_steps=2"], budget_seconds)


@pytest.fixture
def fake_timing(monkeypatch):
    timed = []

    def step_seconds(cfg, data, steps=budget.TIMING_STEPS):
        timed.append(cfg.model_name)
        return FAKE_STEP_SECONDS[cfg.model_name]

    monkeypatch.setattr(budget, "step_seconds", step_seconds)
    return timed


def test_the_model_axis_sets_the_family_and_the_mask():
    points = build_points(SweepSpec.from_args(["model=maskaae,wae-gan,vae-iaf"], "synthetic", None, []))
    assert [(p.config.model.kind, p.config.model.mask, p.config.model_name) for p in points] == [
        ("maskaae", True, "maskaae"), ("maskaae", False, "wae-gan"), ("vae-iaf", True, "vae-iaf")]
    with pytest.raises(ConfigError, match=r"model 'vae-flow' is not a model; choose from maskaae, wae-gan, "):
        build_points(SweepSpec.from_args(["model=maskaae,vae-flow"], "synthetic", None, []))


def test_a_scaled_schedule_keeps_the_nested_share_and_the_warm_up_share():
    cfg = build_config("mnist", overrides=["train.discovery_verify_steps=2000", "train.steps=14000"])
    scaled = budget.scaled_schedule(cfg, 3500)  # 14,000 steps, 4,000 nested, 2,000 verifying, 1,000 warm-up
    t = scaled.train
    assert (t.steps, t.discovery_steps, t.discovery_verify_steps, t.mask_warmup_steps) == (3500, 1000, 500, 250)
    assert budget.scaled_schedule(cfg, 14000) == cfg
    # a phase as long as the run or longer (the WAE-GAN / paper runs' unused discovery_steps) stays as it is
    long = build_config("synthetic", overrides=["train.steps=100", "train.discovery_steps=500"])
    assert budget.scaled_schedule(long, 50).train.discovery_steps == 500
    # a phase that is off stays off (a saved config from before the verification steps has 0 of them)
    off = build_config("mnist", overrides=["train.discovery_verify_steps=0", "train.mask_warmup_steps=0"])
    scaled_off = budget.scaled_schedule(off, 3000).train
    assert (scaled_off.discovery_verify_steps, scaled_off.mask_warmup_steps) == (0, 0)


def test_budget_steps_divide_the_budget_by_each_models_step_time(fake_timing):
    points = build_points(_spec())
    steps = budget.budget_steps({p.name: p.config for p in points}, 0.1)
    assert fake_timing == MODELS  # each model timed once: the two seeds share a timing
    for p in points:
        model = p.values["model"]
        expected = int(0.1 / FAKE_STEP_SECONDS[model]) // 10 * 10  # 20, 10, 70, 30
        assert steps[p.name] == {"steps": expected, "step_seconds": FAKE_STEP_SECONDS[model]}
    assert budget.budget_steps({points[0].name: points[0].config}, 1e-6)[points[0].name]["steps"] == 10


def test_step_seconds_times_a_real_trainer():
    cfg = build_config("synthetic", overrides=TINY_FAST)
    import torch

    seconds = budget.step_seconds(cfg, torch.randn(128, cfg.data.data_dim), steps=5)
    assert 0 < seconds < 5


def test_a_budget_sweep_saves_its_steps_and_a_continued_one_does_not_time_again(tmp_path, fake_timing, monkeypatch):
    out = tmp_path / "table1"
    run_sweep(_spec(), out, jobs=1, log=None)
    saved = json.loads((out / "sweep.json").read_text())
    assert saved["budget"] == 0.1 and len(fake_timing) == len(MODELS)
    with (out / "results.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["model"] for r in rows] == [m for m in MODELS for _ in (0, 1)]
    for row in rows:
        assert row["model.kind"] == ("maskaae" if row["model"] in ("maskaae", "wae-gan") else row["model"])
        assert int(row["steps"]) == saved["budget_steps"][row["run"]]["steps"]
        config = json.loads((out / "runs" / row["run"] / "config.json").read_text())["config"]
        assert config["train"]["steps"] == int(row["steps"])
    # continuing: the saved steps, no second timing
    monkeypatch.setattr(budget, "step_seconds", lambda *a, **k: pytest.fail("timed again"))
    result = run_sweep(_spec(), out, jobs=1, log=None)
    assert sorted(result.skipped) == sorted(r["run"] for r in rows)
    with pytest.raises(SweepError, match=r"--budget is 0.1 there and 0.2 here"):
        run_sweep(_spec(0.2), out, jobs=1, log=None)

    report = write_report(out).read_text()
    table = report[report.index("| model | runs |"):].split("\n\n")[0].splitlines()
    assert table[0] == "| model | runs | FD | precision | recall | m_A | steps | training s |"
    assert [line.split(" | ")[0].strip("| ") for line in table[2:]] == MODELS
    for line in table[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        mine = [r for r in rows if r["model"] == cells[0]]
        fd = sorted(float(r["fd"]) for r in mine)
        assert cells[1] == "2"
        assert cells[2] == f"{(fd[0] + fd[1]) / 2:.4g} [{fd[0]:.4g}, {fd[1]:.4g}]"
        assert (cells[5] == "–") == (cells[0] != "maskaae")
        assert re.fullmatch(r"\d+ \[\d+, \d+\]", cells[6])


def test_budget_errors():
    with pytest.raises(SweepError, match="--budget must be a positive number of seconds"):
        _spec(0)
    with pytest.raises(SweepError, match="--budget must be a positive number of seconds"):
        _spec(float("inf"))
