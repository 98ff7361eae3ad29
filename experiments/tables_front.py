"""The README's two results tables, generated from results/ like every other table (experiments/tables.py):
discovery beside TwoNN, MLE and DANCo on the three committed discovery sets, and Table 1 at an equal budget on
MNIST beside the paper's numbers."""

from __future__ import annotations

import json

from table_cells import PAPER_TABLE1, RESULTS, header, row, summary, sweep_rows

# (label, results folder, summary key, what was in-sample about it)
DISCOVERY_SETS = [
    ("benchmark: Gaussian, cube, sphere, curved maps, torus; n 2-20", "discovery", "default",
     "in-sample: several settings were chosen on it"),
    ("held-out: 23 cases, n up to 48", "discovery-holdout-reach16", "descent",
     "partly in-sample: one tolerance was set on seed 2"),
    ("stress: noise, 500 points, wide data, files", "discovery-stress-descent", "descent",
     "read after the descent's ratio was set"),
]


def front_discovery() -> list[str]:
    """Exact rate, largest error and mean absolute error of m_A, beside the MAE of the classical estimators."""
    lines = header("set (runs with m >= n)", "runs", "m_A exact", "m_A max error", "m_A MAE", "TwoNN MAE",
                   "MLE MAE", "DANCo MAE", "status")
    for label, folder, key, status in DISCOVERY_SETS:
        s = json.loads((RESULTS / folder / "summary.json").read_text())[key]
        lines.append(row(f"{label} (`results/{folder}/`)", s["runs_m_ge_n"], f"{s['exact_rate']:.3f}",
                         s["max_abs_err"], f"{s['mae']:.2f}", f"{s['twonn_mae']:.2f}", f"{s['mle_mae']:.2f}",
                         f"{s['danco_mae']:.2f}", status))
    return lines


def _table1_label(r: dict) -> str:
    """A Table 1 row's label: the family, and for MaskAAE the settings it ran with beside today's default."""
    if r["model"] != "maskaae":
        return f"`{r['model']}`"
    ratio, share = r.get("train.disc_training_ratio"), r.get("train.decoder_share")
    if ratio is None and share is None:
        return "`maskaae` (today's default: 5 critic steps a step, no decoder phase)"
    settings = [f"train.disc_training_ratio={ratio}"] if ratio is not None else []
    settings += [f"train.decoder_share={share:g}"] if share is not None else []
    return "`maskaae`, " + ", ".join(settings)


def table1_rows(folders: tuple[str, ...], extra: tuple[tuple[str, str, dict], ...] = ()) -> list[str]:
    """Table 1 at an equal budget from the sweeps in `folders` (seed 0; a folder's grid or --set values name the
    MaskAAE variant), best FID first, beside the paper's Table 1: FID, precision / recall, m_A, steps and the
    training seconds each run took (the budget gave the steps; the seconds say what the machine's load made
    of them)."""
    paper = {model: fid[0] for _, model, *fid in PAPER_TABLE1}
    runs = []
    for folder in folders:
        base = {key: json.loads(value) for key, value in (
            item.split("=", 1) for item in json.loads((RESULTS / folder / "sweep.json").read_text())["overrides"])}
        for r in sweep_rows(folder):
            if r["seed"] == 0:
                runs.append((_table1_label({**base, **r}), r["model"], r))
    runs += list(extra)
    lines = header("model", "FID (N = 2,000)", "precision / recall", "m_A", "steps", "training s",
                   "paper FID (N = 10,000)")
    for label, model, r in sorted(runs, key=lambda item: item[2]["fid"]):
        lines.append(row(label, f"{r['fid']:.1f}", f"{r['precision']:.3f} / {r['recall']:.3f}",
                         r["active_dims"] if model in ("maskaae", "wae-gan") else "–", f"{r['steps']:,}",
                         f"{r['seconds']:.0f}", "–" if paper.get(model) is None else paper[model]))
    return lines


def front_table1() -> list[str]:
    """The nine families at 900 s each on MNIST (results/table1-mnist-900; RAE and MaskAAE's two decoder-phase
    options in results/table1-mnist-900-decoder03 and -decoder05)."""
    return table1_rows(("table1-mnist-900", "table1-mnist-900-decoder03", "table1-mnist-900-decoder05"))


def table1_300() -> list[str]:
    """The nine families at 300 s each on MNIST (results/table1-mnist-equal) and every MaskAAE variant measured at
    that budget (results/table1-mnist-equal-maskaae, results/maskaae-critic-ratio)."""
    critic = summary("maskaae-critic-ratio")
    return table1_rows(("table1-mnist-equal", "table1-mnist-equal-maskaae"),
                       (("`maskaae`, train.disc_training_ratio=1", "maskaae", critic),))


def recon_vs_m() -> list[str]:
    """Reconstruction FID of a plain auto-encoder by m (results/ae-recon-vs-m/diagnosis.json), beside MaskAAE's
    runs at the equal budget by their m_A (reconstructions and samples: results/table1-mnist-equal*/)."""
    plain = sorted(json.loads((RESULTS / "ae-recon-vs-m" / "diagnosis.json").read_text()),
                   key=lambda r: r["latent_dim"])
    lines = header("m", "plain auto-encoder: FID of reconstructions (9,000 steps)")
    lines += [row(r["latent_dim"], f"{r['fid_reconstructions']:.1f}") for r in plain]
    lines += ["", *header("MaskAAE run (300 s)", "m_A", "steps", "FID of reconstructions", "FID of samples")]
    for folder in ("table1-mnist-equal", "maskaae-critic-ratio", "table1-mnist-equal-maskaae"):
        for r in json.loads((RESULTS / folder / "diagnosis.json").read_text()):
            if r["model"] == "maskaae":
                lines.append(row(f"`{folder}` {r['run']}", r["active_dims"], f"{r['steps']:,}",
                                 f"{r['fid_reconstructions']:.1f}", f"{r['fid_samples']:.1f}"))
    return lines
