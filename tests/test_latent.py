import numpy as np
import pytest

from maskaae.metrics import active_dims, active_indices, nac, normalized_abs_covariance


def _known_codes():
    # Columns a, b = -2a, c (orthogonal to a), each with mean 0 over N = 4:
    # cov = [[4/3, -8/3, 0], [-8/3, 16/3, 0], [0, 0, 4/3]]
    a = np.array([1.0, -1.0, 1.0, -1.0])
    c = np.array([1.0, 1.0, -1.0, -1.0])
    return np.stack([a, -2.0 * a, c], axis=1)


def test_normalized_abs_covariance_by_hand():
    # |cov| has min 0 and max 16/3 -> divide by 16/3.
    expected = np.array([[0.25, 0.5, 0.0], [0.5, 1.0, 0.0], [0.0, 0.0, 0.25]])
    np.testing.assert_allclose(normalized_abs_covariance(_known_codes()), expected, atol=1e-12)


def test_nac_by_hand():
    # off-diagonal entries: 0.5, 0, 0.5, 0, 0, 0 -> mean 1/6
    assert nac(_known_codes()) == pytest.approx(1.0 / 6.0)


def test_constant_covariance_gives_zeros():
    codes = np.array([[1.0, 1.0], [-1.0, -1.0]])  # every |cov| entry is 2
    np.testing.assert_array_equal(normalized_abs_covariance(codes), np.zeros((2, 2)))


def test_mask_drops_columns():
    rng = np.random.default_rng(0)
    base = _known_codes()
    noisy = rng.standard_normal((4, 1)) * 50.0  # would dominate the max if kept
    codes = np.concatenate([base[:, :1], noisy, base[:, 1:]], axis=1)
    mask = np.array([1.0, 0.05, 0.9, 0.1])  # 0.1 sits exactly on the threshold -> kept
    assert nac(codes, mask=mask) == pytest.approx(1.0 / 6.0)
    assert nac(codes) != pytest.approx(1.0 / 6.0)


def test_nac_too_few_dims_is_nan():
    codes = _known_codes()
    assert np.isnan(nac(codes, mask=np.array([1.0, 0.0, 0.0])))
    with pytest.raises(ValueError, match="entries"):
        nac(codes, mask=np.ones(4))


def test_active_dims_threshold_boundary():
    mask = np.array([0.0, 0.0999, 0.1, 0.5, 1.0])
    assert active_dims(mask) == 3
    np.testing.assert_array_equal(active_indices(mask), [2, 3, 4])
    assert active_dims(mask, threshold=0.5) == 2
    assert active_dims(mask, threshold=1.01) == 0


def test_tensor_like_mask():
    class _FakeTensor:  # duck-typed stand-in for a torch tensor
        def detach(self):
            return self

        def cpu(self):
            return self

        def numpy(self):
            return np.array([0.2, 0.05, 0.1], dtype=np.float32)

    assert active_dims(_FakeTensor()) == 2
