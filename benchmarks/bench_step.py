"""Time one full training iteration (AE step, disc_training_ratio critic steps, generator step, mask step):
the textbook reference (reference_step.py) against the library's Trainer.iteration, eager and with
train.compile, beside the machine's peak float32 matmul rate and the time the iteration's own matrix
products take alone. Writes benchmarks/results/step.json.

    python benchmarks/bench_step.py [--repeats 10] [--networks ...] [--no-compile]

Run it on a quiet machine; two-thread figures suffer badly from any other load. The OpenMP wait policy is
what the `maskaae` command would choose (maskaae/openmp.py, called below before torch loads) unless
OMP_WAIT_POLICY or GOMP_SPINCOUNT is set; it is recorded in the output, and the reference and the library
always run under the same one.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

from maskaae.openmp import choose_wait_policy, describe as openmp_wait

choose_wait_policy()  # first, before torch loads, as the maskaae command does

from maskaae import Trainer, build_config, build_model  # noqa: E402
from maskaae.runrecord import provenance  # noqa: E402

import torch  # noqa: E402
from torch.utils._python_dispatch import TorchDispatchMode  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference_step import reference_iteration  # noqa: E402

NETWORKS = {
    # name: (data dim, config overrides)
    "mnist-paper": (784, ["model.width=1024", "model.depth=4", "model.latent_dim=64", "model.output=sigmoid",
                          "loss.recon=bce"]),
    "synthetic-paper": (128, ["model.width=1000", "model.depth=5", "model.latent_dim=32"]),
    "synthetic": (128, []),
    "mnist": (784, ["model.width=512", "model.depth=3", "model.latent_dim=64", "model.output=sigmoid",
                    "loss.recon=bce"]),
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


def make_trainer(network: str, batch: int, seed: int = 0, compile: bool = False) -> Trainer:
    data_dim, overrides = NETWORKS[network]
    cfg = build_config("synthetic", overrides=overrides + [f"train.batch_size={batch}", "train.disc_training_ratio=5",
                                                           "model.discovery=paper", f"seed={seed}",
                                                           f"train.compile={str(compile).lower()}",
                                                           "train.mask_warmup_steps=0"])
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


class _RecordMatmuls(TorchDispatchMode):
    """Records the shapes and strides of every matrix product an iteration runs."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple] = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        if func in (torch.ops.aten.mm.default, torch.ops.aten.addmm.default):
            tensors = [a for a in args if isinstance(a, torch.Tensor)]
            self.calls.append((func, [(t.shape, t.stride()) for t in tensors]))
        return func(*args, **(kwargs or {}))


def matmul_only_ms(trainer: Trainer, repeats: int) -> float:
    """Median ms of the iteration's matrix products alone, back to back on random operands of the same
    shapes and strides: what the iteration would take if nothing but its matmuls cost time."""
    with _RecordMatmuls() as rec:
        trainer.iteration()
    calls = [(func, [torch.empty_strided(shape, stride).normal_() for shape, stride in specs])
             for func, specs in rec.calls]

    def run(_: object) -> None:
        for func, operands in calls:
            func(*operands)

    return statistics.median(time_iterations(run, None, repeats)) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--networks", nargs="+", default=list(NETWORKS), choices=list(NETWORKS))
    parser.add_argument("--batches", nargs="+", type=int, default=[64, 256])
    parser.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--no-compile", dest="compile", action="store_false",
                        help="skip the train.compile variant (its first iterations compile for 15-70 s)")
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
                mm_ms = matmul_only_ms(make_trainer(network, batch), args.repeats)
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
                    "matmul_only_ms": round(mm_ms, 2),
                    "matmul_only_fraction_of_peak": round(flops / mm_ms / 1e6 / peak, 3),
                    "repeats": args.repeats,
                    "openmp_wait": openmp_wait(),
                }
                if args.compile:
                    trainer = make_trainer(network, batch, compile=True)
                    t = time.perf_counter()
                    trainer.iteration()
                    first = time.perf_counter() - t
                    comp = statistics.median(time_iterations(Trainer.iteration, trainer, args.repeats))
                    row.update({"library_compiled_ms": round(comp * 1e3, 2),
                                "compile_s": round(first - comp, 1),
                                "speedup_compiled": round(ref_med / comp, 3),
                                "fraction_of_peak_compiled": round(flops / comp / 1e9 / peak, 3)})
                configs.append(row)
                print(json.dumps(row), flush=True)
    info = provenance()
    result = {**run_header(), "openmp_wait": openmp_wait(), "machine": platform.machine(),
              "timing": "median and min over repeats",
              "versions": info["packages"], "git_commit": info["git_commit"], "configs": configs}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")


def run_header() -> dict:
    """What every benchmark result file starts with: the command line, the date and the CPU model."""
    return {"command": " ".join(["python", *sys.argv]), "date": time.strftime("%Y-%m-%d"), "cpu": _cpu_model()}


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
