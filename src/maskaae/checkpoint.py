"""Atomic writes and safe loads for checkpoints and model files.

Files are written to a temporary name in the same folder and renamed, so a
killed process leaves either the old file or the new one, never half of one.
Loads use torch.load(weights_only=True): a checkpoint cannot run code.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import torch


class CheckpointError(RuntimeError):
    """A checkpoint or model file is missing, corrupt or of the wrong kind."""


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _atomic_write(path: Path, write) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates 0600; the file gets the mode an ordinary open() would give it (shared run folders)
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_torch_save(obj: Any, path: str | Path) -> None:
    _atomic_write(Path(path), lambda handle: torch.save(obj, handle))


def atomic_write_text(text: str, path: str | Path) -> None:
    _atomic_write(Path(path), lambda handle: handle.write(text.encode()))


def atomic_write_json(obj: Any, path: str | Path) -> None:
    atomic_write_text(json.dumps(obj, indent=2, sort_keys=False) + "\n", path)


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
