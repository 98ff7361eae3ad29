"""Report of a sweep, from saved results only: results.csv and the run folders.

Writes SWEEP_DIR/report/ (or --out) with
    fig4_*.png      data-space FD (FID when present) and precision against m, WAE-GAN vs MaskAAE,
                    m_A on a second axis; median over seeds, min-max error bars (paper Fig. 4)
    fig5_*.png      mask trajectories of the MaskAAE runs, one small panel per run (Fig. 5)
    fig8_*.png      training curves: reconstruction, Wasserstein estimate, held-out FD (Fig. 8)
    report.md       the figures, Table 2 (m_A and NAC, medians over seeds) and the numbers behind Fig. 4

One set of figures per data.latent_dim (n) and per value of any grid axis
other than m, the mask switch and the seeds. Nothing is retrained or
re-evaluated: a run folder without metrics.jsonl only loses its curves.
Figures an earlier report left in the folder are removed first, so that the
folder shows this report only.

Several sweep folders make one report when they differ only in their grid
values (same preset, --config, --set and grid keys), e.g. a sweep over
m = 2..48 and its extension to m = 50..78; a grid point found in two of them
is an error rather than an extra seed.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from .runs import RunError, read_metrics  # noqa: E402
from .sweep import RESULT_KEYS, base_differences, load_spec  # noqa: E402

MODELS = (("wae-gan", "WAE-GAN"), ("maskaae", "MaskAAE"))
TEXT_COLUMNS = {"run", "status", "error", "model", "preset"}
# What write_report writes into the report folder; older files of these kinds are removed first.
REPORT_FILES = ("fig4_*.png", "fig5_masks_*.png", "fig8_curves_*.png", "report.md")
RUN_DIR = "_run_dir"  # key a row gets in write_report: the row's run folder (not a results.csv column)
# Columns that are not config axes; the rest of results.csv's columns are grid keys.
FIXED_COLUMNS = {"run", "status", "error", "data.latent_dim", *RESULT_KEYS}
# Axes every report handles itself: n splits figures, m is the x axis, the mask picks the model, seeds aggregate.
OWN_AXES = {"data.latent_dim", "model.latent_dim", "model.mask", "seed", "data.seed"}


class ReportError(RunError):
    """A sweep folder has nothing to report on."""


def _parse(column: str, text: str) -> Any:
    if text == "":
        return None
    if column in TEXT_COLUMNS:
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def read_results(path: str | Path) -> tuple[list[str], list[dict[str, Any]]]:
    """(columns, rows) of a results.csv, numbers and true/false parsed."""
    path = Path(path)
    if not path.is_file():
        raise ReportError(f"{path} does not exist; run maskaae sweep --out {path.parent} first")
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        rows = []
        for row in reader:
            if None in row or None in row.values():  # more or fewer fields than the header
                raise ReportError(f"{path} line {reader.line_num}: the row does not have the header's "
                                  f"{len(reader.fieldnames or [])} fields; the file is damaged - run the "
                                  f"sweep's command again (maskaae sweep --out {path.parent}) to rewrite it")
            rows.append({k: _parse(k, v) for k, v in row.items()})
        return list(reader.fieldnames or []), rows


def stats(values: list[Any]) -> dict[str, float] | None:
    """Median, min and max of the non-missing values (None when there are none)."""
    arr = np.array([float(v) for v in values if v is not None], dtype=float)
    if arr.size == 0:
        return None
    return {"median": float(np.median(arr)), "min": float(arr.min()), "max": float(arr.max()), "count": int(arr.size)}


@dataclass
class Panel:
    """Runs that share n and every other grid axis; within it, model x m x seeds."""

    n: Any
    variant: tuple[tuple[str, Any], ...]
    rows: list[dict[str, Any]]

    @property
    def synthetic(self) -> bool:
        return self.n not in (None, "")

    @property
    def title(self) -> str:
        parts = [f"n = {self.n}" if self.synthetic else "image data"]
        return ", ".join(parts + [f"{key} = {value}" for key, value in self.variant])

    @property
    def slug(self) -> str:
        parts = [f"n{self.n}" if self.synthetic else "images"]
        parts += [f"{key.split('.')[-1]}-{value}" for key, value in self.variant]
        return re.sub(r"[^A-Za-z0-9.+=-]", "_", "_".join(parts))

    def ms(self) -> list[Any]:
        return sorted({r["latent_dim"] for r in self.rows if r.get("latent_dim") is not None})

    def select(self, model: str, m: Any, done_only: bool = True) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["model"] == model and r["latent_dim"] == m
                and (r["status"] == "done" or not done_only)]

    def quality_key(self) -> tuple[str, str]:
        """FID where the runs measured it (image data), else the data-space FD."""
        fid = [r for r in self.rows if r["status"] == "done" and r.get("fid") is not None]
        if fid:
            sizes = sorted({r.get("fid_samples") for r in fid if r.get("fid_samples") is not None})
            return "fid", f"FID (N = {', '.join(map(str, sizes))})" if sizes else "FID"
        return "fd", "FD (data space)"


def panels(columns: list[str], rows: list[dict[str, Any]]) -> list[Panel]:
    variant_keys = [c for c in columns if c not in FIXED_COLUMNS and c not in OWN_AXES]
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for row in rows:
        key = (row.get("data.latent_dim"), tuple((k, row.get(k)) for k in variant_keys))
        groups.setdefault(key, []).append(row)
    return [Panel(n, variant, group) for (n, variant), group in
            sorted(groups.items(), key=lambda item: json.dumps(item[0], default=str))]


def aggregate(panel: Panel, key: str) -> dict[tuple[str, Any], dict[str, float] | None]:
    """(model, m) -> stats of `key` over the finished runs (seeds)."""
    return {(model, m): stats([r.get(key) for r in panel.select(model, m)])
            for model, _ in MODELS for m in panel.ms()}


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.4g}"


def _fmt_stats(s: dict[str, float] | None) -> str:
    if s is None:
        return "–"
    if s["count"] == 1:
        return _fmt(s["median"])
    return f"{_fmt(s['median'])} [{_fmt(s['min'])}, {_fmt(s['max'])}]"


# ----------------------------------------------------------------------------
# Figures

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
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, (key, label) in zip(axes, [(quality_key, quality_label), ("precision", "precision (k = 3)")]):
        for i, (model, name) in enumerate(MODELS):
            _errorbar(ax, panel, key, model, dodge=(i - 0.5) * 0.02, color=f"C{i}", marker="o", label=name)
        ax.set_xlabel("m (model latent dimensions)")
        ax.set_ylabel(label)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        twin = ax.twinx()
        twin.yaxis.set_major_locator(MaxNLocator(integer=True))
        _errorbar(twin, panel, "active_dims", "maskaae", color="C2", marker="s", ls="--", label="MaskAAE $m_A$")
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
    plt.close(fig)


def _seed_label(row: dict[str, Any]) -> str:
    return ", ".join(f"{k} {row[k]}" for k in ("seed", "data.seed") if row.get(k) is not None)


def _has_run_dir(row: dict[str, Any]) -> bool:
    return row.get(RUN_DIR) is not None and row[RUN_DIR].is_dir()


def plot_mask_grid(panel: Panel, path: Path, preset_label: str) -> bool:
    """Paper Fig. 5: mask values over training, one small panel per MaskAAE run (rows m, columns seeds)."""
    by_m = {m: [r for r in panel.select("maskaae", m, done_only=False) if _has_run_dir(r)] for m in panel.ms()}
    by_m = {m: rows for m, rows in by_m.items() if rows}
    records = {id(r): [x for x in read_metrics(r[RUN_DIR]) if "mask" in x] for rows in by_m.values() for r in rows}
    if not any(records.values()):
        return False
    ncols = max(len(rows) for rows in by_m.values())
    fig, axes = plt.subplots(len(by_m), ncols, figsize=(max(2.6 * ncols + 0.4, 5.5), 1.8 * len(by_m) + 0.8),
                             squeeze=False, sharey=True)
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
            final = row.get("active_dims")
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
    plt.close(fig)
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
            logs = [read_metrics(r[RUN_DIR]) for r in panel.select(model, m, done_only=False) if _has_run_dir(r)]
            logs = [log for log in logs if log]
            if logs:
                curves[(model, m)] = logs
    if not curves:
        return False
    ms = panel.ms()
    cmap = plt.get_cmap("viridis")
    colour = {m: cmap(i / max(1, len(ms) - 1)) for i, m in enumerate(ms)}
    items = [("recon", "reconstruction (train batch)", False),
             ("wasserstein", "Wasserstein estimate $\\omega$ (train batch)", False),
             (quality_key, f"held-out {quality_label}", True)]
    fig, axes = plt.subplots(1, 3, figsize=(14, 4))
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
        mappable = plt.cm.ScalarMappable(cmap=cmap, norm=plt.Normalize(min(ms), max(ms)))
        fig.colorbar(mappable, ax=list(axes), label="m", fraction=0.02, pad=0.01)
    else:
        axes[0].set_title(f"{items[0][1]}, m = {ms[0]}", fontsize=10)
    fig.suptitle(f"training curves, median over seeds ({panel.title}; {preset_label})", fontsize=10)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return True


# ----------------------------------------------------------------------------
# Tables and report.md

def table2(panel: Panel) -> list[str]:
    """Paper Table 2: m_A and NAC of WAE-GAN and MaskAAE at each m, medians over seeds."""
    m_a, nac = aggregate(panel, "active_dims"), aggregate(panel, "nac")
    lines = ["| m | m_A WAE-GAN | m_A MaskAAE | NAC WAE-GAN | NAC MaskAAE |", "|---|---|---|---|---|"]
    for m in panel.ms():
        cells = [_fmt(s["median"] if s else None) for s in
                 (m_a[("wae-gan", m)], m_a[("maskaae", m)], nac[("wae-gan", m)], nac[("maskaae", m)])]
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    return lines


def values_table(panel: Panel) -> list[str]:
    """The numbers behind Fig. 4: median [min, max] over seeds."""
    quality_key, quality_label = panel.quality_key()
    keys = [(quality_key, quality_label), ("precision", "precision"), ("recall", "recall"),
            ("active_dims", "m_A"), ("nac", "NAC")]
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


def _run_config(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    for row in rows:
        path = row[RUN_DIR] / "config.json"
        if path.is_file():
            return json.loads(path.read_text())["config"]
    return None


def _distinct(values: list[Any]) -> str:
    found = sorted({v for v in values if v is not None}, key=lambda v: (str(type(v)), v))
    return ", ".join(map(str, found)) if found else "not recorded"


def _hours(rows: list[dict[str, Any]]) -> str:
    total = sum(float(r.get("seconds") or 0.0) for r in rows)
    return f"{total / 3600:.2f} h ({total / max(len(rows), 1):.0f} s per run)"


def read_sweeps(sweep_dirs: list[Path]) -> tuple[list[str], list[dict[str, Any]]]:
    """(columns, rows) of one or more sweep folders, each row with its run folder under RUN_DIR."""
    for sweep_dir in sweep_dirs:
        if not sweep_dir.is_dir():
            raise ReportError(f"{sweep_dir} does not exist; pass the --out folder of a maskaae sweep")
    grid_keys: list[str] = []
    if len(sweep_dirs) > 1:
        specs = [load_spec(sweep_dir) for sweep_dir in sweep_dirs]
        for sweep_dir, spec in zip(sweep_dirs[1:], specs[1:]):
            diff = base_differences(specs[0], spec)
            if diff:
                raise ReportError(f"{sweep_dir} and {sweep_dirs[0]} are different sweeps: " + "; ".join(diff)
                                  + ". One report joins sweeps that differ only in grid values; "
                                  "report these separately")
        grid_keys = [key for key, _ in specs[0].grid]
    columns: list[str] = []
    rows: list[dict[str, Any]] = []
    seen: dict[str, Path] = {}
    for sweep_dir in sweep_dirs:
        cols, found = read_results(sweep_dir / "results.csv")
        columns += [c for c in cols if c not in columns]
        for row in found:
            row[RUN_DIR] = sweep_dir / "runs" / str(row["run"])
            if grid_keys:  # several folders: no grid point twice
                point = json.dumps([row.get(key) for key in grid_keys])
                if point in seen:
                    raise ReportError(f"grid point {row['run']} is in both {seen[point]} and {sweep_dir}; a "
                                      "report counts each point once, so pass only one of the folders that hold it")
                seen[point] = sweep_dir
            rows.append(row)
    return columns, rows


def write_report(sweep_dirs: str | Path | list[str | Path], out: str | Path | None = None) -> Path:
    """Figures and report.md in out (default: the first SWEEP_DIR/report/); returns the path of report.md."""
    dirs = [Path(d) for d in (sweep_dirs if isinstance(sweep_dirs, list) else [sweep_dirs])]
    if not dirs:
        raise ReportError("no sweep folder given")
    columns, rows = read_sweeps(dirs)
    done = [r for r in rows if r["status"] == "done"]
    if not done:
        names = " and ".join(f"{d}/results.csv" for d in dirs)
        raise ReportError(f"{names} {'has' if len(dirs) == 1 else 'have'} no finished run yet; nothing to report")
    out = Path(out) if out is not None else dirs[0] / "report"
    out.mkdir(parents=True, exist_ok=True)
    for pattern in REPORT_FILES:
        for stale in out.glob(pattern):
            stale.unlink()

    cfg = _run_config(done)
    presets = sorted({str(r["preset"]) for r in rows if r.get("preset")})
    description = cfg.get("description", "") if cfg else ""
    is_cpu = "CPU preset" in description
    preset_label = f"preset {', '.join(presets) or 'not recorded'}" + (" (CPU preset)" if is_cpu else "")
    seeds = sorted({r.get("seed") for r in done if r.get("seed") is not None})
    per_point = [len(p.select(model, m)) for p in panels(columns, rows) for model, _ in MODELS for m in p.ms()
                 if p.select(model, m, done_only=False)]

    lines = [f"# Sweep report: {' + '.join(d.name for d in dirs)}", "",
             "Made by `maskaae report` from `results.csv` and the run folders; nothing was retrained.", ""]
    if is_cpu:
        lines += [f"**CPU preset** `{', '.join(presets)}`: a reduced configuration (smaller networks, fewer "
                  "steps, tuned schedule), not the paper's settings; its numbers are not the paper's.", ""]
    lines += [f"- preset: `{', '.join(presets) or 'not recorded'}`"
              + (f" — {description}" if description else " — description not recorded (no config.json found)"),
              f"- runs: {len(rows)} in the grid, {len(done)} finished, "
              f"{sum(r['status'] == 'failed' for r in rows)} failed, "
              f"{sum(r['status'] not in ('done', 'failed') for r in rows)} not finished",
              f"- seeds: {len(seeds)} ({', '.join(map(str, seeds))}); finished runs per (model, m): "
              f"{min(per_point) if per_point else 0} to {max(per_point) if per_point else 0}; "
              "figures and tables show the median over seeds, error bars the min-max range",
              f"- training steps: {_distinct([r.get('steps') for r in done])}",
              f"- training time of the finished runs: {_hours(done)} in total (sum of each run's `seconds`, "
              "one thread per run; runs that share the machine take longer)",
              f"- held-out samples: {_distinct([r.get('eval_samples') for r in done])} for FD and precision/"
              f"recall, {_distinct([r.get('nac_samples') for r in done])} for NAC"
              + (f"; Inception FID at N = {_distinct([r.get('fid_samples') for r in done])}"
                 if any(r.get("fid") is not None for r in done) else ""),
              ]
    if cfg is not None:
        lines += [f"- config of the first finished run: eval.n_samples = {cfg['eval']['n_samples']}, "
                  f"eval.nac_samples = {cfg['eval']['nac_samples']}, eval.fid_samples = {cfg['eval']['fid_samples']}, "
                  f"train.steps = {cfg['train']['steps']}"]
    lines.append("")

    for panel in panels(columns, rows):
        lines += [f"## {panel.title}", ""]
        name = f"fig4_{panel.slug}.png"
        plot_quality_vs_m(panel, out / name, preset_label)
        quality_label = panel.quality_key()[1]
        lines += [f"### {quality_label} and precision against m (Fig. 4)", "", f"![Fig. 4, {panel.title}]({name})",
                  "", "Median [min, max] over seeds:", "", *values_table(panel), "",
                  "### m_A and NAC (Table 2)", "", "Medians over seeds.", "", *table2(panel), ""]
        name = f"fig5_masks_{panel.slug}.png"
        if plot_mask_grid(panel, out / name, preset_label):
            lines += ["### Mask trajectories (Fig. 5)", "", f"![Fig. 5, {panel.title}]({name})", ""]
        name = f"fig8_curves_{panel.slug}.png"
        if plot_training_curves(panel, out / name, preset_label):
            lines += ["### Training curves (Fig. 8)", "",
                      "Reconstruction and Wasserstein estimate on training batches, FD on held-out data; solid "
                      "MaskAAE, dashed WAE-GAN, colour m.", "", f"![Fig. 8, {panel.title}]({name})", ""]

    failed = [r for r in rows if r["status"] == "failed"]
    if failed:
        lines += ["## Failed runs", "", "| run | error |", "|---|---|"]
        lines += [f"| {r['run']} | {str(r.get('error') or '').replace('|', '/')} |" for r in failed]
        lines.append("")
    path = out / "report.md"
    path.write_text("\n".join(lines).rstrip("\n") + "\n")
    return path
