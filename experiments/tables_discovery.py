"""The documents' tables of issue 11 (dimension discovery): today's default's Fig. 4 and Table 2 rows, the
discovery benchmark and its MNIST runs.

Registered in experiments/tables.py's TABLES, which writes them into the documents."""

from __future__ import annotations

import json

from table_cells import (PAPER_TABLE2, RESULTS, header, median, minutes, per_seed, row, select, spread, summary,
                         sweep_rows)


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


def fig4_reach(n: int, sweeps: tuple[str, ...], *paper_sweeps: str, earlier: str | None = None) -> list[str]:
    """Fig. 4a/4b's MaskAAE rows (true dimension n) with the seventh default (the reach): the runs of `sweeps`,
    and at each m <= train.discovery_reach_min where they have none, the runs of `earlier` (an ordered default
    that pins only the reach off; there the reach's range is all of 1..m, so those runs are the seventh
    default's computation, each checked against today's decision from its record by default_check); beside
    them the paper's mask at 3,000 steps (the committed Fig. 4 sweeps)."""
    from maskaae.config import TrainConfig
    from maskaae.report.sweeps import stats

    ours: dict[int, list[dict]] = {}
    for name in sweeps:
        for r in sweep_rows(name):
            ours.setdefault(r["latent_dim"], []).append({**r, "from": name})
    if earlier is not None:
        same = {r["run"]: r["same"] for r in default_check(earlier)}
        own = set(ours)
        for r in sweep_rows(earlier):
            if r["latent_dim"] <= TrainConfig().discovery_reach_min and r["latent_dim"] not in own:
                if not same[r["run"]]:
                    raise SystemExit(f"{earlier}/{r['run']}: today's default decides it differently; run it again")
                ours.setdefault(r["latent_dim"], []).append({**r, "from": earlier})
    paper = [r for name in paper_sweeps for r in sweep_rows(name) if r["model"] == "maskaae"]
    lines = header("m", "m_A", "fd", "precision / recall", "paper mask (3,000 steps) m_A", "runs (ours / paper mask)",
                   "ours from")

    def cell(runs: list[dict], key: str, digits: int | None) -> str:
        return spread(stats([r[key] for r in runs]), digits)

    for m in sorted(ours):
        mine, mask = ours[m], select(paper, latent_dim=m)
        lines.append(row(m, cell(mine, "active_dims", None), cell(mine, "fd", 2),
                         f"{cell(mine, 'precision', 3)} / {cell(mine, 'recall', 3)}", cell(mask, "active_dims", None),
                         f"{len(mine)} / {len(mask)}", ", ".join(sorted({f"`{r['from']}`" for r in mine}))))
    runs = [r for rows in ours.values() for r in rows]
    exact = sum(r["active_dims"] == min(r["latent_dim"], n) for r in runs)
    lines += ["", f"m_A = min(m, n) in {exact} of {len(runs)} runs."]
    return lines


def table2_reach() -> list[str]:
    """Table 2's synthetic rows with the seventh default, from its Fig. 4 sweeps (n = 8: m = 16 and 32; n = 16:
    m = 32), beside the paper's mask at 3,000 steps."""
    cells = [(8, 16, "fig4-reach-n8"), (8, 32, "fig4-reach-n8"), (16, 32, "fig4-reach-n16-m18-32")]
    old = {(8, 16): select(sweep_rows("sweep-synthetic-n8"), latent_dim=16, model="maskaae"),
           (16, 32): select(sweep_rows("sweep-table2-n16-m32"), model="maskaae")}
    lines = header("data", "m", "paper MaskAAE m_A / NAC", "ours, seventh default: m_A per seed", "NAC (median)",
                   "fd per seed", "recall per seed", "ours, paper mask (3,000 steps): m_A per seed")
    for n, m, name in cells:
        mine = select(sweep_rows(name), latent_dim=m)
        paper = PAPER_TABLE2[f"synthetic n = {n}"] if (n, m) in old else None
        lines.append(row(f"synthetic n = {n}", m, f"{paper[2]} / {paper[3]:.3f}" if paper else "",
                         per_seed(mine, "active_dims"), f"{median(mine, 'nac'):.3g}", per_seed(mine, "fd", 2),
                         per_seed(mine, "recall", 2),
                         per_seed(old[(n, m)], "active_dims") if (n, m) in old else ""))
    return lines


def paper_mask_mnist() -> dict[int, dict]:
    """The `mnist` preset's runs with the paper's mask, seed 0, by m (Fig. 4c sweep and the m = 64 run)."""
    paper = {r["latent_dim"]: r for r in sweep_rows("sweep-mnist-m")}
    paper[64] = summary("mnist-cpu-maskaae-m64")
    return paper


def discovery_mnist_verified(name: str = "discovery-mnist-verified", earlier: str | None = None,
                             earlier_label: str = "") -> list[str]:
    """Issue 11 item 4: per run m_A with its decisions (provisional, candidate, the answer after the verification
    steps), FID, precision / recall, NAC and time, beside earlier MNIST runs at the same m and seed (the sweep
    `earlier`, where given; the paper's mask, seed 0)."""
    if not (RESULTS / name / "results.csv").is_file():
        return [f"Not collected yet: `.venv/bin/python experiments/reproduce.py {name}`."]
    runs = {(r["latent_dim"], r["seed"]): r for r in sweep_rows(name)}
    before = {(r["latent_dim"], r["seed"]): r for r in sweep_rows(earlier)} if earlier else None
    paper = paper_mask_mnist()
    lines = header("m", "seed", "m_A", "decisions: provisional, candidate, answer after the steps",
                   "FID, N = 2,000", "precision / recall", "NAC", "time (training)",
                   *([f"{earlier_label}: m_A, FID"] if before is not None else []), "paper mask (seed 0): m_A, FID")
    for (m, seed), r in sorted(runs.items()):
        record = json.loads((RESULTS / name / "runs" / r["run"] / "summary.json").read_text())["discovery"]
        mask = paper.get(m) if seed == 0 else None
        old = [] if before is None else [
            f"{before[m, seed]['active_dims']}, {before[m, seed]['fid']:.2f}" if (m, seed) in before else ""]
        lines.append(row(m, seed, r["active_dims"], f"{record['provisional']['dimension']}, "
                         f"{record['candidate']['dimension']}, {record['answer']}", f"{r['fid']:.2f}",
                         f"{r['precision']:.3f} / {r['recall']:.3f}", f"{r['nac']:.3g}", minutes(r["seconds"]),
                         *old, f"{mask['active_dims']}, {mask['fid']:.2f}" if mask else ""))
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


def discovery_summary(folder: str = "discovery") -> list[str]:
    """The discovery benchmark's tables as experiments/discovery.py wrote them (results/FOLDER/summary.md)."""
    return (RESULTS / folder / "summary.md").read_text().rstrip("\n").split("\n")


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


def discovery_dev(folder: str = "discovery-dev") -> list[str]:
    """The development grid (experiments/discovery_dev.py): per answer (each variant's m_A, the first variant's
    decisions on the way, the estimators) its exact count, mean absolute error and bias; then the cases that any
    answer missed."""
    saved = json.loads((RESULTS / folder / "summary.json").read_text())
    figures, cases = saved["figures"], saved["cases"]
    lines = header("answer", "cases", "exact", "MAE", "bias")
    lines += [row(name, f["cases"], f["exact"], f"{f['mae']:.2f}", f"{f['bias']:+.2f}") for name, f in figures.items()]
    missed = {c: r for c, r in cases.items() if any(r[name] not in (None, r["n"]) for name in figures)}
    lines += ["", *header("case", "n", "points", "noise", *figures)]
    lines += [row(c, r["n"], r["points"], r["noise"], *("–" if r[name] is None else r[name] for name in figures))
              for c, r in missed.items()]
    return lines
