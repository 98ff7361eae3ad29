"""Ordered discovery's schedule (maskaae/discovery/schedule.py) against constructed configs: its phases, the steps
of its decisions and which wins where two fall together, its lengths under a budget, and its record."""

from dataclasses import replace

import pytest

from maskaae.budget import scaled_schedule
from maskaae.config import TrainConfig
from maskaae.discovery.schedule import Decisions, Phase, decision_points, phases, scaled_lengths, share_of
from maskaae.presets import build_config


def test_the_phases_are_the_nested_steps_then_the_verification():
    train = TrainConfig(steps=100, discovery_steps=40, discovery_verify_steps=10)
    assert phases(train) == [Phase("discovery", 1, 40), Phase("verify", 41, 50)]
    assert phases(replace(train, discovery_verify_steps=0)) == [Phase("discovery", 1, 40)]


def test_each_decision_at_its_step():
    # 40 nested steps, the last quarter focused: provisional at 30, preliminary halfway to it (15)
    train = TrainConfig(steps=100, discovery_steps=40, discovery_verify_steps=10, discovery_focus=0.25,
                        discovery_reach=2.0)
    assert decision_points(train) == {15: "preliminary", 30: "provisional", 40: "candidate", 50: "final"}
    assert decision_points(replace(train, discovery_reach=0.0)) == {30: "provisional", 40: "candidate", 50: "final"}
    assert decision_points(replace(train, discovery_focus=0.0)) == {20: "preliminary", 40: "candidate",
                                                                     50: "final"}


def test_where_two_decisions_fall_on_one_step_the_later_stage_wins():
    no_verification = TrainConfig(steps=100, discovery_steps=40, discovery_verify_steps=0, discovery_focus=0.25)
    assert decision_points(no_verification)[40] == "final"
    unfocused = TrainConfig(steps=100, discovery_steps=4, discovery_verify_steps=2, discovery_focus=0.1,
                            discovery_reach=2.0)  # round(0.4) = 0 focused steps: provisional and candidate both at 4
    assert decision_points(unfocused) == {2: "preliminary", 4: "candidate", 6: "final"}


def test_a_budget_scales_every_phase_to_its_share():
    train = TrainConfig(steps=17000, discovery_steps=12000, discovery_verify_steps=2000, discovery_descent_steps=4000)
    assert scaled_lengths(train, 8500) == {"discovery_steps": 6000, "discovery_verify_steps": 1000,
                                           "discovery_descent_steps": 2000}
    assert scaled_lengths(replace(train, discovery_verify_steps=0), 8500)["discovery_verify_steps"] == 0  # off
    assert share_of(3, 17000, 10) == 1  # never below one step
    assert share_of(20000, 17000, 100) == 20000  # a phase as long as the run keeps its length
    cfg = scaled_schedule(build_config(), 8500)
    assert (cfg.train.steps, cfg.train.discovery_steps, cfg.train.discovery_end) == (8500, 6000, 7000)


def test_the_record_is_the_layout_runs_write_and_reads_back():
    final = {"step": 50, "dimension": 3, "curve": [1.0, 0.5, 0.2, 0.1], "answer": 3}
    decisions = Decisions(preliminary={"step": 15, "dimension": 4}, reach_window=(1, 16),
                          provisional={"step": 30, "dimension": 3}, window=(1, 5),
                          candidate={"step": 40, "dimension": 3}, verify_window=(2, 3), final=final)
    record = decisions.record()
    assert list(record) == [*final, "preliminary", "reach_window", "provisional", "window", "candidate",
                            "verify_window"]
    assert record["reach_window"] == [1, 16] and record["dimension"] == 3
    assert Decisions.from_record(record) == decisions
    assert Decisions.from_record(None) == Decisions() and Decisions().record() is None
    early = Decisions(preliminary={"step": 15, "dimension": 4}, reach_window=(1, 16))
    assert early.record() == {"preliminary": {"step": 15, "dimension": 4}, "reach_window": [1, 16]}
    assert Decisions.from_record(early.record()) == early


@pytest.mark.parametrize("verifying,expected", [(True, (2, 3)), (False, (1, 5))])
def test_the_nested_steps_draw_from_the_latest_window(verifying, expected):
    decisions = Decisions(reach_window=(1, 16), window=(1, 5), verify_window=(2, 3))
    assert decisions.nested_window(verifying) == expected
    assert Decisions(reach_window=(1, 16)).nested_window(False) == (1, 16)
    assert Decisions().nested_window(False) is None
