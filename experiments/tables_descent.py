"""The documents' tables of the descent (maskaae/discovery/descent.py, the eighth default): which committed runs its
trigger touches, and the runs where it ran (the probe that chose its acceptance test is at the tag
record-2026-12).

Registered in experiments/tables.py's TABLES, which writes them into the documents."""

from __future__ import annotations

import csv

from maskaae.config import ModelConfig
from table_cells import RESULTS, header, minutes, row

# (results folder, variant in its runs.csv, label) of the eighth default's runs; the held-out and stress runs
# stop right after the final decision and its descent
DESCENT_RUNS = [("discovery", "default", "benchmark"), ("discovery-holdout-reach16", "descent", "held-out"),
                ("discovery-stress-descent", None, "stress")]
# the default's trigger ratio (the trigger table's last column)
TRIGGER_RATIO = ModelConfig().discovery_descent_ratio


def _csv(path) -> list[dict]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def descent_trigger() -> list[str]:
    """experiments/descent_trigger.py: per source of committed seventh-default runs, which the trigger touches
    (the reference at k over TwoNN above 1.3) and the largest ratio among those it leaves alone; beside it, the
    ratio first tried (k / TwoNN above 1.3) and the runs it would have touched."""
    rows = _csv(RESULTS / "descent-trigger" / "trigger.csv")
    lines = header("runs of the seventh default", "runs", "triggered: case (n, k, reference / TwoNN)",
                   "largest reference / TwoNN not triggered", "k / TwoNN above 1.3 (the trigger first tried)")
    for source in dict.fromkeys(r["source"] for r in rows):
        mine = [r for r in rows if r["source"] == source]
        hit = [r for r in mine if r["triggered"] == "True"]
        calm = [float(r["reference_over_two_nn"]) for r in mine if r["triggered"] == "False"]
        listed = "; ".join(f"{r['case']} ({r['n'] or 'n unknown'}, {r['k']}, {float(r['reference_over_two_nn']):.2f})"
                           for r in hit) or "none"
        raw = [r for r in mine if float(r["k_over_two_nn"]) > TRIGGER_RATIO]
        first = "; ".join(f"{r['case']} ({float(r['k_over_two_nn']):.2f})" for r in raw) or "none"
        lines.append(row(source, len(mine), listed, f"{max(calm):.3f}" if calm else "–", first))
    return lines


def descent_runs() -> list[str]:
    """The eighth default's runs where the descent ran: k before it, TwoNN, each round, m_A and the run's time
    (benchmark runs are full runs; held-out and stress runs stop after the decision)."""
    lines = header("runs", "case", "n", "m", "TwoNN", "reference at k", "k -> m_A; round at j: excess", "error",
                   "time")
    for folder, variant, label in DESCENT_RUNS:
        for r in _csv(RESULTS / folder / "runs.csv"):
            if (variant and r.get("variant") != variant) or r.get("descent") in (None, "", "not triggered"):
                continue
            case = r.get("case") or f"{r['group']}/{r['run']}"
            seconds = minutes(float(r["seconds"])) if r.get("seconds") else "–"
            lines.append(row(label, case, r["n"], r["m"], f"{float(r['descent_two_nn']):.2f}",
                             f"{float(r['descent_reference']):.2f}", r["descent"],
                             f"{int(r['error']):+d}", seconds))
    return lines
