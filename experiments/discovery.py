"""Discovery benchmark: does m_A equal the true latent dimension n, across n, m, data kinds and seeds?

    .venv/bin/pip install -e '.[intrinsic]'
    .venv/bin/python experiments/discovery.py [--quick | --holdout] [--variants default paper] [--jobs 2]
        [--first GROUP ...]   # start these groups before the others (the results do not depend on the order)

Each case is one run of the `synthetic` preset (one thread) through `maskaae sweep`: the cases of a group
share a sweep folder under runs/discovery/VARIANT/GROUP (checkpoints, not committed), so a stopped
benchmark continues where it stopped when the same command runs again. The grid (issue 11):
- gaussian (SPEC 6 data): n in {2, 4, 6, 8, 10, 16, 20}, m in {ceil(n/2), 2n, min(4n, 64)}, (data seed,
  run seed) in {(0, 0), (1, 1)}: 42 runs;
- manifolds (maskaae/data/manifolds.py): hypercube, sphere, torus, curved1, curved3 with n in {2, 6, 10},
  m = 32, noise 0 and 0.01, data seed = run seed = 0: 30 runs.
`--quick` keeps gaussian n in {2, 8, 16} with m in {ceil(n/2), 2n} at seed pair (0, 0) and the manifolds
at n = 6 without noise: 11 runs. `--holdout` asks whether the rule holds beyond the n it was chosen on: n the
benchmark never had (Gaussian n = 12, 24, 32, 40 at m = min(2n, 64); hypercube and curved1 at n = 14, m = 32)
at seed pairs it never used, (2, 2) and (3, 3); Gaussian n = 18, 28, 36, 48, sphere n = 14 and curved3
n = 20 at (3, 3); and, added to test the verification's gate after it was chosen, Gaussian n = 14, 22, 26, 30,
curved1 n = 5, curved3 n = 7, sphere n = 8, hypercube n = 12 at (4, 4), Gaussian n = 34, curved1 n = 8 and
curved3 n = 4 at (5, 5): 23 cases, results/discovery-holdout (at the tag record-2026-12; today's default's:
results/discovery-holdout-reach16; HOLDOUT says which pair was seen when).
Variants without runs of their own on a group take their m_A from another's run records where that is exact
(experiments/discovery_variants.py); the default's runs on the grid are the `verify` runs. A variant that sets an
option removed in schema 19 (`level`, `log`: discovery_variants.runnable) is neither validated nor run: its rows
are those an earlier collection kept in OUT (runs.csv, curves.json); the git tag record-2026-12 runs it.

Every default run's decision curve u(k) goes to OUT/curves.json, and summary.json also holds m_A by n and
what other tolerances would have decided on the same curves (no retraining: the decision is a function of
the curve).

Beside every case: TwoNN, MLE and DANCo from scikit-dimension on the first 2,000 training points of the
same data (cached in OUT/intrinsic.json). Writes OUT/runs.csv (one row per run), OUT/summary.json (figures
per variant), OUT/summary.md (the same as Markdown tables, for docs/RESULTS.md), OUT/discovery.png (m_A
against n with the line m_A = n) and OUT/provisional.json (each run's provisional decision and its curve, taken
before the focus phase, by variant/group/run; the record's experiments/share_overlap.py, at the tag
record-2026-12, reads the sixth default's).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import platform
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from maskaae.data import load_data
from maskaae.discovery import candidate_signals
from maskaae.sweep import SweepSpec, build_points, run_sweep

from discovery_report import by_n, figures, markdown, plot, tolerance_sensitivity, write_csv
from discovery_variants import (DECIDED_IN_RECORDS, SAME_TRAINING_UNTIL_DECIDED, UNTRIGGERED_SOURCE, VARIANTS,
                                decided_from_curves, DECISION_ONLY, derived_rows, descent_cells, kept_rows,
                                record_source, recorded_rows, runnable, same_computation, same_training,
                                untriggered, untriggered_cells, with_variant)

GAUSSIAN_N = [2, 4, 6, 8, 10, 16, 20]
MANIFOLD_KINDS = ["hypercube", "sphere", "torus", "curved1", "curved3"]
ID_POINTS = 2000


def gaussian_ms(n: int) -> list[int]:
    return sorted({math.ceil(n / 2), 2 * n, min(4 * n, 64)})


# seed pair -> (Gaussian n, {manifold kind: n}). Seed 2 was run first and showed the fixed 0.5% failing at
# large n; the cap relative to the mean share was chosen looking at it. Seed 3 was run after that choice.
# Seed pairs 4 and 5 were added after the verification's gate was chosen, to test it: Gaussian n where the
# default splits a factor (22-34), curved maps at n where a weak real dimension is likely (4-8), a sphere and
# a hypercube.
HOLDOUT = {2: ([12, 24, 32, 40], {"hypercube": 14, "curved1": 14}),
           3: ([18, 28, 36, 48], {"sphere": 14, "curved3": 20}),
           4: ([14, 22, 26, 30], {"curved1": 5, "curved3": 7, "sphere": 8, "hypercube": 12}),
           5: ([34], {"curved1": 8, "curved3": 4})}


def holdout_groups() -> dict[str, SweepSpec]:
    """n and seed pairs the benchmark's grid never had (see HOLDOUT); m = min(2n, 64), manifolds m = 32."""
    out = {}
    for seed, (gaussian_n, manifolds) in HOLDOUT.items():
        pair = [f"data.seed={seed}", f"seed={seed}"]
        for n in gaussian_n:
            out[f"gaussian-n{n:02d}-s{seed}"] = SweepSpec(grid=[("model.latent_dim", [min(2 * n, 64)])],
                                                         overrides=[f"data.latent_dim={n}", *pair])
        for kind, n in manifolds.items():
            out[f"manifold-{kind}-s{seed}"] = SweepSpec(grid=[("data.latent_dim", [n])], overrides=[
                f"data.kind={kind}", *pair, f"model.latent_dim={max(32, 2 * n)}"])
    return out


def groups(quick: bool) -> dict[str, SweepSpec]:
    """Group name -> sweep spec (without the variant's overrides)."""
    out = {}
    pairs = [(0, 0)] if quick else [(0, 0), (1, 1)]
    # the quick grid's cases first, so that a partial full benchmark covers them
    for n in ([2, 8, 16] if quick else [8, 16, 2, 4, 6, 10, 20]):
        ms = sorted({math.ceil(n / 2), 2 * n}) if quick else gaussian_ms(n)
        for data_seed, seed in pairs[:1]:
            out[f"gaussian-n{n:02d}-s{data_seed}"] = SweepSpec(
                grid=[("model.latent_dim", ms)],
                overrides=[f"data.latent_dim={n}", f"data.seed={data_seed}", f"seed={seed}"])
    for kind in MANIFOLD_KINDS:  # one group per kind: groups of at most 6 runs keep both cores busy
        out[f"manifold-{kind}-s0"] = SweepSpec(
            grid=[("data.latent_dim", [6] if quick else [2, 6, 10]), ("data.noise", [0.0] if quick else [0.0, 0.01])],
            overrides=[f"data.kind={kind}", "data.seed=0", "seed=0", "model.latent_dim=32"])
    for n in ([] if quick else [8, 16, 2, 4, 6, 10, 20]):
        for data_seed, seed in pairs[1:]:
            out[f"gaussian-n{n:02d}-s{data_seed}"] = SweepSpec(
                grid=[("model.latent_dim", gaussian_ms(n))],
                overrides=[f"data.latent_dim={n}", f"data.seed={data_seed}", f"seed={seed}"])
    return out


def intrinsic_estimates(data_cfg, cache: dict, lock: threading.Lock, key: str | None = None) -> dict:
    """TwoNN, MLE and DANCo on the first ID_POINTS training points (flattened); cached under `key`, by default
    the synthetic data's identity."""
    key = key or (f"{data_cfg.kind}-n{data_cfg.latent_dim}-seed{data_cfg.seed}-noise{data_cfg.noise}"
                  f"-d{data_cfg.data_dim}")
    with lock:
        if key in cache:
            return cache[key]
    import skdim

    train, _ = load_data(data_cfg)
    x = train[:ID_POINTS].double().flatten(1).numpy()
    est = {}
    for name, cls in (("twonn", skdim.id.TwoNN), ("mle", skdim.id.MLE), ("danco", skdim.id.DANCo)):
        t0 = time.perf_counter()
        est[name] = float(cls().fit(x).dimension_)
        est[f"{name}_seconds"] = round(time.perf_counter() - t0, 2)
    with lock:
        cache[key] = est
    return est


def rows_of(variant: str, group: str, sweep_dir: Path, cache: dict, lock: threading.Lock) -> list[dict]:
    rows = []
    for run in sorted((sweep_dir / "runs").glob("*")):
        summary_file = run / "summary.json"
        if not summary_file.is_file():
            continue
        cfg = json.loads((run / "config.json").read_text())["config"]
        summary = json.loads(summary_file.read_text())
        from maskaae.versions import saved_config_from_dict

        data_cfg = saved_config_from_dict(cfg).data
        est = intrinsic_estimates(data_cfg, cache, lock)
        n, m, m_a = data_cfg.latent_dim, cfg["model"]["latent_dim"], summary["active_dims"]
        record = summary.get("discovery") or {}
        share, inverted = candidate_signals(record["candidate"]) if record.get("candidate") else (None, None)
        rows.append({"variant": variant, "group": group, "run": run.name, "kind": data_cfg.kind, "n": n, "m": m,
                     "noise": data_cfg.noise, "data_seed": data_cfg.seed, "seed": cfg["seed"], "m_A": m_a,
                     "error": m_a - n, "decided_from": "its own run",
                     "candidate": (record.get("candidate") or {}).get("dimension"), "answer": record.get("answer"),
                     "candidate_share": None if share is None else round(share, 6), "candidate_inverted": inverted,
                     "fd": summary["fd"],
                     "precision": summary["precision"], "recall": summary["recall"], "seconds": summary["seconds"],
                     "twonn": round(est["twonn"], 3), "mle": round(est["mle"], 3), "danco": round(est["danco"], 3),
                     **descent_cells(record), "curve": record.get("curve"), "provisional": record.get("provisional")})
        if variant in DECISION_ONLY:  # stopped after the decision: the phase with the critic never ran
            rows[-1].update(decided_from="its own run, stopped after the decision", fd=None, precision=None,
                            recall=None, seconds=None)
    return rows


# The paper's gradient-trained mask as measured before this benchmark existed: committed sweeps of the
# synthetic preset at 3,000 steps (Gaussian data, data seed 0, run seeds 0-2), summarised with the same
# figures. label -> (results.csv files, the rows to take).
COMMITTED = {
    "committed_previous_default_3000_steps": (
        ["results/sweep-synthetic-n8/results.csv", "results/sweep-synthetic-n16/results.csv",
         "results/sweep-synthetic-n16-m50-78/results.csv"], lambda row: row["model"] == "maskaae"),
    "committed_paper_lambda2_1_3000_steps": (
        ["results/sweep-lambda2-n8/results.csv", "results/sweep-lambda2-n16-m32/results.csv"],
        lambda row: row.get("loss.lambda2", "1") in ("1", "1.0")),
}


def committed_rows(label: str, cache: dict, lock: threading.Lock) -> list[dict]:
    from maskaae.config import DataConfig

    files, keep = COMMITTED[label]
    rows = []
    for name in files:
        with open(name, newline="") as handle:
            for row in csv.DictReader(handle):
                if row["status"] != "done" or not keep(row):
                    continue
                n = int(row["data.latent_dim"])
                est = intrinsic_estimates(DataConfig(latent_dim=n), cache, lock)
                rows.append({"variant": label, "kind": "gaussian", "n": n, "m": int(row["latent_dim"]),
                             "m_A": int(row["active_dims"]), "seconds": float(row["seconds"]),
                             "twonn": est["twonn"], "mle": est["mle"], "danco": est["danco"]})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--quick", action="store_true", help="the 11-run grid for iterating")
    which.add_argument("--holdout", action="store_true", help="12 runs at n and seeds the grid never had")
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS),
                        default=["default", "seventh", "inversion", "gated", "cap", "verify", "focus", "gain", "level",
                                 "paper"])
    parser.add_argument("--jobs", type=int, default=2, help="runs at once, one thread each (default 2)")
    parser.add_argument("--runs", default="runs/discovery", help="sweep folders (checkpoints; not committed)")
    parser.add_argument("--out", default=None, help="results folder (default results/discovery[-quick])")
    parser.add_argument("--collect-only", action="store_true", help="only collect what has finished")
    parser.add_argument("--first", nargs="+", default=[], metavar="GROUP",
                        help="start these groups (e.g. manifold-torus-s0) before the others; the order only")
    parser.add_argument("--intrinsic-only", action="store_true",
                        help="only compute the TwoNN/MLE/DANCo estimates of every case's data (cached)")
    args = parser.parse_args()
    grid = "quick" if args.quick else "holdout" if args.holdout else "full"
    out = Path(args.out or ("results/discovery" if grid == "full" else f"results/discovery-{grid}"))
    out.mkdir(parents=True, exist_ok=True)
    runs_root = Path(args.runs) / grid
    # every group of the first variant, then the next variant's (a stopped benchmark has whole variants)
    grid_groups = holdout_groups() if args.holdout else groups(args.quick)
    unknown = sorted(set(args.first) - set(grid_groups))
    if unknown:
        parser.error(f"--first: no group {', '.join(unknown)} in the {grid} grid; it has {', '.join(grid_groups)}")
    specs = {(v, g): with_variant(s, v) for v in args.variants for g, s in grid_groups.items()}
    for (v, g), spec in specs.items():  # every point validates before anything runs
        if runnable(v):
            build_points(spec)
    cache_file = out / "intrinsic.json"
    if args.intrinsic_only:
        cache = json.loads(cache_file.read_text()) if cache_file.is_file() else {}
        lock = threading.Lock()
        for spec in {g: s for (v, g), s in specs.items() if runnable(v)}.values():
            for point in build_points(spec):
                intrinsic_estimates(point.config.data, cache, lock)
                cache_file.write_text(json.dumps(cache, indent=1, sort_keys=True) + "\n")
        return
    derived = {(v, g) for (v, g), spec in specs.items() if v in SAME_TRAINING_UNTIL_DECIDED
               and not (runs_root / v / g).exists()
               and same_training(spec, v, runs_root / SAME_TRAINING_UNTIL_DECIDED[v] / g)}
    recorded = {(v, g): source for (v, g) in specs if v in DECIDED_IN_RECORDS and (v, g) not in derived
                and not (runs_root / v / g).exists()
                and (source := record_source(v, lambda s, g=g: runs_root / s / g)) is not None}
    same = {(v, g): source for (v, g), spec in specs.items() if not (runs_root / v / g).exists()
            and (source := same_computation(spec, v)) is not None}
    cache = json.loads(cache_file.read_text()) if cache_file.is_file() else {}
    lock = threading.Lock()
    kept = kept_rows(out)

    def rows_here(v: str, g: str) -> list[dict]:
        """The group's rows from its runs on this machine, else the rows out/ kept from an earlier collection (always
        for a variant today's maskaae cannot run, whose configs it refuses)."""
        folder = runs_root / v / g
        return rows_of(v, g, folder, cache, lock) if folder.exists() and runnable(v) else kept.get((v, g), [])

    same |= {(v, g): UNTRIGGERED_SOURCE[v] for (v, g) in specs if v in UNTRIGGERED_SOURCE
             and not (runs_root / v / g).exists()
             and untriggered(grid_groups[g], v, rows_here(UNTRIGGERED_SOURCE[v], g), cache)}
    derived |= set(recorded) | set(same)
    if not args.collect_only:
        # groups in parallel, one job each, so that small groups do not leave a core idle
        command = [sys.executable, *sys.argv]
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            order = sorted((key for key in specs if key not in derived and runnable(key[0])),
                           key=lambda key: key[1] not in args.first)
            futures = [pool.submit(run_sweep, specs[v, g], runs_root / v / g, 1, "local", None, command,
                                   lambda msg, tag=f"{v}/{g}": print(f"{tag}: {msg}", flush=True))
                       for (v, g) in order]
            for future in futures:
                future.result()
    rows = []
    for (v, g) in specs:
        if (v, g) in recorded:
            source = recorded[v, g]
            rows += recorded_rows(rows_here(source, g), v, source)
        elif (v, g) in same:
            configs = ({p.name: p.config for p in build_points(specs[v, g])} if v in UNTRIGGERED_SOURCE else {})
            rows += [{**r, "variant": v, "decided_from": f"{r['decided_from']} (as {same[v, g]}: the same computation)",
                      **(untriggered_cells(configs[r["run"]], r["m_A"], cache) if configs else {})}
                     for r in rows_here(same[v, g], g)]
        elif (v, g) in derived:
            source = SAME_TRAINING_UNTIL_DECIDED[v]
            rows += derived_rows(rows_here(source, g), v)
        else:
            rows += rows_here(v, g)
    if "gain" in args.variants and "level" in args.variants:
        rows += decided_from_curves(rows, "gain", "level")
    cache_file.write_text(json.dumps(cache, indent=1, sort_keys=True) + "\n")
    write_csv([{k: v for k, v in r.items() if k not in ("curve", "provisional")} for r in rows], out / "runs.csv")
    (out / "curves.json").write_text(json.dumps({f"{r['variant']}/{r['group']}/{r['run']}": r["curve"]
                                                 for r in rows if r.get("curve")}) + "\n")
    (out / "provisional.json").write_text(json.dumps({f"{r['variant']}/{r['group']}/{r['run']}": r["provisional"]
                                                      for r in rows if r.get("provisional")}) + "\n")
    commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    summary = {"grid": grid, "command": " ".join(["python", "experiments/discovery.py", *sys.argv[1:]]),
               "git_commit": commit, "python": platform.python_version(),
               "intrinsic_points": ID_POINTS, "variants": {v: VARIANTS[v] for v in args.variants},
               **{v: figures([r for r in rows if r["variant"] == v]) for v in args.variants},
               "by_n": {v: by_n([r for r in rows if r["variant"] == v]) for v in args.variants},
               "gain_decided_from_level_curves": sum(r["variant"] == "gain" and r["decided_from"] != "its own run"
                                                     for r in rows),
               "tolerance_sensitivity": tolerance_sensitivity([r for r in rows if r["variant"] == "level"]),
               "committed_sweeps_note": "the paper's mask in the committed Fig. 4 / lambda2 sweeps (3,000 steps, "
                                        "Gaussian n = 8 and 16 only), not this benchmark's grid",
               **{label: figures(committed_rows(label, cache, lock)) for label in COMMITTED if grid == "full"}}
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    if rows:
        plot(rows, out / "discovery.png", ["gaussian", *MANIFOLD_KINDS])
    (out / "summary.md").write_text(markdown(summary, rows, list(COMMITTED)))
    print(json.dumps({v: summary[v] for v in args.variants}, indent=1))


if __name__ == "__main__":
    main()
