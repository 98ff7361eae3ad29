import json

import pytest
import torch

from maskaae import build_config
from maskaae.checkpoint import CheckpointError
from maskaae.runs import RunError, evaluate_run, read_metrics, sample_run, train_run
from maskaae.train import Trainer, TrainingDiverged
from state_helpers import kill_at


def _cfg(overrides, *extra):
    return build_config("synthetic", overrides=overrides + list(extra))


def _weights(run_dir):
    return torch.load(run_dir / "checkpoint.pt", weights_only=True)["trainer"]


def _without(record, *keys):
    return {k: v for k, v in record.items() if k not in keys}


def test_run_folder_contents(tmp_path, tiny_overrides):
    out = tmp_path / "run"
    summary = train_run(_cfg(tiny_overrides), out, quiet=True)
    for name in ["config.json", "metrics.jsonl", "summary.json", "checkpoint.pt", "mask_trajectory.png",
                 "losses.png", "covariance.png"]:
        assert (out / name).is_file(), name
    saved = json.loads((out / "summary.json").read_text())
    for key in ["model", "latent_dim", "active_dims", "mask", "fd", "precision", "recall", "nac", "recon",
                "wasserstein", "steps", "seconds"]:
        assert key in saved, key
    assert saved["steps"] == 20 and saved["latent_dim"] == 4 and len(saved["mask"]) == 4
    assert isinstance(saved["active_dims"], int)
    assert saved["active_dims"] == sum(v >= 0.1 for v in saved["mask"])
    config = json.loads((out / "config.json").read_text())
    assert config["config"]["model"]["latent_dim"] == 4 and config["seed"] == 0
    assert "torch" in config["packages"] and "git_commit" in config
    records = read_metrics(out)
    assert [r["step"] for r in records] == list(range(2, 21, 2))
    assert [r["step"] for r in records if "eval" in r] == [10, 20]
    assert summary["active_dims"] == saved["active_dims"]


def test_resume_is_bitwise_identical(tmp_path, tiny_overrides, monkeypatch):
    whole = tmp_path / "whole"
    reference = train_run(_cfg(tiny_overrides), whole, quiet=True)

    parted = tmp_path / "parted"
    original = kill_at(monkeypatch, Trainer, 13)
    with pytest.raises(KeyboardInterrupt):
        train_run(_cfg(tiny_overrides), parted, quiet=True)
    assert _weights(parted)["step"] == 10  # last checkpoint before the kill
    assert max(r["step"] for r in read_metrics(parted)) == 12  # logged past the checkpoint
    monkeypatch.setattr(Trainer, "iteration", original)

    resumed = train_run(None, parted, resume=True, quiet=True)
    a, b = _weights(whole), _weights(parted)
    assert a["step"] == b["step"] == 20
    for key, tensor in a["model"].items():
        assert torch.equal(tensor, b["model"][key]), key
    assert torch.equal(a["generator"], b["generator"])
    assert _without(reference, "seconds") == _without(resumed, "seconds")
    assert [_without(r, "elapsed", "eval_seconds") for r in read_metrics(whole)] == \
        [_without(r, "elapsed", "eval_seconds") for r in read_metrics(parted)]
    assert all(r["elapsed"] >= 0 for r in read_metrics(parted))


def test_resume_can_extend_steps_only(tmp_path, tiny_overrides):
    out = tmp_path / "run"
    train_run(_cfg(tiny_overrides, "train.steps=10"), out, quiet=True)
    with pytest.raises(RunError, match="only train.steps"):
        train_run(_cfg(tiny_overrides, "train.steps=20", "seed=5"), out, resume=True, quiet=True)
    summary = train_run(_cfg(tiny_overrides, "train.steps=20"), out, resume=True, quiet=True)
    assert summary["steps"] == 20


def test_existing_run_is_refused_without_resume_or_overwrite(tmp_path, tiny_overrides):
    out = tmp_path / "run"
    train_run(_cfg(tiny_overrides, "train.steps=4"), out, quiet=True)
    with pytest.raises(RunError, match="--resume .* --overwrite"):
        train_run(_cfg(tiny_overrides, "train.steps=4"), out, quiet=True)
    summary = train_run(_cfg(tiny_overrides, "train.steps=6"), out, overwrite=True, quiet=True)
    assert summary["steps"] == 6
    assert max(r["step"] for r in read_metrics(out)) == 6


def test_foreign_folder_is_refused(tmp_path, tiny_overrides):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(RunError, match="not a maskaae run"):
        train_run(_cfg(tiny_overrides), tmp_path, overwrite=True, quiet=True)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_resume_without_a_run_is_an_error(tmp_path, tiny_overrides):
    with pytest.raises(RunError, match="cannot resume"):
        train_run(_cfg(tiny_overrides), tmp_path / "none", resume=True, quiet=True)


def test_corrupt_checkpoint_is_a_clear_error(tmp_path, tiny_overrides):
    out = tmp_path / "run"
    train_run(_cfg(tiny_overrides, "train.steps=4"), out, quiet=True)
    data = (out / "checkpoint.pt").read_bytes()
    (out / "checkpoint.pt").write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="corrupt"):
        evaluate_run(out)
    with pytest.raises(CheckpointError, match="corrupt"):
        train_run(None, out, resume=True, quiet=True)
    (out / "checkpoint.pt").unlink()
    with pytest.raises(CheckpointError, match="does not exist"):
        evaluate_run(out)


def test_divergence_stops_and_keeps_last_good_checkpoint(tmp_path, tiny_overrides, monkeypatch):
    out = tmp_path / "run"
    original = Trainer.iteration

    def nan_at_8(self):
        losses = original(self)
        if self.step == 8:
            self.data[:] = float("nan")  # poisons the next batches
        return losses

    monkeypatch.setattr(Trainer, "iteration", nan_at_8)
    # NaN from step 9, read at step 10 (log_every 2): before step 10's checkpoint
    with pytest.raises(TrainingDiverged, match="step 10"):
        train_run(_cfg(tiny_overrides), out, quiet=True)
    ckpt = torch.load(out / "checkpoint.pt", weights_only=True)
    assert ckpt["trainer"]["step"] == 5
    assert all(torch.isfinite(t).all() for t in ckpt["trainer"]["model"].values())


def test_evaluate_and_sample_from_checkpoint(tmp_path, tiny_overrides):
    import numpy as np

    out = tmp_path / "run"
    summary = train_run(_cfg(tiny_overrides), out, quiet=True)
    metrics = evaluate_run(out)
    for key in ["active_dims", "fd", "precision", "recall", "nac", "recon", "wasserstein", "mask"]:
        assert metrics[key] == summary[key], key
    path = sample_run(out, 10, tmp_path / "s.npy", seed=1)
    samples = np.load(path)
    assert samples.shape == (10, 128) and np.isfinite(samples).all()
    again = np.load(sample_run(out, 10, tmp_path / "t.npy", seed=1))
    assert np.array_equal(samples, again)
    with pytest.raises(RunError, match=".npy"):
        sample_run(out, 10, tmp_path / "s.csv")


def test_evaluate_refuses_fid_on_synthetic_data(tmp_path, tiny_overrides):
    out = tmp_path / "run"
    train_run(_cfg(tiny_overrides, "train.steps=2"), out, quiet=True)
    with pytest.raises(RunError, match="FID needs image data"):
        evaluate_run(out, fid_samples=10)
    with pytest.raises(RunError, match=">= 0"):
        evaluate_run(out, fid_samples=-1)


class _NotAllowed:
    pass


def test_unsafe_checkpoint_is_refused_without_suggesting_an_unsafe_load(tmp_path):
    import torch

    from maskaae.checkpoint import CheckpointError, safe_load

    path = tmp_path / "checkpoint.pt"
    torch.save({"format": "maskaae-checkpoint-v1", "payload": _NotAllowed()}, path)
    with pytest.raises(CheckpointError) as info:
        safe_load(path, "maskaae-checkpoint-v1")
    message = str(info.value).lower()
    assert str(path).lower() in message and info.value.__cause__ is None
    for hint in ("weights_only", "weights only", "likely succeed", "can still be loaded", "trust the source"):
        assert hint not in message


def test_written_files_follow_the_umask(tmp_path):
    import os
    import stat

    from maskaae.atomic import atomic_write_json
    from maskaae.checkpoint import atomic_torch_save

    old = os.umask(0o022)
    try:
        atomic_write_json({"a": 1}, tmp_path / "a.json")
        atomic_torch_save({"a": 1}, tmp_path / "a.pt")
    finally:
        os.umask(old)
    for name in ("a.json", "a.pt"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644


def test_divergence_advice_says_whether_a_checkpoint_exists(tmp_path, tiny_overrides, monkeypatch):
    original = Trainer.iteration

    def nan_at(step):
        def poisoned(self):
            losses = original(self)
            if self.step == step:
                self.data[:] = float("nan")
            return losses
        return poisoned

    monkeypatch.setattr(Trainer, "iteration", nan_at(1))
    with pytest.raises(TrainingDiverged) as early:
        train_run(_cfg(tiny_overrides), tmp_path / "early", quiet=True)
    assert "no checkpoint of this run was written" in str(early.value) and "--overwrite" in str(early.value)
    monkeypatch.setattr(Trainer, "iteration", nan_at(8))
    with pytest.raises(TrainingDiverged) as late:
        train_run(_cfg(tiny_overrides), tmp_path / "late", quiet=True)
    assert "resuming repeats the same steps" in str(late.value) and "--resume" not in str(late.value)


def test_resume_cannot_end_before_the_checkpoint(tmp_path, tiny_overrides):
    out = tmp_path / "run"
    train_run(_cfg(tiny_overrides), out, quiet=True)
    shorter = _cfg(tiny_overrides + ["train.steps=10"])
    before = (out / "config.json").read_text()
    with pytest.raises(RunError, match="can only grow"):
        train_run(shorter, out, resume=True, quiet=True)
    assert (out / "config.json").read_text() == before


def test_damaged_run_config_names_the_file(tmp_path, tiny_overrides):
    from maskaae.runrecord import read_config

    out = tmp_path / "run"
    out.mkdir()
    for text in ("[1, 2]", "{not json", '{"config": {"model": {"latent_dim": "x"}}}'):
        (out / "config.json").write_text(text)
        with pytest.raises(RunError, match="config.json"):
            read_config(out)


def test_sample_streams_to_file_and_refuses_folders(tmp_path, tiny_overrides):
    import numpy as np

    from maskaae.runs import load_run, sample_run

    out = tmp_path / "run"
    train_run(_cfg(tiny_overrides), out, quiet=True)
    (tmp_path / "folder.npy").mkdir()
    with pytest.raises(RunError, match="is a folder"):
        sample_run(out, 5, tmp_path / "folder.npy")
    path = sample_run(out, 5000, tmp_path / "s.npy", seed=3)
    samples = np.load(path)
    _, model, _ = load_run(out)
    expected = model.generate(5000, generator=torch.Generator().manual_seed(3)).numpy()
    np.testing.assert_array_equal(samples, expected)
    with pytest.raises(RunError, match="GiB"):
        sample_run(out, 10**13, tmp_path / "huge.npy")


def _files(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_overwrite_keeps_the_old_run_until_the_new_one_has_a_checkpoint(tmp_path, tiny_overrides, monkeypatch):
    out = tmp_path / "run"
    train_run(_cfg(tiny_overrides), out, quiet=True)
    old = _files(out)
    # data that cannot be loaded: refused before the folder is touched
    missing = _cfg(tiny_overrides + ["data.name=mnist", f"data.data_dir={tmp_path / 'nothing'}"])
    with pytest.raises(Exception, match="mnist"):
        train_run(missing, out, overwrite=True, quiet=True)
    assert _files(out) == old
    # a new run that dies before its first checkpoint: the old run comes back
    original = kill_at(monkeypatch, Trainer, 2)
    with pytest.raises(KeyboardInterrupt):
        train_run(_cfg(tiny_overrides + ["seed=1"]), out, overwrite=True, quiet=True)
    assert _files(out) == old and not (out / ".replaced").exists()
    monkeypatch.setattr(Trainer, "iteration", original)
    summary = train_run(_cfg(tiny_overrides + ["seed=1"]), out, overwrite=True, quiet=True)
    assert summary["seed"] == 1 and not (out / ".replaced").exists() and not (out / ".lock").exists()
    assert json.loads((out / "config.json").read_text())["seed"] == 1


def test_a_second_writer_is_refused_and_a_stale_lock_is_taken_over(tmp_path, tiny_overrides):
    import os
    import socket

    from maskaae.lock import LockError

    out = tmp_path / "run"
    out.mkdir()
    (out / ".lock").write_text(f"{os.getpid()} {socket.gethostname()}\n")  # a live owner
    with pytest.raises(LockError, match="in use by process"):
        train_run(_cfg(tiny_overrides), out, quiet=True)
    assert sorted(p.name for p in out.iterdir()) == [".lock"]
    (out / ".lock").write_text(f"999999999 {socket.gethostname()}\n")  # its process is gone
    train_run(_cfg(tiny_overrides), out, quiet=True)
    assert (out / "summary.json").is_file() and not (out / ".lock").exists()


def test_out_that_is_a_file_is_refused(tmp_path, tiny_overrides):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(RunError, match="is a file"):
        train_run(_cfg(tiny_overrides), f, quiet=True)


def test_edited_config_and_damaged_metrics_are_named(tmp_path, tiny_overrides):
    out = tmp_path / "run"
    train_run(_cfg(tiny_overrides), out, quiet=True)
    saved = json.loads((out / "config.json").read_text())
    edited = json.loads(json.dumps(saved))
    edited["config"]["model"]["latent_dim"] = 7
    (out / "config.json").write_text(json.dumps(edited))
    with pytest.raises(RunError, match="model.latent_dim: 4 in the checkpoint, 7 in config.json"):
        evaluate_run(out)
    (out / "config.json").write_text(json.dumps(saved))
    evaluate_run(out)  # restored: fine again
    (out / "metrics.jsonl").write_text('{"step": 2}\n[1, 2]\n{"step": 4}\n')
    with pytest.raises(RunError, match="line 2 is not a metrics record"):
        read_metrics(out)


def test_out_with_a_name_too_long_is_refused(tmp_path, tiny_overrides):
    with pytest.raises(RunError, match="cannot be used"):
        train_run(_cfg(tiny_overrides), tmp_path / ("x" * 300), quiet=True)


def test_a_resume_inside_the_decoder_phase_is_bitwise_identical(tmp_path, tiny_overrides, monkeypatch):
    # train.decoder_share=0.25: steps 16-20 train the decoder alone; the kill at 18 resumes from step 15's
    # checkpoint, before the phase's codes exist, and from step 20's in the other order of events
    extra = ["train.decoder_share=0.25"]
    whole = tmp_path / "whole"
    train_run(_cfg(tiny_overrides, *extra), whole, quiet=True)
    parted = tmp_path / "parted"
    original = kill_at(monkeypatch, Trainer, 18)
    with pytest.raises(KeyboardInterrupt):
        train_run(_cfg(tiny_overrides, *extra), parted, quiet=True)
    assert _weights(parted)["step"] == 15
    monkeypatch.setattr(Trainer, "iteration", original)
    train_run(None, parted, resume=True, quiet=True)
    a, b = _weights(whole), _weights(parted)
    for key, tensor in a["model"].items():
        assert torch.equal(tensor, b["model"][key]), key
    assert set(a["optimizers"]) == {"ae", "critic", "gen", "nested", "decoder"}


def test_dimension_stops_at_the_decision_with_the_whole_runs_answer(tmp_path, tiny_overrides):
    # maskaae dimension skips the critic's phase (steps 15-20 here), which trains with the mask fixed
    from maskaae.dimension import train_dimension

    whole = train_run(_cfg(tiny_overrides, "train.decoder_share=0.25"), tmp_path / "run", quiet=True)
    answer = train_dimension(_cfg(tiny_overrides, "train.decoder_share=0.25"))
    assert answer["steps"] == 14 and whole["steps"] == 20
    assert answer["m_A"] == whole["active_dims"]
    assert answer["mask"] == [round(v, 4) for v in whole["mask"]]
    paper = train_dimension(_cfg(tiny_overrides, "model.discovery=paper"))
    assert paper["steps"] == 20
