"""The OpenMP wait policy against load: library and reference iteration times (2 threads, batch 64) under
passive waiting and bounded spins, on an idle machine and beside a busy one-thread process (a float32 matmul
loop started by this script). Each cell runs bench_step.py in a fresh process, since libgomp reads the policy
only when torch loads. Writes benchmarks/results/wait_policy.json.

    python benchmarks/bench_wait_policy.py [--repeats 10]

Run it on an otherwise idle machine: the "busy" rows bring their own competitor.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
POLICIES = {"passive": {"OMP_WAIT_POLICY": "PASSIVE"}, "spin 1000": {"GOMP_SPINCOUNT": "1000"},
            "spin 10000": {"GOMP_SPINCOUNT": "10000"}}
COMPETITOR = "import torch\ntorch.set_num_threads(1)\na = torch.randn(512, 512)\nwhile True:\n    a @ a\n"


def run_cell(policy: dict[str, str], networks: list[str], repeats: int) -> list[dict]:
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "step.json"
        subprocess.run([sys.executable, str(HERE / "bench_step.py"), "--networks", *networks, "--batches", "64",
                        "--threads", "2", "--repeats", str(repeats), "--no-compile", "--out", str(out)],
                       check=True, env={**env, **policy}, stdout=subprocess.DEVNULL)
        return json.loads(out.read_text())["configs"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--networks", nargs="+", default=["mnist-paper", "mnist", "synthetic"])
    args = parser.parse_args()
    rows = []
    for load in ("idle", "busy"):
        competitor = None
        if load == "busy":
            competitor = subprocess.Popen([sys.executable, "-c", COMPETITOR],
                                          env={**os.environ, "OMP_NUM_THREADS": "1", "OMP_WAIT_POLICY": "PASSIVE"})
            time.sleep(2)
        try:
            for name, policy in POLICIES.items():
                for config in run_cell(policy, args.networks, args.repeats):
                    row = {"load": load, "policy": name, "network": config["network"],
                           "reference_ms": config["reference_ms"], "library_ms": config["library_ms"]}
                    rows.append(row)
                    print(json.dumps(row), flush=True)
        finally:
            if competitor is not None:
                competitor.kill()
    # Imported only now: bench_step chooses the wait policy in this process's environment.
    from bench_step import run_header

    result = {**run_header(), "threads": 2, "batch": 64, "repeats": args.repeats, "timing": "median over repeats",
              "rows": rows}
    (HERE / "results" / "wait_policy.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main()
