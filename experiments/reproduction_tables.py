"""Print the Fig. 4a/4b tables of docs/REPRODUCTION.md from the collected sweep results (median [min, max]
over the seeds run, and the seed count), so the document's numbers can be regenerated rather than retyped.

    .venv/bin/python experiments/reproduction_tables.py results/sweep-synthetic-n8 \
        results/sweep-synthetic-n16+results/sweep-synthetic-n16-m50-78

An argument joins several sweep folders with '+' into one table, as `maskaae report A B` does.
"""

from __future__ import annotations

import sys
from pathlib import Path

from maskaae.report import aggregate, panels, read_sweeps


def cell(s: dict | None, digits: int | None) -> str:
    """median [min, max] (count); digits None prints counts such as m_A as they are (8, 8.5)."""
    if s is None:
        return "-"
    fmt = (lambda v: f"{v:g}") if digits is None else (lambda v: f"{v:.{digits}f}")
    if s["count"] == 1:
        return fmt(s["median"])
    return f"{fmt(s['median'])} [{fmt(s['min'])}, {fmt(s['max'])}] ({s['count']})"


def table(arg: str) -> str:
    sweeps = [Path(part) for part in arg.split("+")]
    (panel,) = panels(*read_sweeps(sweeps))
    stats = {key: aggregate(panel, key) for key in ("active_dims", "fd", "precision", "recall")}
    lines = [f"n = {panel.n} ({' + '.join(f'{sweep}/results.csv' for sweep in sweeps)})", "",
             "| m | MaskAAE m_A | MaskAAE fd | MaskAAE precision / recall | WAE-GAN fd | WAE-GAN precision / recall "
             "| seeds (MaskAAE / WAE-GAN) |", "|---|---|---|---|---|---|---|"]
    for m in panel.ms():
        mask, wae = ("maskaae", m), ("wae-gan", m)
        seeds = [len(panel.select(model, m)) for model in ("maskaae", "wae-gan")]
        lines.append(f"| {m} | {cell(stats['active_dims'][mask], None)} | {cell(stats['fd'][mask], 2)} | "
                     f"{cell(stats['precision'][mask], 3)} / {cell(stats['recall'][mask], 3)} | "
                     f"{cell(stats['fd'][wae], 2)} | {cell(stats['precision'][wae], 3)} / "
                     f"{cell(stats['recall'][wae], 3)} | {seeds[0]} / {seeds[1]} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print("\n\n".join(table(arg) for arg in sys.argv[1:]))
