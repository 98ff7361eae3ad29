"""The library's optimised iteration computes the same updates as the textbook one in benchmarks/."""

import sys
from pathlib import Path

import pytest
import torch

from maskaae import Trainer, build_config, build_model
from maskaae.data import load_data

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from reference_step import reference_iteration  # noqa: E402


@pytest.mark.parametrize("mask", ["true", "false"])
def test_optimised_iteration_matches_reference(tiny_overrides, mask):
    cfg = build_config("synthetic", overrides=tiny_overrides + ["model.discovery=paper", f"model.mask={mask}", "model.depth=2",
                                                                "loss.lambda3_init=0.5"])
    train, _ = load_data(cfg.data)
    trainers = [Trainer(build_model(cfg, (128,)), train, cfg) for _ in range(2)]
    for _ in range(4):
        trainers[0].iteration()
        reference_iteration(trainers[1])
    a, b = (t.model.state_dict() for t in trainers)
    moved = False
    start = build_model(cfg, (128,)).state_dict()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=1e-4, atol=1e-5, msg=key)
        moved |= not torch.equal(a[key], start[key])
    assert moved
    assert torch.equal(trainers[0].generator.get_state(), trainers[1].generator.get_state())
