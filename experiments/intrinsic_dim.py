"""Intrinsic-dimension estimates (scikit-dimension's TwoNN and MLE) on the data MaskAAE is trained on,
to set beside the learned m_A (issue: reproduction, Table 2).

    .venv/bin/pip install -e '.[intrinsic]'
    OMP_NUM_THREADS=1 .venv/bin/python experiments/intrinsic_dim.py --out results/intrinsic-dim/intrinsic_dim.json

Each estimate uses the first N training points (N = 5,000 by default) of the same data the runs use: the
synthetic data of SPEC 6 (seed 0) for n = 8 and n = 16, and the MNIST and Fashion-MNIST training images when
their files are present (`maskaae data get mnist`, `maskaae data get fashion-mnist`).
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import time
from importlib.metadata import version
from pathlib import Path

import skdim

from maskaae.config import DataConfig
from maskaae.data import DataError, load_data

DATA = {
    "synthetic-n8": DataConfig(name="synthetic", latent_dim=8),
    "synthetic-n16": DataConfig(name="synthetic", latent_dim=16),
    "mnist": DataConfig(name="mnist"),
    "fashion-mnist": DataConfig(name="fashion-mnist"),
}
ESTIMATORS = {"twonn": skdim.id.TwoNN, "mle": skdim.id.MLE}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=5000, help="points per estimate (default 5000)")
    parser.add_argument("--out", default="results/intrinsic-dim/intrinsic_dim.json")
    args = parser.parse_args()
    rows = []
    for name, cfg in DATA.items():
        try:
            train, _ = load_data(cfg)
        except DataError as err:
            print(f"{name}: skipped ({err})")
            continue
        x = train[: args.n].flatten(1).double().numpy()
        for est_name, est in ESTIMATORS.items():
            t0 = time.perf_counter()
            dim = float(est().fit(x).dimension_)
            rows.append({"data": name, "true_dim": cfg.latent_dim if cfg.name == "synthetic" else None,
                         "estimator": est_name, "dimension": round(dim, 3), "points": len(x),
                         "seconds": round(time.perf_counter() - t0, 2)})
            print(rows[-1])
    commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    out = {"rows": rows, "versions": {p: version(p) for p in ["maskaae", "scikit-dimension", "numpy", "torch"]},
           "python": platform.python_version(), "git_commit": commit,
           "command": (".venv/bin/pip install -e '.[intrinsic]' && "
                       "OMP_NUM_THREADS=1 .venv/bin/python experiments/intrinsic_dim.py")}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
