"""A sweep's grid: the axis syntax of --grid, the folder names of its points, and the model axis.

`parse_axis` reads one --grid axis (an integer range a:b:step or a comma list), `point_names` names every
point of the product of the axes, and `grid_overrides` turns one point's values into config overrides (the
axis `model` takes model names, each setting model.kind and model.mask).
"""

from __future__ import annotations

import json
import re
from itertools import product
from typing import Any

from .config import ConfigError
from .overrides import parse_value
from .executors import SweepError
from .models import MODEL_CHOICES

_RANGE = re.compile(r"^\s*(-?\d+)\s*:\s*(-?\d+)\s*:\s*(-?\d+)\s*$")


def parse_axis(text: str) -> tuple[str, list[Any]]:
    """'model.latent_dim=2:32:2' -> ('model.latent_dim', [2, 4, ..., 32]); 'model.mask=true,false' -> [True, False].

    `a:b:step` is an integer range that includes b when the steps land on it;
    a comma list takes each value through the config-override parser. A single
    value is a one-point axis.
    """
    if "=" not in text:
        raise SweepError(f"grid axis '{text}' must look like key=values, e.g. model.latent_dim=2:32:2 or seed=0,1,2")
    key, spec = (part.strip() for part in text.split("=", 1))
    if not key or not all(key.split(".")):
        raise SweepError(f"grid axis '{text}': the key is malformed; use dotted keys like model.latent_dim")
    if not spec:
        raise SweepError(f"grid axis '{text}' has no values")
    if ":" in spec and "," not in spec:
        match = _RANGE.match(spec)
        if not match:
            raise SweepError(f"grid axis '{text}': a range is a:b:step with integers, e.g. {key}=2:32:2")
        start, stop, step = (int(g) for g in match.groups())
        if step <= 0:
            raise SweepError(f"grid axis '{text}': the step of a:b:step must be >= 1")
        if stop < start:
            raise SweepError(f"grid axis '{text}': a:b:step needs a <= b")
        values: list[Any] = list(range(start, stop + 1, step))
    else:
        items = [item.strip() for item in spec.split(",")]
        if not all(items):
            raise SweepError(f"grid axis '{text}' has an empty value; separate values by single commas")
        values = [parse_value(item) for item in items]
    if len({json.dumps(v) for v in values}) != len(values):
        raise SweepError(f"grid axis '{text}' repeats a value")
    return key, values


def parse_grid(axes: list[str]) -> list[tuple[str, list[Any]]]:
    grid = [parse_axis(text) for text in axes]
    keys = [key for key, _ in grid]
    for key in keys:
        if keys.count(key) > 1:
            raise SweepError(f"grid key '{key}' is given twice; put all its values in one axis")
        if key == "train.threads":
            raise SweepError("train.threads cannot be a grid axis: every sweep run uses one thread")
        if key in ("preset", "description"):
            raise SweepError(f"'{key}' cannot be a grid axis: a sweep has one preset (--preset); run one sweep per "
                             "preset, each into its own --out")
    if not grid:
        raise SweepError("the grid is empty; give at least one axis, e.g. --grid seed=0,1,2")
    return grid


def _format_value(value: Any, width: int) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value).zfill(width) if value >= 0 else str(value)
    text = value if isinstance(value, str) else json.dumps(value)
    return re.sub(r"[^A-Za-z0-9.+-]", "_", text)


def point_names(grid: list[tuple[str, list[Any]]]) -> list[str]:
    """Deterministic folder names, e.g. 'latent_dim=04__mask=true__seed=1'.

    A key is shortened to its last part unless two grid keys share it;
    integers are zero-padded per axis so that names sort by value.
    """
    last = [key.split(".")[-1] for key, _ in grid]
    labels = [short if last.count(short) == 1 else key for short, (key, _) in zip(last, grid)]
    widths = [max((len(str(v)) for v in values if isinstance(v, int) and not isinstance(v, bool) and v >= 0),
                  default=0) for _, values in grid]
    names = ["__".join(f"{label}={_format_value(v, w)}" for label, w, v in zip(labels, widths, combo))
             for combo in product(*(values for _, values in grid))]
    clash = {name for name in names if names.count(name) > 1}
    if clash:
        raise SweepError(f"two grid points get the same folder name {sorted(clash)[0]!r}; "
                         "make the values differ in letters or digits")
    return names


MODEL_AXIS = "model"  # a grid axis of model names (MODEL_CHOICES), each setting model.kind and model.mask


def grid_overrides(key: str, value: Any, point: str) -> list[str]:
    if key != MODEL_AXIS:
        return [f"{key}={json.dumps(value)}"]
    if value not in MODEL_CHOICES:
        raise ConfigError(f"grid point {point}: model {value!r} is not a model; choose from "
                          f"{', '.join(MODEL_CHOICES)}")
    return [f"{k}={json.dumps(v)}" for k, v in MODEL_CHOICES[value].items()]
