"""How much does an image run's FID at N = 2,000 move with the draw of its generated images alone? No training:
each run's checkpoint generates N images from DRAWS generator seeds, scored against the same N test images.

    OMP_NUM_THREADS=1 .venv/bin/python experiments/fid_noise.py RUN_DIR [RUN_DIR ...] [--draws 5]
        --out results/fid-noise/fid_noise.json

Draw 0 is the generator seed evaluation uses (maskaae/evaluate.image_fid's draw 0), so it must give the FID the run
recorded in its summary.json; the script stops if it does not. The other draws use the next seeds. Written per
run: every draw's FID, their mean, standard deviation (n - 1) and range, and the seconds per evaluation.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import torch

from maskaae.evaluate import image_fid
from maskaae.runs import load_run


def draws_fid(run_dir: Path, draws: int) -> dict:
    """The run's FID over `draws` generated sets (draw 0: evaluation's own seed)."""
    cfg, model, test = load_run(run_dir)
    recorded = json.loads((run_dir / "summary.json").read_text())
    n = recorded["fid_samples"]
    fids, seconds = [], []
    for draw in range(draws):
        start = time.perf_counter()
        with torch.inference_mode():
            fids.append(image_fid(model, test, cfg, n, draw)["fid"])
        seconds.append(time.perf_counter() - start)
        if draw == 0 and abs(fids[0] - recorded["fid"]) > 1e-3 * max(1.0, abs(recorded["fid"])):
            raise SystemExit(f"{run_dir}: draw 0 gives FID {fids[0]:.4f}, the run recorded {recorded['fid']:.4f}; "
                             "the evaluation is not reproduced, so the other draws would not measure its noise")
        print(f"{run_dir.name} draw {draw}: FID {fids[-1]:.3f} ({seconds[-1]:.0f} s)", flush=True)
    return {"run": run_dir.as_posix(), "m": cfg.model.latent_dim, "seed": cfg.seed, "m_A": recorded["active_dims"],
            "fid_samples": n, "recorded_fid": recorded["fid"], "fids": fids, "mean": statistics.mean(fids),
            "sd": statistics.stdev(fids), "range": max(fids) - min(fids),
            "seconds_per_draw": statistics.median(seconds), "torch_threads": torch.get_num_threads()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", type=Path, metavar="RUN_DIR")
    parser.add_argument("--draws", type=int, default=5, help="generated sets per run (default 5; at least 2)")
    parser.add_argument("--out", type=Path, required=True, help="the JSON file to write")
    args = parser.parse_args()
    if args.draws < 2:
        parser.error("--draws must be at least 2 (a spread needs two draws)")
    out = []
    for run in args.runs:
        out.append(draws_fid(run, args.draws))
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(out, indent=2) + "\n")  # after each run: a stopped script keeps the rest
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
