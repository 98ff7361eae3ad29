"""Report of a sweep, from saved results only: results.csv and the run folders.

Writes SWEEP_DIR/report/ (or --out) with
    fig4_*.png      data-space FD (FID when present) and precision against m, WAE-GAN vs MaskAAE,
                    m_A on a second axis; median over seeds, min-max error bars (paper Fig. 4)
    fig5_*.png      mask trajectories of the MaskAAE runs, one small panel per run (Fig. 5)
    fig8_*.png      training curves: reconstruction, Wasserstein estimate, held-out FD (Fig. 8)
    report.md       the figures, Table 2 (m_A and NAC, medians over seeds) and the numbers behind Fig. 4;
                    for a sweep over models (a `model` or `model.kind` axis) instead Table 1: sample quality,
                    precision, recall, m_A, steps and training time per model

One set of figures per data.latent_dim (n) and per value of any grid axis
other than m, the mask switch and the seeds. Nothing is retrained or
re-evaluated: a run folder without metrics.jsonl only loses its curves.
Figures an earlier report left in the folder are removed first, so that the
folder shows this report only.

Several sweep folders make one report when they differ only in their grid
values (same preset, --config, --set and grid keys), e.g. a sweep over
m = 2..48 and its extension to m = 50..78; a grid point found in two of them
is an error rather than an extra seed.

The seams: sweeps.py reads and aggregates the results, figures.py draws, markdown.py writes the text;
`write_report` here runs them.
"""

from __future__ import annotations

from pathlib import Path

from ..results import KIND, STATUS
from .figures import plot_mask_grid, plot_quality_vs_m, plot_training_curves
from .markdown import (failed_section, header, panel_section, preset_label, run_config, table1, table2,
                       values_table)
from .sweeps import (MODELS, OWN_AXES, RUN_DIR, Panel, ReportError, aggregate, panels, read_results, read_sweeps,
                     stats)

# What write_report writes into the report folder; older files of these kinds are removed first.
REPORT_FILES = ("fig4_*.png", "fig5_masks_*.png", "fig8_curves_*.png", "report.md")


def write_report(sweep_dirs: str | Path | list[str | Path], out: str | Path | None = None) -> Path:
    """Figures and report.md in out (default: the first SWEEP_DIR/report/); returns the path of report.md."""
    dirs = [Path(d) for d in (sweep_dirs if isinstance(sweep_dirs, list) else [sweep_dirs])]
    if not dirs:
        raise ReportError("no sweep folder given")
    columns, rows = read_sweeps(dirs)
    done = [r for r in rows if r[STATUS] == "done"]
    if not done:
        names = " and ".join(f"{d}/results.csv" for d in dirs)
        raise ReportError(f"{names} {'has' if len(dirs) == 1 else 'have'} no finished run yet; nothing to report")
    out = Path(out) if out is not None else dirs[0] / "report"
    out.mkdir(parents=True, exist_ok=True)
    for pattern in REPORT_FILES:
        for stale in out.glob(pattern):
            stale.unlink()

    cfg = run_config(done)
    label = preset_label(rows, cfg)
    lines = header(dirs, columns, rows, cfg)
    if KIND in columns:  # a sweep over models: Table 1 rather than figures against m
        lines += ["## Table 1", "", "Median [min, max] over seeds; m_A only where the model has a mask.", "",
                  *table1(rows), ""]
    else:
        for panel in panels(columns, rows):
            fig4, fig5, fig8 = (f"fig4_{panel.slug}.png", f"fig5_masks_{panel.slug}.png",
                                f"fig8_curves_{panel.slug}.png")
            plot_quality_vs_m(panel, out / fig4, label)
            drew_masks = plot_mask_grid(panel, out / fig5, label)
            drew_curves = plot_training_curves(panel, out / fig8, label)
            lines += panel_section(panel, fig4, fig5 if drew_masks else None, fig8 if drew_curves else None)
    lines += failed_section(rows)
    path = out / "report.md"
    path.write_text("\n".join(lines).rstrip("\n") + "\n")
    return path


__all__ = ["MODELS", "OWN_AXES", "REPORT_FILES", "RUN_DIR", "Panel", "ReportError", "aggregate", "panels",
           "plot_mask_grid", "plot_quality_vs_m", "plot_training_curves", "read_results", "read_sweeps", "stats",
           "table2", "values_table", "write_report"]
