"""The README's two results tables, generated from results/ like every other table (experiments/tables.py):
discovery beside TwoNN, MLE and DANCo on the three committed discovery sets, and Table 1 at an equal budget on
MNIST beside the paper's numbers."""

from __future__ import annotations

import json
import tomllib

from table_cells import PAPER_TABLE1, RESULTS, ROOT, header, row, summary, sweep_rows

# (label, results folder, summary key, what was in-sample about it)
DISCOVERY_SETS = [
    ("benchmark: Gaussian, cube, sphere, curved maps, torus; n 2-20", "discovery", "default",
     "in-sample: several settings were chosen on it"),
    ("held-out: 23 cases, n up to 48", "discovery-holdout-reach16", "descent",
     "partly in-sample: one tolerance was set on seed 2"),
    ("stress: noise, 500 points, wide data, files", "discovery-stress-descent", "descent",
     "read after the descent's ratio was set"),
]


# the pre-registered grid (experiments/fresh_grid.py --run): its folder and its row's label and status
FRESH_GRID = ("discovery-fresh-grid", "fresh grid: 48 cases of 9 kinds, n 1-32, drawn from a seed before it ran",
              "out of sample: committed before the run, run once, nothing tuned since")


def front_discovery() -> list[str]:
    """Exact rate, largest error and mean absolute error of m_A, beside the MAE of the classical estimators; the
    fresh grid's row once it has run (its estimators rounded as the benchmark rounds them)."""
    lines = header("set (runs with m >= n)", "runs", "m_A exact", "m_A max error", "m_A MAE", "TwoNN MAE",
                   "MLE MAE", "DANCo MAE", "status")
    for label, folder, key, status in DISCOVERY_SETS:
        s = json.loads((RESULTS / folder / "summary.json").read_text())[key]
        lines.append(row(f"{label} (`results/{folder}/`)", s["runs_m_ge_n"], f"{s['exact_rate']:.3f}",
                         s["max_abs_err"], f"{s['mae']:.2f}", f"{s['twonn_mae']:.2f}", f"{s['mle_mae']:.2f}",
                         f"{s['danco_mae']:.2f}", status))
    folder, label, status = FRESH_GRID
    if (RESULTS / folder / "summary.json").is_file():
        f = json.loads((RESULTS / folder / "summary.json").read_text())["all"]
        ours = f["MaskAAE"]
        lines.append(row(f"{label} (`results/{folder}/`)", ours["cases"], f"{ours['exact_rate']:.3f}",
                         ours["max_abs_err"], f"{ours['mae']:.2f}",
                         *(f"{f[name]['mae']:.2f}" if name in f else "–" for name in ("TwoNN", "MLE", "DANCo")),
                         status))
    return lines


def fresh_grid_by_kind() -> list[str]:
    """The fresh grid's cases by kind: each method's exact rate and mean absolute error, and m_A's bias."""
    folder = FRESH_GRID[0]
    kinds = json.loads((RESULTS / folder / "summary.json").read_text())["by_kind"]
    methods = ("MaskAAE", "TwoNN", "MLE", "DANCo")
    lines = header("kind", "cases", *(f"{m} exact / MAE" for m in methods), "m_A bias")
    for kind, by_method in sorted(kinds.items()):
        ours = by_method["MaskAAE"]
        lines.append(row(kind, ours["cases"],
                         *(f"{by_method[m]['exact_rate']:.2f} / {by_method[m]['mae']:.2f}" if m in by_method else "–"
                           for m in methods), f"{ours['bias']:+.2f}"))
    return lines


def _table1_label(r: dict) -> str:
    """A Table 1 row's label: the family, and for MaskAAE the settings it ran with beside today's default."""
    if r["model"] != "maskaae":
        return f"`{r['model']}`"
    keys = ("train.disc_training_ratio", "train.decoder_share", "model.sampler", "model.discovery_tolerance",
            "train.decoder_phase_encoder")
    settings = [f"{k}={_shown(r[k])}" for k in keys if r.get(k) is not None]
    if not settings:
        return "`maskaae` (today's default: 5 critic steps a step, no decoder phase, N(0, I) samples)"
    return "`maskaae`, " + ", ".join(settings)


def _shown(value) -> str:
    """An override's value as the command line writes it."""
    if isinstance(value, bool):
        return json.dumps(value)
    return format(value, "g") if isinstance(value, float) else str(value)


def _value(text: str):
    """An override's value as the sweep parsed it: JSON where it is JSON (numbers, null), else the string."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def sweep_overrides(folder: str) -> dict:
    """The --set values of a committed sweep (sweep.json), by key."""
    items = json.loads((RESULTS / folder / "sweep.json").read_text())["overrides"]
    return {key: _value(value) for key, value in (item.split("=", 1) for item in items)}


def fid_10000() -> dict[tuple[str, str], dict]:
    """(sweep folder, run) -> the summary of the manifest's evaluate entry that re-evaluated that run at
    N = 10,000 (results/NAME/summary.json), for the entries collected so far."""
    manifest = tomllib.loads((ROOT / "experiments" / "experiments.toml").read_text())
    return {(e["from"], e["run"]): summary(name) for name, e in manifest.items()
            if e["kind"] == "evaluate" and "run" in e and e["fid_samples"] == 10000
            and (RESULTS / name / "summary.json").is_file()}


def table1_rows(folders: tuple[str, ...], extra: tuple[tuple[str, str, dict], ...] = (), paper_column: int = 0,
                notes: dict[str, str] | None = None, seed: int = 0) -> list[str]:
    """Table 1 at an equal budget from the sweeps in `folders` (their runs of `seed`; a folder's grid or --set
    values name the MaskAAE variant), best FID first, beside the paper's Table 1: FID, precision / recall, m_A,
    steps and the training seconds each run took (the budget gave the steps; the seconds say what the machine's
    load made of them). `paper_column`: the paper's MNIST (0) or Fashion-MNIST (1) column; `notes`: words after
    the label of a folder's rows."""
    paper = {model: fid[paper_column] for _, model, *fid in PAPER_TABLE1}
    larger = fid_10000()
    runs = []
    for folder in folders:
        if not (RESULTS / folder / "results.csv").is_file():
            continue
        base = sweep_overrides(folder)
        for r in sweep_rows(folder):
            if r["seed"] == seed:
                label = _table1_label({**base, **r}) + (notes or {}).get(folder, "")
                runs.append((label, r["model"], {**r, "large": larger.get((folder, r["run"]))}))
    runs += list(extra)
    lines = header("model", "FID (N = 2,000)", "precision / recall", "FID (N = 10,000)", "m_A", "steps",
                   "training s", "paper FID (N = 10,000)")
    # a run whose own evaluation drew 10,000 samples fills that column, not N = 2,000's, and goes last: its FID is
    # not comparable with the sort's N = 2,000
    def only_large(r: dict) -> bool:
        return r.get("fid_samples") == 10000

    for label, model, r in sorted(runs, key=lambda item: (only_large(item[2]), item[2]["fid"])):
        large = r if only_large(r) else r.get("large")
        lines.append(row(label, "–" if only_large(r) else f"{r['fid']:.1f}",
                         f"{r['precision']:.3f} / {r['recall']:.3f}",
                         "–" if large is None else f"{large['fid']:.1f}",
                         r["active_dims"] if model in ("maskaae", "wae-gan") else "–", f"{r['steps']:,}",
                         f"{r['seconds']:.0f}", "–" if paper.get(model) is None else paper[model]))
    return lines


def front_table1() -> list[str]:
    """The nine families at 900 s each on MNIST (results/table1-mnist-900; RAE and MaskAAE's two decoder-phase
    options in results/table1-mnist-900-decoder03 and -decoder05, the mixture sampler in -mixture, the decoder phase
    training the encoder too in -joint, RAE again with the clock in -rae-clock, the IAF VAE again with it in
    -families-clock, as far as it has run)."""
    return table1_rows(("table1-mnist-900", "table1-mnist-900-decoder03", "table1-mnist-900-decoder05",
                        "table1-mnist-900-mixture", "table1-mnist-900-joint", "table1-mnist-900-rae-clock",
                        "table1-mnist-900-families-clock"),
                       notes={"table1-mnist-900-rae-clock": " (again, with the clock; evaluated at N = 10,000 only)",
                              "table1-mnist-900-families-clock": " (again, with the clock)"})


def table1_fashion_900() -> list[str]:
    """The families on Fashion-MNIST at 900 s each (results/table1-fashion-900: RAE and MaskAAE's best MNIST
    option; -families: the other eight, today's MaskAAE default among them; -tolerance: the option with the rule's
    level at 0.2%; -joint: with the decoder phase training the encoder too; -joint-long: the same with the
    discovery at the preset's lengths; -joint-d06: with a decoder phase of 0.6; -joint-t001: with the rule's level at
    0.1%; -rae-clock: RAE again with the clock; -families-clock, -2 and -3: the families that ended over 5% before
    the clock, again with it), as far as they have run."""
    return table1_rows(("table1-fashion-900", "table1-fashion-900-families", "table1-fashion-900-tolerance",
                        "table1-fashion-900-joint", "table1-fashion-900-joint-long", "table1-fashion-900-joint-d06",
                        "table1-fashion-900-joint-t001", "table1-fashion-900-joint-rerun",
                        "table1-fashion-900-rae-clock", "table1-fashion-900-families-clock",
                        "table1-fashion-900-families-clock-2", "table1-fashion-900-families-clock-3"),
                       paper_column=1,
                       notes={**dict.fromkeys(("table1-fashion-900-rae-clock", "table1-fashion-900-families-clock",
                                                "table1-fashion-900-families-clock-2",
                                                "table1-fashion-900-families-clock-3"), " (again, with the clock)"),
                              "table1-fashion-900-joint-long": " (discovery at the preset's 6,000 steps, not scaled "
                                                               "up; commit dd5df4b, reverted)",
                              "table1-fashion-900-joint-d06": " (decoder phase 0.6 of the steps: a shorter critic "
                                                              "phase)",
                              "table1-fashion-900-joint-t001": " (the rule's level at 0.1%)",
                              "table1-fashion-900-joint": " (before the clock stretched the decoder phase)",
                              "table1-fashion-900-joint-rerun": " (again, at today's clock)"})


def table1_mnist_seed1() -> list[str]:
    """The second seed on MNIST at 900 s each with the clock, FID at N = 2,000 (results/table1-mnist-900-seed1: RAE
    and the decoder-alone option; -joint-seed1: the joint option; -families-seed1: four other families), as far
    as they have run."""
    return table1_rows(("table1-mnist-900-seed1", "table1-mnist-900-joint-seed1", "table1-mnist-900-families-seed1",
                        "table1-mnist-900-families-seed1-2"), seed=1)


def table1_300() -> list[str]:
    """The nine families at 300 s each on MNIST (results/table1-mnist-equal) and every MaskAAE variant measured at
    that budget (results/table1-mnist-equal-maskaae, results/maskaae-critic-ratio)."""
    critic = summary("maskaae-critic-ratio")
    return table1_rows(("table1-mnist-equal", "table1-mnist-equal-maskaae"),
                       (("`maskaae`, train.disc_training_ratio=1", "maskaae", critic),))


def recon_vs_m() -> list[str]:
    """Reconstruction FID of a plain auto-encoder by m on MNIST and Fashion-MNIST (results/ae-recon-vs-m*/
    diagnosis.json), beside MaskAAE's runs at the equal budget by their m_A (reconstructions and samples:
    results/table1-mnist-equal*/)."""
    by_data = {}
    for folder in ("ae-recon-vs-m", "ae-recon-vs-m-fashion"):
        path = RESULTS / folder / "diagnosis.json"
        by_data[folder] = ({r["latent_dim"]: r["fid_reconstructions"] for r in json.loads(path.read_text())}
                           if path.is_file() else {})
    lines = header("m", "plain auto-encoder, MNIST: FID of reconstructions (9,000 steps)", "the same, Fashion-MNIST")
    for m in sorted(set().union(*by_data.values())):
        lines.append(row(m, *(f"{fids[m]:.1f}" if m in fids else "–" for fids in by_data.values())))
    lines += ["", *header("MaskAAE run (300 s)", "m_A", "steps", "FID of reconstructions", "FID of samples")]
    for folder in ("table1-mnist-equal", "maskaae-critic-ratio", "table1-mnist-equal-maskaae"):
        for r in json.loads((RESULTS / folder / "diagnosis.json").read_text()):
            if r["model"] == "maskaae":
                lines.append(row(f"`{folder}` {r['run']}", r["active_dims"], f"{r['steps']:,}",
                                 f"{r['fid_reconstructions']:.1f}", f"{r['fid_samples']:.1f}"))
    return lines


# the 900 s runs diagnosed (experiments/generation_diagnosis.py), and the run that holds discovery at the preset's
# own lengths (no diagnosis: its sample FID only)
DIAGNOSED_900 = ("table1-mnist-900", "table1-mnist-900-decoder03", "table1-mnist-900-decoder05")


def diagnosis_900() -> list[str]:
    """Where the 900 s runs lose their FID: reconstructions of test images 2,000-3,999, samples from the model's own
    prior, the gap, decodes of a mixture fitted to the active codes (maskaae), and the active codes' squared MMD
    to N(0, I) beside its null 95th percentile (results/table1-mnist-900*/diagnosis.json); then the MaskAAE runs
    that differ in m_A or in the sampler only."""
    lines = header("run (900 s)", "m_A", "steps", "training s", "reconstructions", "samples", "gap",
                   "mixture decodes", "codes' MMD² (null 95%)")
    for folder in DIAGNOSED_900:
        base = sweep_overrides(folder)
        for r in sorted(json.loads((RESULTS / folder / "diagnosis.json").read_text()), key=lambda r: r["model"]):
            codes = r.get("codes")
            lines.append(row(_table1_label({**base, "model": r["model"]}), r["active_dims"] or "–",
                             f"{r['steps']:,}", f"{r['seconds']:.0f}", f"{r['fid_reconstructions']:.1f}",
                             f"{r['fid_samples']:.1f}", f"{r['gap']:+.1f}",
                             "–" if r.get("fid_mixture") is None else f"{r['fid_mixture']:.1f}",
                             "–" if not codes else f"{codes['mmd2']:.4f} ({codes['mmd2_null_95']:.4f})"))
    lines += ["", *header("MaskAAE run, one critic step a step", "discovery's nested + verification steps", "m_A",
                          "critic steps", "decoder-only steps", "sampler", "FID (N = 2,000)", "training s")]
    for folder in ("table1-mnist-900-decoder05", "mnist-decoder05-fixed-discovery", "table1-mnist-900-mixture"):
        config = json.loads(next((RESULTS / folder / "runs").iterdir()).joinpath("config.json").read_text())["config"]
        t = config["train"]
        decoder = round(t["decoder_share"] * t["steps"])
        discovery = t["discovery_steps"] + t["discovery_verify_steps"]
        (r,) = sweep_rows(folder)
        lines.append(row(f"`{folder}`", f"{discovery:,}", r["active_dims"], f"{t['steps'] - decoder - discovery:,}",
                         f"{decoder:,}", config["model"].get("sampler", "prior"), f"{r['fid']:.1f}",
                         f"{r['seconds']:.0f}"))
    return lines


# (data set, seed, RAE's sweep, MaskAAE's best option's sweep) at 900 s each
HEAD_TO_HEAD = (("MNIST", 0, "table1-mnist-900-decoder03", "table1-mnist-900-mixture"),
                ("MNIST", 1, "table1-mnist-900-seed1", "table1-mnist-900-seed1"),
                ("Fashion-MNIST", 0, "table1-fashion-900", "table1-fashion-900"),
                ("MNIST, the joint decoder phase (MaskAAE with the clock)", 0, "table1-mnist-900-decoder03",
                 "table1-mnist-900-joint"),
                ("MNIST, the joint decoder phase (MaskAAE with the clock)", 1, "table1-mnist-900-seed1",
                 "table1-mnist-900-joint-seed1"),
                ("Fashion-MNIST, the joint decoder phase, both with the clock", 0, "table1-fashion-900-rae-clock",
                 "table1-fashion-900-joint"),
                ("Fashion-MNIST, the joint decoder phase, both with the clock", 1, "table1-fashion-900-rae-clock-seed1",
                 "table1-fashion-900-joint-seed1"),
                ("Fashion-MNIST, the joint decoder phase at the level 0.1%, both with the clock", 0,
                 "table1-fashion-900-rae-clock", "table1-fashion-900-joint-t001"),
                ("Fashion-MNIST, the joint decoder phase again at today's clock", 0, "table1-fashion-900-rae-clock",
                 "table1-fashion-900-joint-rerun"),
                ("Fashion-MNIST, the joint decoder phase again at today's clock", 1,
                 "table1-fashion-900-rae-clock-seed1", "table1-fashion-900-joint-seed1-rerun"))


def head_to_head() -> list[str]:
    """RAE, the leader among the other families at 900 s, against MaskAAE's options (one critic step a step,
    decoder phase 0.5, the mixture sampler) on each data set and seed run so far, FID at N = 2,000."""
    lines = header("data, seed", "RAE FID", "MaskAAE FID", "MaskAAE minus RAE", "RAE precision / recall",
                   "MaskAAE precision / recall", "m_A", "training s (RAE, MaskAAE)")
    for data, seed, rae_folder, maskaae_folder in HEAD_TO_HEAD:
        if not all((RESULTS / f / "results.csv").is_file() for f in (rae_folder, maskaae_folder)):
            lines.append(row(f"{data}, {seed}", *["not yet run"] + [""] * 6))
            continue
        (rae,) = [r for r in sweep_rows(rae_folder) if r["model"] == "rae" and r["seed"] == seed]
        (ours,) = [r for r in sweep_rows(maskaae_folder) if r["model"] == "maskaae" and r["seed"] == seed]
        lines.append(row(f"{data}, {seed}", f"{rae['fid']:.1f}", f"{ours['fid']:.1f}",
                         f"{ours['fid'] - rae['fid']:+.1f}",
                         f"{rae['precision']:.3f} / {rae['recall']:.3f}",
                         f"{ours['precision']:.3f} / {ours['recall']:.3f}", ours["active_dims"],
                         f"{rae['seconds']:.0f}, {ours['seconds']:.0f}"))
    return lines


# the clock's check on real runs (issue 35 item 1): the sweeps, each with its label
BUDGET_CLOCK = (("budget-clock-mnist", ""), ("budget-clock-mnist-best", ", decoder phase 0.5, one critic step"),
                ("budget-clock-stretch-mnist-2stage", ", last phase stretched"),
                ("budget-clock-stretch-mnist-best", ", decoder phase 0.5, one critic step, last phase stretched"))


def budget_clock() -> list[str]:
    """Each run of the clock's check: the timing's plan, the steps the clock ended at, its seconds against the
    budget."""
    lines = header("model", "planned steps", "steps", "re-plans (in the last phase)", "training s", "budget s",
                   "off by")
    for folder, label in BUDGET_CLOCK:
        if not (RESULTS / folder / "results.csv").is_file():
            continue
        budget = json.loads((RESULTS / folder / "sweep.json").read_text())["budget"]
        for r in sweep_rows(folder):
            clock = json.loads((RESULTS / folder / "runs" / r["run"] / "summary.json").read_text())["clock"]
            lines.append(row(f"`{r['model']}`{label}", f"{clock['planned_steps']:,}", f"{r['steps']:,}",
                             f"{clock['replans']} ({clock.get('stretched', 0)})", f"{r['seconds']:.1f}", f"{budget:g}",
                             f"{(r['seconds'] / budget - 1) * 100:+.1f}%"))
    return lines
