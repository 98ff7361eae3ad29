import json
import subprocess
import sys

import numpy as np
import pytest

from maskaae.cli import main


def test_train_evaluate_sample_end_to_end(tmp_path, tiny_overrides, capsys):
    out = tmp_path / "run"
    assert main(["train", "--set", *tiny_overrides, "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    summary = json.loads((out / "summary.json").read_text())
    assert f"discovered m_A = {summary['active_dims']} (of m = 4)" in printed
    assert f"run folder: {out}" in printed

    assert main(["evaluate", str(out)]) == 0
    assert json.loads((out / "evaluation.json").read_text())["fd"] == summary["fd"]

    assert main(["sample", str(out), "--num", "7", "--out", str(tmp_path / "x.npy")]) == 0
    assert np.load(tmp_path / "x.npy").shape == (7, 128)


def test_train_for_seconds_plans_its_schedule_and_ends_at_them(tmp_path, capsys):
    """train.seconds on maskaae train: the schedule is timed and scaled to fit, and the clock ends the run."""
    from conftest import TINY_FAST

    out = tmp_path / "run"
    assert main(["train", "--set", *TINY_FAST, "train.steps=1000", "train.discovery_steps=500",
                 "train.eval_every=1000", "train.checkpoint_every=1000", "train.log_every=100",
                 "train.seconds=1.5", "--out", str(out), "--quiet"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    saved = json.loads((out / "config.json").read_text())["config"]["train"]
    assert summary["clock"]["seconds"] == 1.5 and summary["steps"] == saved["steps"]
    # the nested phase kept its share of the plan the timing gave
    assert saved["discovery_steps"] == round(500 * summary["clock"]["planned_steps"] / 1000)
    # the clock's accuracy is tested on virtual time (test_clock.py); this 1.5 s run's one-off costs (the decision,
    # an evaluation) are a tenth of it, and it shares the machine with whatever runs beside it: alone it ends within
    # 10%, and a suite run beside two one-thread evaluations on two cores ended 19% over
    assert abs(summary["seconds"] / 1.5 - 1) <= 0.25


def test_wae_switch(tmp_path, tiny_overrides):
    out = tmp_path / "wae"
    assert main(["train", "--set", *tiny_overrides, "model.mask=false", "--out", str(out), "--quiet"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["model"] == "wae-gan"
    assert summary["mask"] == [1.0] * 4 and summary["active_dims"] == 4


@pytest.mark.parametrize("override, message", [
    ("model.latnt_dim=3", "unknown config key 'model.latnt_dim'"),
    ("model.latent_dim=0", "'model.latent_dim' = 0 must be >= 1"),
    ("train.steps=ten", "'train.steps' = 'ten' must be an integer"),
    ("model.mask=maybe", "'model.mask' = 'maybe' must be true or false"),
])
def test_bad_config_is_a_clear_error(tmp_path, tiny_overrides, capsys, override, message):
    code = main(["train", "--set", *tiny_overrides, override, "--out", str(tmp_path / "r"), "--quiet"])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "r" / "checkpoint.pt").exists()


def test_existing_run_refused_then_resumed(tmp_path, tiny_overrides, capsys):
    out = str(tmp_path / "run")
    assert main(["train", "--set", *tiny_overrides, "train.steps=4", "--out", out, "--quiet"]) == 0
    assert main(["train", "--set", *tiny_overrides, "train.steps=4", "--out", out, "--quiet"]) == 2
    assert "already holds a run" in capsys.readouterr().err
    assert main(["train", "--resume", "--out", out, "--quiet"]) == 0


def test_missing_run_folder(tmp_path, capsys):
    assert main(["evaluate", str(tmp_path / "nothing")]) == 2
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.parametrize("command", [[], ["train"], ["evaluate"], ["sample"], ["presets"]])
def test_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: maskaae" in capsys.readouterr().out


def test_module_entry_point():
    result = subprocess.run([sys.executable, "-m", "maskaae", "presets"], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "synthetic:" in result.stdout and "synthetic-paper:" in result.stdout


def test_resume_extends_steps_of_a_non_default_preset(tmp_path, tiny_overrides):
    out = str(tmp_path / "run")
    assert main(["train", "--set", *tiny_overrides, "train.steps=4", "seed=2", "--out", out, "--quiet"]) == 0
    assert main(["train", "--resume", "--set", "train.steps=6", "--out", out, "--quiet"]) == 0
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["steps"] == 6


def test_set_may_be_repeated_and_every_one_applies(tmp_path, tiny_overrides):
    # `--set a=1 --set b=2` used to keep only the last --set, silently dropping the first
    out = tmp_path / "run"
    assert main(["train", "--set", *tiny_overrides, "--set", "model.latent_dim=3", "--set", "seed=5",
                 "--out", str(out), "--quiet"]) == 0
    saved = json.loads((out / "config.json").read_text())["config"]
    assert (saved["model"]["latent_dim"], saved["seed"], saved["train"]["steps"]) == (3, 5, 20)
