"""The discovery benchmark's variants (overrides on the `synthetic` preset) and how a variant's m_A is taken
from another variant's runs where that is exact, so that a decision-only change needs no new training.

Used by experiments/discovery.py; see its docstring, and the record at tag record-2026-12 (experiments/README.md).
"""

from __future__ import annotations

import csv
import functools
import json
from pathlib import Path
from typing import Callable

import numpy as np

from maskaae.discovery import choose_dimension, gain_rule, tolerances, verified_dimension
from maskaae.sweep import SweepSpec, build_points

# Variants: overrides on the `synthetic` preset. "default" is the preset as it is; "paper" is the
# paper's gradient-trained mask with the paper's lambda2 = 1, theta ~ U[0, 5] and mask updates from the
# first step, at the CPU preset's networks and lambda3 schedule (the paper's 500,000 steps do not fit).
# Without verification (pinned for the variants made before it existed). The variants made before the reach
# existed pin it off (BEFORE_REACH): the preset has it on since the seventh default.
NO_VERIFY = ["train.discovery_verify_steps=0", "train.steps=15000"]
BEFORE_REACH = ["train.discovery_reach=0"]
# Every variant made before the descent (maskaae/discovery/descent.py) pins it off: the preset has it since the eighth default.
BEFORE_DESCENT = ["model.discovery_descent_ratio=null"]
VARIANTS: dict[str, list[str]] = {
    # the eighth default (2026-12-06): the seventh with the descent after the final decision k: when TwoNN on the
    # training data reads more than 1.3 times less than on k-dimensional Gaussian samples, rounds of 4,000 nested
    # steps at exactly j = k - 1, k - 2, .. keep each j whose first j dimensions reconstruct within 1% of the
    # decision's total of what the first k did (a circle kept on two coordinates is cut to one). On a group where
    # no point's final answer triggers it, its runs are the seventh default's computation (UNTRIGGERED_SOURCE).
    # The overrides are the preset's own values, written out.
    "default": ["train.discovery_reach=2", "train.discovery_reach_min=16", "train.discovery_verify_steps=2000",
                "train.steps=17000", "model.discovery_descent_ratio=1.3", "model.discovery_descent_tolerance=0.01",
                "train.discovery_descent_steps=4000"],
    # the default up to its final decision (train.steps = 14,000, where the verification ends): every m_A of the
    # default in the time `maskaae dimension` takes. Run on the quick grid after the nested phase's Adam became
    # fused (2026-12-07, maskaae/optim.py: the same update to float rounding) to check the answers kept
    "decision": ["train.discovery_reach=2", "train.discovery_reach_min=16", "train.discovery_verify_steps=2000",
                 "train.steps=14000", "model.discovery_descent_ratio=1.3", "model.discovery_descent_tolerance=0.01",
                 "train.discovery_descent_steps=4000"],
    # issue 33's speed candidate, decision-only (train.steps ends at the final decision): the default's schedule
    # in the same number of training samples at four times the batch (256), so a quarter of the steps of each
    # phase (3,000 nested, 500 verification, 1,000 a descent round), and Adam's learning rate scaled by the square
    # root of the batch's growth (1e-3 -> 2e-3); nothing else changes. At 1e-3 (the probe before it) the sphere
    # and the torus at n = 6 answered 7 and 8 (the default: 6 and 6); at 2e-3 both answered 6. Rejected: on the
    # full grid, stopped after 40 of 72 runs, S^10 answered 11 twice, noisy T^2 3 and T^10 17 and 18 where the
    # default answered 10, 2 and 11 (docs/design/1-nested-training.md); its runs were not collected
    "fast": ["train.discovery_reach=2", "train.discovery_reach_min=16", "train.batch_size=256",
             "train.discovery_steps=3000", "train.discovery_verify_steps=500", "train.steps=3500",
             "train.lr_discovery=2e-3", "model.discovery_descent_ratio=1.3",
             "model.discovery_descent_tolerance=0.01", "train.discovery_descent_steps=1000"],
    # the seventh default (2026-11-29, fifth session): the sixth with the reach, r = 2 (train.discovery_reach): a
    # preliminary answer k0 halfway to the focus phase, then truncations over 1..max(2 k0, 16) instead of 1..m
    # until the focus (train.discovery_reach_min = 16), so the prefixes near the answer get a share that depends
    # on the data's answer, not on m (MNIST's m_A grew with m under 1..m). Measured first as the candidates
    # "reach" (no minimum: one stress miss) and "reach16" (decision-only; the same m_A as this variant's full
    # runs, which are the same computation up to the final decision). Where m <= 16 its runs are the sixth
    # default's computation (SAME_COMPUTATION_UP_TO_M). Collected as "default" until the eighth default; its
    # rows in results/discovery were renamed then.
    "seventh": ["train.discovery_reach=2", "train.discovery_reach_min=16", "train.discovery_verify_steps=2000",
                "train.steps=17000", *BEFORE_DESCENT],
    # the sixth default (2026-11-29): the fifth, and the verification's k - 1 is also taken when the candidate's
    # k-th dimension explained more than its (k - 1)-th (model.discovery_verify_inversion), whatever the gate
    # says. Chosen on one case (Fig. 4b, n = 16, m = 34, seed 0: a lopsided split, 0.14% then 1.41%); on the
    # 124 other saved verification records it changes no answer. Tested on the Fig. 4b runs made after it.
    # Collected as "default" until the seventh default; its rows in results/discovery were renamed then.
    "inversion": [*BEFORE_REACH, "train.discovery_verify_steps=2000", "train.steps=17000", *BEFORE_DESCENT],
    # the fifth default: the fourth with 2,000 verification steps after the decision (and 2,000 more steps,
    # so the phase with the critic keeps its length), k - 1 only when the candidate's k-th dimension explained
    # less than model.discovery_verify_gate (1%) of the total. The gate was chosen on the verify runs' records
    # (the ungated steps took the curved maps' real 6th dimension, 1.5-2.6%; the split fragments explained
    # 0.2-0.9%), then tested on the held-out seed pairs 4 and 5, which no choice had seen. Its held-out runs
    # were made as "default"; their local folders were renamed and their sweep.json given these overrides.
    "gated": [*BEFORE_REACH, "train.discovery_verify_steps=2000", "train.steps=17000",
              "model.discovery_verify_inversion=false", *BEFORE_DESCENT],
    # the fourth default: the cap relative to the kept dimensions' mean share, no verification steps. Its
    # runs were made as "default"; their local folders were renamed and their sweep.json given these overrides.
    "cap": [*BEFORE_REACH, *NO_VERIFY, *BEFORE_DESCENT],
    # the verification without the gate (k - 1 whatever the k-th dimension explained). Its runs were made as
    # "default" while it was the default for a session; folders renamed, sweep.json given these overrides.
    "verify": [*BEFORE_REACH, "train.discovery_verify_steps=2000", "train.steps=17000",
               "model.discovery_verify_gate=null", *BEFORE_DESCENT],
    # the third default (2026-11-28): the focus phase, the gain rule's tolerance a fixed 0.5% of the total
    # (without the cap relative to the kept dimensions' mean share).
    "focus": [*BEFORE_REACH, "model.discovery_relative_tolerance=null", *NO_VERIFY, *BEFORE_DESCENT],
    # the second default: the gain rule without the focus phase, nested truncations uniform throughout; its
    # m_A is decided from the level runs' saved curves (the same nested training)
    "gain": [*BEFORE_REACH, "train.discovery_focus=0", "model.discovery_relative_tolerance=null", *NO_VERIFY,
             *BEFORE_DESCENT],
    # the first default: ordered discovery with the level rule at tolerance 0.01 (its 72 runs were the
    # benchmark of 2026-11-28)
    "level": [*BEFORE_REACH, "model.discovery_rule=level", "model.discovery_tolerance=0.01", "train.discovery_focus=0",
              "model.discovery_relative_tolerance=null", *NO_VERIFY, *BEFORE_DESCENT],
    # a candidate (2026-11-29, third session): the default with nested truncations drawn from the log law
    # (train.discovery_truncation=log), which gives a prefix of length k a share that depends on m only through
    # ln m; on MNIST it removed the growth of the provisional answer with m (record-2026-12). Its runs stop
    # right after the final decision (train.steps = 12,000 nested + 2,000 verification steps), so they give m_A
    # as a full run would, but no fd, precision, recall or full-run time (DECISION_ONLY).
    "log": [*BEFORE_REACH, "train.discovery_truncation=log", "train.discovery_verify_steps=2000", "train.steps=14000",
            *BEFORE_DESCENT],
    # a candidate (2026-11-29, fourth session): the default with train.discovery_reach=2: a preliminary answer k0
    # halfway to the focus phase (step 4,500), then truncations over 1..max(2 k0, k0 + 2) instead of 1..m until the
    # focus, so the prefixes near the answer get a share that depends on the data's answer, not on m. r = 2 was
    # fixed before any run and is the only value tried. Where 2 k0 >= m the run is the default's computation.
    # On MNIST (mnist-decision-reach, record-2026-12) it gave 9-11 over m = 16..110 and two seeds. Decision-only,
    # like log.
    "reach": ["train.discovery_reach=2", "train.discovery_reach_min=0", "train.discovery_verify_steps=2000",
              "train.steps=14000", *BEFORE_DESCENT],
    # a candidate (2026-11-29, fifth session): the reach with its range never narrower than 1..16
    # (train.discovery_reach_min=16). The reach's one stress miss (curved3 n = 5 with 5,000 points) drew over
    # 1..10; a minimum of 32 (the first try) left MNIST at m = 32 as the default had it (12 for seed 1, so 9-12
    # over the eight runs); 16 is below every preliminary answer's 2 k0 on MNIST (k0 >= 9), so there it is the
    # reach's computation. Decision-only.
    "reach16": ["train.discovery_reach=2", "train.discovery_reach_min=16", "train.discovery_verify_steps=2000",
                "train.steps=14000", *BEFORE_DESCENT],
    # a candidate (2026-11-29, seventh session): the default with no nested row keeping all m code dimensions
    # (train.discovery_full_share=0; every row keeps a prefix, as in Rippel et al.'s nested dropout). The full
    # rows pay for the band around every cut of a circle, while only the rows truncated between a circle's two
    # coordinates gain from cutting it; on the torus probes T^6 answered 9, 8, 7 at full shares 0.5, 0.25, 0
    # and T^10 18 and 15 at 0.5 and 0 (torus-full-share-probe at the tag record-2026-12; seed 0, no noise, m = 32).
    "packed": ["train.discovery_full_share=0", "train.discovery_reach=2", "train.discovery_reach_min=16",
               "train.discovery_verify_steps=2000", "train.steps=17000", *BEFORE_DESCENT],
    # the eighth default's runs stopped right after the final decision and its descent (decision-only, like
    # reach16): the held-out check's runs, whose other groups are reach16's computation (UNTRIGGERED_SOURCE)
    "descent": ["train.discovery_reach=2", "train.discovery_reach_min=16", "train.discovery_verify_steps=2000",
                "train.steps=14000", "model.discovery_descent_ratio=1.3", "model.discovery_descent_tolerance=0.01",
                "train.discovery_descent_steps=4000"],
    "paper": ["model.discovery=paper", "loss.lambda2=1", "model.mask_init_min=0", "train.mask_warmup_steps=0",
              "train.steps=8000"],
    # the previous default of the synthetic preset (gradient mask, lambda2 3, U[2, 5], 500 warm-up steps)
    "previous": ["model.discovery=paper", "train.steps=8000"],
}
# Variants whose runs stop after the decision: their rows keep m_A and leave fd, precision, recall and seconds empty.
DECISION_ONLY = {"log", "reach", "reach16", "descent"}
# Options that variants of the record set and the library removed in schema 19 (maskaae/versions.py): today's maskaae
# cannot build or train such a variant (level, log); the git tag record-2026-12 (commit 6a19709) runs it. Its rows
# come from the runs.csv and curves.json of an earlier collection (kept_rows), and decisions on saved curves by its
# rule from `decide`.
REMOVED_OPTIONS = ("model.discovery_rule", "train.discovery_truncation", "loss.nested_power")


def removed_options(variant: str) -> dict[str, str]:
    """The variant's overrides of options removed in schema 19, key -> value."""
    pairs = (o.split("=", 1) for o in VARIANTS[variant])
    return {key: value for key, value in pairs if key in REMOVED_OPTIONS}


def runnable(variant: str) -> bool:
    """Whether today's maskaae can build and train the variant: it sets no option removed in schema 19."""
    return not removed_options(variant)


def level_rule(u: np.ndarray, t: np.ndarray) -> int:
    """The record's level rule (maskaae/discovery/rules.py at record-2026-12; the library dropped it in schema 19):
    the smallest k >= 1 with u(k) - u* <= t(k) (u(0) - u*), within tolerance of the best prefix."""
    floor = u[1:].min()
    return int(np.nonzero(u[1:] - floor <= t[1:] * (u[0] - floor))[0][0]) + 1


# The decision rules the record compares, by the names model.discovery_rule gave them; gain is the library's.
DECISION_RULES = {"gain": gain_rule, "level": level_rule}


def decide(curve: list[float], tolerance: float, rule: str = "gain", relative: float | None = None) -> int:
    """How many leading dimensions `rule` keeps on the curve u(0) .. u(m) (the record's choose_dimension, which took
    the rule): gain is maskaae.discovery.choose_dimension; level its level_rule on the same tolerances, m when the
    curve explains nothing."""
    if rule == "gain":
        return choose_dimension(curve, tolerance, relative)
    u = np.asarray(curve, dtype=np.float64)
    total = u[0] - u[1:].min()
    if not np.isfinite(total) or total <= 0:
        return len(u) - 1
    return DECISION_RULES[rule](u, tolerances(u, tolerance, relative))

# A variant that differs from another only in the decision's tolerance trains the same nested phase up to
# the provisional decision; where that decision is the same, the whole run is the same computation up to
# the final decision. So a group is run for `variant` only where some point's provisional decision would
# differ; elsewhere its rows come from the `source` runs (derived_rows). variant -> source.
SAME_TRAINING_UNTIL_DECIDED = {"cap": "focus"}
# Runs with verification steps record every decision on the way (maskaae/train.py): the candidate is the
# decision without the steps (the nested phase is the same computation up to it, checked bit for bit on the 18
# benchmark cases that have both), the answer after them is what decides with or without the gate and the
# inversion. So on a group where a variant has no runs of its own, its m_A comes from the first source
# variant's records that has the group. fd, precision and recall are kept where the two runs are the same
# computation to the end (`same_after`: the same steps and the same final decision), else left empty.
# variant -> (sources, m_A from a row, same_after).
DECIDED_IN_RECORDS: dict[str, tuple[tuple[str, ...], Callable[[dict], int], bool]] = {
    "inversion": (("gated", "verify"), lambda r: verified_decision(r, "inversion"), True),
    "gated": (("inversion", "verify"), lambda r: verified_decision(r, "gated"), True),
    "verify": (("gated", "inversion"), lambda r: verified_decision(r, "verify"), True),
    "cap": (("gated", "inversion", "verify"), lambda r: r["candidate"], False),
}


# variant -> source that differs from it only by the reach: on a group whose every point has m at most the variant's
# train.discovery_reach_min, the reach's range is 1..m whatever the preliminary answer, so the variant's run is the
# source's computation (checked bit for bit in tests/test_discovery.py) and its rows are the source's.
SAME_COMPUTATION_UP_TO_M: dict[str, str] = {"seventh": "inversion"}


# variant -> source that differs from it only by the descent (maskaae/discovery/descent.py): where the descent is not
# triggered it trains nothing and leaves the run as it was (tests/test_descent.py checks that bit for bit), so on
# a group where no point's final answer triggers it the variant's rows are the source's.
UNTRIGGERED_SOURCE: dict[str, str] = {"default": "seventh", "descent": "reach16"}


def trigger_reading(config, k: int, cache: dict) -> tuple[float, float, int]:
    """What the descent's trigger compares for a run with this config and final answer k, without training: the
    local dimension (maskaae.discovery.local_dimension on the run's training data and seed), the reference at k
    (maskaae.descent.reference_dimension) and the number of points both read. Cached: the local dimension and
    the count by data and run seed, the reference by k and count."""
    from maskaae.data import load_data
    from maskaae.discovery.descent import LOCAL_POINTS, reference_dimension
    from maskaae.discovery import local_dimension

    data = json.dumps(config.data.__dict__, sort_keys=True, default=str)
    key, count_key = f"descent-two-nn:{data}:seed{config.seed}", f"descent-count:{data}"
    if key not in cache or count_key not in cache:
        train, _ = load_data(config.data)
        cache[key], cache[count_key] = local_dimension(train, config.seed), min(len(train), LOCAL_POINTS)
    reference_key = f"descent-reference:k{k}:count{cache[count_key]}"
    if reference_key not in cache:
        cache[reference_key] = reference_dimension(k, cache[count_key])
    return cache[key], cache[reference_key], cache[count_key]


def untriggered(spec: SweepSpec, variant: str, source_rows: list[dict], cache: dict) -> bool:
    """Whether no point of the group would trigger the variant's descent: every point has a row of the
    UNTRIGGERED_SOURCE, and the reference at its final answer is at most the variant's ratio times the point's
    local dimension."""
    from maskaae.discovery.descent import triggered

    ratio = variant_model(variant).discovery_descent_ratio
    answers = {r["run"]: r["m_A"] for r in source_rows}
    for point in build_points(with_variant(spec, variant)):
        if point.name not in answers:
            return False
        local, reference, _ = trigger_reading(point.config, answers[point.name], cache)
        if triggered(reference, local, ratio):
            return False
    return True


def descent_cells(record: dict) -> dict:
    """A run's descent (maskaae/discovery/descent.py) as runs.csv cells: the local dimension its trigger read, and, where it
    ran, "k -> answer; j: excess, .." (each round's excess over the decision's k-prefix, a share of its total; a
    round that failed was undone)."""
    descent = record.get("descent")
    if not descent:
        return {"descent_two_nn": None, "descent_reference": None, "descent": None}
    rounds = ", ".join(f"{r['j']}: {100 * r['excess']:+.2f}%{'' if r['kept'] else ' (undone)'}"
                       for r in descent["rounds"])
    ran = f"{descent['start']} -> {descent['dimension']}; {rounds}" if descent["triggered"] else "not triggered"
    return {"descent_two_nn": descent["local_dimension"], "descent_reference": descent.get("reference_dimension"),
            "descent": ran}


def untriggered_cells(config, k: int, cache: dict) -> dict:
    """descent_cells for a row taken from the UNTRIGGERED_SOURCE of a run with this config and final answer k:
    what the trigger read (trigger_reading) and "not triggered"."""
    local, reference, _ = trigger_reading(config, k, cache)
    return {"descent_two_nn": round(local, 4), "descent_reference": round(reference, 4), "descent": "not triggered"}


def same_computation(spec: SweepSpec, variant: str) -> str | None:
    """The SAME_COMPUTATION_UP_TO_M source whose rows are the variant's on this group, if every m is small enough."""
    if variant not in SAME_COMPUTATION_UP_TO_M:
        return None
    largest = variant_config(variant).train.discovery_reach_min
    return SAME_COMPUTATION_UP_TO_M[variant] if all(p.config.model.latent_dim <= largest
                                                    for p in build_points(spec)) else None


def _typed(value: str):
    """A runs.csv cell as the collection wrote it: empty -> None, True/False, int, float, else the text."""
    if value == "":
        return None
    if value in ("True", "False"):
        return value == "True"
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def kept_rows(out: Path) -> dict[tuple[str, str], list[dict]]:
    """The rows out/runs.csv holds, by (variant, group), with their curves (out/curves.json) and provisional
    decisions (out/provisional.json): what a collection keeps for a group whose runs are not on this machine
    (the sweep folders are not committed; older variants' were made on other machines)."""
    if not (out / "runs.csv").is_file():
        return {}
    curves = json.loads((out / "curves.json").read_text()) if (out / "curves.json").is_file() else {}
    provisional = json.loads((out / "provisional.json").read_text()) if (out / "provisional.json").is_file() else {}
    kept: dict[tuple[str, str], list[dict]] = {}
    with (out / "runs.csv").open(newline="") as f:
        for cells in csv.DictReader(f):
            row = {key: _typed(value) for key, value in cells.items()}
            key = f"{cells['variant']}/{cells['group']}/{cells['run']}"
            row.update(variant=cells["variant"], group=cells["group"], run=cells["run"], curve=curves.get(key),
                       provisional=provisional.get(key))
            kept.setdefault((cells["variant"], cells["group"]), []).append(row)
    return kept


def verified_decision(row: dict, variant: str) -> int:
    """The variant's final answer from a verified run's record (candidate, answer, the candidate's share and
    whether its order was inverted), by the variant's gate and inversion switch."""
    model = variant_model(variant)
    inverted = bool(row["candidate_inverted"]) and model.discovery_verify_inversion
    return verified_dimension(row["candidate"], row["answer"], row["candidate_share"], model.discovery_verify_gate,
                              inverted)


def record_source(variant: str, group_dirs: Callable[[str], Path]) -> str | None:
    """The first of the variant's DECIDED_IN_RECORDS sources that has the group (group_dirs(source) exists)."""
    return next((s for s in DECIDED_IN_RECORDS[variant][0] if group_dirs(s).exists()), None)


def with_variant(spec: SweepSpec, variant: str) -> SweepSpec:
    return SweepSpec(grid=spec.grid, overrides=spec.overrides + VARIANTS[variant])


@functools.cache
def variant_config(variant: str):
    """The variant's config on the `synthetic` preset (built once: the derivations ask for it once per row), without
    the options removed in schema 19 (removed_options), which today's config has not."""
    from maskaae.presets import build_config

    removed = removed_options(variant)
    return build_config("synthetic", None, [o for o in VARIANTS[variant] if o.split("=", 1)[0] not in removed])


def variant_model(variant: str):
    """The variant's model settings."""
    return variant_config(variant).model


def decision_settings(variant: str) -> tuple:
    """decide's tolerance, rule and relative cap for the variant (the rule: gain, or what its overrides name)."""
    cfg = variant_model(variant)
    rule = removed_options(variant).get("model.discovery_rule", "gain")
    return cfg.discovery_tolerance, rule, cfg.discovery_relative_tolerance


def same_training(spec: SweepSpec, variant: str, source_dir: Path) -> bool:
    """Whether every point of the group has a finished run in source_dir whose provisional decision the
    variant's rule would take too (SAME_TRAINING_UNTIL_DECIDED): then the variant's runs need not be made."""
    settings = decision_settings(variant)
    for point in build_points(spec):
        summary_file = source_dir / "runs" / point.name / "summary.json"
        if not summary_file.is_file():
            return False
        provisional = (json.loads(summary_file.read_text()).get("discovery") or {}).get("provisional")
        if not provisional or decide(provisional["curve"], *settings) != provisional["dimension"]:
            return False
    return True


def recorded_rows(source_rows: list[dict], variant: str, source: str) -> list[dict]:
    """The variant's rows from another variant's run records (DECIDED_IN_RECORDS)."""
    _, decision, same_after = DECIDED_IN_RECORDS[variant]
    out = []
    for r in source_rows:
        m_a = decision(r)
        same = same_after and m_a == r["m_A"]
        out.append({**r, "variant": variant, "m_A": m_a, "error": m_a - r["n"],
                    "decided_from": f"the {source} run's record",
                    **({} if same else {"fd": None, "precision": None, "recall": None, "seconds": None})})
    return out


def derived_rows(source_rows: list[dict], variant: str) -> list[dict]:
    """The variant's rows from the source's runs of a group where same_training holds: m_A by the variant's
    rule on the source run's final curve; fd, precision and recall kept where m_A is the same (the same
    computation throughout), empty where it differs (the phase after the decision would differ)."""
    settings = decision_settings(variant)
    out = []
    for r in source_rows:
        m_a = decide(r["curve"], *settings)
        same = m_a == r["m_A"]
        out.append({**r, "variant": variant, "m_A": m_a, "error": m_a - r["n"],
                    "decided_from": f"the {r['variant']} run (same provisional decision)",
                    **({} if same else {"fd": None, "precision": None, "recall": None})})
    return out


def decided_from_curves(rows: list[dict], variant: str, source: str) -> list[dict]:
    """The variant's m_A for every case of `source` that the variant has not run itself, decided by the
    variant's rule from the source run's saved curve u(k).

    Exact, not an estimate: the two variants differ only in the decision rule, the nested phase before it
    is the same computation, so a run of the variant would decide from the same curve. What happens after the
    decision (fd, precision, recall) depends on the mask, so those stay empty until the variant's own run."""
    settings = decision_settings(variant)
    own = {(r["group"], r["run"]) for r in rows if r["variant"] == variant}
    out = []
    for r in rows:
        if r["variant"] == source and r.get("curve") and (r["group"], r["run"]) not in own:
            m_a = decide(r["curve"], *settings)
            out.append({**r, "variant": variant, "m_A": m_a, "error": m_a - r["n"],
                        "decided_from": f"the {source} run's saved curve", "fd": None, "precision": None,
                        "recall": None})
    return out
