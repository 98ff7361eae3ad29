"""Write the results tables of README.md, docs/REPRODUCTION.md and docs/CONFIG.md from results/ (and docs/CONFIG.md's
configuration reference from the comments of src/maskaae/config.py), and docs/RESULTS.md, the index of today's
claims (experiments/claims.py), whole.

    .venv/bin/python experiments/tables.py           # rewrite the tables in place, and docs/RESULTS.md
    .venv/bin/python experiments/tables.py --check   # exit 1 and print the difference when a document is stale

A document marks each table with `<!-- table:NAME -->` and `<!-- /table:NAME -->`; the lines between are
what TABLES[NAME] writes. checks/test_record.py runs the check, so a number typed into a table by hand, or a
result changed without its table, fails the checks. docs/RESULTS.md is written whole by `results_document`: one
section per claim with its commands and tables; a claim's table that another document marks is linked there,
the others are written (marked) in docs/RESULTS.md, so that every table is in exactly one document. The
experiments behind the folders are in experiments/experiments.toml. The paper's numbers come from SPEC.md
section 8 (paper Tables 1 and 2, Fig. 4), kept in table_cells.py with the helpers that read results and format
cells; the discovery tables (issue 11) are in tables_discovery.py, the descent's in tables_descent.py, the
README's in tables_front.py and the configuration reference in config_reference.py.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import statistics
import sys
import textwrap
from pathlib import Path
from typing import Callable

from config_reference import config_reference
from table_cells import (PAPER_FID, PAPER_MNIST_M_A, PAPER_TABLE1, PAPER_TABLE2, RESULTS, ROOT, g, header, median,
                         minutes, per_seed, row, select, spread, summary, sweep_rows)
from tables_descent import descent_runs, descent_trigger
from tables_front import (budget_clock, diagnosis_900, fresh_grid_by_kind, front_discovery, front_table1, head_to_head, recon_vs_m,
                          table1_300, table1_fashion_900, table1_mnist_seed1)
from tables_discovery import (discovery_dev, discovery_mnist_verified, discovery_summary, fid_noise, fig4_reach,
                              table2_reach, mnist_fid_seeds, mnist_runs, MNIST_EARLIER, MNIST_TODAY)

RESULTS_DOCUMENT = ROOT / "docs" / "RESULTS.md"
DOCUMENTS = [ROOT / "README.md", ROOT / "docs" / "REPRODUCTION.md", ROOT / "docs" / "CONFIG.md", RESULTS_DOCUMENT]


# ----------------------------------------------------------------------------
# The tables

def fig4(*sweeps: str) -> list[str]:
    """Fig. 4a/4b: m_A, fd, precision/recall by m for both models: median [min, max] (seed count)."""
    from maskaae.report import aggregate, panels, read_sweeps

    (panel,) = panels(*read_sweeps([RESULTS / s for s in sweeps]))
    stats = {key: aggregate(panel, key) for key in ("active_dims", "fd", "precision", "recall")}

    lines = header("m", "MaskAAE m_A", "MaskAAE fd", "MaskAAE precision / recall", "WAE-GAN fd",
                   "WAE-GAN precision / recall", "seeds (MaskAAE / WAE-GAN)")
    for m in panel.ms():
        mask, wae = ("maskaae", m), ("wae-gan", m)
        seeds = [len(panel.select(model, m)) for model in ("maskaae", "wae-gan")]
        lines.append(row(m, spread(stats["active_dims"][mask], None), spread(stats["fd"][mask], 2),
                         f"{spread(stats['precision'][mask], 3)} / {spread(stats['recall'][mask], 3)}",
                         spread(stats["fd"][wae], 2), f"{spread(stats['precision'][wae], 3)} / "
                         f"{spread(stats['recall'][wae], 3)}", f"{seeds[0]} / {seeds[1]}"))
    return lines


def table2() -> list[str]:
    def pair(rows: list[dict]) -> str:
        return f"{g(median(rows, 'active_dims'))} / {median(rows, 'nac'):.3g}"

    n8, n16 = sweep_rows("sweep-synthetic-n8"), sweep_rows("sweep-table2-n16-m32")
    ours = {
        "synthetic n = 8": (16, select(n8, latent_dim=16, model="wae-gan"), select(n8, latent_dim=16, model="maskaae"),
                            "`synthetic`, 3,000 steps, median of 3 seeds (`results/sweep-synthetic-n8/`)"),
        "synthetic n = 16": (32, select(n16, model="wae-gan"), select(n16, model="maskaae"),
                             "`synthetic`, 3,000 steps, median of 3 seeds (`results/sweep-table2-n16-m32/`)"),
        "MNIST": (64, [summary("mnist-cpu-wae-m64")], [summary("mnist-cpu-maskaae-m64")],
                  "`mnist` (paper mask), 12,000 steps, seed 0 (`results/mnist-cpu-*-m64/`)"),
        "Fashion-MNIST": (128, [summary("fashion-cpu-wae-m128")], [summary("fashion-cpu-maskaae-m128")],
                          "`fashion` (paper mask), 20,000 steps, seed 0 (`results/fashion-cpu-*-m128/`)"),
    }
    seed1 = summary("fashion-cpu-maskaae-m128-seed1")
    lines = header("data", "m", "paper WAE m_A / NAC", "paper MaskAAE m_A / NAC", "ours WAE-GAN m_A / NAC",
                   "ours MaskAAE m_A / NAC", "ours: preset, seeds")
    for data, (m, wae, mask, note) in ours.items():
        paper = PAPER_TABLE2[data]
        extra = f" (seed 1: {pair([seed1])})" if data == "Fashion-MNIST" else ""
        lines.append(row(data, m, f"{paper[0]} / {paper[1]:.3f}", f"{paper[2]} / {paper[3]:.3f}", pair(wae),
                         pair(mask) + extra, note))
    return lines


def _probe_cell(rows: list[dict]) -> str:
    if not rows:
        return ""
    return (f"{per_seed(rows, 'active_dims')} (fd {per_seed(rows, 'fd', 1)}; "
            f"recall {per_seed(rows, 'recall', 2)})")


def lambda2() -> list[str]:
    """m_A per seed (fd; recall) against lambda2; the lambda2 = 3 cells are the Fig. 4a and Table 2 runs."""
    n8, n16 = sweep_rows("sweep-lambda2-n8"), sweep_rows("sweep-lambda2-n16-m32")
    fig4a, t2 = sweep_rows("sweep-synthetic-n8"), sweep_rows("sweep-table2-n16-m32")
    lines = header("data, m", "lambda2 = 1", "lambda2 = 2", "lambda2 = 3 (preset)")
    for m in (8, 16, 32):
        preset = select(fig4a, latent_dim=m, model="maskaae")[:2]
        lines.append(row(f"n = 8, m = {m}", _probe_cell(select(n8, latent_dim=m)), "", _probe_cell(preset)))
    cells = [_probe_cell(select(n16, **{"loss.lambda2": value})) for value in (1, 2)]
    lines.append(row("n = 16, m = 32", *cells, _probe_cell(select(t2, model="maskaae")[:2])))
    return lines


def mask_start() -> list[str]:
    rows = sweep_rows("sweep-mask-start")
    fig4a, t2 = sweep_rows("sweep-synthetic-n8"), sweep_rows("sweep-table2-n16-m32")
    lam16 = sweep_rows("sweep-lambda2-n16-m32")
    lines = header("data, m = 32", "U[4.5, 5], lambda2 = 3", "U[4.5, 5], lambda2 = 2", "U[2, 5], lambda2 = 3",
                   "U[2, 5], lambda2 = 2")
    for n, wide3, wide2 in ((8, select(fig4a, latent_dim=32, model="maskaae")[:2], []),
                            (16, select(t2, model="maskaae")[:2], select(lam16, **{"loss.lambda2": 2}))):
        narrow = [_probe_cell(select(rows, **{"data.latent_dim": n, "loss.lambda2": v})) for v in (3, 2)]
        lines.append(row(f"n = {n}", *narrow, _probe_cell(wide3), _probe_cell(wide2)))
    return lines


def mnist_m() -> list[str]:
    runs = {r["latent_dim"]: r for r in sweep_rows("sweep-mnist-m")}
    runs[64] = summary("mnist-cpu-maskaae-m64")
    lines = header("m", "m_A (ours)", "FID, N = 2,000", "pixel precision / recall", "NAC", "training time (1 thread)",
                   "paper m_A (Fig. 4c)")
    for m in sorted(runs):
        r = runs[m]
        lines.append(row(m, r["active_dims"], f"{r['fid']:.2f}", f"{r['precision']:.3f} / {r['recall']:.3f}",
                         f"{r['nac']:.3g}", minutes(r["seconds"]), PAPER_MNIST_M_A[m]))
    return lines


def _paper_rows(data: str, m: int, layout: list[str], fid_note: str = "") -> list[str]:
    """The paper's MaskAAE and WAE-GAN rows of a Table 1 / Table 2 comparison; `layout` names each column's
    cell (model, m, m_A, fid, nac, steps; anything else is left empty)."""
    out = []
    for model, label in (("maskaae", "MaskAAE"), ("wae-gan", "WAE-GAN")):
        paper = PAPER_TABLE2[data]
        m_a, nac = (paper[2], paper[3]) if model == "maskaae" else (paper[0], paper[1])
        cells = {"model": f"paper {label}", "m": m, "m_A": m_a, "fid": f"{PAPER_FID[data][model]}{fid_note}",
                 "nac": f"{nac:.3f}", "steps": "500,000"}
        out.append(row(*(cells.get(column, "") for column in layout)))
    return out


def mnist_m64() -> list[str]:
    lines = header("model", "m", "m_A", "FID, N = 10,000", "FID, N = 2,000", "NAC", "pixel precision / recall",
                   "steps", "training time")
    lines += _paper_rows("MNIST", 64, ["model", "m", "m_A", "fid", "", "nac", "", "steps", ""])
    for model, label in (("maskaae", "ours MaskAAE, `mnist` CPU preset (paper mask)"),
                         ("wae", "ours WAE-GAN, same networks and budget")):
        s, big = summary(f"mnist-cpu-{model}-m64"), summary(f"mnist-cpu-{model}-m64-fid10000")
        lines.append(row(label, s["latent_dim"], s["active_dims"], f"**{big['fid']:.2f}**", f"{s['fid']:.2f}",
                         f"{s['nac']:.3g}", f"{s['precision']:.3f} / {s['recall']:.3f}", f"{s['steps']:,}",
                         minutes(s["seconds"])))
    return lines


def fashion_m128() -> list[str]:
    lines = header("model", "m", "m_A", "FID, N = 2,000", "NAC", "pixel precision / recall", "fd (pixels)", "steps",
                   "training time")
    lines += _paper_rows("Fashion-MNIST", 128, ["model", "m", "m_A", "fid", "nac", "", "", "steps", ""],
                         " (N = 10,000)")
    for name, label in (("fashion-cpu-maskaae-m128", "ours MaskAAE, `fashion` CPU preset (paper mask)"),
                        ("fashion-cpu-wae-m128", "ours WAE-GAN, same networks and budget"),
                        ("fashion-cpu-maskaae-m128-seed1", "ours MaskAAE, seed 1")):
        s = summary(name)
        lines.append(row(label, s["latent_dim"], s["active_dims"], f"**{s['fid']:.2f}**", f"{s['nac']:.3g}",
                         f"{s['precision']:.3f} / {s['recall']:.3f}", f"{s['fd']:.2f}", f"{s['steps']:,}",
                         minutes(s["seconds"])))
    return lines


def gaussian_blob() -> list[str]:
    saved = json.loads((RESULTS / "gaussian-blob" / "gaussian_blob.json").read_text())["summary"]
    labels = {"real": "2,000 other real points", "gaussian": "Gaussian with the training data's mean and covariance",
              "noise": "standard normal noise in 128-d"}
    lines = header("data", "generator", "fd", "precision (k = 3)", "recall (k = 3)")
    for key, s in saved.items():
        n, kind = re.fullmatch(r"n(\d+)-(\w+)", key).groups()
        fd = s["fd"]
        spread = f" ({fd['min']:.3f}-{fd['max']:.3f})" if kind != "noise" else ""
        digits = 1 if kind == "noise" else 3
        lines.append(row(f"n = {n}", labels[kind], f"{fd['mean']:.{digits}f}{spread}",
                         f"{s['precision']['mean']:.3f}", f"{s['recall']['mean']:.3f}"))
    return lines


def intrinsic() -> list[str]:
    saved = json.loads((RESULTS / "intrinsic-dim" / "intrinsic_dim.json").read_text())["rows"]
    est = {(r["data"], r["estimator"]): r["dimension"] for r in saved}
    n8, n16 = sweep_rows("sweep-synthetic-n8"), sweep_rows("sweep-synthetic-n16") + sweep_rows(
        "sweep-synthetic-n16-m50-78")
    t2 = sweep_rows("sweep-table2-n16-m32")

    def over_m(rows: list[dict], n: int) -> str:
        by_m = {}
        for r in select(rows, model="maskaae"):
            if r["latent_dim"] > n:
                by_m.setdefault(r["latent_dim"], []).append(r["active_dims"])
        medians = [statistics.median(v) for v in by_m.values()]
        return f"{g(min(medians))}-{g(max(medians))} for m = {min(by_m)}..{max(by_m)} (median of 3 seeds per m)"

    mnist = {r["latent_dim"]: r["active_dims"] for r in sweep_rows("sweep-mnist-m")}
    mnist[64] = summary("mnist-cpu-maskaae-m64")["active_dims"]
    fashion = [summary(f"fashion-cpu-maskaae-m128{s}")["active_dims"] for s in ("", "-seed1")]
    ours = {
        "synthetic-n8": f"{g(median(select(n8, latent_dim=16, model='maskaae'), 'active_dims'))} at m = 16; "
                        + over_m(n8, 8),
        "synthetic-n16": f"{g(median(select(t2, model='maskaae'), 'active_dims'))} at m = 32; " + over_m(n16, 16),
        "mnist": ", ".join(str(mnist[m]) for m in sorted(mnist)) + " at m = " + ", ".join(map(str, sorted(mnist))),
        "fashion-mnist": f"{fashion[0]} and {fashion[1]} at m = 128 (seeds 0 and 1)",
    }
    paper = {"synthetic-n8": "9 (m = 16)", "synthetic-n16": "16 (m = 32)",
             "mnist": "13 (m = 64); 10-13 for m = 10..110", "fashion-mnist": "40 (m = 128)"}
    labels = {"synthetic-n8": "synthetic n = 8", "synthetic-n16": "synthetic n = 16", "mnist": "MNIST",
              "fashion-mnist": "Fashion-MNIST"}
    true = {"synthetic-n8": 8, "synthetic-n16": 16}
    lines = header("data", "true n", "TwoNN", "MLE", "MaskAAE m_A (ours; paper mask, CPU presets)",
                   "MaskAAE m_A (paper)")
    for data in labels:
        lines.append(row(labels[data], true.get(data, "unknown"), f"{est[(data, 'twonn')]:.2f}",
                         f"{est[(data, 'mle')]:.2f}", ours[data], paper[data]))
    return lines


def _ordered_mnist() -> str:
    """Today's default's MNIST runs, then the seventh default's with the preset's earlier 8,000 critic steps
    (tables_discovery.MNIST_TODAY, MNIST_EARLIER)."""
    def listed(runs: dict) -> str:
        return "; ".join(f"m = {r['latent_dim']}, seed {r['seed']}: m_A = {r['active_dims']}, FID {r['fid']:.1f}"
                         for r in sorted(runs.values(), key=lambda r: (r["seed"], r["latent_dim"])))

    names, least, same_below = MNIST_EARLIER
    today, count = mnist_runs(MNIST_TODAY)
    earlier, earlier_count = mnist_runs(names, least, same_below)
    return (f"today's default, FID at N = 2,000: {listed(today)} (`results/mnist-adv12k*/`, {count} of 8 runs); "
            f"the same with 8,000 critic steps (14,000 steps in all, the preset before 2026-12-06): "
            f"{listed(earlier)} (`results/{names[0]}/`, {earlier_count} runs; m <= {least}: "
            f"`results/{same_below}/`, the same computation)")


def presets() -> list[str]:
    from maskaae.presets import PRESETS

    default = summary("synthetic-default-descent")
    bench = json.loads((RESULTS / "discovery" / "summary.json").read_text())["default"]
    mnist, mnist_big = summary("mnist-cpu-maskaae-m64"), summary("mnist-cpu-maskaae-m64-fid10000")
    wae_big = summary("mnist-cpu-wae-m64-fid10000")
    fashion, fashion_wae = summary("fashion-cpu-maskaae-m128"), summary("fashion-cpu-wae-m128")
    status = {
        "synthetic": f"CPU preset; measured: m_A = {default['active_dims']} (n = {default['true_latent_dim']}), "
                     f"fd {default['fd']:.2f}, precision {default['precision']:.3f}, recall {default['recall']:.3f}, "
                     f"{default['seconds']:.0f} s of training on one thread beside two other runs "
                     f"(`results/synthetic-default-descent/`; the discovery benchmark's runs, two at a time: "
                     f"{bench['default_seconds']:.0f} s median, `results/discovery/`)",
        "mnist": f"CPU preset; {_ordered_mnist()}; with the paper's mask (before issue 11): m_A = "
                 f"{mnist['active_dims']}, FID "
                 f"{mnist_big['fid']:.2f} vs WAE-GAN {wae_big['fid']:.2f} at N = 10,000 "
                 f"(`results/mnist-cpu-*`, docs/REPRODUCTION.md)",
        "fashion": f"CPU preset; with the paper's mask: m_A = {fashion['active_dims']}, FID {fashion['fid']:.1f} "
                   f"vs WAE-GAN {fashion_wae['fid']:.1f} at N = 2,000 (`results/fashion-cpu-*-m128/`)",
    }
    lines = header("preset", "what", "status")
    for name, values in PRESETS.items():
        lines.append(row(f"`{name}`" + (" (default)" if name == "synthetic" else ""), values["description"],
                         status.get(name, "paper preset; days to weeks on this CPU")))
    return lines


def mnist_fid10k() -> list[str]:
    lines = header("model", "m", "m_A", "FID N = 10,000", "FID N = 2,000", "FID N = 10,000 evaluation (1 thread)")
    for model, label in (("maskaae", "MaskAAE"), ("wae", "WAE-GAN")):
        big = summary(f"mnist-cpu-{model}-m64-fid10000")
        lines.append(row(label, big["latent_dim"], big["active_dims"], f"{big['fid']:.2f}",
                         f"{big['fid_at_training_end']['fid']:.2f}", big["evaluation_wall_clock"]))
    return lines


def table1(name: str, column: int) -> list[str]:
    """Table 1 from a sweep over models at an equal training budget: ours beside the paper's FID. Where the
    sweep's runs were evaluated again (`fid_samples` in the manifest: results.csv holds that evaluation), the
    FID at training end (each run's summary.json) is a second column."""
    from reproduce import load_manifest

    rows = {r["model"]: r for r in sweep_rows(name) if r["seed"] == 0}
    spec = json.loads((RESULTS / name / "sweep.json").read_text())
    again = load_manifest()[name].get("fid_samples")
    trained = {model: json.loads((RESULTS / name / "runs" / r["run"] / "summary.json").read_text())
               for model, r in rows.items()}
    end_n = ", ".join(f"{x:,}" for x in sorted({t["fid_samples"] for t in trained.values()}))
    fid_columns = ([f"ours FID (N = {again:,})", f"ours FID at training end (N = {end_n})"] if again
                   else [f"ours FID (N = {end_n})"])
    lines = header("model", "paper FID (N = 10,000)", *fid_columns,
                   "precision / recall", "m_A", "steps", "training time (1 thread, 2 runs at a time)")
    for label, model, *paper in PAPER_TABLE1:
        r = rows.get(model)
        fid = paper[column]
        if r is None:
            cells = ["not finished (the sweep resumes it)"] + [""] * (len(fid_columns) + 3)
        else:
            end = f"{trained[model]['fid']:.2f}"
            evaluated = (f"{r['fid']:.2f}" if r["fid_samples"] == again else "not yet evaluated")
            cells = ([evaluated, end] if again else [end]) + [
                f"{r['precision']:.3f} / {r['recall']:.3f}", r["active_dims"] if model == "maskaae" else "–",
                f"{r['steps']:,}", minutes(r["seconds"])]
        lines.append(row(f"{label} (`{model}`)", "–" if fid is None else g(fid), *cells))
    lines += ["", f"Budget: {spec['budget']:g} s of training per model, timed before the runs "
                  "(`sweep.json`, `budget_steps`); seed 0."]
    return lines


TABLES: dict[str, Callable[[], list[str]]] = {
    "front-discovery": front_discovery,
    "fresh-grid-by-kind": fresh_grid_by_kind,
    "discovery-dev": discovery_dev,
    "discovery-dev-2000": lambda: discovery_dev("discovery-dev-2000"),
    "budget-clock": budget_clock,
    "front-table1": front_table1,
    "table1-300": table1_300,
    "table1-fashion-900": table1_fashion_900,
    "table1-mnist-900-seed1": table1_mnist_seed1,
    "recon-vs-m": recon_vs_m,
    "diagnosis-900": diagnosis_900,
    "head-to-head-900": head_to_head,
    "discovery-mnist-verified": discovery_mnist_verified,
    "discovery-mnist-reach": lambda: discovery_mnist_verified("discovery-mnist-reach", "discovery-mnist-verified",
                                                              "sixth default (1..m)"),
    "table1-mnist": lambda: table1("table1-mnist", 0),
    "table1-fashion": lambda: table1("table1-fashion", 1),
    "discovery-summary": discovery_summary,
    "discovery-holdout-reach16": lambda: discovery_summary("discovery-holdout-reach16"),
    "fid-noise": fid_noise,
    "mnist-fid-seeds": mnist_fid_seeds,
    "mnist-fid10k": mnist_fid10k,
    "presets": presets,
    "config-reference": config_reference,
    "fig4-n8": lambda: fig4("sweep-synthetic-n8"),
    "fig4-n16": lambda: fig4("sweep-synthetic-n16", "sweep-synthetic-n16-m50-78"),
    "fig4-reach-n8": lambda: fig4_reach(8, ("fig4-reach-n8",), "sweep-synthetic-n8"),
    "fig4-reach-n16": lambda: fig4_reach(16, ("fig4-reach-n16-m18-32", "fig4-reach-n16"), "sweep-synthetic-n16",
                                         "sweep-synthetic-n16-m50-78", earlier="fig4-gated-n16"),
    "table2": table2,
    "table2-reach": table2_reach,
    "lambda2": lambda2,
    "mask-start": mask_start,
    "mnist-m": mnist_m,
    "mnist-m64": mnist_m64,
    "fashion-m128": fashion_m128,
    "gaussian-blob": gaussian_blob,
    "intrinsic": intrinsic,
    "descent-trigger": descent_trigger,
    "descent-runs": descent_runs,
}
_BLOCK = re.compile(r"(<!-- table:(?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- /table:(?P=name) -->)", re.S)


def render(text: str, path: Path) -> str:
    """The document with every marked table rewritten."""
    def replace(match: re.Match) -> str:
        name = match.group("name")
        if name not in TABLES:
            raise SystemExit(f"{path}: unknown table {name!r}; known: {', '.join(TABLES)}")
        return match.group(1) + "\n".join(TABLES[name]()) + "\n" + match.group(4)

    return _BLOCK.sub(replace, text)


def anchor(heading: str, seen: dict[str, int]) -> str:
    """GitHub's link anchor of a Markdown heading (lower case, punctuation dropped, spaces to hyphens; a repeated
    heading gets -1, -2, ..)."""
    slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
    count = seen.get(slug, 0)
    seen[slug] = count + 1
    return f"{slug}-{count}" if count else slug


def located(name: str) -> tuple[Path, str, str] | None:
    """The document other than docs/RESULTS.md that marks table `name`, with the heading of its section and
    that heading's anchor; None where none does."""
    for path in DOCUMENTS:
        if path == RESULTS_DOCUMENT or not path.is_file():
            continue
        heading, seen, fenced = None, {}, False
        for line in path.read_text().splitlines():
            fenced ^= line.startswith("```")
            found = None if fenced else re.match(r"#+ (.*)", line)
            if found:
                heading = (found.group(1), anchor(found.group(1), seen))
            if line == f"<!-- table:{name} -->":
                title, slug = heading if heading else (path.name, "")
                return path, title, slug
    return None


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, 115, break_long_words=False, break_on_hyphens=False)


def results_document() -> str:
    """docs/RESULTS.md: a header, then per claim of experiments/claims.py the claim, the commands that reproduce
    it and its tables (a link to the document that marks a table, else the table itself)."""
    from claims import CLAIMS

    out = ["# Results: today's claims", "",
           *_wrap(
               "Generated by `experiments/tables.py` from `experiments/claims.py` and the committed results in "
               "`results/`: do not edit it by hand. `experiments/tables.py --check` (run by checks/test_record.py) "
               "fails when this file differs from what it would write."),
           "",
           *_wrap(
               "Each section states one claim as measured, with the run counts and seeds; every result here comes "
               "from a CPU-sized preset (small networks, a short schedule, one thread per run), not from the paper's "
               "GPU-sized runs. \"Reproduce\" gives the commands (experiments/reproduce.py runs an entry of "
               "experiments/experiments.toml), then come the claim's tables. Each table is in exactly one document: a table "
               "that README.md, docs/REPRODUCTION.md or docs/CONFIG.md shows is linked, with the section that "
               "explains it; every other table is written here."),
           "",
           *_wrap(
               "The development log, every probe and the superseded defaults behind these claims are at the git "
               "tag `record-2026-12`, commit 6a19709 of main's history (`git show 6a19709:experiments/README.md`).")]
    for number, claim in enumerate(CLAIMS, 1):
        out += ["", f"## {number}. {claim.title}", "", *_wrap(claim.claim), "", "Reproduce:", "",
                "```", *claim.commands, "```"]
        for name in claim.tables:
            where = located(name)
            if where is None:
                out += ["", f"Table `{name}`:", "", f"<!-- table:{name} -->", *TABLES[name](),
                        f"<!-- /table:{name} -->"]
            else:
                path, title, slug = where
                link = os.path.relpath(path, RESULTS_DOCUMENT.parent) + (f"#{slug}" if slug else "")
                shown = os.path.relpath(path, ROOT)
                out += ["", f"Table `{name}`: [{shown}, \"{title}\"]({link})."]
    return "\n".join(out) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="report stale tables instead of writing them")
    args = parser.parse_args()
    stale = 0
    for path in DOCUMENTS:
        text = path.read_text() if path.is_file() else ""
        new = results_document() if path == RESULTS_DOCUMENT else render(text, path)
        if new == text:
            continue
        if args.check:
            stale += 1
            sys.stdout.writelines(difflib.unified_diff(text.splitlines(True), new.splitlines(True), str(path),
                                                       f"{path} as experiments/tables.py writes it"))
        else:
            path.write_text(new)
            print(f"rewrote {path}" if path == RESULTS_DOCUMENT else f"rewrote the tables of {path}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
