"""Image data through the whole run: networks for (C, H, W), sample and reconstruction grids, Inception FID."""

import json

import numpy as np
import pytest
import torch

from maskaae import build_config
from maskaae.data import DATASETS
from maskaae.runs import train_run

from conftest import TINY_FAST

TINY_IMAGES = TINY_FAST + ["data.name=mnist", "model.network=mlp", "model.width=16", "model.output=sigmoid",
                           "loss.recon=bce", "train.checkpoint_every=4", "eval.n_samples=16", "eval.nac_samples=16"]


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


def _frechet_of_features(fa, fb):
    """Frechet distance of Gaussians fitted to two feature sets of N << d rows, in closed form: with centred
    rows A, B, the covariances are A^T A / (n - 1) and B^T B / (m - 1), and the non-zero eigenvalues of their
    product are the squared singular values of A B^T / sqrt((n - 1)(m - 1)), so tr((S_a S_b)^1/2) is the
    nuclear norm of that small matrix (maskaae computes it from two 2048 x 2048 eigendecompositions)."""
    fa, fb = np.asarray(fa, np.float64), np.asarray(fb, np.float64)
    a, b = fa - fa.mean(0), fb - fb.mean(0)
    n, m = len(a), len(b)
    cross = np.linalg.svd(a @ b.T, compute_uv=False).sum() / np.sqrt((n - 1) * (m - 1))
    mean = ((fa.mean(0) - fb.mean(0)) ** 2).sum()
    return float(mean + (a * a).sum() / (n - 1) + (b * b).sum() / (m - 1) - 2 * cross)


def test_image_run_reports_inception_fid(tmp_path, fake_mnist, monkeypatch):
    from maskaae.metrics.inception import InceptionFeatures, InceptionWeightsError, find_inception_weights

    try:
        find_inception_weights()
    except InceptionWeightsError as err:
        pytest.skip(f"Inception weights not installed: {err}")
    calls = []  # (images, features) of every Inception call the run makes
    extract = InceptionFeatures.__call__
    monkeypatch.setattr(InceptionFeatures, "__call__",
                        lambda self, images: calls.append((images, extract(self, images))) or calls[-1][1])
    monkeypatch.setenv("MASKAAE_DATA", str(tmp_path / "data"))
    out = tmp_path / "run"
    summary = train_run(build_config(overrides=TINY_IMAGES + ["eval.fid_samples=4"]), out, quiet=True)
    saved = json.loads((out / "summary.json").read_text())
    assert saved["fid_samples"] == 4 and saved["fid_samples_ref"] == 4
    assert saved["fid"] == summary["fid"]
    assert list((tmp_path / "data" / "fid-stats").glob("fidstats-mnist-test-n4-*.npz"))
    # Two feature sets: the first 4 test images (the cached reference) and 4 generated ones; the FID is the
    # Frechet distance between them, recomputed here in closed form (measured: 167.7 both ways).
    test = fake_mnist[32:]
    (real, f_real), (fake, f_fake) = sorted(calls, key=lambda c: not torch.equal(c[0], test[:4]))
    assert torch.equal(real, test[:4]) and not torch.equal(fake, test[:4]) and fake.shape == real.shape
    assert saved["fid"] == pytest.approx(_frechet_of_features(f_fake, f_real), rel=1e-6)
    # and it measures the samples, not noise of N = 4: two real sets of 4 (train vs test images) are far
    # closer (measured: 69.8, against 167.7 for the model's samples)
    f_train = InceptionFeatures()(fake_mnist[:4])
    assert _frechet_of_features(f_train, f_real) < 0.6 * saved["fid"]
    from maskaae.runs import evaluate_run

    calls.clear()
    again = evaluate_run(out, fid_samples=6)  # a larger N than training used, from the same checkpoint
    assert again["fid_samples"] == 6 and again["active_dims"] == summary["active_dims"]
    (real, f_real), (fake, f_fake) = sorted(calls, key=lambda c: not torch.equal(c[0], test[:6]))
    assert torch.equal(real, test[:6])
    assert again["fid"] == pytest.approx(_frechet_of_features(f_fake, f_real), rel=1e-6)
    assert json.loads((out / "evaluation.json").read_text())["fid_samples"] == 6
    assert "fid" not in evaluate_run(out, fid_samples=0)


def test_a_run_without_inception_weights_trains_and_says_how_to_add_fid(tmp_path, fake_mnist, monkeypatch):
    """Issue 34 C17: a run asking for FID without the weights trained for minutes and then failed, no summary
    written. Now the missing weights are found before the first step, and the summary is written without FID."""
    from maskaae.metrics import inception
    from maskaae.metrics.inception import InceptionWeightsError

    def missing(path=None):
        raise InceptionWeightsError("Inception weights default_1.pt not found")

    monkeypatch.setattr(inception, "find_inception_weights", missing)
    out = tmp_path / "run"
    with pytest.warns(UserWarning, match=r"not found The run trains, and its summary has no FID; add it afterwards "
                                         rf"with `maskaae evaluate {out} --fid-samples 4`"):
        summary = train_run(build_config(overrides=TINY_IMAGES + ["eval.fid_samples=4"]), out, quiet=True)
    assert "fid" not in summary and summary["fid_unavailable"].startswith("Inception weights default_1.pt")
    assert json.loads((out / "summary.json").read_text())["steps"] == 4
