import json

import numpy as np
import pytest

from maskaae import ConfigError, build_config
from maskaae.cli import main
from maskaae.data import DataError, load_data
from maskaae.data.files import file_defaults, read_array

TINY = ["train.steps=12", "train.discovery_steps=8", "model.width=8", "model.depth=1",
        "train.disc_training_ratio=1", "train.batch_size=16", "eval.n_samples=20", "eval.nac_samples=20",
        "train.log_every=4", "train.eval_every=12", "train.checkpoint_every=6"]


@pytest.fixture
def vectors(tmp_path):
    rng = np.random.default_rng(0)
    x = np.tanh(rng.normal(size=(200, 2)) @ rng.normal(size=(2, 7))) * 5 + 3
    np.save(tmp_path / "x.npy", x)
    np.savetxt(tmp_path / "x.csv", x, delimiter=",", header=",".join(f"c{i}" for i in range(7)), comments="")
    np.savetxt(tmp_path / "x.tsv", x, delimiter="\t")
    return x


def test_npy_csv_and_tsv_read_the_same_numbers(tmp_path, vectors):
    for name in ("x.npy", "x.csv", "x.tsv"):
        np.testing.assert_allclose(read_array(tmp_path / name), vectors, rtol=1e-12)


def test_split_is_seeded_and_standardised_with_training_statistics(tmp_path, vectors):
    cfg = build_config("synthetic", overrides=["data.name=file", f"data.path={tmp_path / 'x.npy'}"]).data
    train, test = load_data(cfg)
    assert len(train) == 180 and len(test) == 20
    np.testing.assert_allclose(train.numpy().mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(train.numpy().std(0), 1, atol=1e-4)
    again, _ = load_data(cfg)
    assert np.array_equal(train.numpy(), again.numpy())
    minmax = build_config("synthetic", overrides=["data.name=file", f"data.path={tmp_path / 'x.npy'}",
                                                  "data.scale=minmax"]).data
    train, _ = load_data(minmax)
    assert float(train.min()) == 0.0 and float(train.max()) == 1.0
    raw = build_config("synthetic", overrides=["data.name=file", f"data.path={tmp_path / 'x.npy'}",
                                               "data.scale=none"]).data
    train, test = load_data(raw)
    assert sorted(np.concatenate([train.numpy(), test.numpy()]).sum(1).round(4)) == \
        sorted(vectors.astype(np.float32).sum(1).round(4))


def test_bad_files_name_the_problem(tmp_path):
    cases = {
        "nan.csv": ("1,2\n3,nan\n5,6\n7,8\n9,10\n", "NaN"),
        "ragged.csv": ("1,2\n3\n", "same number of columns"),
        "empty.csv": ("", "empty"),
        "words.csv": ("a,b\n1,x\n", "not a number"),
        "x.txt": ("1,2\n", "not a data format"),
    }
    for name, (text, match) in cases.items():
        (tmp_path / name).write_text(text)
        with pytest.raises(DataError, match=match) as info:
            cfg = build_config("synthetic", overrides=["data.name=file", f"data.path={tmp_path / name}"]).data
            load_data(cfg)
        assert name in str(info.value)
    np.save(tmp_path / "cube.npy", np.zeros((5, 2, 2)))
    with pytest.raises(DataError, match="samples, features"):
        read_array(tmp_path / "cube.npy")
    with pytest.raises(DataError, match="no such file"):
        read_array(tmp_path / "missing.npy")


def test_image_folder_one_size(tmp_path):
    from PIL import Image

    folder = tmp_path / "imgs"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(6):
        Image.fromarray((rng.uniform(size=(28, 28)) * 255).astype("uint8")).save(folder / f"{i}.png")
    images = read_array(folder)
    assert images.shape == (6, 1, 28, 28) and 0.0 <= images.min() and images.max() <= 1.0
    overrides, note = file_defaults(folder)
    assert "model.network=fashion-conv" in overrides and "loss.recon=bce" in overrides and "m = 64" in note
    Image.fromarray(np.zeros((20, 20), dtype="uint8")).save(folder / "odd.png")
    with pytest.raises(DataError, match="different sizes"):
        read_array(folder)
    (folder / "odd.png").write_bytes(b"broken")
    with pytest.raises(DataError, match="odd.png is not a readable image"):
        read_array(folder)


def test_train_and_dimension_on_a_users_file(tmp_path, vectors, capsys):
    assert main(["train", "--data", str(tmp_path / "x.csv"), "--out", str(tmp_path / "run"), "--quiet",
                 "--set", *TINY]) == 0
    err = capsys.readouterr().err
    assert "m = min(features, 64) = 7" in err
    saved = json.loads((tmp_path / "run" / "config.json").read_text())["config"]
    assert saved["data"]["name"] == "file" and saved["model"]["latent_dim"] == 7
    assert main(["dimension", str(tmp_path / "x.npy"), "--json", "--set", *TINY]) == 0
    result = json.loads(capsys.readouterr().out)
    assert 1 <= result["m_A"] <= 7 and result["m"] == 7 and len(result["mask"]) == 7
    assert set(result["estimators"]) == {"TwoNN", "MLE", "DANCo"}


def test_a_path_without_data_name_file_is_an_error_not_ignored(tmp_path):
    # without the check the run trained on the preset's synthetic data and never read the file
    with pytest.raises(ConfigError, match=r"data\.path.*data\.name = file.*'synthetic'.*--data PATH"):
        build_config("synthetic", overrides=[f"data.path={tmp_path / 'x.npy'}"])
