"""Time one full training iteration (AE step, disc_training_ratio critic steps, generator step, mask step):
the textbook reference (reference_step.py) against the library's Trainer.iteration, beside the machine's
peak float32 matmul rate. Writes benchmarks/results/step.json.

    python benchmarks/bench_step.py [--repeats 10] [--quick]

Run it on a quiet machine; two-thread figures suffer badly from any other load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

from maskaae import Trainer, build_config, build_model  # noqa: E402
from maskaae.runs import provenance  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference_step import reference_iteration  # noqa: E402

NETWORKS = {
    # name: (data dim, config overrides)
    "mnist-paper": (784, ["model.width=1024", "model.depth=4", "model.latent_dim=64", "model.output=sigmoid",
                          "loss.recon=bce"]),
    "synthetic-paper": (128, ["model.width=1000", "model.depth=5", "model.latent_dim=32"]),
    "synthetic": (128, []),
}


def peak_gflops(threads: int, n: int = 2048, repeats: int = 10) -> float:
    torch.set_num_threads(threads)
    a, b = torch.randn(n, n), torch.randn(n, n)
    for _ in range(3):
        a @ b
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t)
    return 2 * n**3 / best / 1e9


def make_trainer(network: str, batch: int, seed: int = 0) -> Trainer:
    data_dim, overrides = NETWORKS[network]
    cfg = build_config("synthetic", overrides=overrides + [f"train.batch_size={batch}", "train.disc_training_ratio=5",
                                                           f"seed={seed}"])
    data = torch.rand(4096, data_dim)
    return Trainer(build_model(cfg, (data_dim,)), data, cfg)


def time_iterations(run, trainer: Trainer, repeats: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        run(trainer)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        run(trainer)
        times.append(time.perf_counter() - t)
    return times


def count_flops(trainer: Trainer) -> int:
    with FlopCounterMode(display=False) as counter:
        trainer.iteration()
    return int(counter.get_total_flops())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--networks", nargs="+", default=list(NETWORKS), choices=list(NETWORKS))
    parser.add_argument("--batches", nargs="+", type=int, default=[64, 256])
    parser.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "step.json"))
    args = parser.parse_args()

    configs = []
    for threads in args.threads:
        peak = peak_gflops(threads)
        for network in args.networks:
            for batch in args.batches:
                torch.set_num_threads(threads)
                flops = count_flops(make_trainer(network, batch))
                ref = time_iterations(reference_iteration, make_trainer(network, batch), args.repeats)
                lib = time_iterations(Trainer.iteration, make_trainer(network, batch), args.repeats)
                lib_med, ref_med = statistics.median(lib), statistics.median(ref)
                row = {
                    "network": network, "batch": batch, "threads": threads, "disc_training_ratio": 5,
                    "peak_gflops": round(peak, 1),
                    "reference_ms": round(ref_med * 1e3, 2), "reference_ms_min": round(min(ref) * 1e3, 2),
                    "library_ms": round(lib_med * 1e3, 2), "library_ms_min": round(min(lib) * 1e3, 2),
                    "speedup": round(ref_med / lib_med, 3),
                    "flops_per_iteration": flops,
                    "library_gflops": round(flops / lib_med / 1e9, 1),
                    "fraction_of_peak": round(flops / lib_med / 1e9 / peak, 3),
                    "samples_per_s": round(batch * 8 / lib_med, 1),  # 8 fresh batches per iteration
                    "repeats": args.repeats,
                }
                configs.append(row)
                print(json.dumps(row), flush=True)
    info = provenance()
    result = {"command": " ".join(["python", *sys.argv]), "date": time.strftime("%Y-%m-%d"),
              "cpu": _cpu_model(), "machine": platform.machine(), "timing": "median and min over repeats",
              "versions": info["packages"], "git_commit": info["git_commit"], "configs": configs}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


if __name__ == "__main__":
    main()
