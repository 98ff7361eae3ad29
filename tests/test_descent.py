import numpy as np
import pytest
import torch
from scipy.spatial.distance import cdist

from maskaae import Trainer, build_config, build_model
from maskaae.discovery import schedule as schedule_module
from maskaae.discovery.descent import descend, excess, reference_dimension, triggered, two_nn

from test_discovery import ORDERED, assert_resumes_bitwise


def direct_two_nn(x: np.ndarray, discard: float = 0.1) -> float:
    """TwoNN from a full distance matrix (scipy) and the regression written out: the slope through the origin
    of -log(1 - i/N) on log(mu_(i)) over the smallest (1 - discard) N ratios."""
    d = cdist(x, x)
    np.fill_diagonal(d, np.inf)
    nearest = np.sort(d, axis=1)
    mu = np.sort(nearest[:, 1] / nearest[:, 0])
    kept = int(len(mu) * (1 - discard))
    xs = np.log(mu[:kept])
    ys = -np.log(1 - np.arange(1, kept + 1) / len(mu))
    return float(np.sum(xs * ys) / np.sum(xs * xs))


def test_two_nn_matches_the_formula_written_out():
    x = np.random.default_rng(0).standard_normal((300, 5))
    assert two_nn(x) == pytest.approx(direct_two_nn(x), rel=1e-12)


def test_two_nn_is_scikit_dimensions_twonn():
    """`maskaae dimension` reports this TwoNN beside scikit-dimension's MLE and DANCo: the same estimator."""
    skdim = pytest.importorskip("skdim", reason="the intrinsic extra is not installed")
    rng = np.random.default_rng(4)
    x = rng.standard_normal((1000, 6)) @ rng.standard_normal((6, 15))
    assert two_nn(x) == pytest.approx(skdim.id.TwoNN().fit(x).dimension_, rel=1e-9)


def test_two_nn_reads_the_dimension_of_a_flat_cube_whatever_the_embedding():
    rng = np.random.default_rng(1)
    cube = rng.uniform(-1, 1, (4000, 3))
    frame = np.linalg.qr(rng.standard_normal((20, 3)))[0].T
    assert two_nn(cube @ frame) == pytest.approx(3.0, abs=0.25)
    assert two_nn(cube @ frame) == pytest.approx(two_nn(cube), rel=1e-9)  # distances are unchanged by the frame


def test_two_nn_counts_a_circle_once():
    angles = np.random.default_rng(2).uniform(0, 2 * np.pi, 2000)
    assert two_nn(np.stack([np.cos(angles), np.sin(angles)], axis=1)) == pytest.approx(1.0, abs=0.1)


def test_two_nn_leaves_out_duplicates_and_names_too_few_points():
    x = np.random.default_rng(3).standard_normal((200, 4))
    assert two_nn(np.concatenate([x, x[:1]])) == pytest.approx(direct_two_nn(x[1:]), rel=0.05)
    with pytest.raises(ValueError, match="at least 3 points"):
        two_nn(x[:2])


def test_the_trigger_fires_on_a_circle_held_by_two_coordinates_and_not_on_a_plane():
    # an answer of k = 2 for a circle (TwoNN about 1) is the case the descent is for; for a plane it is right
    rng = np.random.default_rng(4)
    angles = rng.uniform(0, 2 * np.pi, 2000)
    circle = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    plane = rng.uniform(-1, 1, (2000, 2))
    reference = reference_dimension(2, 2000)
    assert triggered(reference, two_nn(circle), 1.3)
    assert not triggered(reference, two_nn(plane), 1.3)


def test_the_reference_is_two_nn_on_a_fixed_gaussian_sample_of_k_dimensions():
    x = np.random.default_rng([5, 3000]).standard_normal((3000, 5))
    assert reference_dimension(5, 3000) == two_nn(x) == reference_dimension(5, 3000)
    assert reference_dimension(5, 3000) == pytest.approx(5.0, abs=0.4)
    # TwoNN reads low at larger dimensions; the reference carries that bias
    assert reference_dimension(32, 3000) < 28


def test_the_excess_is_over_the_decision_s_k_prefix_as_a_share_of_its_total():
    reference = [1.0, 0.5, 0.2, 0.1, 0.1]  # k = 3: total 0.9
    after = [1.0, 0.6, 0.118, 0.3, 0.4]
    assert excess(after, 2, reference, 3) == pytest.approx(0.018 / 0.9)
    assert excess([1.0, 0.09], 1, reference, 3) == pytest.approx(-0.01 / 0.9)
    assert excess(after, 2, [0.1, 0.1, 0.1, 0.1], 3) == float("inf")


def scripted_descent(errors: dict[int, float], k: int = 6, tolerance: float = 0.01):
    """descend() on a reference curve with total 1 and u(k) = 0, where the round at j leaves u(j) = errors[j]."""
    reference = np.r_[1.0, np.linspace(0.8, 0.0, k), np.zeros(2)]
    trained, last = [], {}

    def train_round(j):
        trained.append(j)
        last["j"] = j

    def curve():
        u = np.full(k + 3, 0.5)
        u[last["j"]] = errors[last["j"]]
        return u
    return descend(k, reference, train_round, curve, tolerance), trained


def test_the_descent_keeps_each_j_within_tolerance_and_stops_at_the_first_that_is_not():
    (answer, rounds), trained = scripted_descent({5: 0.004, 4: 0.009, 3: 0.02, 2: 0.0})
    assert answer == 4 and trained == [5, 4, 3]  # j = 2 is never tried after j = 3 fails
    assert [(r["j"], r["kept"]) for r in rounds] == [(5, True), (4, True), (3, False)]
    assert [r["excess"] for r in rounds] == pytest.approx([0.004, 0.009, 0.02])


def test_the_descent_keeps_k_when_its_first_round_fails_and_may_go_down_to_one():
    assert scripted_descent({5: 0.5})[0][0] == 6
    assert scripted_descent({j: 0.0 for j in range(1, 6)})[0][0] == 1
    assert scripted_descent({1: 0.0}, k=1) == ((1, []), [])  # nothing below one dimension


DESCENT = ORDERED + ["train.discovery_verify_steps=4", "train.steps=40", "train.discovery_descent_steps=3"]


def descent_trainer(overrides: list[str]) -> Trainer:
    cfg = build_config("synthetic", overrides=DESCENT + overrides)
    return Trainer(build_model(cfg, (10,)), torch.randn(256, 10, generator=torch.Generator().manual_seed(0)), cfg)


def test_an_untriggered_descent_leaves_the_run_as_it_was():
    # 10-d Gaussian samples: TwoNN near 10, above any k <= m = 6, so a ratio of 1 never triggers
    trainer, without = descent_trainer(["model.discovery_descent_ratio=1"]), descent_trainer(
        ["model.discovery_descent_ratio=null"])
    trainer.run(34)
    without.run(34)
    record = trainer.discovery
    descent = record.pop("descent")
    assert not descent["triggered"] and descent["rounds"] == []
    assert descent["dimension"] == descent["start"] == record["dimension"]
    assert descent["local_dimension"] > 6
    assert record == without.discovery and "descent" not in without.discovery
    assert all(torch.equal(a, b) for a, b in zip(trainer.model.state_dict().values(),
                                                  without.model.state_dict().values()))


def test_a_triggered_descent_trains_rounds_at_exactly_j_and_sets_the_mask_to_its_answer(monkeypatch):
    windows, errors = [], iter([0.0, 0.5])  # the round at k - 1 is kept, the one at k - 2 is not
    monkeypatch.setattr("maskaae.discovery.descent.excess", lambda *args: next(errors))
    real = schedule_module.nested_truncation

    def recording(batch, dim, generator, window=None, full_share=0.5):
        windows.append(window)
        return real(batch, dim, generator, window, full_share)
    monkeypatch.setattr(schedule_module, "nested_truncation", recording)
    monkeypatch.setattr(schedule_module, "choose_dimension", lambda *args, **kwargs: 5)
    trainer = descent_trainer(["model.discovery_descent_ratio=0.01", "train.discovery_focus=0",
                               "train.discovery_reach=0"])
    trainer.run(34)
    descent = trainer.discovery["descent"]
    assert descent["triggered"] and [(r["j"], r["kept"]) for r in descent["rounds"]] == [(4, True), (3, False)]
    assert windows[34:] == [(4, 4)] * 3 + [(3, 3)] * 3
    assert trainer.discovery["dimension"] == descent["dimension"] == trainer.model.active_dims == 4
    np.testing.assert_array_equal(trainer.model.mask, [1.0] * 4 + [0.0] * 2)
    assert "wasserstein" in trainer.iteration()


def test_a_failed_round_is_undone(monkeypatch):
    # the only round fails: the weights after the descent are the weights before it
    monkeypatch.setattr("maskaae.discovery.descent.excess", lambda *args: 1.0)
    monkeypatch.setattr(schedule_module, "choose_dimension", lambda *args, **kwargs: 5)
    stopped = descent_trainer(["model.discovery_descent_ratio=0.01", "train.discovery_focus=0",
                               "train.discovery_reach=0"])
    off = descent_trainer(["model.discovery_descent_ratio=null", "train.discovery_focus=0", "train.discovery_reach=0"])
    stopped.run(34)
    off.run(34)
    assert [r["kept"] for r in stopped.discovery["descent"]["rounds"]] == [False]
    assert stopped.discovery["dimension"] == off.discovery["dimension"] == 5
    assert all(torch.equal(a, b) for a, b in zip(stopped.model.state_dict().values(), off.model.state_dict().values()))
    nested = stopped.optimizers["nested"].state_dict()["state"]
    assert all(torch.equal(nested[i]["exp_avg"], off.optimizers["nested"].state_dict()["state"][i]["exp_avg"])
               for i in nested)


def test_a_run_stopped_before_the_discovery_s_end_decides_without_the_descent():
    trainer = descent_trainer(["model.discovery_descent_ratio=0.01", "train.steps=20"])
    trainer.run(20)
    assert trainer.discovery["step"] == 20 and "descent" not in trainer.discovery


def test_a_run_with_a_triggered_descent_resumes_bitwise(tmp_path):
    full = assert_resumes_bitwise(tmp_path, DESCENT + ["model.discovery_descent_ratio=0.01", "data.latent_dim=6",
                                                   "model.discovery_descent_tolerance=0.9"], 32)
    assert full["discovery"]["descent"]["triggered"] and full["discovery"]["descent"]["rounds"]
