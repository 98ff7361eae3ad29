import csv
import dataclasses
import json
import shutil
import sys
import os
import time

import pytest

from maskaae.cli import main
from maskaae.runs import read_metrics, train_run
from maskaae.grid import parse_axis, parse_grid, point_names
from maskaae.sweep import SweepError, SweepSpec, build_points, run_sweep

from conftest import TINY_FAST

# Every sweep run in these tests is tiny (the machine is shared): 4 steps on 128 samples.
TINY = TINY_FAST + ["model.discovery=paper"]
GRID = ["model.latent_dim=2:4:2", "model.mask=true,false"]
NAMES = ["latent_dim=2__mask=true", "latent_dim=2__mask=false", "latent_dim=4__mask=true", "latent_dim=4__mask=false"]


def _spec(*grid, extra=()):
    return SweepSpec.from_args(list(grid), "synthetic", None, TINY + list(extra))


def _rows(sweep_dir):
    with (sweep_dir / "results.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def _summary(run_dir):
    return json.loads((run_dir / "summary.json").read_text())


def _without_seconds(summary):
    return {k: v for k, v in summary.items() if k != "seconds"}


@pytest.fixture(scope="module")
def tiny_sweep(tmp_path_factory):
    """A 2 x 2 sweep (m in {2, 4} x mask on/off) run once with two local worker processes."""
    out = tmp_path_factory.mktemp("sweeps") / "sweep"
    result = run_sweep(_spec(*GRID), out, jobs=2, log=None)
    return out, result


# ----------------------------------------------------------------------------
# Grid syntax and validation

@pytest.mark.parametrize("text, key, values", [
    ("model.latent_dim=2:8:2", "model.latent_dim", [2, 4, 6, 8]),
    ("model.latent_dim=2:7:2", "model.latent_dim", [2, 4, 6]),
    ("model.latent_dim = 3:3:1", "model.latent_dim", [3]),
    ("model.mask=true,false", "model.mask", [True, False]),
    ("seed=0, 1,2", "seed", [0, 1, 2]),
    ("loss.lambda2=1,2.5", "loss.lambda2", [1, 2.5]),
    ("model.mask_param=paper,projection", "model.mask_param", ["paper", "projection"]),
    ("loss.lambda3_init=null,0.5", "loss.lambda3_init", [None, 0.5]),
    ("seed=4", "seed", [4]),
])
def test_parse_axis(text, key, values):
    assert parse_axis(text) == (key, values)


@pytest.mark.parametrize("text, message", [
    ("model.latent_dim", "must look like key=values"),
    ("=1,2", "key is malformed"),
    ("model..latent_dim=1", "key is malformed"),
    ("model.latent_dim=", "has no values"),
    ("model.latent_dim=2:8", "a range is a:b:step with integers"),
    ("model.latent_dim=2:8:x", "a range is a:b:step with integers"),
    ("model.latent_dim=2.5:8:1", "a range is a:b:step with integers"),
    ("model.latent_dim=2:8:0", "step of a:b:step must be >= 1"),
    ("model.latent_dim=8:2:1", "needs a <= b"),
    ("seed=1,,2", "empty value"),
    ("seed=1,1", "repeats a value"),
])
def test_bad_axis_is_a_clear_error(text, message):
    with pytest.raises(SweepError, match=message):
        parse_axis(text)


def test_bad_grid():
    with pytest.raises(SweepError, match="'seed' is given twice"):
        parse_grid(["seed=0,1", "seed=2"])
    with pytest.raises(SweepError, match="one thread"):
        parse_grid(["train.threads=1,2"])
    with pytest.raises(SweepError, match="grid is empty"):
        parse_grid([])
    with pytest.raises(SweepError, match="train.threads=1"):
        SweepSpec.from_args(["seed=0"], overrides=["train.threads=2"])


def test_point_names_are_readable_sorted_and_unique():
    grid = [("model.latent_dim", [2, 16]), ("data.latent_dim", [2]), ("model.mask", [True, False]), ("seed", [0])]
    assert point_names(grid) == ["model.latent_dim=02__data.latent_dim=2__mask=true__seed=0",
                                 "model.latent_dim=02__data.latent_dim=2__mask=false__seed=0",
                                 "model.latent_dim=16__data.latent_dim=2__mask=true__seed=0",
                                 "model.latent_dim=16__data.latent_dim=2__mask=false__seed=0"]
    with pytest.raises(SweepError, match="same folder name"):
        point_names([("data.data_dir", ["a/b", "a_b"])])


def test_points_carry_grid_values_over_set_and_one_thread():
    spec = SweepSpec.from_args(["model.latent_dim=2:6:2", "seed=0,1"], "synthetic", None,
                               ["model.latent_dim=9", "train.steps=7", "train.threads=1"])
    points = build_points(spec)
    assert [(p.config.model.latent_dim, p.config.seed) for p in points] == \
        [(2, 0), (2, 1), (4, 0), (4, 1), (6, 0), (6, 1)]
    assert all(p.config.train.steps == 7 and p.config.train.threads == 1 for p in points)
    assert points[3].values == {"model.latent_dim": 4, "seed": 1}


def test_config_file_values_apply_before_set(tmp_path):
    path = tmp_path / "base.toml"
    path.write_text("[train]\nsteps = 11\nlr_ae = 1e-3\n[model]\nwidth = 8\n")
    spec = SweepSpec.from_args(["seed=0"], "synthetic", path, ["train.steps=5"])
    cfg = build_points(spec)[0].config
    assert (cfg.train.steps, cfg.train.lr_ae, cfg.model.width) == (5, 1e-3, 8)


def test_every_point_is_validated_before_anything_starts(tmp_path, capsys):
    out = tmp_path / "sweep"
    assert main(["sweep", "--grid", "model.latnt_dim=2,4", "--set", *TINY, "--out", str(out)]) == 2
    assert "unknown config key 'model.latnt_dim'" in capsys.readouterr().err
    # an out-of-range value at the last point stops the whole sweep before the first point runs
    assert main(["sweep", "--grid", "model.latent_dim=4,2,0", "--set", *TINY, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "grid point latent_dim=0" in err and "'model.latent_dim' = 0 must be >= 1" in err
    assert main(["sweep", "--grid", "seed=0:2", "--out", str(out)]) == 2
    assert "a:b:step" in capsys.readouterr().err
    assert not out.exists()


def test_option_errors(tmp_path, capsys):
    out = str(tmp_path / "sweep")
    assert main(["sweep", "--grid", "seed=0", "--set", *TINY, "--address", "x:1", "--out", out]) == 2
    assert "--address is for --executor ray" in capsys.readouterr().err
    assert main(["sweep", "--grid", "seed=0", "--set", *TINY, "--jobs", "0", "--out", out]) == 2
    assert "--jobs must be >= 1" in capsys.readouterr().err
    assert main(["sweep", "--set", *TINY, "--out", out]) == 2
    assert "need --grid" in capsys.readouterr().err
    assert main(["sweep", "--out", out]) == 2
    assert "not a sweep folder" in capsys.readouterr().err
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    assert main(["sweep", "--grid", "seed=0", "--set", *TINY, "--out", str(tmp_path / "other")]) == 2
    assert "not a maskaae sweep" in capsys.readouterr().err


def test_missing_ray_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now raises ImportError
    with pytest.raises(SweepError, match=r"pip install 'maskaae\[sweep-ray\]'"):
        run_sweep(_spec("seed=0"), tmp_path / "sweep", executor="ray", log=None)
    assert not (tmp_path / "sweep").exists()


def test_ray_runs_reserve_the_gpus_asked_for(tmp_path, monkeypatch):
    """--gpus-per-run F: each Ray task reserves F GPUs (a fraction lets runs share one); the local executor
    refuses it (its runs share the machine's GPU through train.device=auto)."""
    import types

    from maskaae import executors

    options = []

    class Ref:
        def __init__(self, args):
            self.args = args

    fake = types.SimpleNamespace(is_initialized=lambda: True, wait=lambda refs, num_returns: (refs[:1], refs[1:]),
                                 get=lambda ref: {"status": "failed", "error": "not run"}, cancel=lambda *a, **k: None)
    fake.remote = lambda **kw: options.append(kw) or (lambda f: types.SimpleNamespace(remote=lambda *a: Ref(a)))
    monkeypatch.setattr(executors, "import_ray", lambda: fake)
    monkeypatch.setattr("maskaae.sweep.import_ray", lambda: fake)
    run_sweep(_spec("seed=0"), tmp_path / "sweep", executor="ray", log=None, gpus_per_run=0.25)
    assert options == [{"num_cpus": 1, "num_gpus": 0.25, "max_retries": 0}]
    with pytest.raises(SweepError, match="--gpus-per-run is for --executor ray"):
        run_sweep(_spec("seed=0"), tmp_path / "other", log=None, gpus_per_run=0.5)
    with pytest.raises(SweepError, match="--gpus-per-run must be a fraction in"):
        run_sweep(_spec("seed=0"), tmp_path / "other", executor="ray", log=None, gpus_per_run=1.5)


# ----------------------------------------------------------------------------
# Running, resuming, refusing

def test_sweep_end_to_end(tiny_sweep):
    out, result = tiny_sweep
    assert sorted(result.ran) == sorted(NAMES) and not result.skipped and not result.resumed and not result.failed
    assert sorted(p.name for p in (out / "runs").iterdir()) == sorted(NAMES)
    saved = json.loads((out / "sweep.json").read_text())
    assert saved["grid"] == [{"key": "model.latent_dim", "values": [2, 4]},
                             {"key": "model.mask", "values": [True, False]}]
    assert saved["preset"] == "synthetic" and saved["overrides"] == TINY and "command" in saved

    rows = _rows(out)
    assert [r["run"] for r in rows] == NAMES  # grid order
    assert list(rows[0])[:4] == ["run", "status", "model.latent_dim", "model.mask"]
    for row in rows:
        summary = _summary(out / "runs" / row["run"])
        config = json.loads((out / "runs" / row["run"] / "config.json").read_text())["config"]
        assert row["status"] == "done" and row["error"] == ""
        assert row["model.mask"] == json.dumps(config["model"]["mask"])
        assert int(row["model.latent_dim"]) == int(row["latent_dim"]) == config["model"]["latent_dim"]
        assert row["model"] == ("maskaae" if config["model"]["mask"] else "wae-gan") == summary["model"]
        assert int(row["data.latent_dim"]) == 2 and int(row["seed"]) == 0 and int(row["steps"]) == 4
        assert config["train"]["threads"] == 1
        for key in ["active_dims", "fd", "precision", "recall", "nac", "recon", "wasserstein", "seconds"]:
            assert float(row[key]) == summary[key], key
        assert "fid" not in row  # synthetic data: no FID column


def test_rerun_skips_finished_and_resumes_interrupted(tiny_sweep, tmp_path, capsys):
    original, _ = tiny_sweep
    out = tmp_path / "sweep"
    shutil.copytree(original, out)
    spec = _spec(*GRID)
    interrupted = "latent_dim=4__mask=true"
    reference = _summary(out / "runs" / interrupted)
    # Replace that point by a run stopped after its checkpoint at step 2 of 4 (no summary).
    point = next(p for p in build_points(spec) if p.name == interrupted)
    half = dataclasses.replace(point.config, train=dataclasses.replace(point.config.train, steps=2))
    train_run(half, out / "runs" / interrupted, overwrite=True, quiet=True)
    (out / "runs" / interrupted / "summary.json").unlink()
    first_record = read_metrics(out / "runs" / interrupted)[0]
    finished = {name: (out / "runs" / name / "summary.json").stat().st_mtime_ns
                for name in NAMES if name != interrupted}
    time.sleep(0.01)

    result = run_sweep(spec, out, jobs=1, log=None)
    assert result.resumed == [interrupted] and not result.ran and not result.failed
    assert sorted(result.skipped) == sorted(finished)
    assert {name: (out / "runs" / name / "summary.json").stat().st_mtime_ns for name in finished} == finished
    # continued from the checkpoint (the log up to step 2 is kept as written), and bitwise the uninterrupted run
    assert read_metrics(out / "runs" / interrupted)[0] == first_record
    assert _without_seconds(_summary(out / "runs" / interrupted)) == _without_seconds(reference)
    assert [r["status"] for r in _rows(out)] == ["done"] * 4

    # without --grid the saved sweep continues; everything is finished now
    assert main(["sweep", "--out", str(out)]) == 0
    assert "4 points, 4 finished before, 0 to run" in capsys.readouterr().out


def test_different_sweep_in_same_folder_is_refused(tiny_sweep, capsys):
    out, _ = tiny_sweep
    before = sorted(p.name for p in (out / "runs").iterdir())
    assert main(["sweep", "--grid", "model.latent_dim=2,4,8", "model.mask=true,false", "--set", *TINY,
                 "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "holds a different sweep" in err
    assert "grid values of model.latent_dim are [2, 4] there and [2, 4, 8] here" in err
    assert main(["sweep", "--grid", "model.mask=true,false", "model.latent_dim=2:4:2", "--set", *TINY,
                 "--out", str(out)]) == 2
    assert "grid keys are ['model.latent_dim', 'model.mask'] there and ['model.mask', 'model.latent_dim'] here" \
        in capsys.readouterr().err
    assert main(["sweep", "--grid", *GRID, "--set", *TINY, "train.steps=8", "--out", str(out)]) == 2
    assert "--set is" in capsys.readouterr().err
    assert main(["sweep", "--preset", "synthetic-paper", "--grid", *GRID, "--set", *TINY, "--out", str(out)]) == 2
    assert "preset is 'synthetic' there and 'synthetic-paper' here" in capsys.readouterr().err
    assert sorted(p.name for p in (out / "runs").iterdir()) == before


def test_failed_point_is_recorded_and_others_finish(tmp_path, capsys):
    # Valid config, fails at run time: the CIFAR-10 files are not in the (empty) data folder.
    empty = tmp_path / "no-data"
    empty.mkdir()
    out = tmp_path / "sweep"
    code = main(["sweep", "--grid", "data.name=synthetic,cifar10", "--set", *TINY, f"data.data_dir={empty}",
                 "--out", str(out), "--jobs", "2"])
    assert code == 1
    assert "1 of 2 runs failed" in capsys.readouterr().err
    ok, failed = _rows(out)
    assert (ok["run"], ok["status"], ok["error"]) == ("name=synthetic", "done", "")
    assert ok["fd"] != ""
    assert (failed["run"], failed["status"]) == ("name=cifar10", "failed")
    assert "DataError" in failed["error"] and failed["fd"] == ""
    assert failed["model"] == "maskaae" and failed["latent_dim"] == "4"  # identity columns from the config
    assert "Traceback" in (out / "errors" / "name=cifar10.txt").read_text()
    assert (out / "runs" / "name=synthetic" / "summary.json").is_file()


def test_ray_executor_on_a_local_instance(tiny_sweep, tmp_path):
    ray = pytest.importorskip("ray")
    local, _ = tiny_sweep
    ray.init(num_cpus=2, include_dashboard=False)
    try:
        result = run_sweep(_spec("model.latent_dim=4", "model.mask=true,false"), tmp_path / "sweep",
                           executor="ray", log=None)
    finally:
        ray.shutdown()
    assert sorted(result.ran) == ["latent_dim=4__mask=false", "latent_dim=4__mask=true"] and not result.failed
    assert [r["status"] for r in _rows(tmp_path / "sweep")] == ["done", "done"]
    # the same function ran as a Ray task: results equal the local pool's for the same configs
    for mask in ["true", "false"]:
        assert _without_seconds(_summary(tmp_path / "sweep" / "runs" / f"latent_dim=4__mask={mask}")) == \
            _without_seconds(_summary(local / "runs" / f"latent_dim=4__mask={mask}"))


@pytest.mark.parametrize("command", [["sweep"], ["report"]])
def test_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    assert f"usage: maskaae {command[0]}" in capsys.readouterr().out


def test_second_sweep_on_the_same_folder_is_refused(tmp_path):
    import os
    import socket

    from maskaae.lock import LockError

    out = tmp_path / "sweep"
    out.mkdir()
    (out / ".lock").write_text(f"{os.getpid()} {socket.gethostname()}\n")  # a live sweep holds it
    with pytest.raises(LockError, match="in use"):
        run_sweep(_spec("seed=0"), out, jobs=1, log=None)
    assert not (out / "sweep.json").exists()


def test_unknown_network_is_caught_before_the_folder_is_written(tmp_path):
    out = tmp_path / "sweep"
    assert main(["sweep", "--grid", "model.network=mlp,mpl", "--set", *TINY, "--out", str(out)]) == 2
    assert not out.exists()


def test_interrupted_sweep_stops_its_workers_and_records_finished_runs(tmp_path, monkeypatch):
    import maskaae.sweep as sweep

    out = tmp_path / "sweep"
    started = []

    def fake_run_local(tasks, jobs, record):
        # the first point finishes (its summary is written) but is interrupted before being recorded
        name, config, run_dir, _ = tasks[0]
        started.append(name)
        from maskaae.versions import saved_config_from_dict
        train_run(saved_config_from_dict(config), run_dir, quiet=True)
        raise KeyboardInterrupt

    monkeypatch.setattr(sweep, "run_local", fake_run_local)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(_spec("seed=0,1"), out, jobs=1, log=None)
    statuses = {r["run"]: r["status"] for r in _rows(out)}
    assert statuses == {started[0]: "done", "seed=1": "pending"}
    assert not (out / ".lock").exists()


def test_worker_processes_are_terminated_on_interrupt(tmp_path):
    from maskaae.executors import run_local

    def record(name, outcome):
        raise KeyboardInterrupt  # the parent is interrupted while workers still run

    long_run = build_points(_spec("seed=0", extra=["train.steps=1000000"]))[0].config.to_dict()
    tasks = [("fails", {"bad": 1}, str(tmp_path / "a")), ("long", long_run, str(tmp_path / "b"))]
    t0 = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        run_local(tasks, 2, record)
    assert time.perf_counter() - t0 < 60
    # the long run's worker is gone: its metrics log (written every 2 steps) stops growing
    log = tmp_path / "b" / "metrics.jsonl"
    time.sleep(1.0)
    size = log.stat().st_size if log.exists() else 0
    time.sleep(3.0)
    assert (log.stat().st_size if log.exists() else 0) == size


def test_two_quick_ctrl_c_stop_the_sweep_with_one_keyboard_interrupt(tmp_path):
    # a terminal's Ctrl-C or `timeout -s INT` signals the whole process group; signals in quick
    # succession once surfaced as `RuntimeError: release unlocked lock` from inside concurrent.futures
    import os
    import signal
    import threading

    from maskaae.executors import run_local

    long_run = build_points(_spec("seed=0", extra=["train.steps=1000000"]))[0].config.to_dict()
    tasks = [("long", long_run, str(tmp_path / "b"))]
    recorded = []

    def twice():
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGINT)

    before = signal.getsignal(signal.SIGINT)
    timer = threading.Timer(3.0, twice)
    timer.start()
    t0 = time.perf_counter()
    try:
        with pytest.raises(KeyboardInterrupt):
            run_local(tasks, 1, lambda name, result: recorded.append(name))
    finally:
        timer.cancel()
    assert time.perf_counter() - t0 < 60
    assert not recorded
    assert signal.getsignal(signal.SIGINT) is before  # the handler is put back


def test_deferred_interrupt_turns_ctrl_c_into_a_flag():
    import os
    import signal

    from maskaae.executors import deferred_interrupt

    before = signal.getsignal(signal.SIGINT)
    with deferred_interrupt() as interrupted:
        assert not interrupted()
        os.kill(os.getpid(), signal.SIGINT)  # no KeyboardInterrupt here
        time.sleep(0.05)
        assert interrupted()
    assert signal.getsignal(signal.SIGINT) is before


def test_a_worker_exits_when_its_parent_is_gone(tmp_path):
    import subprocess
    import sys
    import textwrap

    # parent starts a child that runs the watchdog and then sleeps; the parent exits at once
    script = textwrap.dedent(f"""
        import subprocess, sys
        child = subprocess.Popen([sys.executable, "-c",
            "import time; from maskaae.executors import die_with_parent; die_with_parent(); "
            "open({str(tmp_path / 'started')!r}, 'w').close(); time.sleep(30); "
            "open({str(tmp_path / 'survived')!r}, 'w').close()"])
        import os, time
        while not os.path.exists({str(tmp_path / 'started')!r}):
            time.sleep(0.05)
        print(child.pid, flush=True)
    """)
    pid = int(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60).stdout)
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        raise AssertionError("the orphaned worker kept running")
    assert not (tmp_path / "survived").exists()
