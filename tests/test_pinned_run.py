"""A tiny seeded synthetic run whose results are pinned: a change anywhere in training or evaluation (data,
networks, the nested discovery phase and its decision, the critic and generator steps, the metrics) that
moves them fails here. If a change is meant to move them, measure again and update the numbers with it."""

import tomllib
from pathlib import Path

import pytest
import torch

from maskaae import build_config
from maskaae.runs import train_run

ROOT = Path(__file__).resolve().parents[1]

# n = 2 seen in 128 dimensions, m = 6; the default model.discovery=ordered: 1,500 nested auto-encoder steps, the
# decision, 200 verification steps, then 100 steps with the critic and the generator (the mask fixed); seed 0,
# one thread.
PINNED = ["data.latent_dim=2", "data.n_train=2000", "data.n_test=500", "model.width=64", "model.depth=2",
          "model.latent_dim=6", "train.discovery_steps=1500", "train.discovery_verify_steps=200", "train.steps=1800",
          "train.threads=1", "train.log_every=100", "train.eval_every=100000", "train.checkpoint_every=100000",
          "eval.n_samples=500", "eval.nac_samples=500"]
# Measured (torch 2.13.0, this project's CPU machine), identical over repeated runs. With other CPU kernel paths
# (ATEN_CPU_CAPABILITY=default/avx2 with MKL_ENABLE_INSTRUCTIONS=SSE4_2/AVX2, MKL_CBWR=COMPATIBLE) fd moved by at
# most 2.7e-4 of its value and m_A not at all; fd after 100 more steps, where the critic has longer to amplify
# rounding, already moved by 1.4%, which is why the run stops 100 steps after the mask is fixed. The nested phase's
# Adam became fused on 2026-12-07 (maskaae/optim.py): the same update to float rounding, and fd moved by 5.4e-5
# of its value (65.14416), within the tolerance, so the numbers stay those first measured.
# The default has the verification steps (their gate does not bind here: the 2nd dimension is far above it);
# without them (the default before) the same run gave the second pinned fd, and without them and the focus
# phase (uniform truncations, the default before that) the third.
ACTIVE_DIMS = 2
FD = {"default": 65.14768443661418, "no verification": 66.77573187834697,
      "no verification, no focus": 66.91109622845761}
FD_RTOL = 2e-3
NO_VERIFY = ["train.discovery_verify_steps=0", "train.steps=1600"]
VARIANTS = [("default", []), ("no verification", NO_VERIFY),
            ("no verification, no focus", NO_VERIFY + ["train.discovery_focus=0"])]


@pytest.mark.slow
@pytest.mark.parametrize("variant, extra", VARIANTS)
def test_tiny_synthetic_run_is_pinned(tmp_path, variant, extra):
    torch.set_num_threads(1)  # train.threads is applied by the entry points, not by train_run
    summary = train_run(build_config("synthetic", overrides=PINNED + extra), tmp_path / "run", quiet=True)
    assert summary["discovery"]["dimension"] == summary["active_dims"] == ACTIVE_DIMS
    assert summary["fd"] == pytest.approx(FD[variant], rel=FD_RTOL)


def test_slow_tests_are_registered_and_run_by_default():
    pytest_config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert any(m.startswith("slow:") for m in pytest_config["markers"])
    assert "slow" not in str(pytest_config.get("addopts", ""))  # nothing deselects them
    ci = (ROOT / ".ci" / "run").read_text()
    assert "-m pytest" in ci and "not slow" not in ci
