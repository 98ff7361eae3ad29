"""A user's first hour (issue 34, part C): each problem found by trying the tool as a new user would, with the
behaviour that now replaces it."""

import subprocess
import sys

import numpy as np
import pytest
import torch

from maskaae import cli
from maskaae.grid import SweepError, parse_grid
from maskaae.presets import build_config
from maskaae.runs import RunError, sample_run, train_run

from conftest import TINY_FAST


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("first-hour") / "run"
    train_run(build_config(overrides=TINY_FAST), out, quiet=True)
    return out


def test_the_version_is_printed():
    done = subprocess.run([sys.executable, "-m", "maskaae", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("maskaae ")


def test_preset_is_not_a_grid_axis():
    """C3: --grid preset=a,b trained one preset's values under each name."""
    for key in ("preset", "description"):
        with pytest.raises(SweepError, match=f"'{key}' cannot be a grid axis: a sweep has one preset"):
            parse_grid([f"{key}=mnist,synthetic"])


def test_sample_names_a_bad_out_path(run, tmp_path):
    """C12: a bad --out gave a raw traceback."""
    (tmp_path / "file").write_text("")
    with pytest.raises(RunError, match=r"--out .*file/s.npy: its folder cannot be made"):
        sample_run(run, 4, tmp_path / "file" / "s.npy")


def test_a_stopped_sample_leaves_no_hidden_file(run, tmp_path, monkeypatch):
    """C12: Ctrl-C or an error left a hidden .NAME.npy.tmp (GBs for large --num)."""
    from maskaae.models.base import AutoEncoder

    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(AutoEncoder, "generate", stop)
    with pytest.raises(KeyboardInterrupt):
        sample_run(run, 4, tmp_path / "s.npy")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command,says", [("sample", "nothing was written; run it again"),
                                          ("train", "continue with --resume")])
def test_ctrl_c_says_what_the_command_can_do(run, tmp_path, monkeypatch, capsys, command, says):
    """C12: Ctrl-C on sample and dimension pointed to --resume, which they do not have."""
    def stop(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "cmd_sample", stop)
    monkeypatch.setattr(cli, "cmd_train", stop)
    argv = [command, str(run), "--num", "2", "--out", str(tmp_path / "s.npy")] if command == "sample" \
        else [command, "--quiet"]
    assert cli.main(argv) == 130
    assert capsys.readouterr().err.strip() == f"maskaae: interrupted; {says}"
    assert not np.any([p.name.startswith(".") for p in tmp_path.iterdir()])


def test_dimension_prints_m_a_when_an_estimator_refuses_the_points(monkeypatch, capsys, tmp_path):
    """C7: a finished m_A was thrown away when scikit-dimension rejected the data (one feature, few rows)."""
    import types

    from maskaae import dimension

    class Refuses:
        def fit(self, points):
            raise ValueError("n_neighbors must be < n_samples")

    class Fits:
        dimension_ = 1.0

        def fit(self, points):
            return self

    fake = types.ModuleType("skdim")
    fake.id = types.SimpleNamespace(MLE=Refuses, DANCo=Fits)
    monkeypatch.setitem(sys.modules, "skdim", fake)
    points = np.random.default_rng(1).normal(size=(9, 1))
    monkeypatch.setattr(dimension, "train_dimension", lambda cfg, progress: {
        "m_A": 1, "m": 1, "mask": [1.0], "seconds": 2.0, "samples": 9, "points": points})
    path = tmp_path / "x.npy"
    np.save(path, np.random.default_rng(0).normal(size=(10, 1)))
    assert cli.main(["dimension", str(path), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "MaskAAE m_A  1 (of m = 1" in out and "DANCo        1.00" in out
    assert f"TwoNN        {dimension.two_nn(points):.2f}" in out  # maskaae's own TwoNN, with or without the extra
    assert "MLE          (could not run on these 9 x 1 points: ValueError: n_neighbors must be < n_samples)" in out


def test_too_little_data_fails_before_training_and_keeps_the_old_run(tmp_path):
    """C1: 4-34 rows trained the whole schedule and then failed at evaluation; with --overwrite the old run
    was already gone by then."""
    old = tmp_path / "run"
    train_run(build_config(overrides=TINY_FAST), old, quiet=True)
    before = sorted(p.name for p in old.iterdir())
    path = tmp_path / "few.npy"
    np.save(path, np.random.default_rng(0).normal(size=(20, 3)))  # 2 held out
    with pytest.raises(RunError, match=r"few.npy: the held-out split has 2 sample\(s\); the metrics need at least 4"):
        train_run(build_config(overrides=TINY_FAST + ["data.name=file", f"data.path={path}"]), old, overwrite=True,
                  quiet=True)
    assert sorted(p.name for p in old.iterdir()) == before


@pytest.mark.parametrize("rows", [np.ones((50, 4)), np.tile([[1.0, 2.0], [3.0, 4.0]], (25, 1))])
def test_degenerate_data_is_refused_before_training(tmp_path, rows):
    """C6: constant data, or one or two rows repeated, failed after the nested phase (TwoNN), in `train`,
    `dimension` and MaskAAEDimension."""
    from maskaae import MaskAAEDimension
    from maskaae.data import DataError
    from maskaae.dimension import train_dimension

    path = tmp_path / "x.npy"
    np.save(path, rows)
    cfg = build_config(overrides=TINY_FAST + ["data.name=file", f"data.path={path}", "data.scale=none"])
    message = r"the training split has [12] distinct sample\(s\) of 45; finding a dimension needs at least 3"
    with pytest.raises(DataError, match="x.npy: " + message):
        train_run(cfg, tmp_path / "run", quiet=True)
    assert not (tmp_path / "run").exists()
    with pytest.raises(DataError, match="x.npy: " + message):
        train_dimension(cfg)
    with pytest.raises(DataError, match=message.replace("45", "50")):
        MaskAAEDimension(steps=4).fit(rows)


def test_extreme_values_are_standardised_or_refused(tmp_path):
    """C11: a feature holding 1e300 was silently zeroed by standardisation (its std is inf); with
    data.scale=none huge values gave 'lower learning rates' advice after training."""
    from maskaae.data import DataError, load_data

    rng = np.random.default_rng(0)
    x = rng.normal(size=(100, 3))
    x[:, 1] *= 1e300
    np.save(tmp_path / "x.npy", x)
    train, test = load_data(build_config(overrides=["data.name=file", f"data.path={tmp_path / 'x.npy'}"]).data)
    assert torch.isfinite(train).all() and 0.9 < float(train[:, 1].std()) < 1.1  # standardised, not zeroed
    with pytest.raises(DataError, match=r"x.npy holds values up to .*e\+300 and data.scale=none keeps them"):
        load_data(build_config(overrides=["data.name=file", f"data.path={tmp_path / 'x.npy'}",
                                          "data.scale=none"]).data)


def test_sixteen_bit_grey_pngs_are_read_at_their_depth(tmp_path):
    """C5: 16-bit greyscale PNGs were clipped to nearly white by convert("L")."""
    from PIL import Image

    from maskaae.data.files import read_array

    values = np.array([[0, 1000], [30000, 65535]], dtype=np.uint16)
    for i in range(3):
        Image.fromarray(values).save(tmp_path / f"{i}.png")
    with Image.open(tmp_path / "0.png") as im:
        assert im.mode.startswith("I")  # Pillow reads the file at 16 bits
    pixels = read_array(tmp_path)
    assert pixels.shape == (3, 1, 2, 2)
    np.testing.assert_allclose(pixels[0, 0], values / 65535.0, rtol=1e-6)


def test_a_decompression_bomb_is_named_with_the_fix(tmp_path, monkeypatch):
    """C14: an image beyond Pillow's pixel limit gave a raw DecompressionBombError in train and dimension."""
    from PIL import Image

    from maskaae.data import DataError
    from maskaae.data.files import read_array

    for i in range(3):
        Image.new("L", (64, 64)).save(tmp_path / f"{i}.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # 64 x 64 is more than twice it: Pillow refuses
    with pytest.raises(DataError, match=r"0.png is refused as a possible decompression bomb .*resize it"):
        read_array(tmp_path)


def test_binary_cross_entropy_on_vectors_fails_before_training_with_the_fix(tmp_path):
    """C9: loss.recon=bce on vector data gave torch's raw 'all elements of input should be between 0 and 1', also
    with a sigmoid decoder and minmax scaling, where the held-out split leaves [0, 1]."""
    from maskaae.config import ConfigError
    from maskaae.data import DataError

    with pytest.raises(ConfigError, match="loss.recon.*set model.output=sigmoid"):
        build_config(overrides=TINY_FAST + ["loss.recon=bce"])
    rows = np.random.default_rng(0).standard_cauchy(size=(200, 5))  # held-out extremes beyond the training range
    np.save(tmp_path / "x.npy", rows)
    cfg = build_config(overrides=TINY_FAST + ["loss.recon=bce", "model.output=sigmoid", "data.name=file",
                                              f"data.path={tmp_path / 'x.npy'}", "data.scale=minmax",
                                              "data.test_fraction=0.5"])
    with pytest.raises(DataError, match=r"x.npy: loss.recon=bce needs values in \[0, 1\], and the held-out split "
                                        r"spans .*Use loss.recon=mse"):
        train_run(cfg, tmp_path / "run", quiet=True)
    assert not (tmp_path / "run").exists()


def test_an_edited_config_json_is_refused_on_resume(tmp_path, monkeypatch):
    """C15: an edited config.json was accepted on --resume and then recorded as if it had been used."""
    import json

    from maskaae.train import Trainer
    from state_helpers import kill_at

    out = tmp_path / "run"
    cfg = build_config(overrides=TINY_FAST + ["train.steps=8", "train.checkpoint_every=4"])
    original = kill_at(monkeypatch, Trainer, 6)
    with pytest.raises(KeyboardInterrupt):
        train_run(cfg, out, quiet=True)
    monkeypatch.setattr(Trainer, "iteration", original)
    saved = json.loads((out / "config.json").read_text())
    saved["config"]["train"]["lr_ae"] = 0.01
    (out / "config.json").write_text(json.dumps(saved))
    with pytest.raises(RunError, match=r"config.json differs from the config its checkpoint trained with "
                                       r"\(train.lr_ae: 0.0005 in the checkpoint, 0.01 in config.json\)"):
        train_run(None, out, resume=True, quiet=True)
    saved["config"]["train"]["lr_ae"] = 0.0005
    (out / "config.json").write_text(json.dumps(saved))
    assert train_run(None, out, resume=True, quiet=True)["steps"] == 8


def test_a_run_set_aside_by_a_killed_overwrite_comes_back(run, tmp_path):
    """C8: an --overwrite stopped by SIGTERM or SIGKILL before its first checkpoint left the old run hidden in
    OUT/.replaced/, unmentioned, and the next --overwrite deleted it."""
    import shutil

    from maskaae.runfolder import Replacement
    from maskaae.runrecord import read_config

    out = tmp_path / "run"
    shutil.copytree(run, out)
    before = (out / "checkpoint.pt").read_bytes()
    Replacement(out)  # what a killed --overwrite leaves: the old files aside, the new run's first files written
    (out / "config.json").write_text("{}")
    assert not (out / "checkpoint.pt").exists()
    with pytest.warns(UserWarning, match=r"restored the run that an --overwrite had set aside in .*\.replaced"):
        cfg = read_config(out)  # evaluate, sample and --resume read the run through here
    assert cfg.train.steps == 4 and (out / "checkpoint.pt").read_bytes() == before
    assert not (out / ".replaced").exists()


def test_a_failed_checkpoint_write_names_the_file_and_what_is_kept(tmp_path, monkeypatch):
    """C10: a failed checkpoint write (disk full, file too large) gave a raw traceback."""
    import errno

    from maskaae import runs

    cfg = build_config(overrides=TINY_FAST + ["train.steps=8", "train.checkpoint_every=4"])
    real = runs.atomic_torch_save
    calls = []

    def full_disk(obj, path):
        calls.append(obj["trainer"]["step"])
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(obj, path)

    monkeypatch.setattr(runs, "atomic_torch_save", full_disk)
    with pytest.raises(RunError, match=r"checkpoint.pt at step 8 failed: No space left on device; the previous "
                                       r"checkpoint is intact: make room and continue with --resume"):
        train_run(cfg, tmp_path / "run", quiet=True)
    assert torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=True)["trainer"]["step"] == 4


def test_a_data_file_changed_after_training_is_refused(tmp_path):
    """C4: a --data file changed after training silently changed evaluate's results and what --resume trained on."""
    import json

    from maskaae.runs import evaluate_run

    path = tmp_path / "x.npy"
    np.save(path, np.random.default_rng(0).normal(size=(200, 5)))
    cfg = build_config(overrides=TINY_FAST + ["data.name=file", f"data.path={path}"])
    train_run(cfg, tmp_path / "run", quiet=True)
    record = json.loads((tmp_path / "run" / "config.json").read_text())["data_file"]
    assert record["bytes"] == path.stat().st_size and len(record["sha256"]) == 64
    evaluate_run(tmp_path / "run")  # the same file: evaluated
    np.save(path, np.random.default_rng(1).normal(size=(200, 5)))
    message = r"x.npy changed since .*run trained on it: it had \d+ bytes, SHA-256 \w{12}, and now has"
    with pytest.raises(RunError, match=message + r".*evaluating it would use other data"):
        evaluate_run(tmp_path / "run")
    longer = build_config(overrides=TINY_FAST + ["data.name=file", f"data.path={path}", "train.steps=8"])
    with pytest.raises(RunError, match=message + r".*resuming would use other data"):
        train_run(longer, tmp_path / "run", resume=True, quiet=True)


def test_the_estimator_standardises_as_files_do():
    """C11 and issue 34 B4: MaskAAEDimension had its own standardisation, which zeroed a 1e300 feature (std inf);
    both now use data.files.standard_scaling."""
    from maskaae import MaskAAEDimension

    rows = np.random.default_rng(0).normal(size=(60, 3))
    rows[:, 2] *= 1e300
    est = MaskAAEDimension(steps=4, overrides=tuple(TINY_FAST[:2])).fit(rows)
    scaled = est._standardise(rows)
    np.testing.assert_allclose(scaled.std(axis=0), 1.0, rtol=1e-9)
    assert np.isfinite(est.sample(5)).all()


def test_wide_data_is_evaluated_at_the_end_only_and_says_so(tmp_path):
    """C13: 300 x 5,000 took about 90 s per evaluation (35 s of it the 5,000-d Frechet distance), every 1,000
    steps."""
    from maskaae.data.files import EVAL_ONLY_AT_END, file_defaults

    np.save(tmp_path / "wide.npy", np.random.default_rng(0).normal(size=(40, 2000)))
    np.save(tmp_path / "narrow.npy", np.random.default_rng(0).normal(size=(40, 20)))
    overrides, note = file_defaults(tmp_path / "wide.npy")
    assert f"train.eval_every={EVAL_ONLY_AT_END}" in overrides and "at the end only" in note
    overrides, note = file_defaults(tmp_path / "narrow.npy")
    assert not any(o.startswith("train.eval_every") for o in overrides) and "end only" not in note


def test_image_folders_get_cpu_sized_networks_and_the_bar_says_their_size_and_pace(tmp_path, capsys):
    """C2: an image folder with default settings built fashion-conv at width 256 (250 M parameters, 6.5 s an
    auto-encoder pass on one thread), with no warning."""
    from PIL import Image

    from maskaae.data.files import file_defaults
    from maskaae.models import family

    folder = tmp_path / "images"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(8):
        Image.fromarray(rng.integers(0, 255, (28, 28), dtype=np.uint8)).save(folder / f"{i}.png")
    overrides, note = file_defaults(folder)
    assert "model.width=16" in overrides and "width 16 (CPU-sized" in note
    cfg = build_config(overrides=overrides)
    model = family(cfg.model.kind).build_model(cfg, (1, 28, 28))
    assert sum(p.numel() for p in model.parameters()) < 1.5e6
    train_run(build_config(overrides=TINY_FAST + ["train.steps=21"]), tmp_path / "run")
    err = capsys.readouterr().err
    assert " parameters)" in err and "s per 1,000 steps here (the first 20); 1 steps to go" in err


def test_the_smaller_first_hour_problems(tmp_path, capsys):
    """C16: a header-only CSV described as a shape; `evaluate FILE` said 'does not exist'; a seed beyond 2^32
    accepted (the samplers wrap it) or refused without naming the key; a pandas index column read as a feature;
    the note said 'standardised' under data.scale=minmax; `train --model wae-gan` refused while the grid took it."""
    from maskaae.config import ConfigError
    from maskaae.data import DataError
    from maskaae.data.files import file_defaults, read_array

    (tmp_path / "header.csv").write_text("a,b,c\n")
    with pytest.raises(DataError, match=r"header.csv has a header row \(a, b, c\) and no data rows"):
        read_array(tmp_path / "header.csv")
    (tmp_path / "index.csv").write_text(",x,y\n0,1.5,2\n1,3,4\n2,5,6.5\n")
    with pytest.raises(DataError, match=r"first column is unnamed and counts the rows .*index=False"):
        read_array(tmp_path / "index.csv")
    (tmp_path / "named.csv").write_text("id,x\n0,1.5\n1,3\n2,5\n")
    assert read_array(tmp_path / "named.csv").shape == (3, 2)  # a named column is the user's choice
    np.save(tmp_path / "x.npy", np.random.default_rng(0).normal(size=(20, 3)))
    assert "min-max scaled to [0, 1]" in file_defaults(tmp_path / "x.npy", "minmax")[1]
    assert "standardised" in file_defaults(tmp_path / "x.npy")[1]
    for key in ("seed", "data.seed"):
        with pytest.raises(ConfigError, match=rf"'{key}' = 4294967296 must be in \[0, 2\^32\)"):
            build_config(overrides=[f"{key}={2**32}"])
    assert cli.main(["evaluate", str(tmp_path / "x.npy")]) == 2
    assert "x.npy is a file, not a run folder" in capsys.readouterr().err
    assert cli.main(["train", "--model", "wae-gan", "--set", *TINY_FAST, "--out", str(tmp_path / "wae"),
                     "--quiet"]) == 0
    import json
    saved = json.loads((tmp_path / "wae" / "config.json").read_text())
    assert saved["model"] == "wae-gan" and saved["config"]["model"]["mask"] is False


def test_a_regular_csv_is_read_by_numpys_reader_with_the_same_numbers(tmp_path, monkeypatch):
    """C16: a 48 MB CSV peaked at 832 MB, read row by row into Python lists; a regular table now goes through
    np.loadtxt (a 115 MB CSV: 295 MB peak instead of 933 MB, 4.3 s instead of 8.6 s, one run each), with the
    same numbers as the row-by-row reader, which still reports irregular files."""
    from maskaae.data import files

    values = np.random.default_rng(0).normal(size=(50, 4))
    np.savetxt(tmp_path / "x.csv", values, delimiter=",", header="a,b,c,d", comments="")
    np.savetxt(tmp_path / "x.tsv", values, delimiter="\t")
    fast = [files.read_array(tmp_path / name) for name in ("x.csv", "x.tsv")]
    assert files._read_regular_table(tmp_path / "x.csv", ",") is not None
    monkeypatch.setattr(files, "_read_regular_table", lambda path, delimiter: None)
    slow = [files.read_array(tmp_path / name) for name in ("x.csv", "x.tsv")]
    for a, b in zip(fast, slow):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(fast[0], values, rtol=1e-15)


def test_train_data_reads_the_file_once_and_a_changed_file_again(tmp_path, monkeypatch):
    """C16: `train --data` read the file for the defaults, then again for the training."""
    from maskaae.data import files
    from maskaae.config import DataConfig

    reads = []
    real = files._read_array
    monkeypatch.setattr(files, "_read_array", lambda path: reads.append(path) or real(path))
    path = tmp_path / "x.csv"
    np.savetxt(path, np.random.default_rng(0).normal(size=(50, 3)), delimiter=",")
    overrides, _ = files.file_defaults(str(path))
    cfg = DataConfig(name="file", path=str(path))
    train, test = files.load_file(cfg)
    assert len(reads) == 1 and len(train) + len(test) == 50
    files.load_file(cfg)  # the held array was taken by the first load: a second load reads again
    assert len(reads) == 2
    files.file_defaults(str(path))
    np.savetxt(path, np.random.default_rng(1).normal(size=(60, 3)), delimiter=",")  # changed after the defaults
    train, test = files.load_file(cfg)
    assert len(reads) == 4 and len(train) + len(test) == 60
