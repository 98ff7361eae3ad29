"""Discovery off the benchmark's grid: m_A with the default on data unlike anything it was chosen or checked on.

    OMP_NUM_THREADS=1 .venv/bin/python experiments/discovery_stress.py [--variant NAME] [--jobs 2] [--collect-only]

The benchmark (discovery.py) and its held-out check vary n, m and the latent's shape at 0 or 1% noise, 20,000
training points, 128 data dimensions. A user's data differs in other ways, so each case here changes one of
those at a data and run seed the benchmark never used (6 and 7), and five cases are files read through
data.name=file, the way a user's data comes in (written by this script into RUNS/data, fixed seeds):
- noise at 5, 10 and 20% of the data's standard deviation (the benchmark: 0 and 1%);
- 2,000 and 500 training points (the benchmark: 20,000);
- 32 and 256 data dimensions (the benchmark: 128), n = 1, m = n, m = 32 n;
- a hypercube with 5% noise, curved3 with 5,000 points, a sphere at n = 4;
- files: the swiss roll and the S-curve (n = 2 in 3 dimensions, scikit-learn's generators), a linear map of an
  anisotropic Gaussian (n = 6, standard deviations 1 to 0.1, so the weakest factor holds 0.6% of the variance)
  and of an isotropic one (n = 10 in 20 dimensions), and a tanh map of an anisotropic Gaussian (n = 5).
Every case is one default run of the `synthetic` preset (one thread) through `maskaae sweep`, under
RUNS/CASE (resumable: run the same command again). Beside each: TwoNN, MLE and DANCo (scikit-dimension) on
the first 2,000 training points. Writes results/discovery-stress/: runs.csv, summary.json (the benchmark's
figures over these cases), summary.md and intrinsic.json (the estimates, cached). `--variant NAME` runs a
variant of the benchmark's (discovery_variants.VARIANTS, its overrides added to every case) under RUNS-NAME
into results/discovery-stress-NAME instead.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from maskaae.discovery import shares
from maskaae.sweep import SweepSpec, run_sweep
from maskaae.versions import saved_config_from_dict

from discovery import ID_POINTS, intrinsic_estimates
from discovery_report import figures, write_csv
from discovery_variants import VARIANTS, descent_cells, runnable

OUT = Path("results/discovery-stress")
FILE_POINTS = 25000  # rows of each file case; data.test_fraction (0.1) of them are held out


def _swiss_roll(rng: np.random.Generator) -> np.ndarray:
    from sklearn.datasets import make_swiss_roll

    return make_swiss_roll(FILE_POINTS, random_state=int(rng.integers(2**31)))[0]


def _s_curve(rng: np.random.Generator) -> np.ndarray:
    from sklearn.datasets import make_s_curve

    return make_s_curve(FILE_POINTS, random_state=int(rng.integers(2**31)))[0]


def _linear(n: int, d: int, smallest_std: float):
    """x = A z, z ~ N(0, diag(s^2)) with s log-spaced from 1 to smallest_std, A a random d x n map."""
    def make(rng: np.random.Generator) -> np.ndarray:
        scale = np.logspace(0, np.log10(smallest_std), n)
        return (rng.normal(size=(FILE_POINTS, n)) * scale) @ rng.normal(size=(d, n)).T
    return make


def _tanh_anisotropic(rng: np.random.Generator) -> np.ndarray:
    """n = 5, standard deviations 1 to 0.2, through tanh(z W1) W2 into 64 dimensions."""
    z = rng.normal(size=(FILE_POINTS, 5)) * np.logspace(0, np.log10(0.2), 5)
    return np.tanh(z @ (1.5 * rng.normal(size=(5, 64)))) @ (rng.normal(size=(64, 64)) / 8)


# case -> (true n, overrides); seed pair 6 for the synthetic cases
SYNTHETIC = {
    "gaussian-n8-noise5": (8, ["data.latent_dim=8", "data.noise=0.05", "model.latent_dim=32"]),
    "gaussian-n8-noise10": (8, ["data.latent_dim=8", "data.noise=0.1", "model.latent_dim=32"]),
    "gaussian-n8-noise20": (8, ["data.latent_dim=8", "data.noise=0.2", "model.latent_dim=32"]),
    "gaussian-n8-train2000": (8, ["data.latent_dim=8", "data.n_train=2000", "model.latent_dim=32"]),
    "gaussian-n6-train500": (6, ["data.latent_dim=6", "data.n_train=500", "model.latent_dim=32"]),
    "gaussian-n12-d256": (12, ["data.latent_dim=12", "data.data_dim=256", "model.latent_dim=24"]),
    "gaussian-n5-d32": (5, ["data.latent_dim=5", "data.data_dim=32", "data.hidden_dim=64", "model.latent_dim=16"]),
    "gaussian-n1-m8": (1, ["data.latent_dim=1", "model.latent_dim=8"]),
    "gaussian-n3-m3": (3, ["data.latent_dim=3", "model.latent_dim=3"]),
    "gaussian-n2-m64": (2, ["data.latent_dim=2", "model.latent_dim=64"]),
    "hypercube-n3-noise5": (3, ["data.kind=hypercube", "data.latent_dim=3", "data.noise=0.05", "model.latent_dim=32"]),
    "curved3-n5-train5000": (5, ["data.kind=curved3", "data.latent_dim=5", "data.n_train=5000", "model.latent_dim=32"]),
    "sphere-n4": (4, ["data.kind=sphere", "data.latent_dim=4", "model.latent_dim=32"]),
}
UNSUFFIXED = "inversion"  # the variant in runs/discovery/stress and results/discovery-stress
# case -> (true n, m, generator); seed 7 for the file cases (the file's rows from default_rng(7))
FILES = {
    "file-swiss-roll": (2, 8, _swiss_roll),
    "file-s-curve": (2, 8, _s_curve),
    "file-linear-n6-anisotropic": (6, 32, _linear(6, 64, 0.1)),
    "file-linear-n10-d20": (10, 32, _linear(10, 20, 1.0)),
    "file-tanh-n5-anisotropic": (5, 32, _tanh_anisotropic),
}


def write_files(folder: Path) -> dict[str, Path]:
    """The file cases' data, written once (same seed, same rows on every machine with the same numpy)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, (_, _, make) in FILES.items():
        paths[name] = folder / f"{name}.npy"
        if not paths[name].is_file():
            tmp = paths[name].with_suffix(".tmp.npy")
            np.save(tmp, make(np.random.default_rng(7)).astype(np.float32))
            tmp.replace(paths[name])
    return paths


def cases(runs: Path, extra: list[str]) -> dict[str, tuple[int, SweepSpec]]:
    """Case -> (n, sweep spec); `extra`: overrides added to every case (a variant's)."""
    out = {name: (n, SweepSpec(grid=[("seed", [6])], overrides=[*overrides, "data.seed=6", *extra]))
           for name, (n, overrides) in SYNTHETIC.items()}
    for name, path in write_files(runs / "data").items():
        n, m, _ = FILES[name]
        out[name] = (n, SweepSpec(grid=[("seed", [7])], overrides=["data.name=file", f"data.path={path.resolve()}",
                                                                   f"model.latent_dim={m}", *extra]))
    return out


def row(name: str, n: int, folder: Path, cache: dict, lock: threading.Lock) -> dict | None:
    runs = sorted(folder.glob("runs/*/summary.json"))
    if not runs:
        return None
    summary = json.loads(runs[0].read_text())
    cfg = saved_config_from_dict(json.loads((runs[0].parent / "config.json").read_text())["config"])
    record = summary["discovery"]
    candidate = record.get("candidate", record)
    s = shares(candidate["curve"])
    est = intrinsic_estimates(cfg.data, cache, lock, key=name)
    return {"case": name, "n": n, "m": cfg.model.latent_dim, "m_A": summary["active_dims"],
            "error": summary["active_dims"] - n,
            "provisional": record.get("provisional", {}).get("dimension"), "candidate": candidate["dimension"],
            "candidate_shares_pct_n-1..n+2": " ".join(f"{100 * v:.2f}" for v in s[max(0, n - 2):n + 2]),
            "seconds": summary["seconds"], **{key: round(est[key], 2) for key in ("twonn", "mle", "danco")},
            **descent_cells(record)}


def markdown(rows: list[dict], summary: dict, variant: str) -> str:
    keys = ["case", "n", "m", "m_A", "provisional", "candidate", "candidate_shares_pct_n-1..n+2", "twonn", "mle",
            "danco", "seconds"]
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(str(r[k]) for k in keys) + " |" for r in rows]
    f = summary[variant]
    seconds = "" if f["default_seconds"] is None else f"; median run {f['default_seconds']:.0f} s"
    lines += ["", f"Over the {f['runs_m_ge_n']} cases: exact_rate {f['exact_rate']:.3g}, within1_rate "
              f"{f['within1_rate']:.3g}, mae {f['mae']:.3g}, max_abs_err {f['max_abs_err']}; TwoNN, MLE, DANCo mae "
              f"{f['twonn_mae']:.3g}, {f['mle_mae']:.3g}, {f['danco_mae']:.3g}{seconds}."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="runs at once, one thread each (default 2)")
    parser.add_argument("--runs", default="runs/discovery/stress", help="sweep folders (checkpoints; not committed)")
    parser.add_argument("--collect-only", action="store_true", help="only collect what has finished")
    parser.add_argument("--variant", default="default", choices=[v for v in VARIANTS if runnable(v)],
                        help="a benchmark variant: its overrides on every case, RUNS-VARIANT, OUT-VARIANT")
    args = parser.parse_args()
    # the folders without a suffix hold the sixth default's runs, made (without overrides) while it was the preset;
    # its overrides now say what it was, so those finished runs are collected (--collect-only), not resumed
    plain = args.variant == UNSUFFIXED
    runs = Path(args.runs if plain else f"{args.runs}-{args.variant}")
    out = OUT if plain else OUT.with_name(f"{OUT.name}-{args.variant}")
    todo = cases(runs, VARIANTS[args.variant])
    if not args.collect_only:
        command = [sys.executable, *sys.argv]
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            for future in [pool.submit(run_sweep, spec, runs / name, 1, "local", None, command,
                                       lambda msg, tag=name: print(f"{tag}: {msg}", flush=True))
                           for name, (_, spec) in todo.items()]:
                future.result()
    out.mkdir(parents=True, exist_ok=True)
    cache_file = out / "intrinsic.json"
    cache = json.loads(cache_file.read_text()) if cache_file.is_file() else {}
    lock = threading.Lock()
    rows = [r for name, (n, _) in todo.items() if (r := row(name, n, runs / name, cache, lock)) is not None]
    # what the runs' own folders recorded: code version, packages and threads (one entry when all agree)
    made_with = {json.dumps({key: header[key] for key in ("git_commit", "git_dirty", "maskaae", "python", "packages",
                                                          "torch_threads")}, sort_keys=True)
                 for header in (json.loads(path.read_text()) for path in runs.glob("*/runs/*/config.json"))}
    cache_file.write_text(json.dumps(cache, indent=1, sort_keys=True) + "\n")
    write_csv(rows, out / "runs.csv")
    commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    summary = {"command": " ".join(["python", "experiments/discovery_stress.py", *sys.argv[1:]]), "git_commit": commit,
               "cases": len(todo), "finished": len(rows), "intrinsic_points": ID_POINTS,
               "runs_made_with": [json.loads(entry) for entry in sorted(made_with)], args.variant: figures(rows)}
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    (out / "summary.md").write_text(markdown(rows, summary, args.variant))
    print((out / "summary.md").read_text())


if __name__ == "__main__":
    main()
