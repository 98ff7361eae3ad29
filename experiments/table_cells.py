"""What experiments/tables.py and tables_discovery.py share: the results folder, the paper's numbers
(SPEC.md section 8), reading a committed run or sweep, and formatting a Markdown table's cells."""

from __future__ import annotations

import csv
import json
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "results"

# The paper's Table 2 (m_A / NAC, WAE then MaskAAE) and Table 1 (FID, N = 10,000), SPEC.md section 8.
PAPER_TABLE2 = {"synthetic n = 8": (16, 0.040, 9, 0.030), "synthetic n = 16": (32, 0.031, 16, 0.013),
                "MNIST": (64, 0.027, 13, 0.020), "Fashion-MNIST": (128, 0.025, 40, 0.019)}
PAPER_FID = {"MNIST": {"wae-gan": 12.4, "maskaae": 10.5}, "Fashion-MNIST": {"wae-gan": 31.5, "maskaae": 28.4}}
PAPER_MNIST_M_A = {16: "10-13", 32: "10-13", 64: "13 (Table 2)", 110: "10-13"}
# The paper's Table 1 rows (FID at N = 10,000), in its order, with the model name our results use.
PAPER_TABLE1 = [("VAE (cross-entropy)", "vae-bernoulli", 16.6, 43.6),
                ("VAE (fixed variance)", "vae-gaussian", 52.0, 84.6),
                ("VAE (learned variance)", "vae-gamma", 54.5, 60.0), ("VAE + Flow", "vae-iaf", 54.8, 62.1),
                ("WAE-MMD", "wae-mmd", 115.0, 101.7), ("WAE-GAN", "wae-gan", 12.4, 31.5),
                ("2-Stage VAE", "vae-2stage", 12.6, 29.3), ("MaskAAE", "maskaae", 10.5, 28.4),
                ("RAE-L2 (not in the paper; Ghosh et al. 2020: 8.69 on MNIST)", "rae", None, None)]


def summary(name: str) -> dict:
    return json.loads((RESULTS / name / "summary.json").read_text())


def sweep_rows(name: str) -> list[dict]:
    """The finished runs of a committed sweep, numbers parsed."""
    with (RESULTS / name / "results.csv").open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["status"] == "done"]
    for row in rows:
        for key, value in row.items():
            try:
                row[key] = json.loads(value) if value != "" else None
            except (json.JSONDecodeError, TypeError):
                pass
    return rows


def select(rows: list[dict], **where) -> list[dict]:
    return sorted((r for r in rows if all(r.get(k) == v for k, v in where.items())), key=lambda r: r["seed"])


def g(value: float) -> str:
    return f"{value:g}"


def median(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def per_seed(rows: list[dict], key: str, digits: int | None = None) -> str:
    return ", ".join(g(r[key]) if digits is None else f"{r[key]:.{digits}f}" for r in rows)


def spread(s: dict | None, digits: int | None) -> str:
    """An aggregate's median [min, max] (count), or the value alone for one run; "-" for none."""
    if s is None:
        return "-"
    fmt = g if digits is None else (lambda v: f"{v:.{digits}f}")
    if s["count"] == 1:
        return fmt(s["median"])
    return f"{fmt(s['median'])} [{fmt(s['min'])}, {fmt(s['max'])}] ({s['count']})"


def minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min"


def row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def header(*names: str) -> list[str]:
    return [row(*names), "|" + "---|" * len(names)]
