"""train.compile runs the same objectives and optimiser updates through torch.compile: same maths."""

import shutil

import pytest
import torch

from maskaae import Trainer, build_config, build_model
from maskaae.data import load_data

pytestmark = pytest.mark.skipif(shutil.which("g++") is None and shutil.which("clang++") is None,
                                reason="torch.compile needs a C++ compiler on the CPU")


def test_compiled_iteration_matches_eager(tiny_overrides):
    overrides = tiny_overrides + ["model.depth=2", "loss.lambda3_init=0.5"]
    train, _ = load_data(build_config("synthetic", overrides=overrides).data)
    trainers = [Trainer(build_model(cfg, (128,)), train, cfg)
                for cfg in (build_config("synthetic", overrides=overrides + [f"train.compile={c}"])
                            for c in ("false", "true"))]
    start = {k: v.clone() for k, v in trainers[0].model.state_dict().items()}
    for _ in range(3):
        losses = [t.iteration() for t in trainers]
        for key in losses[0]:
            assert float(losses[1][key]) == pytest.approx(float(losses[0][key]), rel=1e-4, abs=1e-5), key
    a, b = (t.model.state_dict() for t in trainers)
    for key in a:
        torch.testing.assert_close(b[key], a[key], rtol=1e-4, atol=1e-5, msg=key)
    assert any(not torch.equal(a[k], start[k]) for k in a)
