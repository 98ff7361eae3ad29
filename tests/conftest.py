import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import pytest  # noqa: E402
import torch  # noqa: E402

# Tests are tiny; one thread keeps them fast and their results identical across machines.
torch.set_num_threads(1)

TINY = ["model.width=16", "model.depth=1", "model.latent_dim=4", "data.latent_dim=2", "data.n_train=256",
        "data.n_test=128", "train.steps=20", "train.batch_size=16", "train.disc_training_ratio=2",
        "train.log_every=2", "train.eval_every=10", "train.checkpoint_every=5", "train.reg_schedule_interval=2",
        "train.mask_warmup_steps=0", "eval.n_samples=64", "eval.nac_samples=64",
        "train.discovery_steps=10"]


@pytest.fixture
def tiny_overrides() -> list[str]:
    return list(TINY)
