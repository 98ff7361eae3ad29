"""Process-wide threading: how torch's idle OpenMP threads wait, and how many threads torch uses.

Both settings belong to the process, so only an entry point changes them: the `maskaae` command
(cli.py) and a sweep's worker processes (executors.py). Importing maskaae or calling its library
functions (`fit`, `train_run`, ...) leaves them as the user had them.

Wait policy. libgomp reads OMP_WAIT_POLICY and GOMP_SPINCOUNT once, when torch loads it, so
`choose_wait_policy` must run before torch is imported; once torch is loaded it changes nothing, and a
variable the user set wins. It spins briefly before sleeping on an idle machine and waits passively
when the load average says another process wants the cores: the bounded spin was faster on an idle
2-core machine and slower beside a busy process (medians per training iteration, by network and load:
benchmarks/results/wait_policy.json, discussed in benchmarks/README.md). A library user chooses by
setting either variable, or by calling `choose_wait_policy()` before importing torch.

Threads. `set_threads` applies a config's `train.threads` once per entry point. A sweep runs every
point on SWEEP_THREADS threads, several points side by side, so its workers are started with
WORKER_ENV: one OpenMP thread that sleeps while idle instead of spinning on a core another run needs.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Iterator

SPIN_COUNT = "10000"
BUSY_LOAD = 0.5  # 1-minute load average at or above which another process is taken to be using a core
SWEEP_THREADS = 1  # torch threads of every sweep run (train.threads of each grid point)
WORKER_ENV = {"OMP_NUM_THREADS": str(SWEEP_THREADS), "OMP_WAIT_POLICY": "PASSIVE"}


def choose_wait_policy() -> str:
    """Set the wait policy for this process (and the processes it starts); return what is in effect."""
    if "OMP_WAIT_POLICY" in os.environ or "GOMP_SPINCOUNT" in os.environ or "torch" in sys.modules:
        return describe()
    try:
        busy = os.getloadavg()[0] >= BUSY_LOAD
    except OSError:  # no load average on this platform: the safe choice
        busy = True
    if busy:
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    else:
        os.environ["GOMP_SPINCOUNT"] = SPIN_COUNT
    return describe()


def describe() -> str:
    """The OpenMP wait settings of this process's environment, for run records."""
    parts = [f"{key}={os.environ[key]}" for key in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT") if key in os.environ]
    return " ".join(parts) or "libgomp default"


def set_threads(threads: int) -> None:
    """Use `threads` torch threads in this process (0: leave torch's default). For entry points only."""
    if not threads:
        return
    if "torch" not in sys.modules:
        # a fresh process (a Ray worker): OpenMP's pool is created at this size when torch loads
        os.environ["OMP_NUM_THREADS"] = str(threads)
    import torch

    torch.set_num_threads(threads)


@contextlib.contextmanager
def worker_environment() -> Iterator[None]:
    """WORKER_ENV in this process's environment while sweep workers are spawned (they inherit it), then
    the environment as it was."""
    before = {key: os.environ.get(key) for key in WORKER_ENV}
    os.environ.update(WORKER_ENV)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
