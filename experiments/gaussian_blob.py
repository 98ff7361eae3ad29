"""How data-space Frechet distance (FD) and precision/recall rate a moment-matched Gaussian on the synthetic data.

    OMP_NUM_THREADS=1 .venv/bin/python experiments/gaussian_blob.py

For the synthetic data of SPEC 6 (n = 8 and n = 16, data seed 0), N = 2,000 held-out test points (the same N as
the runs' evaluation) are compared with three "generators" that need no training:
    real      N other real points (from the training split): the best a generator can do
    gaussian  N draws from a Gaussian with the training split's mean and covariance (matches the first two
              moments exactly, ignores the data's n-dimensional manifold)
    noise     N draws from a standard normal in the 128-d data space (a bad generator, for scale)
Repeated over several draws; writes results/gaussian-blob/gaussian_blob.json.
"""

from __future__ import annotations

import json
import subprocess
from importlib.metadata import version
from pathlib import Path

import numpy as np

from maskaae.config import DataConfig
from maskaae.data import load_data
from maskaae.metrics import frechet_distance_samples, precision_recall

N, REPEATS = 2000, 5


def main() -> None:
    rows = []
    for n in (8, 16):
        train, test = (t.double().numpy() for t in load_data(DataConfig(name="synthetic", latent_dim=n)))
        mean, cov = train.mean(0), np.cov(train, rowvar=False)
        for r in range(REPEATS):
            rng = np.random.default_rng(r)
            real = test[rng.choice(len(test), N, replace=False)]
            candidates = {
                "real": train[rng.choice(len(train), N, replace=False)],
                "gaussian": rng.multivariate_normal(mean, cov, size=N),
                "noise": rng.standard_normal((N, train.shape[1])),
            }
            for name, fake in candidates.items():
                p, rec = precision_recall(real, fake, k=3)
                rows.append({"n": n, "repeat": r, "generator": name, "fd": frechet_distance_samples(real, fake),
                             "precision": p, "recall": rec})
    summary = {}
    for n in (8, 16):
        for name in ("real", "gaussian", "noise"):
            sel = [row for row in rows if row["n"] == n and row["generator"] == name]
            summary[f"n{n}-{name}"] = {k: {"mean": float(np.mean([s[k] for s in sel])),
                                           "min": float(np.min([s[k] for s in sel])),
                                           "max": float(np.max([s[k] for s in sel]))}
                                       for k in ("fd", "precision", "recall")}
            print(f"n={n:2d} {name:8s}", {k: round(v["mean"], 4) for k, v in summary[f'n{n}-{name}'].items()})
    commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    out = {"N": N, "repeats": REPEATS, "summary": summary, "rows": rows, "git_commit": commit,
           "versions": {p: version(p) for p in ["maskaae", "numpy", "torch"]},
           "command": "OMP_NUM_THREADS=1 .venv/bin/python experiments/gaussian_blob.py"}
    path = Path("results/gaussian-blob/gaussian_blob.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
