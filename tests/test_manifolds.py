import numpy as np
import pytest

from maskaae import build_config
from maskaae.config import ConfigError
from maskaae.data import load_data
from maskaae.data.manifolds import KINDS, make_manifold


def _make(kind, n=3, d=20, noise=0.0, seed=0, count=400):
    return make_manifold(kind, n, d, seed, count, 100, noise)


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_has_unit_mean_variance_and_is_reproducible(kind):
    train, test = _make(kind)
    assert train.shape == (400, 20) and test.shape == (100, 20)
    assert abs(train.var(axis=0).mean() - 1.0) < 1e-9
    again, _ = _make(kind)
    other, _ = _make(kind, seed=1)
    np.testing.assert_array_equal(train, again)
    assert not np.allclose(train, other)


def test_sphere_points_have_one_norm():
    train, _ = _make("sphere", n=4)
    norms = np.linalg.norm(train, axis=1)
    np.testing.assert_allclose(norms, norms[0], rtol=1e-9)
    # S^4 spans n + 1 = 5 linear dimensions, no more
    s = np.linalg.svd(train, compute_uv=False)
    assert s[4] > 1e-3 * s[0] and s[5] < 1e-9 * s[0]


def test_torus_is_a_product_of_circles_in_2n_dimensions():
    train, _ = _make("torus", n=3)
    norms = np.linalg.norm(train, axis=1)  # |(cos a, sin a)|^2 = n for every point
    np.testing.assert_allclose(norms, norms[0], rtol=1e-9)
    s = np.linalg.svd(train, compute_uv=False)
    assert s[5] > 1e-3 * s[0] and s[6] < 1e-9 * s[0]


def test_hypercube_spans_n_linear_dimensions():
    train, _ = _make("hypercube", n=3)
    s = np.linalg.svd(train, compute_uv=False)
    assert s[2] > 0.5 * s[0] and s[3] < 1e-9 * s[0]


@pytest.mark.parametrize("kind", ["curved1", "curved3"])
def test_curved_kinds_are_not_flat(kind):
    # a smooth curved embedding of a 2-d square spans more than 2 linear dimensions
    train, _ = _make(kind, n=2)
    s = np.linalg.svd(train - train.mean(0), compute_uv=False)
    assert s[2] > 1e-3 * s[0]


def test_noise_is_relative_to_the_data_scale():
    clean, _ = _make("curved1", noise=0.0, count=4000)
    noisy, _ = _make("curved1", noise=0.01, count=4000)
    assert abs((noisy - clean).std() - 0.01) < 0.0005


def test_gaussian_kind_noise_and_the_config():
    cfg = build_config("synthetic", overrides=["data.n_train=500", "data.n_test=50"])
    noisy_cfg = build_config("synthetic", overrides=["data.n_train=500", "data.n_test=50", "data.noise=0.01"])
    clean, _ = load_data(cfg.data)
    noisy, _ = load_data(noisy_cfg.data)
    scale = 0.01 * np.sqrt(clean.numpy().astype(np.float64).var(axis=0).mean())
    assert abs(float((noisy - clean).std()) - scale) < 0.05 * scale
    sphere = build_config("synthetic", overrides=["data.kind=sphere", "data.latent_dim=2", "data.n_train=50",
                                                  "data.n_test=10"])
    train, _ = load_data(sphere.data)
    assert train.shape == (50, 128)


def test_bad_kind_and_too_small_data_dim_are_named():
    with pytest.raises(ConfigError, match="data.kind"):
        build_config("synthetic", overrides=["data.kind=klein"])
    with pytest.raises(ConfigError, match="data.noise"):
        build_config("synthetic", overrides=["data.noise=-1"])
    with pytest.raises(ValueError, match="data.data_dim"):
        make_manifold("torus", 6, 10, 0, 10, 10, 0.0)
