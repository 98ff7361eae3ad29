"""A report's data: the rows of one or more sweeps' results.csv, grouped into panels and aggregated over seeds.

Nothing here draws or writes: figures.py and markdown.py turn panels into PNGs and Markdown.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..results import FD, FID, FID_SAMPLES, FIXED_COLUMNS, LATENT_DIM, MODEL, RUN, STATUS, TEXT_COLUMNS, TRUE_N
from ..runs import RunError
from ..sweep import base_differences, load_spec

MODELS = (("wae-gan", "WAE-GAN"), ("maskaae", "MaskAAE"))
RUN_DIR = "_run_dir"  # key a row gets in read_sweeps: the row's run folder (not a results.csv column)
# Axes every report handles itself: n splits figures, m is the x axis, the mask picks the model, seeds aggregate.
OWN_AXES = {"data.latent_dim", "model.latent_dim", "model.mask", "seed", "data.seed"}


class ReportError(RunError):
    """A sweep folder has nothing to report on."""


def _parse(column: str, text: str) -> Any:
    if text == "":
        return None
    if column in TEXT_COLUMNS:
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def read_results(path: str | Path) -> tuple[list[str], list[dict[str, Any]]]:
    """(columns, rows) of a results.csv, numbers and true/false parsed."""
    path = Path(path)
    if not path.is_file():
        raise ReportError(f"{path} does not exist; run maskaae sweep --out {path.parent} first")
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        rows = []
        for row in reader:
            if None in row or None in row.values():  # more or fewer fields than the header
                raise ReportError(f"{path} line {reader.line_num}: the row does not have the header's "
                                  f"{len(reader.fieldnames or [])} fields; the file is damaged - run the "
                                  f"sweep's command again (maskaae sweep --out {path.parent}) to rewrite it")
            rows.append({k: _parse(k, v) for k, v in row.items()})
        return list(reader.fieldnames or []), rows


def read_sweeps(sweep_dirs: list[Path]) -> tuple[list[str], list[dict[str, Any]]]:
    """(columns, rows) of one or more sweep folders, each row with its run folder under RUN_DIR."""
    for sweep_dir in sweep_dirs:
        if not sweep_dir.is_dir():
            raise ReportError(f"{sweep_dir} does not exist; pass the --out folder of a maskaae sweep")
    grid_keys: list[str] = []
    if len(sweep_dirs) > 1:
        specs = [load_spec(sweep_dir) for sweep_dir in sweep_dirs]
        for sweep_dir, spec in zip(sweep_dirs[1:], specs[1:]):
            diff = base_differences(specs[0], spec)
            if diff:
                raise ReportError(f"{sweep_dir} and {sweep_dirs[0]} are different sweeps: " + "; ".join(diff)
                                  + ". One report joins sweeps that differ only in grid values; "
                                  "report these separately")
        grid_keys = [key for key, _ in specs[0].grid]
    columns: list[str] = []
    rows: list[dict[str, Any]] = []
    seen: dict[str, Path] = {}
    for sweep_dir in sweep_dirs:
        cols, found = read_results(sweep_dir / "results.csv")
        columns += [c for c in cols if c not in columns]
        for row in found:
            row[RUN_DIR] = sweep_dir / "runs" / str(row[RUN])
            if grid_keys:  # several folders: no grid point twice
                point = json.dumps([row.get(key) for key in grid_keys])
                if point in seen:
                    raise ReportError(f"grid point {row[RUN]} is in both {seen[point]} and {sweep_dir}; a "
                                      "report counts each point once, so pass only one of the folders that hold it")
                seen[point] = sweep_dir
            rows.append(row)
    return columns, rows


def stats(values: list[Any]) -> dict[str, float] | None:
    """Median, min and max of the non-missing values (None when there are none)."""
    arr = np.array([float(v) for v in values if v is not None], dtype=float)
    if arr.size == 0:
        return None
    return {"median": float(np.median(arr)), "min": float(arr.min()), "max": float(arr.max()), "count": int(arr.size)}


@dataclass
class Panel:
    """Runs that share n and every other grid axis; within it, model x m x seeds."""

    n: Any
    variant: tuple[tuple[str, Any], ...]
    rows: list[dict[str, Any]]

    @property
    def synthetic(self) -> bool:
        return self.n not in (None, "")

    @property
    def title(self) -> str:
        parts = [f"n = {self.n}" if self.synthetic else "image data"]
        return ", ".join(parts + [f"{key} = {value}" for key, value in self.variant])

    @property
    def slug(self) -> str:
        parts = [f"n{self.n}" if self.synthetic else "images"]
        parts += [f"{key.split('.')[-1]}-{value}" for key, value in self.variant]
        return re.sub(r"[^A-Za-z0-9.+=-]", "_", "_".join(parts))

    def ms(self) -> list[Any]:
        return sorted({r[LATENT_DIM] for r in self.rows if r.get(LATENT_DIM) is not None})

    def select(self, model: str, m: Any, done_only: bool = True) -> list[dict[str, Any]]:
        return [r for r in self.rows if r[MODEL] == model and r[LATENT_DIM] == m
                and (r[STATUS] == "done" or not done_only)]

    def quality_key(self) -> tuple[str, str]:
        """FID where the runs measured it (image data), else the data-space FD."""
        fid = [r for r in self.rows if r[STATUS] == "done" and r.get(FID) is not None]
        if fid:
            sizes = sorted({r.get(FID_SAMPLES) for r in fid if r.get(FID_SAMPLES) is not None})
            return FID, f"FID (N = {', '.join(map(str, sizes))})" if sizes else "FID"
        return FD, "FD (data space)"


def panels(columns: list[str], rows: list[dict[str, Any]]) -> list[Panel]:
    variant_keys = [c for c in columns if c not in FIXED_COLUMNS and c not in OWN_AXES]
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for row in rows:
        key = (row.get(TRUE_N), tuple((k, row.get(k)) for k in variant_keys))
        groups.setdefault(key, []).append(row)
    return [Panel(n, variant, group) for (n, variant), group in
            sorted(groups.items(), key=lambda item: json.dumps(item[0], default=str))]


def aggregate(panel: Panel, key: str) -> dict[tuple[str, Any], dict[str, float] | None]:
    """(model, m) -> stats of `key` over the finished runs (seeds)."""
    return {(model, m): stats([r.get(key) for r in panel.select(model, m)])
            for model, _ in MODELS for m in panel.ms()}
