"""One PNG of every run's samples, side by side, so that a reader can look at a table's rows (issue 35 item 5).

    .venv/bin/python experiments/sample_grids.py runs/table1-mnist-equal [runs/OTHER ...] --out results/X/samples.png

Each panel is a run folder's own samples.png (written by the run at its end: x = D(mu * z), z ~ N(0, I) for the
MaskAAE family, or its mixture with model.sampler=mixture; each family's own sampler otherwise), titled with the
run's model, its FID and N from summary.json; panels in the order of FID, best first.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib.image
from matplotlib.figure import Figure

COLUMNS = 3


def panels(folders: list[Path]) -> list[tuple[str, Path, float]]:
    out = []
    for folder in folders:
        for run in sorted((folder / "runs").glob("*/samples.png")):
            s = json.loads((run.parent / "summary.json").read_text())
            label = s["model"] + (f", m_A {s['active_dims']}" if s.get("active_dims") is not None else "")
            title = f"{label}\n{run.parent.name}\nFID {s['fid']:.1f} (N = {s['fid_samples']:,})"
            out.append((title, run, s["fid"]))
    return sorted(out, key=lambda p: p[2])


def compose(items: list[tuple[str, Path, float]], out: Path) -> None:
    rows = -(-len(items) // COLUMNS)
    fig = Figure(figsize=(COLUMNS * 4.2, rows * 4.6))
    for i, (title, path, _) in enumerate(items):
        ax = fig.add_subplot(rows, COLUMNS, i + 1)
        ax.imshow(matplotlib.image.imread(path))
        ax.set_title(title, fontsize=8)
        ax.axis("off")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=80)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path, help="sweep folders (their runs/*/samples.png)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    items = panels(args.folders)
    compose(items, args.out)
    print(f"{len(items)} panels -> {args.out}")


if __name__ == "__main__":
    main()
