"""Where a sweep's points run: local worker processes or a Ray cluster; both call `run_point` (training) or
`evaluate_point` (`maskaae evaluate SWEEP_DIR`).

Executors. `local` runs points in a `concurrent.futures.ProcessPoolExecutor`
with the 'spawn' start method rather than in subprocesses of `maskaae train`:
the worker, `run_point`, returns the summary or the error as Python values
instead of text to parse, and the Ray executor runs the very same function as
a remote task, so both executors share one code path. 'spawn' rather than
'fork' because forking a process that holds torch's OpenMP thread pool can
deadlock, and because a fresh interpreter reads OMP_NUM_THREADS=1 (set in the
environment the workers are spawned with, openmp.WORKER_ENV) before it imports torch. `ray`
submits each point as a task with num_cpus=1 to a Ray cluster; it is imported
lazily and is an optional extra.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from .openmp import SWEEP_THREADS, set_threads, worker_environment
from .runfolder import RunError

RAY_EXTRA = "pip install 'maskaae[sweep-ray]'"


class SweepError(RunError):
    """A sweep cannot be started or continued as asked."""


# ----------------------------------------------------------------------------
# One point, in a worker process or a Ray task

def run_point(config: dict[str, Any], run_dir: str, timed: dict[str, Any] | None = None) -> dict[str, Any]:
    """Train one grid point into run_dir; never raises for a failed run.

    A folder with a checkpoint is resumed; one with a run killed before its
    first checkpoint is started over. Returns {'status': 'ran' | 'resumed',
    'summary': ...} or {'status': 'failed', 'error': ..., 'traceback': ...}.
    The worker process is an entry point: it sets its own threads (train.threads, one for every point).
    `timed`: a budget sweep's timing of the point's phases, for the run's clock (maskaae/clock.py).
    """
    from .versions import saved_config_from_dict

    die_with_parent()
    out = Path(run_dir)
    resume = (out / "checkpoint.pt").is_file()
    restart = not resume and (out / "config.json").is_file()
    try:
        cfg = saved_config_from_dict(config)
        set_threads(cfg.train.threads)  # before train_run's imports load torch (a fresh Ray worker)
        from .runs import train_run

        summary = train_run(cfg, out, resume=resume, overwrite=restart, quiet=True, timed=timed)
    except Exception as err:  # a failed point is recorded and the sweep goes on
        return {"status": "failed", "error": f"{type(err).__name__}: {err}", "traceback": traceback.format_exc()}
    return {"status": "resumed" if resume else "ran", "summary": summary}


def evaluate_point(run_dir: str, fid_samples: int | None) -> dict[str, Any]:
    """Evaluate one finished run again from its checkpoint into run_dir/evaluation.json (runs.evaluate_run, on
    SWEEP_THREADS threads); never raises. Returns {'status': 'evaluated', 'summary': metrics} or a failure as
    run_point does."""
    die_with_parent()
    try:
        set_threads(SWEEP_THREADS)
        from .runs import evaluate_run

        metrics = evaluate_run(run_dir, fid_samples)
    except Exception as err:  # recorded; the other runs are evaluated
        return {"status": "failed", "error": f"{type(err).__name__}: {err}", "traceback": traceback.format_exc()}
    return {"status": "evaluated", "summary": metrics}


def die_with_parent() -> None:
    """A worker whose parent (the sweep) is gone stops at once instead of training on unobserved."""
    import threading

    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="maskaae-parent-watch").start()


@contextmanager
def deferred_interrupt() -> Iterator[Callable[[], bool]]:
    """While inside, SIGINT (Ctrl-C) only sets a flag, read by the function yielded; the caller polls it and
    stops cleanly. A KeyboardInterrupt raised inside a lock's wait, as a second signal in quick succession
    does (a terminal or `timeout -s INT` signals the whole process group), can surface from
    concurrent.futures as `RuntimeError: release unlocked lock` instead. Off the main thread, where Python
    cannot install a handler, nothing changes and the flag stays False."""
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: received.append(number))
    try:
        yield lambda: bool(received)
    finally:
        signal.signal(signal.SIGINT, previous)


# How often run_local looks at the interrupt flag while its workers run (seconds).
POLL_SECONDS = 0.25


def run_local(tasks: list[tuple], jobs: int, record: Callable[[str, dict], None],
              worker: Callable[..., dict[str, Any]] = run_point) -> None:
    """worker(*args) for every task (name, *args), `jobs` at a time in spawned processes; record(name, result)
    as each finishes. Ctrl-C raises KeyboardInterrupt here, once, after the workers are stopped."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    with worker_environment(), deferred_interrupt() as interrupted:
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"))
        try:
            pending = {pool.submit(worker, *args): name for name, *args in tasks}
            while pending:
                done, _ = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
                if interrupted():
                    raise KeyboardInterrupt
                for future in [f for f in pending if f in done]:  # in submission order
                    try:
                        result = future.result()
                    except Exception as err:  # the worker process died (killed, out of memory)
                        result = {"status": "failed", "error": f"worker process failed: {type(err).__name__}: {err}"}
                    record(pending.pop(future), result)
        except BaseException:
            # Ctrl-C or an error in the parent: stop the workers now rather than wait for their runs
            # (their checkpoints let the next invocation resume them)
            for process in list(getattr(pool, "_processes", {}).values()):
                process.terminate()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()


def import_ray():
    try:
        import ray
    except ImportError:
        raise SweepError(f"--executor ray needs Ray, which is not installed; install it with {RAY_EXTRA}") from None
    return ray


def run_ray(tasks: list[tuple], address: str | None, record: Callable[[str, dict], None],
            gpus_per_run: float = 0.0) -> None:
    """One Ray task (num_cpus=1, num_gpus=gpus_per_run) per point. The run folders must be on a file system
    every node sees, and maskaae must be installed on every node. A fraction below 1 lets that many runs share
    a GPU; Ray gives each task its GPU (CUDA_VISIBLE_DEVICES), which train.device=auto then uses."""
    ray = import_ray()
    started = not ray.is_initialized()
    if started:
        if address:
            ray.init(address=address)
        else:
            ray.init()
    try:
        # Ray sets OMP_NUM_THREADS to the task's num_cpus (1) in its workers; run_point sets the threads too.
        remote = ray.remote(num_cpus=1, num_gpus=gpus_per_run, max_retries=0)(run_point)
        pending = {remote.remote(*args): name for name, *args in tasks}
        try:
            while pending:
                done, _ = ray.wait(list(pending), num_returns=1)
                for ref in done:
                    name = pending.pop(ref)
                    try:
                        result = ray.get(ref)
                    except Exception as err:  # the worker died or the task could not run
                        result = {"status": "failed", "error": f"Ray task failed: {type(err).__name__}: {err}"}
                    record(name, result)
        except BaseException:
            for ref in pending:
                ray.cancel(ref, force=True)
            raise
    finally:
        if started:
            ray.shutdown()


