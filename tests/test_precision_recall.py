import numpy as np
import pytest

from maskaae.metrics import precision_recall


def test_identical_sets():
    x = np.random.default_rng(0).standard_normal((60, 5))
    assert precision_recall(x, x.copy(), k=3) == (1.0, 1.0)


def test_far_shift_gives_zero():
    x = np.random.default_rng(1).standard_normal((50, 4))
    assert precision_recall(x, x + 1000.0, k=3) == (0.0, 0.0)


def test_mode_collapse_onto_one_cluster():
    rng = np.random.default_rng(2)
    cluster_a = rng.standard_normal((20, 3))
    cluster_b = rng.standard_normal((20, 3)) + 100.0
    real = np.concatenate([cluster_a, cluster_b])
    fake = cluster_a.copy()  # generator only reproduces cluster A
    precision, recall = precision_recall(real, fake, k=3)
    assert precision == 1.0
    assert recall == 0.5


def test_hand_computed_1d():
    # real = [-5, 0, 1, 3, 7], k=1 radii: 5, 1, 1, 2, 4
    #   balls: [-10,0] [-1,1] [0,2] [1,5] [3,11]
    #   fake 2 in, 5 in (boundary, <=), 12 out, 13 out -> precision 2/4
    # fake = [2, 5, 12, 13], k=1 radii: 3, 3, 1, 1
    #   balls: [-1,5] [2,8] [11,13] [12,14]
    #   real -5 out; 0, 1, 3, 7 in -> recall 4/5
    real = np.array([[-5.0], [0.0], [1.0], [3.0], [7.0]])
    fake = np.array([[2.0], [5.0], [12.0], [13.0]])
    assert precision_recall(real, fake, k=1) == (0.5, 0.8)
    # k=2: real radii 6, 3, 2, 3, 6 -> ball [1,13] covers 12 and 13 (boundary);
    # fake radii 10, 7, 7, 8 -> ball [-8,12] covers -5.
    assert precision_recall(real, fake, k=2) == (1.0, 1.0)


def test_chunk_size_invariance():
    rng = np.random.default_rng(3)
    real = rng.standard_normal((37, 6))
    fake = rng.standard_normal((29, 6)) * 1.3 + 0.4
    expected = precision_recall(real, fake, k=3, chunk_size=1024)
    assert 0.0 < expected[0] < 1.0 or 0.0 < expected[1] < 1.0
    for cs in (1, 5, 16, 37):
        assert precision_recall(real, fake, k=3, chunk_size=cs) == expected


def test_validation_errors():
    x = np.zeros((4, 2))
    with pytest.raises(ValueError, match="smaller than the number"):
        precision_recall(x, np.ones((10, 2)), k=4)
    with pytest.raises(ValueError, match="positive integer"):
        precision_recall(x, x, k=0)
    with pytest.raises(ValueError, match="same feature dimension"):
        precision_recall(x, np.zeros((4, 3)), k=1)
    with pytest.raises(ValueError, match="2-D"):
        precision_recall(np.zeros(4), x, k=1)
    bad = np.ones((4, 2))
    bad[1, 1] = np.inf
    with pytest.raises(ValueError, match="NaN or inf"):
        precision_recall(x, bad, k=1)
