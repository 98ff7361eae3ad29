"""Issue 33's pre-registered evaluation grid for discovery: cases drawn once from a seed, committed before any
tuning, and run only when the design is frozen.

The grid is what `GRID_SEED` draws: `CASES` manifolds of known dimension n (up to 32) from the generators below,
which were written for this grid and are used nowhere else in the project (the outside set that issue 33 describes
stays unseen). Three kinds represent the misses that issue 33 lists: a manifold of dimension D - 1 in D (`graph`,
`sphere`, `mobius`), a curved manifold (`paraboloid`, `quadrics`) and a closed curve (`loop`). The others are the
ordinary cases (`gaussian-net`, `tanh-net`, `linear`). Each case draws its dimension, ambient width, noise,
sample size and data seed from the grid's stream; the data seeds lie in [10^9, 2^31), a range no other
experiment of the project has used.

    python experiments/fresh_grid.py --list            # the cases (what experiments/fresh_grid.json holds)
    python experiments/fresh_grid.py --write DIR       # one DIR/<case>.npy per case, for `maskaae dimension`
    python experiments/fresh_grid.py --check           # experiments/fresh_grid.json is what the seed draws
    python experiments/fresh_grid.py --run OUT         # every case through `maskaae dimension`, then OUT's summary
    python experiments/fresh_grid.py --grid 2 ...      # the same for grid 2 (GRIDS), committed before it runs

Running the grid (`--run`): `maskaae dimension --json` on each case's file, as a user would (defaults only, one
process at a time); it prints m_A beside TwoNN, MLE and DANCo on the same points. Each case's answer goes to
OUT/cases/<case>.json as it arrives, so a stopped run continues with the cases it has not done; OUT/summary.json
and OUT/summary.md hold the figures: per method, the exact rate, the mean and largest absolute error (the
estimators rounded to the nearest integer, as the discovery benchmark rounds them), by kind too.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import numpy as np

GRID_SEED = 20261207  # the day the grid was written; never used as a seed before it
# Grid 2, for issue 33's redesign: grid 1 was run (results/discovery-fresh-grid) and read, so a design changed
# after it is judged on grid 2, drawn from a seed no experiment had used, committed on 2026-12-07 before any of
# the redesign's tuning, and run once when that design is frozen. Same kinds, ranges and generators.
GRIDS = {1: (GRID_SEED, "fresh_grid.json"), 2: (202612072, "fresh_grid_2.json")}
CASES = 48
SEED_RANGE = (10**9, 2**31 - 1)  # data seeds: no other experiment uses seeds this large
NOISE = (0.0, 0.0, 0.01)  # the share of noiseless cases is two thirds; noise as a share of the data's scale
SIZES = (2000, 5000, 10000)


# ----------------------------------------------------------------------------
# The generators: intrinsic coordinates t of dimension n, mapped to R^D (D >= n + 1 unless said otherwise)

def _orthonormal(rng: np.random.Generator, rows: int, d: int) -> np.ndarray:
    q, _ = np.linalg.qr(rng.standard_normal((d, rows)))
    return q.T  # rows x d with orthonormal rows


def _embed(rng: np.random.Generator, x: np.ndarray, d: int) -> np.ndarray:
    """x (count x k, k <= d) rotated into R^d by a random orthonormal frame."""
    return x @ _orthonormal(rng, x.shape[1], d)


def gaussian_net(rng: np.random.Generator, count: int, n: int, d: int) -> np.ndarray:
    """z ~ N(0, I_n) through two random leaky-ReLU layers of width 2d."""
    w1, w2 = rng.normal(0, 1 / np.sqrt(n), (n, 2 * d)), rng.normal(0, 1 / np.sqrt(2 * d), (2 * d, d))
    h = rng.standard_normal((count, n)) @ w1
    return np.where(h > 0, h, 0.2 * h) @ w2


def tanh_net(rng: np.random.Generator, count: int, n: int, d: int) -> np.ndarray:
    """t ~ U[-1, 1]^n through two random tanh layers (curved, not saturated)."""
    w1, b1 = rng.normal(0, 1.2 / np.sqrt(n), (n, 2 * d)), rng.uniform(-0.3, 0.3, 2 * d)
    w2 = rng.normal(0, 1.2 / np.sqrt(2 * d), (2 * d, d))
    return np.tanh(np.tanh(rng.uniform(-1, 1, (count, n)) @ w1 + b1) @ w2)


def linear(rng: np.random.Generator, count: int, n: int, d: int) -> np.ndarray:
    """z ~ N(0, diag(s^2)) with scales s in [0.3, 1], embedded linearly."""
    return _embed(rng, rng.standard_normal((count, n)) * rng.uniform(0.3, 1.0, n), d)


def graph(rng: np.random.Generator, count: int, n: int, d: int) -> np.ndarray:
    """The graph (t, f(t)) of a smooth random function f: [-1, 1]^n -> R (a sum of 8 sinusoids), n + 1 = d."""
    t = rng.uniform(-1, 1, (count, n))
    w, phase, a = rng.normal(0, 2.0, (8, n)), rng.uniform(0, 2 * np.pi, 8), rng.uniform(0.2, 0.6, 8)
    y = np.sin(t @ w.T + phase) @ a
    return _embed(rng, np.column_stack([t, y]), d)


def sphere(rng: np.random.Generator, count: int, n: int, d: int) -> np.ndarray:
    """The unit sphere S^n in R^(n + 1) = R^d, rotated."""
    g = rng.standard_normal((count, n + 1))
    return _embed(rng, g / np.linalg.norm(g, axis=1, keepdims=True), d)


def paraboloid(rng: np.random.Generator, count: int, n: int, d: int) -> np.ndarray:
    """(t, c |t|^2) for t ~ U[-1, 1]^n, c in [0.5, 2], embedded in R^d (d > n + 1: a curved surface one
    dimension above its chart, rotated into more)."""
    t = rng.uniform(-1, 1, (count, n))
    return _embed(rng, np.column_stack([t, rng.uniform(0.5, 2.0) * (t ** 2).sum(axis=1)]), d)


def quadrics(rng: np.random.Generator, count: int, n: int, d: int) -> np.ndarray:
    """(t, t^T A_1 t, ..., t^T A_(d - n) t) for t ~ U[-1, 1]^n and random symmetric A_j, rotated."""
    t = rng.uniform(-1, 1, (count, n))
    forms = rng.normal(0, 1 / n, (d - n, n, n))
    forms = (forms + forms.transpose(0, 2, 1)) / 2
    return _embed(rng, np.column_stack([t, np.einsum("ci,jik,ck->cj", t, forms, t)]), d)


def loop(rng: np.random.Generator, count: int, n: int, d: int) -> np.ndarray:
    """A smooth closed curve (n = 1): a random Fourier series of 3 harmonics in each of d coordinates."""
    angle = rng.uniform(0, 2 * np.pi, count)
    k = np.arange(1, 4)
    a, b = rng.normal(0, 1, (d, 3)) / k, rng.normal(0, 1, (d, 3)) / k
    return np.cos(np.outer(angle, k)) @ a.T + np.sin(np.outer(angle, k)) @ b.T


def mobius(rng: np.random.Generator, count: int, n: int, d: int) -> np.ndarray:
    """The Moebius band (n = 2, a twisted surface) in R^3 = R^d, rotated."""
    u, v = rng.uniform(0, 2 * np.pi, count), rng.uniform(-0.5, 0.5, count)
    r = 1 + v * np.cos(u / 2)
    return _embed(rng, np.column_stack([r * np.cos(u), r * np.sin(u), v * np.sin(u / 2)]), d)


Generator = Callable[[np.random.Generator, int, int, int], np.ndarray]
# kind -> (generator, its n range (inclusive), its ambient width D from n and the grid's stream)
KINDS: dict[str, tuple[Generator, tuple[int, int], Callable[[np.random.Generator, int], int]]] = {
    "gaussian-net": (gaussian_net, (1, 32), lambda rng, n: int(rng.integers(n + 1, min(4 * n, 100) + 2))),
    "tanh-net": (tanh_net, (1, 32), lambda rng, n: int(rng.integers(n + 1, min(4 * n, 100) + 2))),
    "linear": (linear, (1, 32), lambda rng, n: int(rng.integers(n + 1, min(3 * n, 100) + 2))),
    "graph": (graph, (2, 24), lambda rng, n: n + 1),
    "sphere": (sphere, (2, 16), lambda rng, n: n + 1),
    "paraboloid": (paraboloid, (2, 16), lambda rng, n: int(rng.integers(n + 2, min(3 * n, 100) + 1))),
    "quadrics": (quadrics, (2, 16), lambda rng, n: int(rng.integers(n + 2, min(4 * n, 100) + 1))),
    "loop": (loop, (1, 1), lambda rng, n: int(rng.choice([2, 3, 10, 30]))),
    "mobius": (mobius, (2, 2), lambda rng, n: 3),
}


def draw_grid(seed: int = GRID_SEED, cases: int = CASES) -> list[dict]:
    """The cases: each kind at least cases // len(KINDS) times, the rest drawn at random; every draw from seed."""
    rng = np.random.default_rng(seed)
    kinds = list(KINDS)
    order = kinds * (cases // len(kinds)) + list(rng.choice(kinds, cases % len(kinds), replace=False))
    out = []
    for i, kind in enumerate(order):
        low, high = KINDS[kind][1]
        n = int(rng.integers(low, high + 1))
        out.append({"case": f"{i:02d}-{kind}-n{n}", "kind": kind, "n": n, "d": KINDS[kind][2](rng, n),
                    "noise": float(rng.choice(NOISE)), "points": int(rng.choice(SIZES)),
                    "data_seed": int(rng.integers(*SEED_RANGE))})
    return out


def make_case(case: dict) -> np.ndarray:
    """A case's points (float32), centred and scaled to unit mean variance, then noise added."""
    rng = np.random.default_rng(case["data_seed"])
    x = KINDS[case["kind"]][0](rng, case["points"], case["n"], case["d"])
    x = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0).mean())
    return (x + case["noise"] * rng.standard_normal(x.shape)).astype(np.float32)


METHODS = ("MaskAAE", "TwoNN", "MLE", "DANCo")


def run_case(case: dict, out: Path, cli: list[str]) -> dict:
    """One case through `maskaae dimension --json` (its file in a temporary folder); its record, also written to
    OUT/cases/<case>.json."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{case['case']}.npy"
        np.save(path, make_case(case))
        start = time.perf_counter()
        done = subprocess.run([*cli, "dimension", "--json", str(path)], capture_output=True, text=True)
        wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"maskaae dimension failed on {case['case']}:\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout)
    record = {**case, "m_A": result["m_A"], "m": result["m"], "training_s": result["seconds"],
              "wall_s": round(wall, 1), "estimators": result["estimators"]}
    (out / "cases").mkdir(parents=True, exist_ok=True)
    (out / "cases" / f"{case['case']}.json").write_text(json.dumps(record, indent=1) + "\n")
    return record


def answers(record: dict) -> dict[str, int | None]:
    """Each method's integer answer on a case: m_A, and each estimator rounded (None where it could not run)."""
    values = {"MaskAAE": record["m_A"]}
    for name in METHODS[1:]:
        value = record["estimators"].get(name)
        values[name] = None if value is None else int(round(value))
    return values


def figures(records: list[dict]) -> dict:
    """Per method: cases, exact rate, mean and largest absolute error of its answers against n."""
    out = {}
    for method in METHODS:
        errors = [a - r["n"] for r in records if (a := answers(r)[method]) is not None]
        if errors:
            err = np.abs(errors)
            out[method] = {"cases": len(err), "exact_rate": round(float(np.mean(err == 0)), 3),
                           "mae": round(float(np.mean(err)), 3), "max_abs_err": int(err.max()),
                           "bias": round(float(np.mean(errors)), 3)}
    return out


def summarise(records: list[dict], out: Path) -> dict:
    """OUT/summary.json and OUT/summary.md: the figures over every case and by kind, and each case's answers."""
    kinds = sorted({r["kind"] for r in records})
    summary = {"cases": len(records), "all": figures(records),
               "by_kind": {k: figures([r for r in records if r["kind"] == k]) for k in kinds},
               "median_training_s": float(np.median([r["training_s"] for r in records])),
               "max_training_s": max(r["training_s"] for r in records)}
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    lines = ["| method | cases | exact | MAE | max abs error | bias |", "|---|---|---|---|---|---|"]
    for method, f in summary["all"].items():
        lines.append(f"| {method} | {f['cases']} | {f['exact_rate']:.3f} | {f['mae']:.3f} | {f['max_abs_err']} | "
                     f"{f['bias']:+.3f} |")
    lines += ["", "| case | n | D | noise | points | m_A | TwoNN | MLE | DANCo | training s |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for r in records:
        est = [f"{v:.2f}" if (v := r["estimators"].get(name)) is not None else "-" for name in METHODS[1:]]
        lines.append(f"| {r['case']} | {r['n']} | {r['d']} | {r['noise']} | {r['points']} | {r['m_A']} | "
                     f"{' | '.join(est)} | {r['training_s']} |")
    (out / "summary.md").write_text("\n".join(lines) + "\n")
    return summary


def run_grid(grid: dict, out: Path) -> dict:
    """Every case not yet in OUT/cases through `maskaae dimension` (this interpreter's maskaae), then the summary."""
    from maskaae.runrecord import provenance

    cli = [sys.executable, "-m", "maskaae"]
    out.mkdir(parents=True, exist_ok=True)
    if not (out / "provenance.json").is_file():  # the code, packages and machine the first case ran with
        (out / "provenance.json").write_text(json.dumps({"command": " ".join(["python", *sys.argv]),
                                                         "grid_seed": grid["seed"], **provenance()}, indent=1) + "\n")
    records = []
    for case in grid["cases"]:
        done = out / "cases" / f"{case['case']}.json"
        record = json.loads(done.read_text()) if done.is_file() else run_case(case, out, cli)
        print(f"{case['case']:24s} n={case['n']:2d} m_A={record['m_A']:2d} ({record['training_s']} s)", flush=True)
        records.append(record)
    return summarise(records, out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--list", action="store_true", help="write experiments/fresh_grid.json and print it")
    group.add_argument("--check", action="store_true", help="exit 1 unless fresh_grid.json is the seed's grid")
    group.add_argument("--write", metavar="DIR", help="write one .npy file per case into DIR")
    group.add_argument("--run", metavar="OUT", help="run every case through maskaae dimension into OUT (resumable)")
    parser.add_argument("--grid", type=int, choices=sorted(GRIDS), default=1, help="which grid (default 1)")
    args = parser.parse_args(argv)
    seed, name = GRIDS[args.grid]
    grid, grid_file = {"seed": seed, "cases": draw_grid(seed)}, Path(__file__).with_name(name)
    if args.check:
        saved = json.loads(grid_file.read_text())
        print(f"{name} matches the seed" if saved == grid else f"{name} differs from the seed")
        return 0 if saved == grid else 1
    if args.list:
        grid_file.write_text(json.dumps(grid, indent=1) + "\n")
        for case in grid["cases"]:
            print(f"{case['case']:24s} D={case['d']:3d} noise={case['noise']} points={case['points']}")
        return 0
    if args.run:
        summary = run_grid(grid, Path(args.run))
        print(json.dumps(summary["all"], indent=1))
        return 0
    out = Path(args.write)
    out.mkdir(parents=True, exist_ok=True)
    for case in grid["cases"]:
        np.save(out / f"{case['case']}.npy", make_case(case))
    print(f"{len(grid['cases'])} cases written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
