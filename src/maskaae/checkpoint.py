"""Checkpoints and model files: written atomically (maskaae/atomic.py), loaded safely.

Loads use torch.load(weights_only=True): a checkpoint cannot run code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from .atomic import atomic_write


class CheckpointError(RuntimeError):
    """A checkpoint or model file is missing, corrupt or of the wrong kind."""


def atomic_torch_save(obj: Any, path: str | Path) -> None:
    atomic_write(path, lambda handle: torch.save(obj, handle))


def safe_load(path: str | Path, kind: str) -> dict[str, Any]:
    """Load a file written by this package; `kind` must match its 'format' field."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path} does not exist; train a model first (maskaae train --out DIR)")
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # torch raises several types for truncated or foreign files
        # torch's own message for a refused object suggests weights_only=False; never pass that advice on
        detail = "it holds objects other than tensors and plain values, which are refused" \
            if "weights_only" in str(err) or "Unsupported global" in str(err) \
            else f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
        raise CheckpointError(
            f"{path} is not a readable maskaae file (corrupt, truncated, foreign or unsafe): {detail}; "
            "use a file written by maskaae, or train again") from None
    if not isinstance(obj, dict) or obj.get("format") != kind:
        found = obj.get("format") if isinstance(obj, dict) else type(obj).__name__
        raise CheckpointError(f"{path} is not a {kind} file (found format {found!r})")
    return obj
