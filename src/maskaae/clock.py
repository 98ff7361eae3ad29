"""The wall clock's stop (train.seconds): a run re-plans its train.steps as it trains, so that its training ends
at its budget of seconds on the machine and under the load it meets.

A budget sweep (maskaae/budget.py) plans every run once, before it starts, from a timed run of its schedule; the
load then changes (other runs start and end, the timing ran beside other timings), and runs ended 16% under to
10% over their budget (issue 35). The clock corrects the plan from the run's own pace:

- Every 1/REPLANS of the planned steps, it predicts what each possible end N would still cost: the steps left in
  each phase of a run of N steps (the trainer's `phase_ends`) at that phase's timed cost per step, and the timed
  one-off costs still ahead at their share of the run, times the load (how much slower than timed the last
  WINDOW re-plan intervals' steps ran), plus the run's measured cost of logging, evaluating and checkpointing
  per step. It takes the largest N that fits the seconds left.
- It moves the end where the steps done so far are those a run planned for N would have done (the trainer's
  `end_free`), and inside a last phase that began where the plan of its time put it and runs to whatever end is
  planned (the trainer's `stretches`): MaskAAE's decoder phase, whose learning rate decays to 0 at the current
  end, and the two-stage VAE's second stage. Those phases start a share of the run before the end, so without
  this their half of the run could not be corrected (a run ended 6.5% under its 900 s, issue 35).

So a budgeted run of N steps whose summary counts no `stretched` re-plan trains what `train.steps=N` with
train.seconds=0 trains (tests/test_clock.py), and its summary records N; one that stretched its last phase differs
from it there (its decay followed the moving end). Only N depends on the machine: a killed run that resumes
re-plans from its own elapsed time.

Without timed costs (maskaae train given train.seconds on a config it did not plan), every phase left is assumed to
cost what the steps measured so far cost.
"""

from __future__ import annotations

import statistics
from collections import deque
from typing import Any

REPLANS = 50  # re-plans over a run's planned steps
WINDOW = 5  # the load is read from the steps of this many last re-plan intervals
ONE_OFF = 20  # a step that takes this many times the median step or more holds a one-off cost: not part of a pace


def one_off_limit(values: list[float]) -> float:
    """The duration (or ratio to a pace) above which a step holds a one-off cost: ONE_OFF times the median."""
    return ONE_OFF * statistics.median(values)


def phase_means(durations: list[float], names: list[str]) -> dict[str, float]:
    """Each phase's mean step from the steps' durations and phases, the steps that hold a one-off cost aside."""
    limit = one_off_limit(durations)
    out: dict[str, list[float]] = {}
    for seconds, name in zip(durations, names):
        if seconds <= limit:
            out.setdefault(name, []).append(seconds)
    return {name: statistics.fmean(values) for name, values in out.items()}


class Clock:
    """Re-plans a trainer's train.steps to end its training at `seconds` (see the module's text). `timed`: the
    timed seconds per step of each phase and the one-off costs ({"phases", "one_offs"}: budget.clock_timing),
    or None."""

    def __init__(self, seconds: float, planned_steps: int, timed: dict[str, Any] | None = None) -> None:
        self.seconds = seconds
        self.paces = dict(timed["phases"]) if timed else None
        self.one_offs = timed.get("one_offs", []) if timed else []  # [share of the run, seconds]
        self.interval = max(1, planned_steps // REPLANS)
        self.recent: deque[tuple[str, float]] = deque(maxlen=WINDOW * self.interval)  # (phase, seconds)
        self.overhead = 0.0  # seconds outside the steps (logging, evaluations, checkpoints) in this process
        self.counted = 0  # steps measured in this process
        self.replans = 0
        self.stretched = 0  # re-plans inside a last phase that stretches to the end (trainer.stretches)

    def step(self, phase: str, seconds: float) -> None:
        """A step of `phase` took `seconds` (its iteration, not what the runner did after it)."""
        self.recent.append((phase, seconds))
        self.counted += 1

    def outside(self, seconds: float) -> None:
        """The runner spent `seconds` after a step: logging, an evaluation, a checkpoint."""
        self.overhead += seconds

    def _costs(self) -> tuple[dict[str, float], float]:
        """(seconds per step of each phase, the load): the timed costs and how much slower than them the recent
        steps ran, or the recent steps' own mean cost per phase and a load of 1."""
        if self.paces:
            ratios = [s / self.paces[p] for p, s in self.recent if self.paces.get(p, 0) > 0]
            if ratios:
                limit = one_off_limit(ratios)
                return self.paces, statistics.fmean(r for r in ratios if r <= limit)
        return phase_means([s for _, s in self.recent], [p for p, _ in self.recent]), 1.0

    def predict(self, trainer: Any, steps: int, costs: dict[str, float], load: float, fallback: float) -> float:
        """The seconds that steps trainer.step + 1 .. `steps` would still take: their phases' steps and the timed
        one-off costs still ahead (a decision, a mixture fit at the end) at the load, and the runner's share."""
        done, previous, total = trainer.step, 0, 0.0
        for phase, last in trainer.phase_ends(steps):
            total += max(0, last - max(previous, done)) * costs.get(phase, fallback)
            previous = max(previous, last)
        total += sum(extra for share, extra in self.one_offs if round(share * steps) > done)
        return total * load + (steps - done) * self.overhead / max(self.counted, 1)

    def replan(self, trainer: Any, elapsed: float) -> int | None:
        """At a re-plan step, the steps the run should end after given `elapsed` training seconds so far; None
        when it is not a re-plan step, nothing was measured yet, or the end can no longer move."""
        step, steps = trainer.step, trainer.cfg.train.steps
        stretching = trainer.stretches()
        if (step % self.interval or not self.recent or step >= steps  # the last step: done
                or (step > trainer.end_free(steps) and not stretching)):
            return None
        costs, load = self._costs()
        fallback = (costs.get(trainer.phase) or statistics.fmean(costs.values())) if costs else 0.0
        left = self.seconds - elapsed

        def movable(n: int) -> bool:  # ends that keep the steps done and the config valid
            return trainer.can_end_at(n) and (stretching or trainer.end_free(n) >= step)

        def fits(n: int) -> bool:
            return self.predict(trainer, n, costs, load, fallback) <= left

        low = _first(step + 1, movable)  # the earliest end the run may still take
        if low is None:
            return None
        best = low if not fits(low) else _last(low, fits)
        if best == steps:
            return None
        self.replans += 1
        self.stretched += stretching
        return best

    def record(self, planned_steps: int) -> dict[str, Any]:
        """What the summary says of the clock."""
        return {"seconds": self.seconds, "planned_steps": planned_steps, "replans": self.replans,
                "stretched": self.stretched}


def _first(low: int, ok: Any, limit: int = 1 << 40) -> int | None:
    """The least n >= low with ok(n), for ok false then true as n grows; None if there is none below `limit`."""
    high = low
    while not ok(high):
        if high >= limit:
            return None
        high = low + 2 * (high - low) + 1
    while low < high:
        mid = (low + high) // 2
        low, high = (mid + 1, high) if not ok(mid) else (low, mid)
    return high


def _last(low: int, ok: Any, limit: int = 1 << 40) -> int:
    """The largest n >= low with ok(n), for ok true then false as n grows (ok(low) holds); at most `limit`."""
    high = low + 1
    while ok(high):
        if high >= limit:
            return limit
        high = low + 2 * (high - low)
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (mid, high) if ok(mid) else (low, mid)
    return low
