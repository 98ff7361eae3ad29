"""How torch's idle OpenMP threads wait for work, chosen before torch is loaded.

libgomp reads OMP_WAIT_POLICY and GOMP_SPINCOUNT once, when torch loads it,
so `maskaae/__init__.py` calls `choose_wait_policy` before importing torch;
a program that imported torch first keeps whatever it had. Measured on this
project's 2-core machine, two threads, ms per training iteration (medians of
10, benchmarks/results/wait_policy.json):

                       idle machine                 beside a busy 1-thread process
                       passive   spin 10,000        passive   spin 10,000
    mnist-paper nets    267        208               534        659
    mnist CPU preset     91         49               133        254
    synthetic preset     51         20                26        121

Spinning briefly before sleeping is 1.3-2.5x faster on an idle machine and
1.2-4.6x slower when another process wants the cores, so the choice follows
the load when maskaae is imported. Either variable set by the user wins.
"""

from __future__ import annotations

import os
import sys

SPIN_COUNT = "10000"
BUSY_LOAD = 0.5  # 1-minute load average at or above which another process is taken to be using a core


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
