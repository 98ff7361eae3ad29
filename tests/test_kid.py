import numpy as np
import pytest

from maskaae.metrics import kid_from_features, mmd2_polynomial_unbiased


def _naive_mmd2(x, y):
    d, m = x.shape[1], len(x)
    k = lambda a, b: (a @ b / d + 1.0) ** 3  # noqa: E731
    sxx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j)
    syy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j)
    sxy = sum(k(x[i], y[j]) for i in range(m) for j in range(m))
    return sxx / (m * (m - 1)) + syy / (m * (m - 1)) - 2 * sxy / m**2


def test_mmd2_matches_naive_formula():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((9, 4)), rng.standard_normal((9, 4)) + 0.5
    assert mmd2_polynomial_unbiased(x, y) == pytest.approx(_naive_mmd2(x, y), rel=1e-12)


def test_kid_identical_sets_near_zero_and_shift_positive():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((400, 16))
    same = kid_from_features(x, x, num_subsets=20, subset_size=200)
    shifted = kid_from_features(x, x + 0.5, num_subsets=20, subset_size=200)
    # identical sets: ~0 (slightly negative: subsets share points, whose k(x, x) enters the cross term)
    assert abs(same["kid"]) < 0.05
    assert shifted["kid"] > 0.5 and shifted["kid"] > 10 * abs(same["kid"])
    assert same["kid_subsets"] == 20 and same["kid_subset_size"] == 200


def test_kid_independent_samples_unbiased_and_deterministic():
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((300, 8)), rng.standard_normal((300, 8))
    r = kid_from_features(x, y, num_subsets=30, subset_size=100, seed=3)
    assert abs(r["kid"]) < 3 * r["kid_std"] + 1e-3
    assert r == kid_from_features(x, y, num_subsets=30, subset_size=100, seed=3)


def test_kid_subset_size_clipped_and_validated():
    rng = np.random.default_rng(4)
    r = kid_from_features(rng.standard_normal((10, 3)), rng.standard_normal((7, 3)), num_subsets=2)
    assert r["kid_subset_size"] == 7
    with pytest.raises(ValueError, match="num_subsets"):
        kid_from_features(rng.standard_normal((10, 3)), rng.standard_normal((10, 3)), num_subsets=0)
    with pytest.raises(ValueError, match="same feature dimension"):
        kid_from_features(rng.standard_normal((10, 3)), rng.standard_normal((10, 4)))
