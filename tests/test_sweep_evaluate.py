"""`maskaae evaluate SWEEP_DIR`: a finished sweep evaluated again, and results.csv showing each run's latest
evaluation."""

import csv
import json

import pytest

from maskaae.cli import main
from maskaae.sweep import SweepError, SweepSpec, run_results, run_sweep
from maskaae.sweep_evaluate import evaluate_sweep, evaluated_at

from conftest import TINY_FAST

TINY = TINY_FAST + ["model.discovery=paper"]
HELD_OUT = ("active_dims", "fd", "precision", "recall", "nac", "recon", "wasserstein")


def _rows(sweep_dir):
    with (sweep_dir / "results.csv").open(newline="") as handle:
        return {row["run"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def finished_sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("evaluate") / "sweep"
    run_sweep(SweepSpec.from_args(["model.latent_dim=2,3"], "synthetic", None, TINY), out, jobs=1, log=None)
    return out


def test_evaluating_a_sweep_reproduces_each_run_and_continues(finished_sweep):
    out = finished_sweep
    first = evaluate_sweep(out, fid_samples=0, jobs=2, log=None)
    assert sorted(first.evaluated) == ["latent_dim=2", "latent_dim=3"] and not first.failed and not first.skipped
    for name in first.evaluated:
        summary = json.loads((out / "runs" / name / "summary.json").read_text())
        evaluation = json.loads((out / "runs" / name / "evaluation.json").read_text())
        # the final checkpoint, evaluated again in a worker process, gives the training end's numbers
        assert {k: evaluation[k] for k in HELD_OUT} == {k: summary[k] for k in HELD_OUT}
        assert evaluation["steps"] == summary["steps"] and "fid" not in evaluation
        assert evaluated_at(out / "runs" / name, 0) and not evaluated_at(out / "runs" / name, 10)
    again = evaluate_sweep(out, fid_samples=0, log=None)
    assert again.evaluated == [] and sorted(again.skipped) == ["latent_dim=2", "latent_dim=3"]


def test_results_take_a_later_evaluation_of_the_final_checkpoint(finished_sweep, tmp_path):
    run = finished_sweep / "runs" / "latent_dim=2"
    summary = json.loads((run / "summary.json").read_text())
    (run / "evaluation.json").write_text(json.dumps({"fid": 12.5, "fid_samples": 10000, "fd": 0.25,
                                                     "steps": summary["steps"], "eval_seconds": 3.0}))
    merged = run_results(run)
    assert merged["fid"] == 12.5 and merged["fid_samples"] == 10000 and merged["fd"] == 0.25
    assert merged["seconds"] == summary["seconds"] and merged["precision"] == summary["precision"]
    assert evaluated_at(run, 10000) and not evaluated_at(run, 2000)
    # an evaluation of another checkpoint (the run trained on after it) is not the run's result
    (run / "evaluation.json").write_text(json.dumps({"fd": 0.25, "steps": summary["steps"] - 1}))
    assert run_results(run) == summary and not evaluated_at(run, 0)
    assert run_results(tmp_path) is None


def test_evaluate_command_on_a_sweep_rewrites_results(finished_sweep, capsys):
    out = finished_sweep
    for name in ("latent_dim=2", "latent_dim=3"):
        (out / "runs" / name / "evaluation.json").unlink(missing_ok=True)
    assert main(["evaluate", str(out), "--fid-samples", "0", "--jobs", "1"]) == 0
    rows = _rows(out)
    for name, row in rows.items():
        evaluation = json.loads((out / "runs" / name / "evaluation.json").read_text())
        assert row["status"] == "done" and float(row["fd"]) == evaluation["fd"]
    assert main(["evaluate", str(out / "runs" / "latent_dim=2"), "--jobs", "2"]) == 2
    assert "--jobs is for a sweep folder" in capsys.readouterr().err


def test_bad_requests_are_refused_before_anything_runs(finished_sweep, tmp_path):
    with pytest.raises(SweepError, match="--jobs must be >= 1"):
        evaluate_sweep(finished_sweep, 0, jobs=0, log=None)
    with pytest.raises(SweepError, match="--fid-samples must be >= 0"):
        evaluate_sweep(finished_sweep, -5, log=None)
    with pytest.raises(SweepError):
        evaluate_sweep(tmp_path, 0, log=None)  # not a sweep folder


def test_a_run_is_not_evaluated_while_another_process_writes_it(finished_sweep):
    from maskaae.lock import FolderLock, LockError
    from maskaae.runs import evaluate_run

    run = finished_sweep / "runs" / "latent_dim=3"
    with FolderLock(run, "run"):  # as while it trains, or while another evaluation of it runs
        with pytest.raises(LockError, match="in use by"):
            evaluate_run(run, fid_samples=0)
    assert evaluate_run(run, fid_samples=0)["steps"] == json.loads((run / "summary.json").read_text())["steps"]


def test_unfinished_points_keep_their_status(tmp_path):
    out = tmp_path / "sweep"
    run_sweep(SweepSpec.from_args(["model.latent_dim=2,3"], "synthetic", None, TINY), out, jobs=1, log=None)
    (out / "runs" / "latent_dim=3" / "summary.json").unlink()  # as if it had failed
    (out / "errors").mkdir()
    (out / "errors" / "latent_dim=3.txt").write_text("Traceback ...\nTrainingDiverged: loss is nan at step 3\n")
    result = evaluate_sweep(out, fid_samples=0, log=None)
    assert result.evaluated == ["latent_dim=2"] and result.unfinished == ["latent_dim=3"]
    rows = _rows(out)
    assert rows["latent_dim=3"]["status"] == "failed"
    assert rows["latent_dim=3"]["error"] == "TrainingDiverged: loss is nan at step 3"
    (out / "errors" / "latent_dim=3.txt").unlink()
    evaluate_sweep(out, fid_samples=0, log=None)
    assert _rows(out)["latent_dim=3"]["status"] == "pending"
