"""Ordered discovery's schedule: its phases, the decisions taken at their steps, the descent after the last one,
and what it has decided so far (Decisions), for the MaskAAE Trainer (maskaae/train.py), which runs Algorithm 1
and hands its steps here until the final decision.

The phases are an explicit list (`phases`); the steps at which a decision is taken are a table (`decision_points`);
the budget (maskaae/budget.py) asks `scaled_lengths` for the phase lengths of a run of another length.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ..config import TrainConfig
from ..models.base import apply_update
from ..optim import adam, cosine, set_learning_rate
from .descent import LOCAL_POINTS, descend, reference_dimension, triggered, two_nn
from .rules import (THETA_ON, VERIFY_LR_SHARE, candidate_signals, choose_dimension, focus_window, nested_truncation,
                    reach_window, set_prefix_mask, unexplained_curve, verified_dimension, verify_window)

DECISION_SAMPLES = 2000  # training samples on which the ordered discovery decides (never the test set)
DECISION_SEED_OFFSET = 2_000_003
# the descent's TwoNN points, and (offset + 1) its batches and truncations (maskaae/discovery/descent.py)
DESCENT_SEED_OFFSET = 3_000_017


def decision_samples(data: torch.Tensor, seed: int) -> torch.Tensor:
    """The DECISION_SAMPLES training samples the ordered discovery decides on, drawn from the run's seed."""
    g = torch.Generator().manual_seed(seed + DECISION_SEED_OFFSET)
    return data[torch.randperm(len(data), generator=g)[:DECISION_SAMPLES].to(data.device)]


def local_dimension(data: torch.Tensor, seed: int) -> float:
    """What the descent's trigger reads (maskaae/discovery/descent.py): TwoNN on up to LOCAL_POINTS training
    samples, drawn from the run's seed."""
    g = torch.Generator().manual_seed(seed + DESCENT_SEED_OFFSET)
    return two_nn(data[torch.randperm(len(data), generator=g)[:LOCAL_POINTS].to(data.device)].flatten(1).cpu().numpy())


@dataclass(frozen=True)
class Phase:
    """Steps first..last (1-based, inclusive) of the schedule, named as the progress bar shows them."""

    name: str
    first: int
    last: int


def phases(train: TrainConfig) -> list[Phase]:
    """Ordered discovery's phases in run order: the nested steps (train.discovery_steps), then the verification
    steps (train.discovery_verify_steps, where there are any). The descent's rounds run inside the final
    decision's step, from their own random stream, so they add no step."""
    out = [Phase("discovery", 1, train.discovery_steps)]
    if train.discovery_verify_steps:
        out.append(Phase("verify", train.discovery_steps + 1, train.discovery_end))
    return out


def decision_points(train: TrainConfig) -> dict[int, str]:
    """The step of each decision: "preliminary" halfway to the focus (train.discovery_reach), "provisional" where
    the focus starts (train.discovery_focus), "candidate" at the end of the nested steps and "final" at the end of
    the verification. Where two fall on one step the later stage wins (a run without verification decides
    "final" at the end of its nested steps)."""
    focus_start = train.discovery_steps - round(train.discovery_focus * train.discovery_steps)
    points: dict[int, str] = {}
    if train.discovery_reach > 0:
        points[focus_start // 2] = "preliminary"
    if train.discovery_focus > 0:
        points[focus_start] = "provisional"
    points[train.discovery_steps] = "candidate"
    points[train.discovery_end] = "final"
    return points


def share_of(value: int, steps: int, new_steps: int) -> int:
    """A phase of `value` steps in a run of `steps`, at the same share of a run of `new_steps` (at least one step);
    a phase that is off (0 steps) stays off, and one as long as the run or longer keeps its length."""
    return value if value == 0 or value >= steps else max(1, round(value * new_steps / steps))


def scaled_lengths(train: TrainConfig, steps: int) -> dict[str, int]:
    """The schedule's phase lengths (train keys) for a run of `steps` steps instead of train.steps, each at its
    share of the run: what an equal budget gives a shorter or longer run (maskaae/budget.py)."""
    return {key: share_of(getattr(train, key), train.steps, steps)
            for key in ("discovery_steps", "discovery_verify_steps", "discovery_descent_steps")}


# the record's keys of the decisions before the final one, in the order a run records them
EARLIER = ("preliminary", "reach_window", "provisional", "window", "candidate", "verify_window")


@dataclass
class Decisions:
    """What ordered discovery has decided so far: each decision's record ({"step", "dimension", "curve", ..}) and
    the truncation window it set. `record()` is the layout that runs write (summary.json, checkpoints): the final
    decision's keys, then the earlier decisions and their windows."""

    preliminary: dict[str, Any] | None = None
    reach_window: tuple[int, int] | None = None
    provisional: dict[str, Any] | None = None
    window: tuple[int, int] | None = None
    candidate: dict[str, Any] | None = None
    verify_window: tuple[int, int] | None = None
    final: dict[str, Any] | None = None

    def record(self) -> dict[str, Any] | None:
        earlier = {key: list(value) if key.endswith("window") else value
                   for key in EARLIER if (value := getattr(self, key)) is not None}
        if self.final is None:
            return earlier or None
        return {**self.final, **earlier}

    @classmethod
    def from_record(cls, record: dict[str, Any] | None) -> "Decisions":
        if not record:
            return cls()
        earlier = {key: tuple(value) if key.endswith("window") else value
                   for key, value in record.items() if key in EARLIER}
        final = {key: value for key, value in record.items() if key not in EARLIER}
        return cls(**earlier, final=final or None)

    def nested_window(self, verifying: bool) -> tuple[int, int] | None:
        """The window the next nested step draws its truncations from: the verification's while verifying, else
        the focus window, else the reach's, else none (U{1..m})."""
        return self.verify_window if verifying else (self.window or self.reach_window)


class OrderedDiscovery:
    """Ordered discovery for a MaskAAE Trainer: its Adam optimiser over the encoder and decoder, its phases and
    decision points, and its Decisions. The trainer's step, batches, random stream and objectives are used, so a
    run that resumes from a checkpoint (the optimiser's state and `decisions.record()`) continues the same stream.
    """

    def __init__(self, trainer: Any) -> None:
        self.trainer = trainer
        train = trainer.cfg.train
        self.phases = phases(train)
        self.points = decision_points(train)
        model = trainer.model
        self.optimizer = adam([*model.encoder.parameters(), *model.decoder.parameters()], train.lr_discovery)
        with torch.no_grad():
            model.latent.theta.fill_(THETA_ON)  # every dimension on until the decision
        self.decisions = Decisions()

    def phase_at(self, step: int) -> str:
        """The name of the phase that `step` (one of the schedule's) belongs to."""
        return next((p.name for p in self.phases if step <= p.last), self.phases[-1].name)

    def update(self, x: torch.Tensor, lr: float, window: tuple[int, int] | None,
               generator: torch.Generator) -> torch.Tensor:
        """One Adam step of the nested reconstruction on batch x at learning rate lr, the truncations drawn from
        `generator` (in `window` when given, else uniform over 1..m); returns the loss."""
        trainer, train = self.trainer, self.trainer.cfg.train
        set_learning_rate(self.optimizer, lr)
        keep = trainer.draw(nested_truncation(len(x), trainer.model.latent_dim, generator, window,
                                              train.discovery_full_share))
        recon = trainer.objectives["nested"](trainer.model, x, keep, trainer.cfg.loss)
        apply_update(self.optimizer, recon)
        return recon

    def iteration(self, step: int) -> dict[str, torch.Tensor]:
        """Step `step` of the schedule: one nested step (cosine learning rate over the nested steps; the
        verification steps their own cosine from VERIFY_LR_SHARE), then the decision due at it. A run shorter than
        the schedule decides at its last step; extending it redoes the decision."""
        trainer, train = self.trainer, self.trainer.cfg.train
        verifying = step > train.discovery_steps
        lr = (cosine(VERIFY_LR_SHARE * train.lr_discovery, step - train.discovery_steps - 1,
                     train.discovery_verify_steps)
              if verifying else cosine(train.lr_discovery, step, train.discovery_steps))
        window = self.decisions.nested_window(verifying)
        value = self.update(trainer.data[trainer.indices()], lr, window, trainer.generator).detach()
        stage = "final" if step in (train.discovery_end, train.steps) else self.points.get(step)
        if stage is not None:
            self.decide(stage)
        return {"recon": value}

    def curve(self) -> np.ndarray:
        return unexplained_curve(self.trainer.model, decision_samples(self.trainer.data, self.trainer.cfg.seed))

    def decide(self, stage: str = "final") -> None:
        """The decision of `stage` from the unexplained curve: "preliminary" sets the reach's window,
        "provisional" the focus window, "candidate" the verification's window; "final" sets the mask, to the
        candidate's answer less one when the verification confirms it (rules.verified_dimension), then the
        descent where triggered."""
        trainer, model = self.trainer, self.trainer.cfg.model
        curve = self.curve()
        k = choose_dimension(curve, model.discovery_tolerance, model.discovery_relative_tolerance)
        # "rule" names the decision rule as the records of runs before schema 19 do (they may say "level")
        record = {"step": trainer.step, "dimension": k, "curve": [round(float(u), 6) for u in curve],
                  "rule": "gain", "tolerance": model.discovery_tolerance,
                  "relative_tolerance": model.discovery_relative_tolerance}
        d, m, train = self.decisions, trainer.model.latent_dim, trainer.cfg.train
        if stage == "preliminary":
            self.decisions = Decisions(preliminary=record,
                                       reach_window=reach_window(k, m, train.discovery_reach, train.discovery_reach_min))
            return
        if stage == "provisional":
            d.provisional, d.window = record, focus_window(k, m)
            return
        if stage == "candidate":
            d.candidate, d.verify_window = record, verify_window(k)
            return
        if d.candidate is not None:
            candidate = d.candidate["dimension"]
            share, inverted = candidate_signals(d.candidate)
            record = {**record, "answer": k, "candidate_share": round(share, 6), "candidate_inverted": inverted,
                      "dimension": verified_dimension(candidate, k, share, model.discovery_verify_gate,
                                                      inverted and model.discovery_verify_inversion)}
        # the descent follows the discovery's own end only: a run stopped earlier decides without training more
        if model.discovery_descent_ratio is not None and trainer.step == train.discovery_end:
            record = {**record, "descent": self.descent(record["dimension"], curve)}
            record["dimension"] = record["descent"]["dimension"]
        set_prefix_mask(trainer.model, record["dimension"])
        d.final = record

    def descent(self, k: int, reference: np.ndarray) -> dict[str, Any]:
        """The descent after the final decision k (maskaae/discovery/descent.py): the data's local dimension
        against the reference at k, then, when triggered, rounds of train.discovery_descent_steps nested steps at
        exactly j from their own random stream (Adam, the nested phase's learning rate cosine-decayed over each
        round). A round that fails is undone: the model and the optimiser are as they were before it."""
        trainer, model, train = self.trainer, self.trainer.cfg.model, self.trainer.cfg.train
        local = local_dimension(trainer.data, trainer.cfg.seed)
        expected = reference_dimension(k, min(len(trainer.data), LOCAL_POINTS))
        out: dict[str, Any] = {"start": k, "local_dimension": round(local, 4),
                               "reference_dimension": round(expected, 4), "ratio": model.discovery_descent_ratio,
                               "triggered": triggered(expected, local, model.discovery_descent_ratio)}
        if not out["triggered"]:
            return {**out, "dimension": k, "rounds": []}
        generator = torch.Generator().manual_seed(trainer.cfg.seed + DESCENT_SEED_OFFSET + 1)
        before: list[Any] = []

        def train_round(j: int) -> None:
            before[:] = [copy.deepcopy(trainer.model.state_dict()), copy.deepcopy(self.optimizer.state_dict())]
            trainer.model.train()
            steps = train.discovery_descent_steps
            for step in range(steps):
                x = trainer.data[trainer.indices(generator)]
                self.update(x, cosine(train.lr_discovery, step, steps), (j, j), generator)

        dimension, rounds = descend(k, reference, train_round, self.curve, model.discovery_descent_tolerance)
        if rounds and not rounds[-1]["kept"]:
            trainer.model.load_state_dict(before[0])
            self.optimizer.load_state_dict(before[1])
        return {**out, "dimension": dimension, "rounds": rounds}
