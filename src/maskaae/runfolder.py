"""A run folder's state before training, and replacing a run without losing it first.

`folder_state` only looks: it says whether a run folder is new, to be resumed, or to be replaced, and
refuses what cannot be done. `Replacement` moves an old run's files into OUT/.replaced/ once the new run
is known to start, deletes them after the new run's first checkpoint, and puts them back if the new run
fails before that, so `--overwrite` never loses a run to a run that did not start.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

from .lock import LOCK_NAME, FolderLock, LockError

RUN_FILES = ("config.json", "metrics.jsonl", "summary.json", "checkpoint.pt", "evaluation.json",
             "mask_trajectory.png", "losses.png", "covariance.png", "samples.png", "reconstructions.png")
ASIDE = ".replaced"


class RunError(RuntimeError):
    """A run folder cannot be used as asked (exists, missing, mismatched)."""


def recover_replaced(out: Path) -> bool:
    """Put back a run that an --overwrite set aside in OUT/.replaced and that was killed (SIGTERM, SIGKILL)
    before the new run's first checkpoint, so that it is neither hidden nor lost to the next --overwrite.
    Nothing happens while a live process holds the folder. Returns whether a run was restored, with a warning."""
    if not (Path(out) / ASIDE).is_dir():
        return False
    try:
        with FolderLock(out, "run"):
            if not (Path(out) / ASIDE).is_dir():
                return False
            restore_aside(Path(out))
    except LockError:  # a replacement is under way
        return False
    warnings.warn(f"{out}: restored the run that an --overwrite had set aside in {Path(out) / ASIDE} before it was "
                  "stopped ahead of its first checkpoint (the stopped run's files are gone)")
    return True


def folder_state(out: Path, resume: bool, overwrite: bool) -> str:
    """'new', 'resume' or 'replace'; raises RunError for what cannot be done. Changes nothing but putting back
    a run that a stopped --overwrite had set aside (recover_replaced)."""
    if resume and overwrite:
        raise RunError("--resume and --overwrite exclude each other; pick one")
    try:
        recover_replaced(out)
        return _state(out, resume, overwrite)
    except OSError as err:  # a name too long, a component that is a file, no permission to look
        raise RunError(f"--out {out} cannot be used: {err.strerror}; choose another --out") from None


def _state(out: Path, resume: bool, overwrite: bool) -> str:
    if out.exists() and not out.is_dir():
        raise RunError(f"--out {out} is a file, not a folder; choose another --out")
    entries = [p for p in out.iterdir() if p.name not in (LOCK_NAME, ASIDE)] if out.is_dir() else []
    if not entries:
        if resume:
            raise RunError(f"cannot resume: {out} holds no run; drop --resume to start one")
        return "new"
    is_run = (out / "config.json").exists()
    if resume:
        if not (out / "checkpoint.pt").exists():
            raise RunError(f"cannot resume: {out} has no checkpoint.pt; start again with --overwrite")
        return "resume"
    if overwrite and is_run:
        return "replace"
    if is_run:
        raise RunError(f"{out} already holds a run; pass --resume to continue it or --overwrite to replace it")
    raise RunError(f"{out} is a non-empty folder that is not a maskaae run; choose another --out")


class Replacement:
    """The old run's files, set aside while the new run starts."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.aside = out / ASIDE
        self.committed = False
        if self.aside.exists():  # left by an earlier replacement that was killed: that run is the old one
            self.restore()
        self.aside.mkdir()
        for name in RUN_FILES:
            if (out / name).exists():
                (out / name).rename(self.aside / name)

    def commit(self) -> None:
        """The new run has a checkpoint: the old files go."""
        self.committed = True
        if self.aside.exists():
            shutil.rmtree(self.aside)

    def restore(self) -> None:
        """The new run did not get to its first checkpoint: put the old run back."""
        restore_aside(self.out)


def restore_aside(out: Path) -> None:
    """OUT's run files replaced by those set aside in OUT/.replaced, which then goes."""
    aside = out / ASIDE
    if not aside.exists():
        return
    for name in RUN_FILES:
        if (aside / name).exists():
            (out / name).unlink(missing_ok=True)
            (aside / name).rename(out / name)
        else:
            (out / name).unlink(missing_ok=True)
    shutil.rmtree(aside)
