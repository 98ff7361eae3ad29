"""A report's figures, one set per panel (sweeps.py): sample quality against m (paper Fig. 4), mask
trajectories (Fig. 5) and training curves (Fig. 8).

Drawn on matplotlib Figure objects and saved with Figure.savefig (the Agg canvas), never through pyplot:
the user's backend and pyplot's figures are left alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..results import ACTIVE_DIMS, PRECISION, RECON, WASSERSTEIN
from ..runrecord import read_metrics
from .sweeps import MODELS, RUN_DIR, Panel, aggregate


def _errorbar(ax, panel: Panel, key: str, model: str, dodge: float = 0.0, **style) -> None:
    """Median against m with min-max bars; `dodge` shifts x by that fraction of the m range so that
    bars of different series at the same m do not hide each other."""
    agg = aggregate(panel, key)
    ms = [m for m in panel.ms() if agg[(model, m)] is not None]
    if not ms:
        return
    med = np.array([agg[(model, m)]["median"] for m in ms])
    lo = med - np.array([agg[(model, m)]["min"] for m in ms])
    hi = np.array([agg[(model, m)]["max"] for m in ms]) - med
    all_ms = panel.ms()
    x = np.array(ms, dtype=float) + dodge * max(1.0, float(max(all_ms) - min(all_ms)))
    ax.errorbar(x, med, yerr=[lo, hi], capsize=3, ms=4, lw=1.2, **style)


def plot_quality_vs_m(panel: Panel, path: Path, preset_label: str) -> None:
    """Paper Fig. 4: sample quality against m for both models, m_A on a second y axis."""
    quality_key, quality_label = panel.quality_key()
    fig = Figure(figsize=(11, 4))
    axes = fig.subplots(1, 2)
    for ax, (key, label) in zip(axes, [(quality_key, quality_label), (PRECISION, "precision (k = 3)")]):
        for i, (model, name) in enumerate(MODELS):
            _errorbar(ax, panel, key, model, dodge=(i - 0.5) * 0.02, color=f"C{i}", marker="o", label=name)
        ax.set_xlabel("m (model latent dimensions)")
        ax.set_ylabel(label)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        twin = ax.twinx()
        twin.yaxis.set_major_locator(MaxNLocator(integer=True))
        _errorbar(twin, panel, ACTIVE_DIMS, "maskaae", color="C2", marker="s", ls="--", label="MaskAAE $m_A$")
        if isinstance(panel.n, (int, float)):
            twin.axhline(panel.n, color="gray", ls=":", lw=1, label=f"true n = {panel.n}")
        twin.set_ylabel("$m_A$ (active dimensions)", color="C2")
        twin.set_ylim(bottom=0)
        handles = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
        labels = ax.get_legend_handles_labels()[1] + twin.get_legend_handles_labels()[1]
        ax.legend(handles, labels, fontsize=8, loc="best")
    fig.suptitle(f"{quality_label} and precision against m ({panel.title}; {preset_label}); "
                 "median over seeds, bars min-max", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def _seed_label(row: dict[str, Any]) -> str:
    return ", ".join(f"{k} {row[k]}" for k in ("seed", "data.seed") if row.get(k) is not None)


def has_run_dir(row: dict[str, Any]) -> bool:
    return row.get(RUN_DIR) is not None and row[RUN_DIR].is_dir()


def plot_mask_grid(panel: Panel, path: Path, preset_label: str) -> bool:
    """Paper Fig. 5: mask values over training, one small panel per MaskAAE run (rows m, columns seeds)."""
    by_m = {m: [r for r in panel.select("maskaae", m, done_only=False) if has_run_dir(r)] for m in panel.ms()}
    by_m = {m: rows for m, rows in by_m.items() if rows}
    records = {id(r): [x for x in read_metrics(r[RUN_DIR]) if "mask" in x] for rows in by_m.values() for r in rows}
    if not any(records.values()):
        return False
    ncols = max(len(rows) for rows in by_m.values())
    fig = Figure(figsize=(max(2.6 * ncols + 0.4, 5.5), 1.8 * len(by_m) + 0.8))
    axes = fig.subplots(len(by_m), ncols, squeeze=False, sharey=True)
    for ax in axes.flat:
        ax.set_visible(False)
    for i, (m, rows) in enumerate(by_m.items()):
        for j, row in enumerate(rows):
            ax = axes[i, j]
            ax.set_visible(True)
            rec = records[id(row)]
            if rec:
                ax.plot([x["step"] for x in rec], [x["mask"] for x in rec], lw=0.8)
            ax.set_ylim(-0.05, 1.05)
            final = row.get(ACTIVE_DIMS)
            ax.set_title(f"m = {m}, {_seed_label(row)}" + (f", $m_A$ = {final}" if final is not None else ""),
                         fontsize=8)
            ax.tick_params(labelsize=7)
            if i == len(by_m) - 1:
                ax.set_xlabel("step", fontsize=8)
            if j == 0:
                ax.set_ylabel("$\\mu_j$", fontsize=8)
    fig.suptitle(f"MaskAAE mask trajectories\n{panel.title}; {preset_label}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return True


def _median_curve(series: list[dict[int, float]]) -> tuple[list[int], list[float]]:
    """Median over runs at the steps every run logged."""
    common = sorted(set.intersection(*(set(s) for s in series))) if series else []
    return common, [float(np.median([s[step] for s in series])) for step in common]


def plot_training_curves(panel: Panel, path: Path, preset_label: str) -> bool:
    """Paper Fig. 8: reconstruction, Wasserstein estimate and held-out FD over steps; one line per
    (model, m), the median over seeds at each logged step."""
    quality_key, quality_label = panel.quality_key()
    curves: dict[tuple[str, Any], list[list[dict[str, Any]]]] = {}
    for model, _ in MODELS:
        for m in panel.ms():
            logs = [read_metrics(r[RUN_DIR]) for r in panel.select(model, m, done_only=False) if has_run_dir(r)]
            logs = [log for log in logs if log]
            if logs:
                curves[(model, m)] = logs
    if not curves:
        return False
    ms = panel.ms()
    cmap = matplotlib.colormaps["viridis"]
    colour = {m: cmap(i / max(1, len(ms) - 1)) for i, m in enumerate(ms)}
    items = [(RECON, "reconstruction (train batch)", False),
             (WASSERSTEIN, "Wasserstein estimate $\\omega$ (train batch)", False),
             (quality_key, f"held-out {quality_label}", True)]
    fig = Figure(figsize=(14, 4))
    axes = fig.subplots(1, 3)
    for ax, (key, label, held_out) in zip(axes, items):
        for (model, m), logs in curves.items():
            series = [{x["step"]: (x["eval"] if held_out else x)[key] for x in log
                       if (not held_out or "eval" in x) and (x["eval"] if held_out else x).get(key) is not None}
                      for log in logs]
            steps, values = _median_curve([s for s in series if s])
            if steps:
                ax.plot(steps, values, color=colour[m], ls="-" if model == "maskaae" else "--",
                        marker="o" if held_out else None, ms=3, lw=1)
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("step")
    axes[0].plot([], [], color="k", ls="-", label="MaskAAE")
    axes[0].plot([], [], color="k", ls="--", label="WAE-GAN")
    axes[0].legend(fontsize=8)
    if len(ms) > 1:
        mappable = ScalarMappable(cmap=cmap, norm=Normalize(min(ms), max(ms)))
        fig.colorbar(mappable, ax=list(axes), label="m", fraction=0.02, pad=0.01)
    else:
        axes[0].set_title(f"{items[0][1]}, m = {ms[0]}", fontsize=10)
    fig.suptitle(f"training curves, median over seeds ({panel.title}; {preset_label})", fontsize=10)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    return True
