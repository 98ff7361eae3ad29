import numpy as np
import pytest
import torch
from torch import nn

from maskaae import MaskAAE, Trainer, build_config, build_model
from maskaae.discovery import schedule as schedule_module
from maskaae.discovery import (FOCUS_HALF_WIDTH, THETA_ON, VERIFY_LR_SHARE, candidate_signals, choose_dimension,
                               dimension_share, focus_window, inverted_order, nested_truncation, reach_window,
                               tolerances, unexplained_curve, verified_dimension, verify_window)
from maskaae.runs import train_run

from conftest import TINY


# -- the decision rule on constructed curves ------------------------------------------------------------

def test_choose_dimension_takes_the_knee():
    # u(0) = 1, falls to the floor 0.05 at k = 5 and stays: after 5 the next two dimensions explain nothing.
    curve = [1.0, 0.8, 0.6, 0.4, 0.2, 0.05, 0.05, 0.05, 0.05]
    assert choose_dimension(curve, 0.02) == 5


def test_the_gain_rule_stops_where_the_next_two_dimensions_stop_paying():
    # total reduction 1.0 (u(0) = 1.1, floor 0.1). What the next two dimensions explain after k:
    # k = 3: 0.11, k = 4: 0.07, k = 5: 0.04, k = 6: 0.01. The rule keeps the first k where that is at most
    # 2 * tolerance: 5 for tolerance 0.025 (0.05), 4 for 0.04 (0.08), 6 for 0.01 (0.02).
    curve = [1.1, 0.7, 0.4, 0.25, 0.18, 0.14, 0.11, 0.10, 0.10, 0.10]
    assert choose_dimension(curve, 0.025) == 5
    assert choose_dimension(curve, 0.04) == 4
    assert choose_dimension(curve, 0.01) == 6
    # a slow tail of 0.01 per dimension: the rule stops at its start (0.02 <= 0.025 after k = 4), where a rule
    # that compares u(k) with the floor (the level rule, removed in schema 19) followed it down to k = 13
    tail = [1.1, 0.7, 0.4, 0.25, 0.2, 0.19, 0.18, 0.17, 0.16, 0.15, 0.14, 0.13, 0.12, 0.11, 0.10]
    assert choose_dimension(tail, 0.0125) == 4
    # scale-free, and every dimension kept while each still pays (m < n)
    assert choose_dimension(np.array(curve) * 37.0, 0.025) == 5
    assert choose_dimension([1.0, 0.75, 0.5, 0.25], 0.02) == 3


def _curve(shares, tail=3):
    """u(0) .. u(m) for dimensions that explain `shares` of a total of 1, then `tail` that explain nothing."""
    return 1.0 - np.concatenate([[0.0], np.cumsum(shares), np.full(tail, np.sum(shares))])


def test_the_relative_cap_keeps_the_small_dimensions_of_large_n():
    # n = 40: 30 dimensions explain 3.2% each and 10 explain 0.4% each (96% + 4% = 100%).
    curve = _curve([0.032] * 30 + [0.004] * 10)
    # A fixed 0.5% stops at k = 30: the next two explain 0.8% <= 2 x 0.5%.
    assert choose_dimension(curve, 0.005) == 30
    # Capped at 5% of the kept mean: at k = 30 the cap is 0.05 x 3.2% = 0.16%, under 0.5%, and the next two
    # (0.8%) exceed 2 x 0.16%; at k = 39 the mean is 99.6% / 39 = 2.55%, the cap 0.128%, and the next two
    # explain 0.4% > 0.255%; at k = 40 the next two explain nothing.
    assert choose_dimension(curve, 0.005, relative=0.05) == 40


def test_the_relative_cap_changes_nothing_where_the_kept_dimensions_explain_10_percent_each():
    # n = 8 with a last dimension of 1.6%: the mean share is >= 12.5%, so the cap (>= 0.63%) is above 0.5%
    shares = [0.3, 0.2, 0.15, 0.12, 0.1, 0.074, 0.04, 0.016]
    curve = _curve(shares, tail=6)
    for relative in (None, 0.05):
        assert choose_dimension(curve, 0.005, relative=relative) == 8
    # but a tolerance above the cap is capped: the gain test's curve above, at 2.5%, keeps 6 instead of 5
    # (at k = 5 the mean share is 0.96 / 5, the cap 0.96%, and the next two explain 4% > 1.92%)
    curve = [1.1, 0.7, 0.4, 0.25, 0.18, 0.14, 0.11, 0.10, 0.10, 0.10]
    assert choose_dimension(curve, 0.025, relative=0.05) == 6


def test_the_tolerances_are_the_fixed_share_capped_by_the_kept_mean():
    u = np.array([2.0, 1.0, 0.6, 0.5, 0.5])  # total 1.5; mean shares 1/1.5, 0.7/1.5, 0.5/1.5, 0.375/1.5
    expected = [0.1, min(0.1, 0.2 * 1.0 / 1.5), min(0.1, 0.2 * 0.7 / 1.5), min(0.1, 0.2 * 0.5 / 1.5),
                min(0.1, 0.2 * 0.375 / 1.5)]
    np.testing.assert_allclose(tolerances(u, 0.1, 0.2), expected)
    np.testing.assert_allclose(tolerances(u, 0.1, None), [0.1] * 5)
    with pytest.raises(ValueError, match="relative tolerance"):
        choose_dimension(u, 0.1, relative=1.5)


def test_choose_dimension_tolerance_is_relative_to_the_total_reduction():
    # after k = 3 the next two dimensions explain 0.015 of a total reduction of 1.0 (floor 0.1, u(0) 1.1)
    curve = [1.1, 0.6, 0.3, 0.115, 0.1, 0.1]
    assert choose_dimension(curve, 0.01) == 3
    assert choose_dimension(curve, 0.005) == 4
    # the same curve scaled by any factor gives the same answer (scale-free)
    assert choose_dimension(np.array(curve) * 37.0, 0.01) == 3


def test_choose_dimension_uses_the_lowest_prefix_as_floor():
    # a noisy tail that rises again after the knee does not move the answer
    assert choose_dimension([1.0, 0.5, 0.1, 0.1001, 0.1003, 0.1008], 0.02) == 2


def test_choose_dimension_on_a_flat_curve_keeps_everything():
    assert choose_dimension([1.0, 1.0, 1.0], 0.02) == 2


def test_choose_dimension_rejects_bad_input():
    with pytest.raises(ValueError, match="tolerance"):
        choose_dimension([1.0, 0.5], 1.5)
    with pytest.raises(ValueError, match="curve"):
        choose_dimension([1.0], 0.02)


# -- the curve against a direct computation ---------------------------------------------------------------

def test_unexplained_curve_matches_a_direct_computation():
    # Identity encoder and decoder on 3-d data: u(k) is the median over samples of the squared norm of the
    # coordinates after k, divided by d times the mean coordinate variance.
    rng = np.random.default_rng(0)
    x = rng.normal(size=(501, 3)) * np.array([3.0, 2.0, 0.5])
    model = MaskAAE(nn.Identity(), nn.Identity(), nn.Linear(3, 1), latent_dim=3)
    curve = unexplained_curve(model, torch.tensor(x, dtype=torch.float32))
    variance = ((x - x.mean(0)) ** 2).mean()
    expected = [np.median((x[:, k:] ** 2).sum(1) / 3.0) / variance for k in range(4)]
    np.testing.assert_allclose(curve, expected, rtol=1e-5, atol=1e-7)
    assert curve[-1] == 0.0
    mean = unexplained_curve(model, torch.tensor(x, dtype=torch.float32), batch_size=100, statistic="mean")
    expected = [np.mean((x[:, k:] ** 2).sum(1) / 3.0) / variance for k in range(4)]
    np.testing.assert_allclose(mean, expected, rtol=1e-5, atol=1e-7)


# -- nested truncation --------------------------------------------------------------------------------------

def test_nested_truncation_keeps_prefixes():
    keep = nested_truncation(4000, 6, torch.Generator().manual_seed(0))
    assert keep.shape == (4000, 6)
    lengths = keep.sum(1)
    # every row is a prefix of ones followed by zeros, of length 1..6
    assert torch.equal(keep, (torch.arange(6) < lengths[:, None]).float())
    assert lengths.min() >= 1 and lengths.max() == 6
    # half the rows are full, the other half uniform over 1..6 (so 1/12 each, and 1/2 + 1/12 for 6)
    share_full = float((lengths == 6).float().mean())
    assert abs(share_full - (0.5 + 0.5 / 6)) < 0.03
    assert abs(float((lengths == 1).float().mean()) - 0.5 / 6) < 0.02


def test_nested_truncation_full_share():
    g = torch.Generator().manual_seed(0)
    lengths = nested_truncation(4000, 8, g, window=(3, 5), full_share=0.0).sum(1)
    assert set(lengths.int().tolist()) == {3, 4, 5}  # no row keeps all
    lengths = nested_truncation(4000, 8, torch.Generator().manual_seed(0), window=(3, 5), full_share=0.2).sum(1)
    assert abs(float((lengths == 8).float().mean()) - 0.2) < 0.03
    # the default share is the half the nested phase always used: the same draws, row for row
    a = nested_truncation(500, 8, torch.Generator().manual_seed(3))
    b = nested_truncation(500, 8, torch.Generator().manual_seed(3), full_share=0.5)
    assert torch.equal(a, b)


def test_nested_truncation_draws_a_fixed_amount_from_the_stream():
    g1, g2 = torch.Generator().manual_seed(1), torch.Generator().manual_seed(1)
    nested_truncation(10, 3, g1)
    nested_truncation(10, 7, g2)
    assert torch.equal(torch.rand(3, generator=g1), torch.rand(3, generator=g2))


def test_nested_truncation_in_a_window_draws_only_its_lengths_and_the_same_amount():
    keep = nested_truncation(4000, 8, torch.Generator().manual_seed(0), window=(3, 5))
    lengths = keep.sum(1)
    assert torch.equal(keep, (torch.arange(8) < lengths[:, None]).float())
    assert set(lengths.int().tolist()) == {3, 4, 5, 8}
    assert abs(float((lengths == 8).float().mean()) - 0.5) < 0.03  # the full half stays
    assert abs(float((lengths == 4).float().mean()) - 0.5 / 3) < 0.03
    g1, g2 = torch.Generator().manual_seed(1), torch.Generator().manual_seed(1)
    nested_truncation(10, 8, g1, window=(3, 5))
    nested_truncation(10, 8, g2)
    assert torch.equal(torch.rand(3, generator=g1), torch.rand(3, generator=g2))


def test_focus_window_is_the_answer_give_or_take_the_half_width_inside_1_to_m():
    h = FOCUS_HALF_WIDTH
    for m in range(1, 12):
        for k in range(1, m + 1):
            low, high = focus_window(k, m)
            assert (low, high) == (max(1, k - h), min(m, k + h)), (k, m)
            assert low <= k <= high


def test_the_reach_window_is_r_times_the_answer_at_least_the_focus_half_width_above_it_inside_1_to_m():
    assert reach_window(10, 110, 2.0) == (1, 20)
    assert reach_window(7, 110, 1.5) == (1, 11)  # ceil(10.5)
    assert reach_window(2, 110, 2.0) == (1, 2 + FOCUS_HALF_WIDTH)
    assert reach_window(20, 32, 2.0) == (1, 32)
    assert reach_window(5, 110, 2.0, least=32) == (1, 32)  # never narrower than the minimum
    assert reach_window(20, 110, 2.0, least=32) == (1, 40)  # above it, r k0 again
    assert reach_window(5, 20, 2.0, least=32) == (1, 20)  # m <= the minimum: 1..m, as without the reach


# -- the trainer in ordered mode ------------------------------------------------------------------------

ORDERED = TINY + ["model.latent_dim=6", "train.disc_training_ratio=1", "train.discovery_steps=30", "train.steps=40",
                  "train.discovery_verify_steps=0"]


def test_ordered_trainer_decides_a_prefix_mask_and_then_trains_the_critic():
    cfg = build_config("synthetic", overrides=ORDERED)
    data = torch.randn(256, 10, generator=torch.Generator().manual_seed(0))
    model = build_model(cfg, (10,))
    trainer = Trainer(model, data, cfg)
    assert "mask" not in trainer.optimizers and "nested" in trainer.optimizers
    assert torch.all(model.latent.theta == THETA_ON)  # every dimension on before the decision
    critic_before = [p.detach().clone() for p in model.critic.parameters()]
    for _ in range(30):
        losses = trainer.iteration()
        assert set(losses) == {"recon"}
    assert all(torch.equal(p, b) for p, b in zip(model.critic.parameters(), critic_before))
    k = trainer.discovery["dimension"]
    assert 1 <= k <= 6 and len(trainer.discovery["curve"]) == 7
    assert k == choose_dimension(trainer.discovery["curve"], cfg.model.discovery_tolerance,
                                 cfg.model.discovery_relative_tolerance)
    assert trainer.discovery["relative_tolerance"] == cfg.model.discovery_relative_tolerance == 0.05
    np.testing.assert_array_equal(model.mask, [1.0] * k + [0.0] * (6 - k))
    assert model.active_dims == k
    theta = model.latent.theta.detach().clone()
    losses = trainer.iteration()
    assert "wasserstein" in losses and "mask_loss" not in losses
    assert not all(torch.equal(p, b) for p, b in zip(model.critic.parameters(), critic_before))
    assert torch.equal(model.latent.theta, theta)  # the decided mask is not trained further


def test_ordered_run_resumes_bitwise_across_the_decision(tmp_path, tiny_overrides):
    cfg = build_config("synthetic", overrides=tiny_overrides)
    assert cfg.model.discovery == "ordered" and cfg.train.discovery_steps < cfg.train.steps
    assert_resumes_bitwise(tmp_path, tiny_overrides, 5)  # stops before the decision (step 10)


FOCUSED = ORDERED + ["train.discovery_focus=0.25", "train.discovery_reach=0"]  # provisional after step 22 (30 - 8)


def recording_trainer(monkeypatch, overrides: list[str]) -> tuple[Trainer, list]:
    """A Trainer on 256 random 10-d samples, and the list of truncation windows its nested steps draw from."""
    windows = []

    def recording(batch, dim, generator, window=None, full_share=0.5):
        windows.append(window)
        return nested_truncation(batch, dim, generator, window, full_share)

    monkeypatch.setattr(schedule_module, "nested_truncation", recording)
    cfg = build_config("synthetic", overrides=overrides)
    data = torch.randn(256, 10, generator=torch.Generator().manual_seed(0))
    return Trainer(build_model(cfg, (10,)), data, cfg), windows


def assert_resumes_bitwise(tmp_path, overrides: list[str], stop: int) -> dict:
    """Trains `overrides` whole and stopped at step `stop` then resumed; asserts the same summary and weights."""
    cfg = build_config("synthetic", overrides=overrides)
    full = train_run(cfg, tmp_path / "full", quiet=True)
    train_run(build_config("synthetic", overrides=overrides + [f"train.steps={stop}"]), tmp_path / "part", quiet=True)
    resumed = train_run(cfg, tmp_path / "part", resume=True, quiet=True)
    assert resumed["discovery"] == full["discovery"] and resumed["active_dims"] == full["active_dims"]
    a = torch.load(tmp_path / "full" / "checkpoint.pt", weights_only=True)["trainer"]["model"]
    b = torch.load(tmp_path / "part" / "checkpoint.pt", weights_only=True)["trainer"]["model"]
    assert all(torch.equal(a[key], b[key]) for key in a)
    return full


def test_the_focus_phase_decides_provisionally_then_draws_from_its_window(monkeypatch):
    trainer, windows = recording_trainer(monkeypatch, FOCUSED)
    cfg = trainer.cfg
    trainer.run(22)
    assert windows == [None] * 22
    provisional = trainer.discovery["provisional"]
    assert provisional["step"] == 22 and trainer.discovery["window"] == list(focus_window(provisional["dimension"], 6))
    assert provisional["dimension"] == choose_dimension(provisional["curve"], cfg.model.discovery_tolerance,
                                                        relative=cfg.model.discovery_relative_tolerance)
    assert torch.all(trainer.model.latent.theta == THETA_ON)  # nothing is switched off provisionally
    trainer.run(30)
    assert windows[22:] == [tuple(trainer.discovery["window"])] * 8
    final = trainer.discovery
    assert final["step"] == 30 and final["provisional"] == provisional
    np.testing.assert_array_equal(trainer.model.mask, [1.0] * final["dimension"] + [0.0] * (6 - final["dimension"]))


REACHED = FOCUSED + ["train.discovery_reach=2", "train.discovery_reach_min=0"]  # preliminary after step 11 (22 // 2)


def test_the_reach_draws_from_1_to_r_times_a_preliminary_answer_until_the_focus(monkeypatch):
    trainer, windows = recording_trainer(monkeypatch, REACHED)
    trainer.run(11)
    assert windows == [None] * 11
    preliminary = trainer.discovery["preliminary"]
    assert preliminary["step"] == 11 and trainer.discovery["reach_window"] == list(reach_window(
        preliminary["dimension"], 6, 2.0))
    assert torch.all(trainer.model.latent.theta == THETA_ON)
    trainer.run(30)
    assert windows[11:22] == [tuple(trainer.discovery["reach_window"])] * 11
    assert windows[22:] == [tuple(trainer.discovery["window"])] * 8  # the focus window takes over
    assert trainer.discovery["preliminary"] == preliminary and trainer.discovery["provisional"]["step"] == 22


def test_where_m_is_at_most_the_reach_minimum_the_run_is_the_computation_without_the_reach(monkeypatch):
    reached, windows = recording_trainer(monkeypatch, FOCUSED + ["train.discovery_reach=2",
                                                                 "train.discovery_reach_min=6"])
    reached.run(30)
    assert reached.discovery["reach_window"] == [1, 6] and windows[11:22] == [(1, 6)] * 11
    plain, _ = recording_trainer(monkeypatch, FOCUSED)
    plain.run(30)
    assert plain.discovery["dimension"] == reached.discovery["dimension"]
    assert plain.discovery["curve"] == reached.discovery["curve"]
    a, b = plain.model.state_dict(), reached.model.state_dict()
    assert all(torch.equal(a[key], b[key]) for key in a)


def test_a_reached_run_resumes_bitwise_across_the_preliminary_decision(tmp_path):
    assert "preliminary" in assert_resumes_bitwise(tmp_path, REACHED, 15)["discovery"]


def test_a_focused_run_resumes_bitwise_across_the_provisional_decision(tmp_path):
    assert "provisional" in assert_resumes_bitwise(tmp_path, FOCUSED, 25)["discovery"]


def test_the_verification_takes_one_less_only_when_the_rule_then_answers_exactly_that():
    assert verified_dimension(21, 20) == 20  # a split factor merged into the first 20
    assert verified_dimension(21, 21) == 21 and verified_dimension(21, 22) == 21  # dimension 21 still needed
    assert verified_dimension(21, 19) == 21  # the steps squeezed more than one dimension: not trusted
    assert verified_dimension(1, 0) == verified_dimension(1, 1) == 1


def test_the_gate_leaves_a_k_th_dimension_that_explained_the_gate_or_more():
    assert verified_dimension(21, 20, share=0.0084, gate=0.01) == 20  # a split fragment: borderline
    assert verified_dimension(6, 5, share=0.019, gate=0.01) == 6  # a weak real dimension: not retested
    assert verified_dimension(6, 5, share=0.01, gate=0.01) == 6  # at the gate: not below it
    assert verified_dimension(6, 5, share=0.019, gate=None) == 5  # ungated, as before schema 9
    assert verified_dimension(21, 19, share=0.001, gate=0.01) == 21


def test_an_inverted_candidate_is_borderline_whatever_its_share():
    # the lopsided split at n = 16, m = 34: dimension 16 explained 0.14%, dimension 17 1.41%
    assert verified_dimension(17, 16, share=0.0141, gate=0.01, inverted=True) == 16
    assert verified_dimension(17, 16, share=0.0141, gate=0.01, inverted=False) == 17
    assert verified_dimension(17, 17, share=0.0141, gate=0.01, inverted=True) == 17  # the rule kept 17
    assert verified_dimension(17, 15, share=0.0141, gate=0.01, inverted=True) == 17  # squeezed more: not trusted


def test_an_inversion_is_a_k_th_dimension_explaining_more_than_the_one_before():
    curve = [1.0, 0.5, 0.45, 0.3, 0.29, 0.29]  # drops 0.5, 0.05, 0.15, 0.01, 0
    assert inverted_order(curve, 3) and not inverted_order(curve, 2) and not inverted_order(curve, 4)
    assert not inverted_order(curve, 5)  # 0 after 0.01
    assert not inverted_order(curve, 1)  # nothing before the first
    assert not inverted_order([1.0, 0.5, 0.0], 2)  # equal drops (0.5, 0.5) are in order


def test_a_candidate_s_signals_are_its_share_and_its_order():
    curve = [1.0, 0.5, 0.45, 0.3, 0.29, 0.29]  # u* = 0.29, total 0.71; drops 0.5, 0.05, 0.15, 0.01, 0
    share, inverted = candidate_signals({"dimension": 3, "curve": curve})
    assert share == pytest.approx(0.15 / 0.71) and inverted is True
    share, inverted = candidate_signals({"dimension": 4, "curve": curve})
    assert share == pytest.approx(0.01 / 0.71) and inverted is False


def test_a_dimension_share_is_its_drop_over_the_total_reduction():
    curve = [1.0, 0.5, 0.3, 0.25, 0.3]  # u* = 0.25, total 0.75
    assert dimension_share(curve, 1) == pytest.approx(0.5 / 0.75)
    assert dimension_share(curve, 2) == pytest.approx(0.2 / 0.75)
    assert dimension_share(curve, 4) == pytest.approx(-0.05 / 0.75)
    assert dimension_share([1.0, 1.0], 1) == 0.0  # nothing explained at all


def test_the_verification_window_is_the_candidate_and_the_one_before():
    assert verify_window(21) == (20, 21)
    assert verify_window(2) == (1, 2)
    assert verify_window(1) == (1, 1)


VERIFIED = ORDERED + ["train.discovery_verify_steps=6", "train.steps=46"]  # nested 1-30, verifying 31-36


def test_the_verification_steps_train_the_window_then_decide_again(monkeypatch):
    trainer, windows = recording_trainer(monkeypatch, VERIFIED)
    cfg, lrs = trainer.cfg, []
    trainer.run(30)
    candidate = trainer.discovery["candidate"]
    assert candidate["step"] == 30 and "dimension" not in trainer.discovery
    assert trainer.discovery["verify_window"] == list(verify_window(candidate["dimension"]))
    assert torch.all(trainer.model.latent.theta == THETA_ON)  # nothing is switched off before the verification
    for _ in range(6):
        trainer.iteration()
        lrs.append(trainer.optimizers["nested"].param_groups[0]["lr"])
    assert windows[30:] == [verify_window(candidate["dimension"])] * 6
    expected = [VERIFY_LR_SHARE * cfg.train.lr_discovery * 0.5 * (1 + np.cos(np.pi * i / 6)) for i in range(6)]
    np.testing.assert_allclose(lrs, expected, rtol=1e-12)
    final = trainer.discovery
    assert final["step"] == 36 and final["candidate"] == candidate
    assert final["answer"] == choose_dimension(final["curve"], cfg.model.discovery_tolerance,
                                               relative=cfg.model.discovery_relative_tolerance)
    share = (candidate["curve"][candidate["dimension"] - 1] - candidate["curve"][candidate["dimension"]]) / (
        candidate["curve"][0] - min(candidate["curve"][1:]))
    assert final["candidate_share"] == pytest.approx(share, abs=1e-6)
    drops = -np.diff(candidate["curve"])
    inverted = candidate["dimension"] > 1 and drops[candidate["dimension"] - 1] > drops[candidate["dimension"] - 2]
    assert final["candidate_inverted"] == inverted
    assert final["dimension"] == verified_dimension(candidate["dimension"], final["answer"], share,
                                                    cfg.model.discovery_verify_gate, inverted)
    np.testing.assert_array_equal(trainer.model.mask, [1.0] * final["dimension"] + [0.0] * (6 - final["dimension"]))
    assert "wasserstein" in trainer.iteration()  # then the critic trains


@pytest.mark.parametrize("answers, gate, inverted, switch, final", [
    ((4, 3), "null", False, "true", 3), ((4, 4), "null", False, "true", 4), ((4, 2), "null", False, "true", 4),
    ((4, 3), "0.01", False, "true", 4), ((4, 3), "0.05", False, "true", 3), ((4, 3), "0.01", True, "true", 3),
    ((4, 3), "0.01", True, "false", 4), ((4, 4), "0.01", True, "true", 4)])
def test_the_mask_follows_the_verified_answer(monkeypatch, answers, gate, inverted, switch, final):
    decisions = iter(answers)
    monkeypatch.setattr(schedule_module, "choose_dimension", lambda *args, **kwargs: next(decisions))
    # the candidate's 4th dimension: 2% of the total, inverted or not
    monkeypatch.setattr(schedule_module, "candidate_signals", lambda candidate: (0.02, inverted))
    # no focus, no reach: the candidate and the answer are the run's only two decisions
    cfg = build_config("synthetic", overrides=VERIFIED + ["train.discovery_focus=0", "train.discovery_reach=0",
                                                          f"model.discovery_verify_gate={gate}",
                                                          f"model.discovery_verify_inversion={switch}"])
    trainer = Trainer(build_model(cfg, (10,)), torch.randn(256, 10, generator=torch.Generator().manual_seed(0)), cfg)
    trainer.run(36)
    assert (trainer.discovery["candidate"]["dimension"], trainer.discovery["answer"]) == answers
    assert trainer.discovery["dimension"] == trainer.model.active_dims == final
    np.testing.assert_array_equal(trainer.model.mask, [1.0] * final + [0.0] * (6 - final))


def test_a_verified_run_resumes_bitwise_inside_the_verification(tmp_path):
    assert "candidate" in assert_resumes_bitwise(tmp_path, VERIFIED, 33)["discovery"]


@pytest.mark.slow
def test_ordered_discovery_finds_the_dimension_of_a_linear_subspace():
    # 3-d data in a random 12-d subspace position: a short nested training puts the knee at 3.
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2000, 3, generator=g) @ torch.linalg.qr(torch.randn(12, 3, generator=g))[0].T
    cfg = build_config("synthetic", overrides=["model.width=32", "model.depth=1", "model.latent_dim=8",
                                               "train.discovery_steps=1500", "train.steps=1500"])
    trainer = Trainer(build_model(cfg, (12,)), x, cfg)
    trainer.run(cfg.train.steps)
    assert trainer.discovery["dimension"] == 3
