"""FID evaluation speed: Inception-v3 feature extraction (images/s) and the Frechet distance at 2048-d.
Writes benchmarks/results/fid.json.

    python benchmarks/bench_fid.py [--images 100]

"reference" is the straightforward extraction: the TorchScript module called in batches of 50 with
autograd on (no inference mode), default threads. "library" is maskaae.metrics.InceptionFeatures
(inference mode) at the batch size and thread count given per row. Run on a quiet machine. The OpenMP wait
policy is what the `maskaae` command would choose (maskaae/openmp.py, called below before torch loads)
unless set in the environment; it is recorded.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from maskaae.openmp import choose_wait_policy, describe as openmp_wait

choose_wait_policy()  # first, before torch loads, as the maskaae command does

import numpy as np  # noqa: E402
import scipy.linalg  # noqa: E402
import torch  # noqa: E402

from maskaae.metrics.frechet import frechet_distance  # noqa: E402
from maskaae.metrics.inception import InceptionFeatures, inception_preprocess  # noqa: E402
from maskaae.runrecord import provenance  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_step import run_header  # noqa: E402


def reference_rate(extractor: InceptionFeatures, images: torch.Tensor, threads: int) -> float:
    torch.set_num_threads(threads)
    model = extractor.model
    model(inception_preprocess(images[:2]))  # warm-up
    start = time.perf_counter()
    for i in range(0, len(images), 50):
        model(inception_preprocess(images[i:i + 50])).detach()
    return len(images) / (time.perf_counter() - start)


def library_rate(extractor: InceptionFeatures, images: torch.Tensor, threads: int, batch: int) -> float:
    torch.set_num_threads(threads)
    extractor.batch_size = batch
    extractor(images[:2])  # warm-up
    start = time.perf_counter()
    extractor(images)
    return len(images) / (time.perf_counter() - start)


def frechet_times(dim: int = 2048, seed: int = 0) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(dim + 500, dim)), rng.normal(size=(dim + 500, dim)) * 1.1
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    mu = np.zeros(dim)
    start = time.perf_counter()
    fd = frechet_distance(mu, s1, mu, s2)
    eig_s = time.perf_counter() - start
    start = time.perf_counter()
    covmean = scipy.linalg.sqrtm(s1 @ s2)
    fd_sqrtm = float(np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean.real))
    sqrtm_s = time.perf_counter() - start
    return {"frechet_2048_s": round(eig_s, 3), "scipy_sqrtm_2048_s": round(sqrtm_s, 3),
            "frechet_relative_difference": abs(fd - fd_sqrtm) / abs(fd_sqrtm)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=100, help="images per measurement")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "fid.json"))
    args = parser.parse_args()
    images = torch.rand(args.images, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    extractor = InceptionFeatures()
    rows = []
    for threads in (1, 2):
        ref = reference_rate(extractor, images, threads)
        for batch in (10, 50, 100):
            rate = library_rate(extractor, images, threads, batch)
            rows.append({"threads": threads, "batch": batch, "images_per_s": round(rate, 2),
                         "reference_images_per_s": round(ref, 2)})
            print(json.dumps(rows[-1]), flush=True)
    best = max(rows, key=lambda r: r["images_per_s"])
    torch.set_num_threads(2)
    result = {**run_header(), "images_per_measurement": args.images, "repeats": 1,
              "images_per_s": best["images_per_s"], "best": best,
              "reference_images_per_s": max(r["reference_images_per_s"] for r in rows if r["threads"] == 2),
              "rows": rows, **frechet_times(), "git_commit": provenance()["git_commit"],
              "openmp_wait": openmp_wait()}
    print(json.dumps({k: v for k, v in result.items() if k != "rows"}))
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
