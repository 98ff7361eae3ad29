"""The one prepared script for a machine with a GPU (issue 32): the GPU tests, training throughput of every
paper preset on the device beside the same code on 2 CPU threads, Inception images per second, and as many
steps of the mnist-paper MaskAAE run as fit in RUN_SECONDS, then its FID at N = 10,000; on CUDA, each preset's
throughput in train.precision tf32 and bf16 too. Writes
benchmarks/results/device.json.

    python benchmarks/device_check.py [--device cuda] [--run-seconds 240] [--out benchmarks/results/device.json]
    python benchmarks/device_check.py --device cpu --quick --out /tmp/device.json   # the script itself, on a CPU

Throughput is timed on random tensors of each preset's data shape (the step's cost does not depend on the
pixel values), after WARMUP steps, with the device synchronised before each clock reading. The mnist-paper run
needs MNIST under $MASKAAE_DATA (maskaae data get mnist where a registry is reachable; carry the folder to a
machine without one); without it that part is skipped and says so.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

from maskaae.device import describe_device, resolve_device
from maskaae.models import family
from maskaae.presets import build_config
from maskaae.runs import evaluate_run, provenance, train_run

ROOT = Path(__file__).resolve().parents[1]
PRESETS = {"mnist-paper": (1, 28, 28), "fashion-paper": (1, 28, 28), "cifar10": (3, 32, 32), "celeba": (3, 64, 64)}
WARMUP = 5
PRECISIONS = ("tf32", "bf16")  # timed beside float32 on a CUDA device
CPU_THREADS = 2  # the development machine's CPU, for the speed-up


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def steps_per_second(preset: str, device_name: str, steps: int, precision: str = "float32") -> float:
    """Training iterations per second of `preset`'s model on random data of its shape, in train.precision."""
    cfg = build_config(preset, overrides=[f"train.device={device_name}", "train.steps=1000000",
                                          f"train.precision={precision}"])
    kind = family(cfg.model.kind)
    data = torch.rand(max(1024, cfg.train.batch_size), *PRESETS[preset])
    trainer = kind.Trainer(kind.build_model(cfg, tuple(data.shape[1:])), data, cfg)
    trainer.run(WARMUP)
    sync(trainer.device)
    start = time.perf_counter()
    trainer.run(WARMUP + steps)
    sync(trainer.device)
    return steps / (time.perf_counter() - start)


def inception_rate(device: torch.device, images: int) -> float:
    from maskaae.metrics.inception import InceptionFeatures

    features = InceptionFeatures(batch_size=100 if device.type == "cuda" else 10, device=device)
    x = torch.rand(images, 1, 28, 28)
    features(x[:20])
    sync(device)
    start = time.perf_counter()
    features(x)
    sync(device)
    return images / (time.perf_counter() - start)


def gpu_tests() -> dict:
    done = subprocess.run([sys.executable, "-m", "pytest", "-m", "gpu", "-q", "-rs", "-p", "no:cacheprovider"],
                          cwd=ROOT, capture_output=True, text=True)
    return {"returncode": done.returncode, "tail": done.stdout.strip().splitlines()[-3:]}


def mnist_run(device_name: str, rate: float, seconds: float, fid_samples: int) -> dict:
    from maskaae.data.fetch import default_data_root

    if not (default_data_root() / "mnist").is_dir():
        return {"skipped": f"no MNIST under {default_data_root()}: set MASKAAE_DATA to a folder holding mnist/"}
    steps = max(10, int(rate * seconds) // 10 * 10)
    cfg = build_config("mnist-paper", overrides=[f"train.device={device_name}", f"train.steps={steps}",
                                                 "train.eval_every=1000000", "train.checkpoint_every=1000000",
                                                 "eval.fid_samples=0"])
    with tempfile.TemporaryDirectory() as folder:
        summary = train_run(cfg, Path(folder) / "run", quiet=True)
        start = time.perf_counter()
        fid = evaluate_run(Path(folder) / "run", fid_samples)
        fid_seconds = time.perf_counter() - start
    return {"steps": steps, "seconds": summary["seconds"], "steps_per_s": steps / summary["seconds"],
            "active_dims": summary["active_dims"], "fid": fid.get("fid"), "fid_samples": fid_samples,
            "fid_seconds": round(fid_seconds, 1),
            "projected_500k_minutes": round(500000 / (steps / summary["seconds"]) / 60, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--run-seconds", type=float, default=240)
    parser.add_argument("--quick", action="store_true", help="few steps and images: checks the script itself")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "device.json")
    args = parser.parse_args()
    device = resolve_device(args.device)
    steps, cpu_steps, images = (3, 2, 20) if args.quick else (200, 10, 2000)
    out: dict = {"command": " ".join(sys.argv), "device": describe_device(device), **provenance(), "presets": {}}
    out["gpu_tests"] = gpu_tests() if device.type == "cuda" else {"skipped": "not a CUDA device"}
    for preset in PRESETS:
        on_device = steps_per_second(preset, args.device, steps)
        torch.set_num_threads(CPU_THREADS)
        on_cpu = steps_per_second(preset, "cpu", cpu_steps)
        out["presets"][preset] = {"steps_per_s": round(on_device, 2), "cpu_steps_per_s": round(on_cpu, 3),
                                  "cpu_threads": CPU_THREADS, "speedup": round(on_device / on_cpu, 1),
                                  "projected_500k_minutes": round(500000 / on_device / 60, 1)}
        if device.type == "cuda":  # train.precision: what TF32 and bf16 autocast buy over float32
            for precision in PRECISIONS:
                rate = steps_per_second(preset, args.device, steps, precision)
                out["presets"][preset][f"{precision}_steps_per_s"] = round(rate, 2)
                out["presets"][preset][f"{precision}_over_float32"] = round(rate / on_device, 2)
        print(preset, out["presets"][preset], flush=True)
    out["inception_images_per_s"] = round(inception_rate(device, images), 1)
    print("inception", out["inception_images_per_s"], flush=True)
    out["mnist_paper_run"] = mnist_run(args.device, out["presets"]["mnist-paper"]["steps_per_s"],
                                       3 if args.quick else args.run_seconds, 20 if args.quick else 10000)
    print("mnist-paper run", out["mnist_paper_run"], flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
