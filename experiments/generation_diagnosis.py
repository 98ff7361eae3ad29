"""Where a model loses its FID: reconstructions (what its decoder can render), samples (its prior through the
decoder) and, for the MaskAAE family, decodes of a Gaussian mixture fitted to its active codes; the codes'
distance from N(0, I).

    OMP_NUM_THREADS=1 .venv/bin/python experiments/generation_diagnosis.py runs/SWEEP [--runs NAME ...]
        [--mixture maskaae wae-gan] [--n N]   # then: --collect results/SWEEP

For each finished run of the sweep folder (its checkpoint), at the run's own N (summary.json fid_samples):
- fid_samples: the run's recorded sample FID (evaluation's draw 0; checked against a fresh computation only
  through the same code path, so it is read, not recomputed);
- fid_reconstructions: D(E(x)) of the test images N..2N-1 against the first N (maskaae.evaluate FID_SOURCES);
- fid_mixture (models named by --mixture): decodes of a 10-component full-covariance Gaussian mixture fitted
  to the training codes' active dimensions (maskaae/sampling.py);
- gap = fid_samples - fid_reconstructions: what the prior (or the latent matching) costs;
- for a model with a mask, the active codes mu * E(x) of 2,000 test images: each dimension's mean, standard
  deviation, skewness and excess kurtosis, and the unbiased squared MMD (Gaussian kernel, median-distance
  bandwidth) against as many N(0, I) draws, beside its 95th percentile under the null (MMD between two
  independent N(0, I) sets, 20 repeats).
Each run's figures go to RUN/diagnosis.json as they are made (a stopped script continues where it stopped);
--collect writes diagnosis.csv and diagnosis.json into the results folder.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path

import numpy as np
import torch
from scipy import stats

from maskaae.evaluate import encode_all, image_fid
from maskaae.runs import load_run
from maskaae.data import load_data

CODE_SAMPLES = 2000
NULL_REPEATS = 20


def mmd2(x: np.ndarray, y: np.ndarray, bandwidth: float) -> float:
    """Unbiased squared MMD with the Gaussian kernel exp(-|a - b|^2 / (2 bandwidth^2))."""
    def k(a, b):
        d = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
        return np.exp(-np.maximum(d, 0) / (2 * bandwidth ** 2))
    n, m = len(x), len(y)
    kxx, kyy, kxy = k(x, x), k(y, y), k(x, y)
    return float((kxx.sum() - np.trace(kxx)) / (n * (n - 1)) + (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
                 - 2 * kxy.mean())


def code_statistics(model, test: torch.Tensor, threshold: float, seed: int) -> dict:
    codes = encode_all(model, test[:CODE_SAMPLES]).double().numpy()
    active = np.flatnonzero(np.asarray(model.mask) >= threshold)
    codes = codes[:, active] / np.asarray(model.mask)[active]  # E(x) on the active dimensions (mu ~ 1 there)
    rng = np.random.default_rng(seed)
    pooled = np.vstack([codes, rng.standard_normal(codes.shape)])
    sub = pooled[rng.choice(len(pooled), 1000, replace=False)]
    bandwidth = float(np.sqrt(np.median(((sub[:, None] - sub[None]) ** 2).sum(-1)[np.triu_indices(1000, 1)]) / 2))
    observed = mmd2(codes, rng.standard_normal(codes.shape), bandwidth)
    null = [mmd2(rng.standard_normal(codes.shape), rng.standard_normal(codes.shape), bandwidth)
            for _ in range(NULL_REPEATS)]
    return {"active": len(active), "mean": codes.mean(0).round(4).tolist(), "std": codes.std(0).round(4).tolist(),
            "skew": stats.skew(codes).round(3).tolist(), "kurtosis": stats.kurtosis(codes).round(3).tolist(),
            "mmd2": observed, "mmd2_null_95": float(np.quantile(null, 0.95)), "bandwidth": bandwidth}


def diagnose(run_dir: Path, mixture_models: set[str], n: int | None = None) -> dict:
    path = run_dir / "diagnosis.json"
    done = json.loads(path.read_text()) if path.is_file() else {}
    summary = json.loads((run_dir / "summary.json").read_text())
    cfg, model, test = load_run(run_dir)
    n = n or summary["fid_samples"]
    out = {"run": run_dir.name, "model": summary["model"], "latent_dim": summary.get("latent_dim"),
           "active_dims": summary.get("active_dims"), "steps": summary["steps"], "seconds": summary["seconds"],
           "fid_samples": summary.get("fid"), "n": n, **done}
    sources = ["reconstructions"] + (["mixture"] if summary["model"] in mixture_models else [])
    train = None
    for source in sources:
        if f"fid_{source}" in out:
            continue
        if source == "mixture" and train is None:
            train, _ = load_data(cfg.data)
        start = time.perf_counter()
        out[f"fid_{source}"] = image_fid(model, test, cfg, n, source=source, train=train)["fid"]
        out[f"{source}_seconds"] = round(time.perf_counter() - start, 1)
        path.write_text(json.dumps(out, indent=1))
        print(f"{run_dir.name}: FID of {source} {out[f'fid_{source}']:.2f}", flush=True)
    if model.mask_enabled and "codes" not in out:
        out["codes"] = code_statistics(model, test, cfg.eval.active_threshold, cfg.seed)
    out["gap"] = _gap(out)
    path.write_text(json.dumps(out, indent=1))
    return out


def _gap(row: dict) -> float | None:
    """Sample FID less reconstruction FID; None for a run without a sample FID (eval.fid_samples=0)."""
    return None if row["fid_samples"] is None else row["fid_samples"] - row["fid_reconstructions"]


def collect(sweep: Path, results: Path) -> None:
    rows = [json.loads(p.read_text()) for p in sorted((sweep / "runs").glob("*/diagnosis.json"))]
    rows = [{**r, "gap": _gap(r)} for r in rows if "fid_reconstructions" in r]
    results.mkdir(parents=True, exist_ok=True)
    (results / "diagnosis.json").write_text(json.dumps(rows, indent=1) + "\n")
    columns = ["model", "latent_dim", "active_dims", "steps", "seconds", "n", "fid_reconstructions", "fid_samples", "gap",
               "fid_mixture", "codes_mmd2", "codes_mmd2_null_95"]
    with (results / "diagnosis.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, columns, extrasaction="ignore")
        writer.writeheader()
        for r in rows:
            codes = r.get("codes", {})
            writer.writerow({**r, "codes_mmd2": codes.get("mmd2"), "codes_mmd2_null_95": codes.get("mmd2_null_95")})
    (results / "diagnosis.md").write_text(markdown(rows))


def markdown(rows: list[dict]) -> str:
    """The diagnosis table, best sample FID first."""
    def cell(value, digits=1):
        return "–" if value is None else f"{value:.{digits}f}"

    lines = ["| model | m | m_A | steps | training s | reconstructions | samples | gap | mixture samples |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: min(r["fid_samples"] or float("inf"), r.get("fid_mixture") or float("inf"),
                                            r["fid_reconstructions"])):
        lines.append(f"| {r['model']} | {r.get('latent_dim') or '–'} | "
                     f"{r['active_dims'] if r['active_dims'] is not None else '–'} | {r['steps']} | "
                     f"{r['seconds']:.0f} | {cell(r['fid_reconstructions'])} | {cell(r['fid_samples'])} | "
                     f"{cell(r['gap'])} | {cell(r.get('fid_mixture'))} |")
    codes = [r for r in rows if "codes" in r]
    for r in codes:
        c = r["codes"]
        lines += ["", f"{r['model']} ({r['run']}): its {c['active']} active codes on 2,000 test images, per dimension "
                      f"(mean; standard deviation; skewness; excess kurtosis):", ""]
        lines += [f"- {i + 1}: {m:+.3f}; {sd:.3f}; {sk:+.2f}; {ku:+.2f}"
                  for i, (m, sd, sk, ku) in enumerate(zip(c["mean"], c["std"], c["skew"], c["kurtosis"]))]
        lines += ["", f"Squared MMD against as many N(0, I) draws: {c['mmd2']:.4f} (two N(0, I) sets: 95th percentile "
                      f"{c['mmd2_null_95']:.4f} over {NULL_REPEATS} repeats; Gaussian kernel of width "
                      f"{c['bandwidth']:.2f})."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sweep", type=Path)
    parser.add_argument("--runs", nargs="*", help="run names (default: every finished run)")
    parser.add_argument("--mixture", nargs="*", default=["maskaae", "wae-gan"])
    parser.add_argument("--collect", type=Path, metavar="RESULTS")
    parser.add_argument("--n", type=int, help="FID sample size (default: the run's eval.fid_samples)")
    args = parser.parse_args()
    if args.collect:
        collect(args.sweep, args.collect)
        return
    torch.set_num_threads(1)
    names = args.runs or sorted(p.parent.name for p in (args.sweep / "runs").glob("*/summary.json"))
    for name in names:
        diagnose(args.sweep / "runs" / name, set(args.mixture), args.n)


if __name__ == "__main__":
    main()
