"""Does a trained model show the data's local dimension where the decision does not? The flat torus T^n answers
up to 2 n (a continuous code keeps each circle as two coordinates), though the torus is n-dimensional at every
point. This looks, without training, at two local signals on the run's kept code dimensions (the first m_A):

    OMP_NUM_THREADS=1 .venv/bin/python experiments/local_rank_probe.py GROUP_DIR [GROUP_DIR ...]
        --out results/local-rank-probe/local_rank.json

GROUP_DIR is a sweep folder of the discovery benchmark (runs/discovery/full/default/<group>, made by
experiments/discovery.py) whose runs keep their checkpoints. For each run, on POINTS test samples:
- the decoder's Jacobian dD/dz over the kept dimensions at each code: its singular values relative to the
  largest (median over the points), and how many exceed 0.1 and 0.2 of it (the decoder's local rank);
- the codes' local dimension: PCA of each point's NEIGHBOURS nearest codes among 2,000, the number of
  components that explain 95% of the neighbourhood's variance (median over the points).
If either read n on the torus and n on the other data, it could decide; it did not (experiments/README.md).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch
from sklearn.neighbors import NearestNeighbors
from torch.func import jacrev, vmap

from maskaae.runs import load_run

POINTS = 300
NEIGHBOURS = 40
CODES = 2000


def probe(run_dir: Path) -> dict:
    cfg, model, test = load_run(run_dir)
    k = int(json.loads((run_dir / "summary.json").read_text())["discovery"]["dimension"])
    m = cfg.model.latent_dim
    with torch.no_grad():
        codes = model.encode(test[:CODES])[:, :k]

    def decode_kept(kept: torch.Tensor) -> torch.Tensor:
        return model.decode(torch.cat([kept, torch.zeros(m - k)])[None])[0].reshape(-1)

    singular = torch.linalg.svdvals(vmap(jacrev(decode_kept))(codes[:POINTS])).detach().numpy()
    relative = singular / singular[:, :1]
    near = NearestNeighbors(n_neighbors=NEIGHBOURS).fit(codes.numpy()).kneighbors(codes[:POINTS].numpy(),
                                                                                   return_distance=False)
    spectra = np.array([np.sort(np.linalg.eigvalsh(np.atleast_2d(np.cov(codes.numpy()[i].T))))[::-1] for i in near])
    explained = np.cumsum(spectra / spectra.sum(1, keepdims=True), 1)
    return {"run": run_dir.as_posix(), "kind": cfg.data.kind, "n": cfg.data.latent_dim, "m": m,
            "noise": cfg.data.noise, "m_A": k,
            "decoder_relative_singular_values": [round(float(v), 4) for v in np.median(relative, 0)],
            "decoder_rank_0.1": float(np.median((relative > 0.1).sum(1))),
            "decoder_rank_0.2": float(np.median((relative > 0.2).sum(1))),
            "code_local_dimension_95": float(np.median((explained < 0.95).sum(1) + 1))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("groups", nargs="+", type=Path, metavar="GROUP_DIR")
    parser.add_argument("--out", type=Path, required=True, help="the JSON file to write")
    args = parser.parse_args()
    torch.set_num_threads(1)
    out = []
    for group in args.groups:
        for summary in sorted(group.glob("runs/*/summary.json")):
            out.append(probe(summary.parent))
            r = out[-1]
            print(f"{r['kind']} n={r['n']} m={r['m']} noise={r['noise']}: m_A {r['m_A']}, decoder rank "
                  f"{r['decoder_rank_0.1']:g} / {r['decoder_rank_0.2']:g}, code local dimension "
                  f"{r['code_local_dimension_95']:g}", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
