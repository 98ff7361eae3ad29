"""The OpenMP wait policy is chosen from the load before torch loads, and the user's setting wins."""

import sys

import pytest

from maskaae import openmp


@pytest.fixture
def clean_env(monkeypatch):
    for key in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.delitem(sys.modules, "torch")  # as if torch were not loaded yet; restored afterwards
    return monkeypatch


def test_idle_machine_spins_briefly(clean_env):
    clean_env.setattr(openmp.os, "getloadavg", lambda: (0.1, 0.2, 0.3))
    assert openmp.choose_wait_policy() == "GOMP_SPINCOUNT=10000"


def test_busy_machine_waits_passively(clean_env):
    clean_env.setattr(openmp.os, "getloadavg", lambda: (1.2, 1.0, 0.9))
    assert openmp.choose_wait_policy() == "OMP_WAIT_POLICY=PASSIVE"


def test_user_setting_wins(clean_env):
    clean_env.setenv("OMP_WAIT_POLICY", "ACTIVE")
    clean_env.setattr(openmp.os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert openmp.choose_wait_policy() == "OMP_WAIT_POLICY=ACTIVE"
    assert "GOMP_SPINCOUNT" not in openmp.os.environ


def test_nothing_changes_once_torch_is_loaded(monkeypatch):
    import torch  # noqa: F401

    for key in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT"):
        monkeypatch.delenv(key, raising=False)
    assert openmp.choose_wait_policy() == "libgomp default"


def test_worker_environment_is_set_while_spawning_then_restored(monkeypatch):
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    with openmp.worker_environment():
        assert openmp.os.environ["OMP_NUM_THREADS"] == str(openmp.SWEEP_THREADS) == "1"
        assert openmp.os.environ["OMP_WAIT_POLICY"] == "PASSIVE"
    assert openmp.os.environ["OMP_WAIT_POLICY"] == "ACTIVE" and "OMP_NUM_THREADS" not in openmp.os.environ


def test_set_threads(monkeypatch):
    import torch

    before = torch.get_num_threads()
    try:
        openmp.set_threads(0)  # 0: torch's default, untouched
        assert torch.get_num_threads() == before
        openmp.set_threads(2)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
