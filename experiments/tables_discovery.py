"""The documents' tables of issue 11 (dimension discovery): the ordered defaults' Fig. 4 and Table 2 rows,
which runs today's default answers the same, the discovery benchmark and its MNIST runs.

Registered in experiments/tables.py's TABLES, which writes them into the documents."""

from __future__ import annotations

import json

from discovery_variants import kept_rows
from maskaae.versions import saved_config_from_dict
from table_cells import (PAPER_TABLE2, RESULTS, header, median, minutes, per_seed, row, select, spread, summary,
                         sweep_rows)


def fig4_default(name: str, *paper_sweeps: str) -> list[str]:
    """Fig. 4a/4b's MaskAAE rows with an ordered default (sweep `name`) beside the paper's mask at 3,000 steps
    (the committed Fig. 4 sweeps): m_A, fd and precision/recall by m, median [min, max] (seed count), and in
    how many runs today's default answers the same (default_check)."""
    from maskaae.report import aggregate, panels, read_sweeps

    (mine,) = panels(*read_sweeps([RESULTS / name]))
    (old,) = panels(*read_sweeps([RESULTS / s for s in paper_sweeps]))
    ours = {key: aggregate(mine, key) for key in ("active_dims", "fd", "precision", "recall")}
    paper_m_a = aggregate(old, "active_dims")
    same = {r["run"]: r["same"] for r in default_check(name)}
    lines = header("m", "m_A", "fd", "precision / recall", "runs today's default answers the same",
                   "paper mask (3,000 steps) m_A", "seeds (ours / paper mask)")
    for m in mine.ms():
        key = ("maskaae", m)
        runs = [same[r["run"]] for r in mine.select("maskaae", m) if r["run"] in same]
        lines.append(row(m, spread(ours["active_dims"][key], None), spread(ours["fd"][key], 2),
                         f"{spread(ours['precision'][key], 3)} / {spread(ours['recall'][key], 3)}",
                         f"{sum(runs)} of {len(runs)}", spread(paper_m_a.get(key), None),
                         f"{len(mine.select('maskaae', m))} / {len(old.select('maskaae', m))}"))
    return lines


def fig4_reach(n: int, sweeps: tuple[str, ...], earlier: str, earlier_label: str, *paper_sweeps: str) -> list[str]:
    """Fig. 4a/4b's MaskAAE rows (true dimension n) with the seventh default (the reach): the runs of `sweeps`,
    and at each m <= train.discovery_reach_min where they have none, the runs of `earlier` (an ordered default
    that pins only the reach off; there the reach's range is all of 1..m, so those runs are the seventh
    default's computation), each with today's decision from its record (default_check must say "same").
    Beside them `earlier`'s own m_A and fd, and the paper's mask at 3,000 steps (the committed Fig. 4
    sweeps)."""
    from maskaae.config import TrainConfig
    from maskaae.report.sweeps import stats

    bound = TrainConfig().discovery_reach_min
    ours: dict[int, list[dict]] = {}
    for name in sweeps:
        for r in sweep_rows(name):
            ours.setdefault(r["latent_dim"], []).append({**r, "from": name})
    before = sweep_rows(earlier)
    same = {r["run"]: r["same"] for r in default_check(earlier)}
    own = set(ours)
    for r in before:
        if r["latent_dim"] <= bound and r["latent_dim"] not in own:
            if not same[r["run"]]:
                raise SystemExit(f"{earlier}/{r['run']}: today's default decides it differently; run it again")
            ours.setdefault(r["latent_dim"], []).append({**r, "from": earlier})
    paper = [r for name in paper_sweeps for r in sweep_rows(name) if r["model"] == "maskaae"]
    lines = header("m", "m_A", "fd", "precision / recall", f"{earlier_label}: m_A, fd", "paper mask (3,000 steps) m_A",
                   "runs (ours / earlier / paper mask)", "ours from")

    def cell(runs: list[dict], key: str, digits: int | None) -> str:
        return spread(stats([r[key] for r in runs]), digits)

    for m in sorted(ours):
        mine, old, mask = ours[m], select(before, latent_dim=m), select(paper, latent_dim=m)
        lines.append(row(m, cell(mine, "active_dims", None), cell(mine, "fd", 2),
                         f"{cell(mine, 'precision', 3)} / {cell(mine, 'recall', 3)}",
                         f"{cell(old, 'active_dims', None)}, {cell(old, 'fd', 2)}", cell(mask, "active_dims", None),
                         f"{len(mine)} / {len(old)} / {len(mask)}",
                         ", ".join(sorted({f"`{r['from']}`" for r in mine}))))
    runs = [r for rows in ours.values() for r in rows]
    exact = sum(r["active_dims"] == min(r["latent_dim"], n) for r in runs)
    lines += ["", f"m_A = min(m, n) in {exact} of {len(runs)} runs."]
    return lines


def table2_reach() -> list[str]:
    """Table 2's synthetic rows with the seventh default, from its Fig. 4 sweeps (n = 8: m = 16 and 32; n = 16:
    m = 32), beside the earlier defaults' runs at the same m and seeds and the paper's mask at 3,000 steps."""
    cells = [(8, 16, "fig4-reach-n8", "fig4-focus-n8", "fourth"), (8, 32, "fig4-reach-n8", "fig4-focus-n8", "fourth"),
             (16, 32, "fig4-reach-n16-m18-32", "fig4-gated-n16", "fifth")]
    old = {(8, 16): select(sweep_rows("sweep-synthetic-n8"), latent_dim=16, model="maskaae"),
           (16, 32): select(sweep_rows("sweep-table2-n16-m32"), model="maskaae")}
    lines = header("data", "m", "paper MaskAAE m_A / NAC", "ours, seventh default: m_A per seed", "NAC (median)",
                   "fd per seed", "recall per seed", "earlier default (its sweep): m_A per seed, fd per seed",
                   "ours, paper mask (3,000 steps): m_A per seed")
    for n, m, name, earlier, label in cells:
        mine, before = select(sweep_rows(name), latent_dim=m), select(sweep_rows(earlier), latent_dim=m)
        paper = PAPER_TABLE2[f"synthetic n = {n}"] if (n, m) in old else None
        lines.append(row(f"synthetic n = {n}", m, f"{paper[2]} / {paper[3]:.3f}" if paper else "",
                         per_seed(mine, "active_dims"), f"{median(mine, 'nac'):.3g}", per_seed(mine, "fd", 2),
                         per_seed(mine, "recall", 2),
                         f"{label} (`{earlier}`): {per_seed(before, 'active_dims')}; {per_seed(before, 'fd', 2)}",
                         per_seed(old[(n, m)], "active_dims") if (n, m) in old else ""))
    return lines


def default_check(name: str) -> list[dict]:
    """For each run of a sweep: whether today's default would answer the same, from the run's decision record.

    A run with verification steps recorded the candidate k, the answer after the steps, and the candidate curve;
    today's gate and inversion switch decide from those exactly (maskaae/discovery.verified_dimension). A run
    without them (the nested phase before the decision is the same computation) is known to get the same
    answer where the verification cannot take k - 1: k = 1, or the k-th dimension explained at least the gate's
    share of the total and not more than the (k - 1)-th; elsewhere it is not known without running it ("same"
    False)."""
    from maskaae.config import ModelConfig
    from maskaae.discovery import candidate_signals, verified_dimension

    model = ModelConfig()
    gate, inversion = model.discovery_verify_gate, model.discovery_verify_inversion
    out = []
    for path in sorted((RESULTS / name / "runs").glob("*/summary.json")):
        record = json.loads(path.read_text())["discovery"]
        decided = record.get("candidate", record)
        k, (share, inverted) = decided["dimension"], candidate_signals(decided)
        inverted = inverted and inversion
        if "answer" in record:
            same = verified_dimension(k, record["answer"], share, gate, inverted) == record["dimension"]
        else:
            same = k == 1 or (share >= gate and not inverted)
        out.append({"run": path.parent.name, "share": share, "same": same})
    return out


def table2_ordered(name: str = "table2-ordered", label: str = "default", check: bool = False) -> list[str]:
    """Table 2's synthetic rows with an ordered-discovery default (sweep `name`), beside the paper's mask;
    `check`: a column saying how many of its runs today's default answers the same (default_check)."""
    rows = sweep_rows(name)
    same = {r["run"]: r["same"] for r in default_check(name)} if check else {}
    old = {(8, 16): select(sweep_rows("sweep-synthetic-n8"), latent_dim=16, model="maskaae"),
           (16, 32): select(sweep_rows("sweep-table2-n16-m32"), model="maskaae")}
    lines = header("data", "m", "paper MaskAAE m_A / NAC", f"ours, {label}: m_A per seed", "NAC (median)",
                   "fd per seed", "recall per seed", "ours, paper mask (3,000 steps): m_A per seed",
                   *(["runs today's default answers the same"] if check else []))
    for n, m in sorted({(r["data.latent_dim"], r["latent_dim"]) for r in rows}):
        mine = select(rows, **{"data.latent_dim": n, "latent_dim": m})
        paper = PAPER_TABLE2.get(f"synthetic n = {n}") if (n, m) in old else None
        lines.append(row(f"synthetic n = {n}", m, f"{paper[2]} / {paper[3]:.3f}" if paper else "",
                         per_seed(mine, "active_dims"), f"{median(mine, 'nac'):.3g}", per_seed(mine, "fd", 2),
                         per_seed(mine, "recall", 2), per_seed(old[(n, m)], "active_dims") if (n, m) in old else "",
                         *([f"{sum(same[r['run']] for r in mine)} of {len(mine)}"] if check else [])))
    return lines


def discovery_mnist() -> list[str]:
    """Issue 11 item 4: MNIST m_A and FID with the default (ordered, gain rule) beside the paper's mask."""
    rows = sweep_rows("discovery-mnist")
    paper = paper_mask_mnist()
    lines = header("m", "seed", "m_A (ordered)", "FID, N = 2,000", "precision / recall", "NAC", "training time",
                   "paper mask, seed 0: m_A, FID")
    for r in sorted(rows, key=lambda r: (r["latent_dim"], r["seed"])):
        old = paper.get(r["latent_dim"]) if r["seed"] == 0 else None
        lines.append(row(r["latent_dim"], r["seed"], r["active_dims"], f"{r['fid']:.2f}",
                         f"{r['precision']:.3f} / {r['recall']:.3f}", f"{r['nac']:.3g}", minutes(r["seconds"]),
                         f"{old['active_dims']}, {old['fid']:.2f}" if old else ""))
    return lines


def paper_mask_mnist() -> dict[int, dict]:
    """The `mnist` preset's runs with the paper's mask, seed 0, by m (Fig. 4c sweep and the m = 64 run)."""
    paper = {r["latent_dim"]: r for r in sweep_rows("sweep-mnist-m")}
    paper[64] = summary("mnist-cpu-maskaae-m64")
    return paper


def discovery_mnist_verified(name: str = "discovery-mnist-verified", earlier: str = "discovery-mnist",
                             earlier_label: str = "ordered before the focus phase") -> list[str]:
    """Issue 11 item 4: per run m_A with its decisions (provisional, candidate, the answer after the verification
    steps), FID, precision / recall, NAC and time, beside earlier MNIST runs at the same m and seed (the sweep
    `earlier`; the paper's mask, seed 0)."""
    if not (RESULTS / name / "results.csv").is_file():
        return [f"Not collected yet: `.venv/bin/python experiments/reproduce.py {name}`."]
    runs = {(r["latent_dim"], r["seed"]): r for r in sweep_rows(name)}
    before = {(r["latent_dim"], r["seed"]): r for r in sweep_rows(earlier)}
    paper = paper_mask_mnist()
    lines = header("m", "seed", "m_A", "decisions: provisional, candidate, answer after the steps",
                   "FID, N = 2,000", "precision / recall", "NAC", "time (training)",
                   f"{earlier_label}: m_A, FID", "paper mask (seed 0): m_A, FID")
    for (m, seed), r in sorted(runs.items()):
        record = json.loads((RESULTS / name / "runs" / r["run"] / "summary.json").read_text())["discovery"]
        old, mask = before.get((m, seed)), paper.get(m) if seed == 0 else None
        lines.append(row(m, seed, r["active_dims"], f"{record['provisional']['dimension']}, "
                         f"{record['candidate']['dimension']}, {record['answer']}", f"{r['fid']:.2f}",
                         f"{r['precision']:.3f} / {r['recall']:.3f}", f"{r['nac']:.3g}", minutes(r["seconds"]),
                         f"{old['active_dims']}, {old['fid']:.2f}" if old else "",
                         f"{mask['active_dims']}, {mask['fid']:.2f}" if mask else ""))
    m_a = [r["active_dims"] for r in runs.values()]
    lines += ["", f"{len(runs)} of 8 runs; m_A from {min(m_a)} to {max(m_a)} (the target: within 2 of each other "
                  "across all eight, between 9 and 15)." if runs else "No run has finished."]
    return lines


def fid_noise() -> list[str]:
    """Issue 11 item 4: FID at N = 2,000 over draws of the generated images from one checkpoint
    (experiments/fid_noise.py), beside the sixth default's FID at the same m and seed."""
    runs = json.loads((RESULTS / "fid-noise" / "fid_noise.json").read_text())
    sixth = {(r["latent_dim"], r["seed"]): r for r in sweep_rows("discovery-mnist-verified")}
    lines = header("m", "seed", "m_A", "FID per draw (draw 0: the run's own)", "mean", "standard deviation",
                   "range", "sixth default's FID (same m, seed)", "seventh minus sixth (draw 0)")
    for r in runs:
        old = sixth[(r["m"], r["seed"])]["fid"]
        lines.append(row(r["m"], r["seed"], r["m_A"], ", ".join(f"{f:.2f}" for f in r["fids"]), f"{r['mean']:.2f}",
                         f"{r['sd']:.2f}", f"{r['range']:.2f}", f"{old:.2f}", f"{r['fids'][0] - old:+.2f}"))
    return lines


def local_rank() -> list[str]:
    """Issue 11, max_abs_err: the decoder's local rank and the codes' local dimension on the benchmark's runs
    (experiments/local_rank_probe.py), beside m_A and n."""
    runs = json.loads((RESULTS / "local-rank-probe" / "local_rank.json").read_text())
    lines = header("data", "n", "m", "noise", "m_A", "decoder rank (singular values > 0.1 / 0.2 of the largest)",
                   "smallest relative singular value", "codes' local dimension (95%, 40 neighbours)")
    for r in runs:
        lines.append(row(r["kind"], r["n"], r["m"], r["noise"], r["m_A"],
                         f"{r['decoder_rank_0.1']:g} / {r['decoder_rank_0.2']:g}",
                         f"{r['decoder_relative_singular_values'][-1]:.3f}", f"{r['code_local_dimension_95']:g}"))
    return lines


def rule_check() -> list[str]:
    """Both decision rules on the MNIST / Fashion-MNIST nested-phase curves (experiments/rule_check.py)."""
    rows = json.loads((RESULTS / "rule-check" / "rules.json").read_text())
    lines = header("run", "data, m, seed (nested steps)", "truncations; the run's cap", "used to choose the gain rule",
                   "gain 0.5%, capped at 5% of the mean (default)", "gain rule, 0.5%", "level rule, 1%",
                   "gain 0.4% / 0.6%", "provisional (the run's rule, before the focus)")
    for r in rows:
        focus = f"{r['truncation']}, focus {r['focus']:g}" if r["focus"] else f"{r['truncation']}, no focus"
        cap = f"{r['relative_cap']:g}" if r.get("relative_cap") else "none"
        lines.append(row(r["run"], f"{r['data']}, m = {r['m']}, seed {r['seed']} ({r['nested_steps']:,})",
                         f"{focus}; {cap}", "yes" if r["used_to_choose"] else "no", r["gain 0.005 cap 0.05"],
                         r["gain 0.005"], r["level 0.01"], f"{r['gain 0.004']} / {r['gain 0.006']}",
                         r["provisional"] or "–"))
    return lines


def discovery_summary(folder: str = "discovery") -> list[str]:
    """The discovery benchmark's tables as experiments/discovery.py wrote them (results/FOLDER/summary.md)."""
    return (RESULTS / folder / "summary.md").read_text().rstrip("\n").split("\n")


def noise_rows(stages: list[tuple[str, str]]) -> list[str]:
    """The table of experiments/decision_noise.py's readings (results/NAME/noise.json) for (NAME, label) stages:
    run by run, the run's recorded answer, the rule on its own 2,000 samples, on five other sets of 2,000, on
    10,000 (median, mean) and on the test set."""
    lines = header("decision", "m", "seed", "the run's answer at that step", "own 2,000 samples",
                   "5 other sets of 2,000", "10,000, median", "10,000, mean", "test set")
    for name, label in stages:
        for r in sorted(json.loads((RESULTS / name / "noise.json").read_text()), key=lambda r: (r["seed"], r["m"])):
            lines.append(row(label.format(run=r["run"].rsplit("/", 1)[-1]), r["m"], r["seed"], r["recorded_final"],
                             r["own_samples"], ", ".join(map(str, r["other_sets"])),
                             r["median_10000"], r["mean_10000"], r["test_median"]))
    return lines


def mnist_noise() -> list[str]:
    """MNIST decisions on other samples of the same checkpoint (experiments/decision_noise.py), for the default's
    provisional decision, the log law's, and the log law's curve after the verification steps."""
    return noise_rows([("mnist-provisional", "default, provisional (step 3,000)"),
                       ("mnist-provisional-log", "log law, provisional (step 3,000)"),
                       ("mnist-decision-log", "log law, after the verification steps (step 6,000)")])


def packed_noise() -> list[str]:
    """The torus T^6 and curved1 n = 6 with full share 0 and 36,000 nested steps, stopped after their final
    decision (torus-curved-packed-decision): does the mean over samples answer otherwise than the median?"""
    return noise_rows([("torus-curved-packed-decision", "{run}, after the verification steps (step 38,000)")])


def decisions(name: str) -> dict[tuple[int, int], dict]:
    """(m, seed) -> the run's discovery record, for a committed MNIST sweep of ordered runs."""
    return {(r["latent_dim"], r["seed"]): json.loads((RESULTS / name / "runs" / r["run"] / "summary.json")
                                                      .read_text())["discovery"] for r in sweep_rows(name)}


def m_a_ranges(runs: dict[str, dict]) -> list[str]:
    """One line per set of discovery records (name -> records by key): the range of their final answers."""
    lines = []
    for name, records in runs.items():
        m_a = [d["dimension"] for d in records.values()]
        lines.append(f"- {name}: m_A from {min(m_a)} to {max(m_a)} over {len(m_a)} runs.")
    return lines


def chain(d: dict) -> str:
    """A discovery record's decisions: provisional -> candidate -> final (bold)."""
    return f"{d['provisional']['dimension']} -> {d['candidate']['dimension']} -> **{d['dimension']}**"


def mnist_truncations() -> list[str]:
    """Issue 11 item 4: MNIST's decisions under the ways of drawing the nested truncations before the focus
    phase (uniform over 1..m, the log law, the reach with and without a minimum range), by m and seed:
    provisional -> candidate -> m_A. The reach with the minimum 32 is the uniform law's computation where m <= 32,
    so those rows come from the uniform law's runs; the minimum 16 is below every 2 k0 here, so the seventh
    default (r = 2, minimum 16) is the reach's computation in all eight runs."""
    uniform = decisions("discovery-mnist-verified")
    reach = decisions("mnist-decision-reach")
    laws = {"uniform over 1..m (discovery-mnist-verified)": uniform,
            "log law (mnist-decision-log)": decisions("mnist-decision-log"),
            "reach, r = 2, no minimum or minimum 16: the default (mnist-decision-reach)": reach,
            "reach, minimum 32 (mnist-decision-reach32; m <= 32: the uniform runs)": {
                **{key: d for key, d in uniform.items() if key[0] <= 32}, **decisions("mnist-decision-reach32")}}
    lines = header("m", "seed", *laws, "reach: preliminary k0, then truncations over")
    for key in sorted(reach):
        lo, hi = reach[key]["reach_window"]
        lines.append(row(*key, *(chain(records[key]) if key in records else "" for records in laws.values()),
                         f"{reach[key]['preliminary']['dimension']}, {lo}..{hi}"))
    return lines + [""] + m_a_ranges(laws)


# The torus probes (issue 11, max_abs_err): probe sweeps of the nested phase on the torus (and, with the last ones, the curved maps), in the order run.
TORUS_PROBES = ["torus-long-nested-probe", "torus-power-probe", "torus-full-share-probe", "torus-power2-probe",
                "torus-packed-long-probe", "torus-packed-lr-probe", "torus-packed-24k-probe"]
# What a probe changed in the nested phase, as config section, key, the default's value and the label's form.
NESTED_SETTINGS = [("loss", "nested_power", 1.0, "p = {:g}"),
                   ("train", "discovery_full_share", 0.5, "full share {:g}"),
                   ("train", "discovery_steps", 12000, "{:,} nested steps"),
                   ("train", "lr_discovery", 1e-3, "nested lr {:g}"),
                   ("train", "discovery_reach", 2.0, "reach {:g}")]


def nested_setting(config: dict) -> str:
    """The nested-phase settings a probe run changed from the synthetic default's, e.g. 'p = 2, full share 0'
    (a saved config of an older schema is read as the run had it: before the reach, discovery_reach 0)."""
    config = saved_config_from_dict(config).to_dict()
    changed = [form.format(config[section][key]) for section, key, default, form in NESTED_SETTINGS
               if config[section][key] != default]
    return ", ".join(changed) or "the default's"


def torus_probes() -> list[str]:
    """The flat torus T^6 and T^10 and, for the last probes, the curved maps (seed 0, no noise, m = 32) under
    changes to the nested phase: each decision on the way (preliminary, provisional, candidate with its k-th
    dimension's share, final), beside the seventh default's own benchmark runs of the same cases
    (results/discovery, which keeps only their final answers)."""
    lines = header("probe", "setting", "data", "n", "preliminary", "provisional",
                   "candidate (its last dimension's share)", "m_A", "time")
    kept = kept_rows(RESULTS / "discovery")
    for kind in ("torus", "curved1", "curved3"):
        for r in sorted(kept["seventh", f"manifold-{kind}-s0"], key=lambda r: r["n"]):
            if r["noise"] == 0 and r["n"] in (6, 10):
                lines.append(row("the seventh default (results/discovery)", "p = 1, full share 0.5", kind, r["n"], "",
                                 "", f"{r['candidate']} ({r['candidate_share']:.1%})", r["m_A"], minutes(r["seconds"])))
    for folder in TORUS_PROBES:
        for run in sorted((RESULTS / folder / "runs").glob("*/summary.json")):
            s = json.loads(run.read_text())
            config = json.loads((run.parent / "config.json").read_text())["config"]
            d = s["discovery"]
            decided = [d[key]["dimension"] if key in d else "" for key in ("preliminary", "provisional")]
            lines.append(row(folder, nested_setting(config), config["data"]["kind"], s["true_latent_dim"], *decided,
                             f"{d['candidate']['dimension']} ({d['candidate_share']:.1%})", s["active_dims"],
                             minutes(s["seconds"])))
    return lines


def mnist_packed() -> list[str]:
    """Issue 11: MNIST's decisions with fewer nested rows keeping all m dimensions (a quarter:
    mnist-decision-share25; none: mnist-decision-packed, the candidate `packed`) beside the seventh default's
    half (mnist-decision-reach), by m and seed."""
    runs = {"the default, full share 0.5 (mnist-decision-reach)": decisions("mnist-decision-reach"),
            "full share 0.25 (mnist-decision-share25)": decisions("mnist-decision-share25"),
            "packed, full share 0 (mnist-decision-packed)": decisions("mnist-decision-packed")}
    lines = header("m", "seed", *runs)
    for key in sorted(runs["the default, full share 0.5 (mnist-decision-reach)"]):
        lines.append(row(*key, *(chain(records[key]) for records in runs.values())))
    return lines + [""] + m_a_ranges(runs)


# Today's default's MNIST runs (12,000 critic steps), and the seventh default's with the preset's earlier 8,000
# (discovery-mnist-reach; at m <= 16, the reach's minimum range, discovery-mnist-verified's runs are the same
# computation and stand in for them).
MNIST_TODAY = ["mnist-adv12k-m32", "mnist-adv12k"]
MNIST_EARLIER = (["discovery-mnist-reach"], 16, "discovery-mnist-verified")


def mnist_runs(names: list[str], least: int = 0, same_below: str | None = None) -> tuple[dict, int]:
    """(m, seed) -> the row of the sweeps `names` that have run with their FID, with `same_below`'s rows where
    m <= `least` and no named sweep has the point; and how many rows the named sweeps gave."""
    mine = {(r["latent_dim"], r["seed"]): r for name in names if (RESULTS / name / "results.csv").is_file()
            for r in sweep_rows(name) if r.get("fid") is not None}
    by_key = ({(r["latent_dim"], r["seed"]): r for r in sweep_rows(same_below) if r["latent_dim"] <= least}
              if same_below else {})
    return {**by_key, **mine}, len(mine)


def mnist_fid_seeds() -> list[str]:
    """Issue 11 item 4: MNIST FID (N = 2,000) by m over two training seeds under the paper's mask (seed 0: the
    committed runs the target names; seed 1: sweep-mnist-m-seed1), the seventh default with the preset's
    earlier 8,000 critic steps and with today's 12,000 (MNIST_EARLIER, MNIST_TODAY)."""
    paper = {(m, 0): r for m, r in paper_mask_mnist().items()}
    if (RESULTS / "sweep-mnist-m-seed1" / "results.csv").is_file():
        paper.update({(r["latent_dim"], 1): r for r in sweep_rows("sweep-mnist-m-seed1") if r.get("fid") is not None})
    groups = {"paper mask": paper, "default, 8,000 critic steps": mnist_runs(*MNIST_EARLIER)[0],
              "default, 12,000 critic steps": mnist_runs(MNIST_TODAY)[0]}
    lines = header("m", *(f"{label}: FID seed 0, seed 1 (m_A); mean" for label in groups),
                   *(f"{label} minus paper mask (means)" for label in list(groups)[1:]))
    for m in (16, 32, 64, 110):
        cells, means = [], []
        for runs in groups.values():
            got = [runs[m, seed] for seed in (0, 1) if (m, seed) in runs]
            means.append(sum(r["fid"] for r in got) / len(got) if len(got) == 2 else None)
            runs_cell = ", ".join(f"{r['fid']:.2f} ({r['active_dims']})" for r in got) or "not run yet"
            cells.append(runs_cell + (f"; {means[-1]:.2f}" if means[-1] is not None else
                                      "" if not got else ", seed 1 not run yet"))
        differences = [f"{mean - means[0]:+.2f}" if None not in (mean, means[0]) else "" for mean in means[1:]]
        lines.append(row(m, *cells, *differences))
    return lines
