import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import pytest  # noqa: E402
import torch  # noqa: E402

# Tests are tiny; one thread keeps them fast and their results identical across machines.
torch.set_num_threads(1)

# The tiny runs the tests train: config overrides on top of the synthetic preset, shared by every test file
# (a test adds what it needs after them; a later override wins). Test files import them with
# `from conftest import ...`, or take TINY from the tiny_overrides fixture.
#
# One run of a few seconds: 256 samples, 20 steps (10 of them nested discovery, 4 verifying it), and logs,
# evaluations and checkpoints often enough that every path of a run folder is written.
TINY = ["model.width=16", "model.depth=1", "model.latent_dim=4", "data.latent_dim=2", "data.n_train=256",
        "data.n_test=128", "train.steps=20", "train.batch_size=16", "train.disc_training_ratio=2",
        "train.log_every=2", "train.eval_every=10", "train.checkpoint_every=5", "train.reg_schedule_interval=2",
        "train.mask_warmup_steps=0", "eval.n_samples=64", "eval.nac_samples=64",
        "train.discovery_steps=10", "train.discovery_verify_steps=4"]
# Smaller still, for tests that train several runs each (sweeps, reports) or step a Trainer by hand:
# 4 steps on 128 samples, networks 8 wide, one thread.
TINY_FAST = ["model.width=8", "model.depth=1", "model.latent_dim=4", "data.latent_dim=2", "data.n_train=128",
             "data.n_test=64", "train.steps=4", "train.batch_size=8", "train.disc_training_ratio=1",
             "train.log_every=2", "train.eval_every=4", "train.checkpoint_every=2", "eval.n_samples=32",
             "eval.nac_samples=32", "train.threads=1"]


@pytest.fixture
def tiny_overrides() -> list[str]:
    return list(TINY)
