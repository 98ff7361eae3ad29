"""Image data through the whole run: networks for (C, H, W), sample and reconstruction grids, Inception FID."""

import json

import pytest
import torch

from maskaae import build_config
from maskaae.data import DATASETS
from maskaae.runs import train_run

TINY_IMAGES = ["data.name=mnist", "model.network=mlp", "model.width=16", "model.depth=1", "model.latent_dim=4",
               "model.output=sigmoid", "loss.recon=bce", "train.steps=4", "train.batch_size=8",
               "train.disc_training_ratio=1", "train.log_every=2", "train.eval_every=4", "train.checkpoint_every=4",
               "eval.n_samples=16", "eval.nac_samples=16"]


@pytest.fixture
def fake_mnist(monkeypatch):
    g = torch.Generator().manual_seed(0)
    images = torch.rand(48, 1, 28, 28, generator=g)
    monkeypatch.setitem(DATASETS, "mnist", lambda cfg: (images[:32], images[32:]))
    return images


def test_image_run_writes_grids(tmp_path, fake_mnist):
    out = tmp_path / "run"
    summary = train_run(build_config(overrides=TINY_IMAGES), out, quiet=True)
    assert (out / "samples.png").is_file() and (out / "reconstructions.png").is_file()
    assert "fid" not in summary  # off unless eval.fid_samples is set


def test_image_run_reports_inception_fid(tmp_path, fake_mnist, monkeypatch):
    from maskaae.metrics.inception import InceptionWeightsError, find_inception_weights

    try:
        find_inception_weights()
    except InceptionWeightsError as err:
        pytest.skip(f"Inception weights not installed: {err}")
    monkeypatch.setenv("MASKAAE_DATA", str(tmp_path / "data"))
    out = tmp_path / "run"
    summary = train_run(build_config(overrides=TINY_IMAGES + ["eval.fid_samples=4"]), out, quiet=True)
    saved = json.loads((out / "summary.json").read_text())
    assert saved["fid_samples"] == 4 and saved["fid_samples_ref"] == 4
    assert saved["fid"] > 0 and saved["fid"] == summary["fid"]
    assert list((tmp_path / "data" / "fid-stats").glob("fidstats-mnist-test-n4-*.npz"))
    from maskaae.runs import evaluate_run

    again = evaluate_run(out, fid_samples=6)  # a larger N than training used, from the same checkpoint
    assert again["fid_samples"] == 6 and again["fid"] > 0 and again["active_dims"] == summary["active_dims"]
    assert json.loads((out / "evaluation.json").read_text())["fid_samples"] == 6
    assert "fid" not in evaluate_run(out, fid_samples=0)
