"""A report's text, report.md: what was run, and per panel the figures, the numbers behind Fig. 4 and
Table 2 (m_A and NAC), or Table 1 for a sweep over models; then the failed runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..models import MODEL_CHOICES
from ..results import (ACTIVE_DIMS, ERROR, EVAL_SAMPLES, FD, FID, FID_SAMPLES, MODEL, NAC, NAC_SAMPLES, PRECISION,
                       PRESET, RECALL, RUN, SECONDS, SEED, STATUS, STEPS, format_value)
from .sweeps import MODELS, RUN_DIR, Panel, aggregate, panels, stats


def _fmt_stats(s: dict[str, float] | None) -> str:
    if s is None:
        return "–"
    if s["count"] == 1:
        return format_value(s["median"])
    return f"{format_value(s['median'])} [{format_value(s['min'])}, {format_value(s['max'])}]"


def table2(panel: Panel) -> list[str]:
    """Paper Table 2: m_A and NAC of WAE-GAN and MaskAAE at each m, medians over seeds."""
    m_a, nac = aggregate(panel, ACTIVE_DIMS), aggregate(panel, NAC)
    lines = ["| m | m_A WAE-GAN | m_A MaskAAE | NAC WAE-GAN | NAC MaskAAE |", "|---|---|---|---|---|"]
    for m in panel.ms():
        cells = [format_value(s["median"] if s else None) for s in
                 (m_a[("wae-gan", m)], m_a[("maskaae", m)], nac[("wae-gan", m)], nac[("maskaae", m)])]
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    return lines


def values_table(panel: Panel) -> list[str]:
    """The numbers behind Fig. 4: median [min, max] over seeds."""
    quality_key, quality_label = panel.quality_key()
    keys = [(quality_key, quality_label), (PRECISION, "precision"), (RECALL, "recall"),
            (ACTIVE_DIMS, "m_A"), (NAC, "NAC")]
    aggs = {key: aggregate(panel, key) for key, _ in keys}
    lines = ["| m | model | runs | " + " | ".join(label for _, label in keys) + " |",
             "|---|---|---|" + "---|" * len(keys)]
    for m in panel.ms():
        for model, name in MODELS:
            rows = panel.select(model, m, done_only=False)
            if not rows:
                continue
            done = len(panel.select(model, m))
            runs = f"{done}" if done == len(rows) else f"{done} of {len(rows)}"
            lines.append(f"| {m} | {name} | {runs} | " + " | ".join(_fmt_stats(aggs[key][(model, m)])
                                                                      for key, _ in keys) + " |")
    return lines


def table1(rows: list[dict[str, Any]]) -> list[str]:
    """Paper Table 1 for a sweep over models: per model, median [min, max] over seeds of sample quality,
    precision, recall, m_A (where the model has a mask), training steps and seconds."""
    done = [r for r in rows if r[STATUS] == "done"]
    fid = [r for r in done if r.get(FID) is not None]
    quality, label = (FID, f"FID (N = {_distinct([r.get(FID_SAMPLES) for r in fid])})") if fid else (FD, "FD")
    keys = [(quality, label), (PRECISION, "precision"), (RECALL, "recall"), (ACTIVE_DIMS, "m_A"),
            (STEPS, "steps"), (SECONDS, "training s")]
    names = [name for name in MODEL_CHOICES if any(r[MODEL] == name for r in rows)]
    names += sorted({str(r[MODEL]) for r in rows} - set(names))
    lines = ["| model | runs | " + " | ".join(label for _, label in keys) + " |", "|---|---|" + "---|" * len(keys)]
    for name in names:
        mine = [r for r in done if r[MODEL] == name]
        total = sum(r[MODEL] == name for r in rows)
        runs = f"{len(mine)}" if len(mine) == total else f"{len(mine)} of {total}"
        # m_A is the mask's: a model without one reports m (every dimension active), shown as a dash
        cells = [_fmt_stats(stats([r.get(key) for r in mine])) if key != ACTIVE_DIMS or name == "maskaae" else "–"
                 for key, _ in keys]
        lines.append(f"| {name} | {runs} | " + " | ".join(cells) + " |")
    return lines


def run_config(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The config of the first of these runs that has a config.json."""
    for row in rows:
        path = row[RUN_DIR] / "config.json"
        if path.is_file():
            return json.loads(path.read_text())["config"]
    return None


def _presets(rows: list[dict[str, Any]]) -> list[str]:
    return sorted({str(r[PRESET]) for r in rows if r.get(PRESET)})


def _is_cpu(cfg: dict[str, Any] | None) -> bool:
    return "CPU preset" in (cfg.get("description", "") if cfg else "")


def preset_label(rows: list[dict[str, Any]], cfg: dict[str, Any] | None) -> str:
    """'preset NAME' for figure titles, marked when it is a CPU preset."""
    return f"preset {', '.join(_presets(rows)) or 'not recorded'}" + (" (CPU preset)" if _is_cpu(cfg) else "")


def _distinct(values: list[Any]) -> str:
    found = sorted({v for v in values if v is not None}, key=lambda v: (str(type(v)), v))
    return ", ".join(map(str, found)) if found else "not recorded"


def _hours(rows: list[dict[str, Any]]) -> str:
    total = sum(float(r.get(SECONDS) or 0.0) for r in rows)
    return f"{total / 3600:.2f} h ({total / max(len(rows), 1):.0f} s per run)"


def header(dirs: list[Path], columns: list[str], rows: list[dict[str, Any]],
           cfg: dict[str, Any] | None) -> list[str]:
    """Title and what was run: preset, runs, seeds, steps, time, held-out sample sizes."""
    done = [r for r in rows if r[STATUS] == "done"]
    presets = _presets(rows)
    description = cfg.get("description", "") if cfg else ""
    seeds = sorted({r.get(SEED) for r in done if r.get(SEED) is not None})
    names = sorted({str(r[MODEL]) for r in rows})
    per_point = [len(p.select(model, m)) for p in panels(columns, rows) for model in names for m in p.ms()
                 if p.select(model, m, done_only=False)]
    lines = [f"# Sweep report: {' + '.join(d.name for d in dirs)}", "",
             "Made by `maskaae report` from `results.csv` and the run folders; nothing was retrained.", ""]
    if _is_cpu(cfg):
        lines += [f"**CPU preset** `{', '.join(presets)}`: a reduced configuration (smaller networks, fewer "
                  "steps, tuned schedule), not the paper's settings; its numbers are not the paper's.", ""]
    lines += [f"- preset: `{', '.join(presets) or 'not recorded'}`"
              + (f" — {description}" if description else " — description not recorded (no config.json found)"),
              f"- runs: {len(rows)} in the grid, {len(done)} finished, "
              f"{sum(r[STATUS] == 'failed' for r in rows)} failed, "
              f"{sum(r[STATUS] not in ('done', 'failed') for r in rows)} not finished",
              f"- seeds: {len(seeds)} ({', '.join(map(str, seeds))}); finished runs per (model, m): "
              f"{min(per_point) if per_point else 0} to {max(per_point) if per_point else 0}; "
              "figures and tables show the median over seeds, error bars the min-max range",
              f"- training steps: {_distinct([r.get(STEPS) for r in done])}",
              f"- training time of the finished runs: {_hours(done)} in total (sum of each run's `seconds`, "
              "one thread per run; runs that share the machine take longer)",
              f"- held-out samples: {_distinct([r.get(EVAL_SAMPLES) for r in done])} for FD and precision/"
              f"recall, {_distinct([r.get(NAC_SAMPLES) for r in done])} for NAC"
              + (f"; Inception FID at N = {_distinct([r.get(FID_SAMPLES) for r in done])}"
                 if any(r.get(FID) is not None for r in done) else ""),
              ]
    if cfg is not None:
        lines += [f"- config of the first finished run: eval.n_samples = {cfg['eval']['n_samples']}, "
                  f"eval.nac_samples = {cfg['eval']['nac_samples']}, eval.fid_samples = {cfg['eval']['fid_samples']}, "
                  f"train.steps = {cfg['train']['steps']}"]
    lines.append("")
    return lines


def panel_section(panel: Panel, fig4: str, fig5: str | None, fig8: str | None) -> list[str]:
    """A panel's figures (file names in the report folder; None: not drawn) and tables."""
    quality_label = panel.quality_key()[1]
    lines = [f"## {panel.title}", "",
             f"### {quality_label} and precision against m (Fig. 4)", "", f"![Fig. 4, {panel.title}]({fig4})",
             "", "Median [min, max] over seeds:", "", *values_table(panel), "",
             "### m_A and NAC (Table 2)", "", "Medians over seeds.", "", *table2(panel), ""]
    if fig5 is not None:
        lines += ["### Mask trajectories (Fig. 5)", "", f"![Fig. 5, {panel.title}]({fig5})", ""]
    if fig8 is not None:
        lines += ["### Training curves (Fig. 8)", "",
                  "Reconstruction and Wasserstein estimate on training batches, FD on held-out data; solid "
                  "MaskAAE, dashed WAE-GAN, colour m.", "", f"![Fig. 8, {panel.title}]({fig8})", ""]
    return lines


def failed_section(rows: list[dict[str, Any]]) -> list[str]:
    failed = [r for r in rows if r[STATUS] == "failed"]
    if not failed:
        return []
    return ["## Failed runs", "", "| run | error |", "|---|---|",
            *[f"| {r[RUN]} | {str(r.get(ERROR) or '').replace('|', '/')} |" for r in failed], ""]
