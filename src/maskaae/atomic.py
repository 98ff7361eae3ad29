"""Atomic file writes: to a temporary name in the same folder, then renamed into place.

A killed process leaves either the old file or the new one, never half of one, and a concurrent reader
never sees a partial file. Every writer in maskaae (checkpoints, run records, FID statistics, fetched data
files, sweep results) goes through here; nothing in this module needs torch.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, BinaryIO, Callable


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: str | Path, write: Callable[[BinaryIO], Any]) -> None:
    """Call write(handle) on a temporary file beside `path`, sync it, give it the usual mode, rename it."""
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


def atomic_write_text(text: str, path: str | Path) -> None:
    atomic_write(path, lambda handle: handle.write(text.encode()))


def atomic_write_json(obj: Any, path: str | Path) -> None:
    atomic_write_text(json.dumps(obj, indent=2, sort_keys=False) + "\n", path)


def atomic_copy(src: str | Path, dest: str | Path) -> None:
    with open(src, "rb") as source:
        atomic_write(dest, lambda handle: shutil.copyfileobj(source, handle))
