"""A library a user imports must not change their process: environment, torch threads, random state,
matplotlib backend. The `maskaae` command owns its process and does set them (maskaae/openmp.py)."""

import os
import subprocess
import sys

import torch

from maskaae import build_config, build_model, fit
from maskaae.cli import main
from maskaae.runs import train_run

OPENMP_KEYS = ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "OMP_NUM_THREADS")


def _python(code: str) -> list[str]:
    """stdout lines of `code` in a fresh interpreter whose environment has none of the OpenMP variables."""
    env = {k: v for k, v in os.environ.items() if k not in OPENMP_KEYS}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def test_import_changes_nothing():
    before = _python("import torch; print(torch.get_num_threads())")
    after = _python("import os, sys, maskaae; loaded = 'torch' in sys.modules; import torch; "
                    f"print(*[os.environ.get(k) for k in {OPENMP_KEYS!r}], loaded, torch.get_num_threads())")
    assert after == ["None", "None", "None", "False", *before]


def test_plots_and_reports_leave_the_backend_alone(tmp_path):
    code = ("import sys, matplotlib, numpy as np; matplotlib.use('svg'); "
            "from maskaae import plots, report; "
            f"plots.plot_covariance(np.eye(3), {str(tmp_path / 'c.png')!r}); "
            "print(matplotlib.get_backend(), 'matplotlib.pyplot' in sys.modules)")
    assert _python(code) == ["svg", "False"]
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"


def test_build_model_keeps_the_global_random_state(tiny_overrides):
    cfg = build_config("synthetic", overrides=tiny_overrides)
    torch.manual_seed(123)
    state = torch.get_rng_state()
    first = build_model(cfg, (128,))
    assert torch.equal(torch.get_rng_state(), state)
    torch.manual_seed(456)  # the weights come from cfg.seed alone
    second = build_model(cfg, (128,))
    for (name, a), b in zip(first.state_dict().items(), second.state_dict().values()):
        assert torch.equal(a, b), name


def test_library_training_keeps_the_thread_count(tmp_path, tiny_overrides):
    threads = torch.get_num_threads()
    cfg = build_config("synthetic", overrides=tiny_overrides + ["train.threads=3", "train.steps=2"])
    fit(build_model(cfg, (128,)), torch.randn(64, 128), config=cfg)
    assert torch.get_num_threads() == threads
    train_run(cfg, tmp_path / "run", quiet=True)
    assert torch.get_num_threads() == threads


def test_the_command_sets_threads_and_wait_policy(tmp_path, tiny_overrides):
    threads = torch.get_num_threads()
    try:
        assert main(["train", "--set", *tiny_overrides, "train.threads=3", "train.steps=2", "--out",
                     str(tmp_path / "run"), "--quiet"]) == 0
        assert torch.get_num_threads() == 3
    finally:
        torch.set_num_threads(threads)
    # torch is not loaded before main chooses the wait policy, so the choice reaches libgomp
    code = ("import os, sys; from maskaae.cli import main; print('torch' in sys.modules); main(['presets']); "
            "print(any(k in os.environ for k in ('OMP_WAIT_POLICY', 'GOMP_SPINCOUNT')))")
    lines = _python(code)
    assert lines[0] == "False" and lines[-1] == "True"
