"""One writer per folder: an exclusive lock file holding the owner's process id and host.

`FolderLock(folder)` creates FOLDER/.lock with O_EXCL. A second process is refused while the owner lives;
a lock left by a process that is gone (same host) is stale and taken over. On another host the owner's
liveness cannot be checked, so the message names the file to delete once the owner is known to be gone.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

LOCK_NAME = ".lock"


class LockError(RuntimeError):
    """Another process is writing to the folder."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


class FolderLock:
    def __init__(self, folder: str | Path, what: str = "folder") -> None:
        self.path = Path(folder) / LOCK_NAME
        self.what = what
        self.held = False

    def _owner(self) -> tuple[int, str] | None:
        try:
            pid, host = self.path.read_text().split()[:2]
            return int(pid), host
        except (OSError, ValueError):
            return None

    def acquire(self) -> None:
        try:
            self._acquire()
        except OSError as err:  # the folder cannot be made or written: not writable, a name too long
            raise LockError(f"cannot write to {self.path.parent}: {err.strerror}; choose another --out") from None

    def _acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        me = f"{os.getpid()} {socket.gethostname()}\n"
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                owner = self._owner()
                if owner is not None and owner[1] == socket.gethostname() and not _alive(owner[0]):
                    self.path.unlink(missing_ok=True)  # stale: its process is gone
                    continue
                who = f"process {owner[0]} on {owner[1]}" if owner else "another process"
                raise LockError(f"{self.path.parent} is in use by {who} (lock file {self.path}); two writers "
                                f"would mix their results. Wait for it to finish, or, if that {self.what}'s "
                                f"process is gone, delete {self.path}") from None
            with os.fdopen(fd, "w") as handle:
                handle.write(me)
            self.held = True
            return
        raise LockError(f"could not take the lock {self.path}; try again")

    def release(self) -> None:
        if self.held:
            owner = self._owner()
            if owner is not None and owner[0] == os.getpid():
                self.path.unlink(missing_ok=True)
            self.held = False

    def __enter__(self) -> "FolderLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
