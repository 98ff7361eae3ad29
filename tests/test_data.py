import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from maskaae.config import DataConfig
from maskaae.data import SyntheticMap, as_tensor, load_data, make_synthetic
from maskaae.data.arrays import DataError


def _cfg(**kw):
    base = dict(latent_dim=2, hidden_dim=8, data_dim=5, n_train=40, n_test=10, seed=0)
    base.update(kw)
    return DataConfig(**base)


def test_shapes_and_dtype():
    train, test = make_synthetic(_cfg())
    assert train.shape == (40, 5) and test.shape == (10, 5)
    assert train.dtype == torch.float32 and torch.isfinite(train).all()


def test_deterministic_and_seed_dependent():
    a, _ = make_synthetic(_cfg())
    b, _ = make_synthetic(_cfg())
    c, _ = make_synthetic(_cfg(seed=1))
    assert torch.equal(a, b)
    assert not torch.allclose(a, c)
    m0 = SyntheticMap.from_seed(2, 8, 5, 0, 0.2)
    m1 = SyntheticMap.from_seed(2, 8, 5, 1, 0.2)
    assert not np.allclose(m0.w1, m1.w1) and not np.allclose(m0.w2, m1.w2)


def test_train_and_test_differ():
    train, test = make_synthetic(_cfg(n_train=10, n_test=10))
    assert not torch.allclose(train, test)


def test_matches_map_applied_by_hand():
    cfg = _cfg(leaky_slope=0.3)
    train, test = make_synthetic(cfg)
    f = SyntheticMap.from_seed(2, 8, 5, 0, 0.3)
    assert f.w1.shape == (2, 8) and f.w2.shape == (8, 5)
    for stream, data, count in ((1, train, 40), (2, test, 10)):
        z = np.random.default_rng([0, stream]).standard_normal((count, 2))
        h = z @ f.w1
        h = np.where(h > 0, h, 0.3 * h)
        x = h @ f.w2
        x = np.where(x > 0, x, 0.3 * x)
        np.testing.assert_allclose(data.numpy(), x.astype(np.float32), rtol=1e-6)


def test_leaky_slope_is_applied():
    f = SyntheticMap(np.eye(2), np.eye(2), 0.2)
    np.testing.assert_allclose(f(np.array([[-1.0, 2.0]])), [[-0.04, 2.0]])  # -1 * 0.2 * 0.2
    g = SyntheticMap(np.eye(2), -np.eye(2), 0.5)
    # layer 1: [-1, 2] -> [-0.5, 2]; layer 2: [0.5, -2] -> [0.5, -1]
    np.testing.assert_allclose(g(np.array([[-1.0, 2.0]])), [[0.5, -1.0]])
    # the data have negative values (slope > 0), shrunk by the slope relative to the positive ones
    train, _ = make_synthetic(_cfg(n_train=200))
    neg, pos = -train[train < 0], train[train > 0]
    assert len(neg) > 0 and neg.mean() < 0.5 * pos.mean()


def test_weight_scale_is_he_for_leaky_relu():
    n, k, d, slope = 4, 2000, 3, 0.2
    f = SyntheticMap.from_seed(n, k, d, 0, slope)
    assert f.w1.std() == pytest.approx(np.sqrt(2.0 / ((1 + slope ** 2) * n)), rel=0.05)


def test_load_data_by_name():
    train, test = load_data(_cfg())
    assert train.shape == (40, 5) and test.shape == (10, 5)


def test_as_tensor_accepts_numpy_and_tensor():
    arr = np.arange(12, dtype=np.float64).reshape(4, 3)
    t = as_tensor(arr)
    assert t.dtype == torch.float32 and t.shape == (4, 3) and t[3, 2].item() == 11.0
    t2 = as_tensor(torch.arange(6).reshape(3, 2))
    assert t2.dtype == torch.float32 and t2.tolist() == [[0, 1], [2, 3], [4, 5]]
    assert as_tensor([[1, 2], [3, 4]]).shape == (2, 2)
    # image-shaped data keep their shape
    assert as_tensor(np.zeros((3, 1, 2, 2))).shape == (3, 1, 2, 2)


def test_as_tensor_dataset_takes_x():
    x = torch.randn(5, 3)
    y = torch.arange(5)
    t = as_tensor(TensorDataset(x, y))
    assert torch.equal(t, x)


def test_as_tensor_dataloader():
    x = torch.randn(7, 3)
    loader = DataLoader(TensorDataset(x, torch.zeros(7)), batch_size=3, shuffle=False)
    assert torch.equal(as_tensor(loader), x)
    only_x = DataLoader(x, batch_size=4)
    assert torch.equal(as_tensor(only_x), x)


@pytest.mark.parametrize("bad, text", [
    (np.array([[1.0, np.nan], [0.0, 1.0]]), "NaN or inf in 1 sample"),
    (np.array([[1.0, 2.0], [0.0, np.inf], [np.inf, 1.0]]), "first at index 1"),
    (np.zeros((0, 3)), "0 samples"),
    (np.zeros(5), "reshape"),
    (np.zeros((1, 3)), "1 samples"),
    (np.zeros((3, 0)), "no features"),
    ("abc", "unsupported type str"),
    ({"x": 1}, "unsupported type dict"),
    (np.array([["a", "b"], ["c", "d"]]), "could not be turned into an array"),
    (torch.zeros(3, 2, dtype=torch.bool), "dtype"),
])
def test_as_tensor_errors(bad, text):
    with pytest.raises(DataError, match=text):
        as_tensor(bad)


def test_as_tensor_empty_dataset_and_loader():
    empty = TensorDataset(torch.zeros(0, 3))
    with pytest.raises(DataError, match="empty"):
        as_tensor(empty)
    with pytest.raises(DataError, match="no batches"):
        as_tensor(DataLoader(empty, batch_size=2))


def test_as_tensor_error_names_the_data():
    with pytest.raises(DataError, match="training data"):
        as_tensor(np.zeros(3), "training data")
