"""The wall clock's stop (train.seconds, maskaae/clock.py): a run re-plans its end to finish at its budget; a run
that ended at N steps without stretching a last phase is the run of train.steps = N."""

import json
from types import SimpleNamespace

import pytest
import torch

from maskaae.clock import Clock
from maskaae.config import ConfigError
from maskaae.presets import build_config
from maskaae.runs import train_run
from maskaae.train import Trainer

from conftest import TINY_FAST
from state_helpers import _assert_same_state, kill_at

# MaskAAE with ordered discovery (10 nested steps), then the critic, then a decoder phase of half the run
DECODER = TINY_FAST + ["train.steps=40", "train.discovery_steps=10", "train.discovery_verify_steps=0",
                       "train.decoder_share=0.5", "train.log_every=5", "train.eval_every=20",
                       "train.checkpoint_every=5"]


@pytest.fixture
def fake_time(monkeypatch):
    """maskaae/runs.py's clock advances 1 ms at every reading: the same run makes the same readings, so its
    re-plans are the same on every machine."""
    import time

    now = [0.0]

    def perf_counter():
        now[0] += 0.001
        return now[0]

    monkeypatch.setattr("maskaae.runs.time", SimpleNamespace(perf_counter=perf_counter, strftime=time.strftime))
    return now


def _weights(run_dir):
    return torch.load(run_dir / "checkpoint.pt", weights_only=True)["trainer"]


# MaskAAE with ordered discovery and the critic, no decoder phase: the end is free after discovery's steps
CRITIC = [o for o in DECODER if not o.startswith("train.decoder_share")]
LAST_PHASE = {"maskaae-decoder-phase": DECODER,
              "vae-2stage": TINY_FAST + ["model.kind=vae-2stage", "train.steps=40", "train.checkpoint_every=5",
                                         "train.eval_every=20"]}


@pytest.mark.parametrize("overrides", [CRITIC, TINY_FAST + ["model.kind=vae-gaussian", "train.steps=40",
                                                            "train.checkpoint_every=5", "train.eval_every=20"]],
                         ids=["maskaae-critic", "vae-gaussian"])
def test_a_run_the_clock_ended_at_n_steps_is_the_run_of_n_steps(tmp_path, fake_time, overrides):
    clocked = train_run(build_config("synthetic", overrides=overrides + ["train.seconds=0.08"]), tmp_path / "a",
                        quiet=True)
    n = clocked["steps"]
    assert n != 40 and clocked["clock"]["planned_steps"] == 40 and clocked["clock"]["replans"] >= 1
    assert clocked["clock"]["stretched"] == 0
    assert json.loads((tmp_path / "a" / "config.json").read_text())["config"]["train"]["steps"] == n
    plain = train_run(build_config("synthetic", overrides=overrides + [f"train.steps={n}"]), tmp_path / "b",
                      quiet=True)
    assert "clock" not in plain
    _assert_same_state(_weights(tmp_path / "a"), _weights(tmp_path / "b"))


@pytest.mark.parametrize("name", list(LAST_PHASE))
def test_the_clock_moves_the_end_inside_a_last_phase_that_runs_to_it(tmp_path, fake_time, name):
    """MaskAAE's decoder phase and the two-stage VAE's second stage begin where the plan of their time put them and
    then run to whatever end the clock plans: the end moves inside them, the summary counts those re-plans, and
    the run ends where the last plan said."""
    overrides = LAST_PHASE[name]
    clocked = train_run(build_config("synthetic", overrides=overrides + ["train.seconds=0.08"]), tmp_path / "a",
                        quiet=True)
    assert clocked["clock"]["stretched"] >= 1 and clocked["steps"] != 40
    state = _weights(tmp_path / "a")
    assert state["step"] == clocked["steps"]
    if name == "maskaae-decoder-phase":
        start = state["decoder_start"]
        assert start is not None and 10 <= start < clocked["steps"]
        # its learning rate decayed over the phase it ran: at the last step, to a step of the cosine's end
        last_lr = state["optimizers"]["decoder"]["param_groups"][0]["lr"]
        assert 0 < last_lr < 1e-3 * 0.05


def test_a_clocked_run_killed_and_resumed_is_the_run_of_the_steps_it_ended_at(tmp_path, fake_time, monkeypatch):
    cfg = build_config("synthetic", overrides=CRITIC + ["train.seconds=0.08"])
    original = kill_at(monkeypatch, Trainer, 12)
    with pytest.raises(KeyboardInterrupt):
        train_run(cfg, tmp_path / "a", quiet=True)
    monkeypatch.setattr(Trainer, "iteration", original)
    resumed = train_run(cfg, tmp_path / "a", resume=True, quiet=True)  # as a sweep resumes it: its first plan
    n = resumed["steps"]
    assert n != 40
    train_run(build_config("synthetic", overrides=CRITIC + [f"train.steps={n}"]), tmp_path / "b", quiet=True)
    _assert_same_state(_weights(tmp_path / "a"), _weights(tmp_path / "b"))


class Stub:
    """A trainer with three phases (a third each), the last of which fixes the end (as MaskAAE's decoder phase
    does); its steps cost what `cost(step)` says, in virtual seconds."""

    def __init__(self, steps, last_free=True, stretch=False):
        self.cfg = SimpleNamespace(train=SimpleNamespace(steps=steps))
        self.step, self.last_free, self.stretch, self.c_start = 0, last_free, stretch, None

    def stretches(self):
        """With `stretch`, phase c runs from where it began to whatever end the clock plans."""
        if self.stretch and self.c_start is None and self.step > 2 * self.cfg.train.steps // 3:
            self.c_start = self.step - 1
        return self.c_start is not None

    def phase_ends(self, steps):
        b = self.c_start if self.c_start is not None else 2 * steps // 3
        return [("a", steps // 3), ("b", b), ("c", steps)]

    @property
    def phase(self):
        return next(name for name, last in self.phase_ends(self.cfg.train.steps) if self.step <= last)

    def end_free(self, steps):
        return steps - 1 if self.last_free else min(steps - 1, 2 * steps // 3)

    def can_end_at(self, steps):
        return steps >= 1

    def set_steps(self, steps):
        self.cfg.train.steps = steps


def _run(trainer, clock, cost):
    """The runner's loop in virtual time: each step's cost, then the clock's re-plan; returns the seconds."""
    elapsed = 0.0
    while trainer.step < trainer.cfg.train.steps:
        trainer.step += 1
        elapsed += cost(trainer.step, trainer.phase)
        clock.step(trainer.phase, cost(trainer.step, trainer.phase))
        planned = clock.replan(trainer, elapsed)
        if planned is not None:
            trainer.set_steps(planned)
    return elapsed


TIMED = {"phases": {"a": 0.001, "b": 0.004, "c": 0.002}, "one_offs": []}


def _unclocked(steps, cost):
    trainer = Stub(steps)
    return sum(cost(trainer.step, trainer.phase) for trainer.step in range(1, steps + 1))


def test_the_clock_ends_at_the_budget_when_the_machine_slows_down_midway():
    """Timed costs per phase, then a machine twice as slow from step 500 on: the plan of 1,000 steps would take
    over 1.4x the budget; the clock ends within 1% of it, with fewer steps."""
    def cost(step, phase):
        return TIMED["phases"][phase] * (2.0 if step > 500 else 1.0)

    budget = 1000 / 3 * (0.001 + 0.004 + 0.002)  # what the plan of 1,000 steps costs as timed
    assert _unclocked(1000, cost) > 1.4 * budget
    trainer = Stub(1000)
    seconds = _run(trainer, Clock(budget, 1000, TIMED), cost)
    assert abs(seconds / budget - 1) < 0.01 and trainer.step < 1000


def test_the_clock_predicts_the_phases_to_come_from_their_timed_costs():
    """A machine 1.5x slower than timed throughout, a plan twice too long, and a last phase that fixes the end:
    the phase to come (c) is predicted from its timed cost at the load the earlier steps ran at, and the run
    ends at the budget. Without the timing the clock takes c to cost what b's steps cost (twice c's) and ends
    the run a quarter early."""
    def cost(step, phase):
        return 1.5 * TIMED["phases"][phase]

    budget = 2.0
    assert _unclocked(1800, cost) > 1.9 * budget
    assert abs(_run(Stub(1800, last_free=False), Clock(budget, 1800, TIMED), cost) / budget - 1) < 0.01
    assert _run(Stub(1800, last_free=False), Clock(budget, 1800, None), cost) < 0.8 * budget
    assert abs(_run(Stub(1800), Clock(budget, 1800, None), cost) / budget - 1) < 0.01  # an end free to the last


def test_the_end_stays_where_a_phase_that_reads_it_has_begun():
    """A last phase that reads the end fixes it: the clock moves the end only from the earlier phases, and a
    machine that slows down in the last phase then runs over the budget."""
    def cost(step, phase):
        return TIMED["phases"][phase] * (3.0 if phase == "c" else 1.0)

    trainer, clock, moves = Stub(900, last_free=False), Clock(3.0, 900, TIMED), []
    original = trainer.set_steps
    trainer.set_steps = lambda steps: (moves.append((trainer.step, steps)), original(steps))
    seconds = _run(trainer, clock, cost)
    assert moves and all(step <= 2 * end // 3 for step, end in moves)  # never from inside the last phase
    assert trainer.step > 900 and seconds > 1.1 * 3.0


def test_the_clock_moves_the_end_inside_a_last_phase_that_stretches():
    """The same slow last phase, in a trainer whose last phase runs to whatever end is planned: the clock corrects
    the end from inside it, and the run ends within 1% of the budget."""
    def cost(step, phase):
        return TIMED["phases"][phase] * (3.0 if phase == "c" else 1.0)

    trainer, clock = Stub(900, last_free=False, stretch=True), Clock(3.0, 900, TIMED)
    seconds = _run(trainer, clock, cost)
    assert clock.stretched >= 1 and abs(seconds / 3.0 - 1) < 0.01


def test_the_clock_keeps_room_for_the_one_offs_ahead():
    timed = {**TIMED, "one_offs": [[1.0, 0.5]]}  # a mixture fit of 0.5 s at the last step
    cost = lambda step, phase: TIMED["phases"][phase] + (0.5 if step == trainer.cfg.train.steps else 0.0)  # noqa: E731
    trainer = Stub(900)
    seconds = _run(trainer, Clock(2.5, 900, timed), cost)
    assert abs(seconds / 2.5 - 1) < 0.01


def test_train_seconds_is_a_non_negative_number():
    assert build_config("synthetic").train.seconds == 0
    for bad in ["-1", "nan", "inf"]:
        with pytest.raises(ConfigError, match="train.seconds"):
            build_config("synthetic", overrides=[f"train.seconds={bad}"])
