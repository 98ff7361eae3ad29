"""Image readers on small files written in the real formats (IDX, CIFAR-10 pickles, CelebA JPEGs)."""

import gzip
import os
import pickle
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from maskaae.config import DataConfig
from maskaae.data import DATASETS, load_data
from maskaae.data import images
from maskaae.data.arrays import DataError
from maskaae.data.fetch import FASHION_SYSTEM_DIR, default_data_root, has_idx_files
from maskaae.data.images import (IDX_IMAGES, IDX_LABELS, celeba_files, celeba_image, read_celeba_folder,
                                 read_cifar10_folder, read_cifar_batch, read_idx, read_idx_folder,
                                 read_idx_images, read_idx_labels)


def idx_bytes(array: np.ndarray, magic: int) -> bytes:
    array = np.asarray(array, dtype=np.uint8)
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in array.shape) + array.tobytes()


def write_idx(path: Path, array: np.ndarray, magic: int, gz: bool = False) -> Path:
    data = idx_bytes(array, magic)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def write_mnist_folder(folder: Path, n_train: int = 5, n_test: int = 3, gz: bool = False) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    sfx = ".gz" if gz else ""
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        write_idx(folder / f"{prefix}-images-idx3-ubyte{sfx}", rng.integers(0, 256, (n, 28, 28)), IDX_IMAGES, gz)
        write_idx(folder / f"{prefix}-labels-idx1-ubyte{sfx}", rng.integers(0, 10, n), IDX_LABELS, gz)


# ----------------------------------------------------------------------------
# IDX

@pytest.mark.parametrize("gz", [False, True])
def test_idx_round_trip_and_scaling(tmp_path, gz):
    array = np.arange(2 * 28 * 28, dtype=np.int64).reshape(2, 28, 28) % 256
    array[0, 0, 0], array[1, 27, 27] = 0, 255
    path = write_idx(tmp_path / ("x.gz" if gz else "x"), array, IDX_IMAGES, gz)
    raw = read_idx(path, IDX_IMAGES)
    assert raw.dtype == np.uint8 and np.array_equal(raw, array)
    t = read_idx_images(path, (28, 28))
    assert t.shape == (2, 1, 28, 28) and t.dtype == torch.float32
    assert float(t.min()) == 0.0 and float(t.max()) == 1.0
    assert torch.allclose(t[:, 0], torch.from_numpy(array).float() / 255)
    labels = write_idx(tmp_path / "l", np.array([3, 1, 4]), IDX_LABELS, gz)
    assert read_idx_labels(labels).tolist() == [3, 1, 4]


def test_idx_wrong_magic_names_file(tmp_path):
    path = write_idx(tmp_path / "train-images-idx3-ubyte", np.zeros(4), IDX_LABELS)
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.*magic number 0x00000801.*expected 0x00000803"):
        read_idx_images(path)
    bad = tmp_path / "garbage"
    bad.write_bytes(b"\x12\x34\x56\x78" + bytes(100))
    with pytest.raises(DataError, match="garbage.*magic"):
        read_idx(bad, IDX_IMAGES)


@pytest.mark.parametrize("cut", [2, 10, 4 + 12 + 50])
def test_idx_truncated_names_file(tmp_path, cut):
    data = idx_bytes(np.zeros((2, 28, 28)), IDX_IMAGES)
    path = tmp_path / "short-idx3-ubyte"
    path.write_bytes(data[:cut])
    with pytest.raises(ValueError, match="short-idx3-ubyte.*truncated"):
        read_idx_images(path)


def test_idx_trailing_bytes_and_truncated_gzip(tmp_path):
    data = idx_bytes(np.zeros((2, 28, 28)), IDX_IMAGES)
    long = tmp_path / "long"
    long.write_bytes(data + b"\0")
    with pytest.raises(DataError, match="long.*1 bytes after"):
        read_idx_images(long)
    gz = tmp_path / "cut.gz"
    gz.write_bytes(gzip.compress(data)[:-12])
    with pytest.raises(DataError, match="cut.gz.*gzip"):
        read_idx_images(gz)


def test_idx_wrong_image_size(tmp_path):
    path = write_idx(tmp_path / "x", np.zeros((2, 32, 32)), IDX_IMAGES)
    with pytest.raises(DataError, match="32 x 32; expected 28 x 28"):
        read_idx_images(path, (28, 28))


@pytest.mark.parametrize("gz", [False, True])
def test_idx_folder_and_count_checks(tmp_path, gz):
    write_mnist_folder(tmp_path, 5, 3, gz)
    assert read_idx_folder(tmp_path, "mnist", "train").shape == (5, 1, 28, 28)
    assert read_idx_folder(tmp_path, "mnist", "test", expected=3).shape == (3, 1, 28, 28)
    with pytest.raises(DataError, match="has 5 images; the mnist train set has 60000"):
        read_idx_folder(tmp_path, "mnist", "train", expected=60000)
    sfx = ".gz" if gz else ""
    write_idx(tmp_path / f"train-labels-idx1-ubyte{sfx}", np.zeros(4), IDX_LABELS, gz)
    with pytest.raises(DataError, match="4 labels but .* 5 images"):
        read_idx_folder(tmp_path, "mnist", "train")


def test_missing_idx_file_names_file_and_get_command(tmp_path):
    with pytest.raises(ValueError) as err:
        load_data(DataConfig(name="mnist", data_dir=str(tmp_path)))
    assert "train-images-idx3-ubyte" in str(err.value) and str(tmp_path) in str(err.value)
    assert "maskaae data get mnist" in str(err.value)
    with pytest.raises(DataError, match="maskaae data get fashion-mnist"):
        load_data(DataConfig(name="fashion-mnist", data_dir=str(tmp_path)))


def test_idx_loaders_registered(tmp_path, monkeypatch):
    assert {"synthetic", "mnist", "fashion-mnist", "cifar10", "celeba"} <= set(DATASETS)
    write_mnist_folder(tmp_path, 5, 3)
    monkeypatch.setitem(images.EXPECTED_COUNTS, "mnist", {"train": 5, "test": 3})
    train, test = load_data(DataConfig(name="mnist", data_dir=str(tmp_path)))
    assert train.shape == (5, 1, 28, 28) and test.shape == (3, 1, 28, 28)
    # default folder: $MASKAAE_DATA/mnist
    monkeypatch.setenv("MASKAAE_DATA", str(tmp_path / "root"))
    write_mnist_folder(tmp_path / "root" / "mnist", 5, 3, gz=True)
    train2, _ = load_data(DataConfig(name="mnist"))
    assert train2.shape == (5, 1, 28, 28)


# ----------------------------------------------------------------------------
# CIFAR-10

def write_cifar(folder: Path, n: int = 2, protocol: int = 2) -> Path:
    """cifar-10-batches-py/ with data_batch_1..5 and test_batch of n images each; image 0 of
    every batch is red 255, green 0, blue 128; labels 0..n-1."""
    batches = folder / "cifar-10-batches-py"
    batches.mkdir(parents=True)
    for k, name in enumerate([f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]):
        data = np.full((n, 3072), k, dtype=np.uint8)
        data[0, :1024], data[0, 1024:2048], data[0, 2048:] = 255, 0, 128
        batch = {b"batch_label": b"batch", b"labels": list(range(n)), b"data": data,
                 b"filenames": [b"f%d.png" % i for i in range(n)]}
        with open(batches / name, "wb") as fh:
            pickle.dump(batch, fh, protocol=protocol)
    return batches


@pytest.mark.parametrize("protocol", [2, 5])
def test_cifar_fixture(tmp_path, protocol):
    batches = write_cifar(tmp_path, protocol=protocol)
    images_, labels = read_cifar_batch(batches / "data_batch_1")
    assert images_.shape == (2, 3, 32, 32) and labels.tolist() == [0, 1]
    train = read_cifar10_folder(tmp_path, "train")
    test = read_cifar10_folder(batches, "test")
    assert train.shape == (10, 3, 32, 32) and test.shape == (2, 3, 32, 32)
    assert train.dtype == torch.float32 and float(train.min()) >= 0 and float(train.max()) <= 1
    assert torch.all(train[0, 0] == 1) and torch.all(train[0, 1] == 0)
    assert torch.allclose(train[0, 2], torch.tensor(128 / 255))
    assert torch.all(train[3] == 1 / 255)  # batch 2, image 1
    assert torch.all(test[1] == 5 / 255)


def test_cifar_loader_and_errors(tmp_path, monkeypatch):
    write_cifar(tmp_path)
    monkeypatch.setitem(images.EXPECTED_COUNTS, "cifar10", {"train": 10, "test": 2})
    train, test = load_data(DataConfig(name="cifar10", data_dir=str(tmp_path)))
    assert train.shape == (10, 3, 32, 32) and test.shape == (2, 3, 32, 32)
    (tmp_path / "cifar-10-batches-py" / "data_batch_4").unlink()
    with pytest.raises(DataError, match="data_batch_4 not found.*data.data_dir"):
        load_data(DataConfig(name="cifar10", data_dir=str(tmp_path)))
    bad = tmp_path / "bad"
    with open(bad, "wb") as fh:
        pickle.dump({b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]}, fh, protocol=2)
    with pytest.raises(DataError, match="bad.*expected uint8 \\(N, 3072\\)"):
        read_cifar_batch(bad)
    bad.write_bytes(b"not a pickle")
    with pytest.raises(DataError, match="bad.*not a readable CIFAR-10"):
        read_cifar_batch(bad)


class _Evil:
    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return (os.mkdir, (self.target,))


def test_cifar_refuses_foreign_pickle_globals(tmp_path):
    target = tmp_path / "pwned"
    path = tmp_path / "data_batch_1"
    with open(path, "wb") as fh:
        pickle.dump({b"data": _Evil(str(target)), b"labels": []}, fh, protocol=2)
    with pytest.raises(DataError, match="refusing to load global"):
        read_cifar_batch(path)
    assert not target.exists()


# ----------------------------------------------------------------------------
# CelebA

def framed_jpeg(path: Path, centre: int, border: int) -> Path:
    """178 x 218 (CelebA's size) JPEG: the centre 140 x 140 one grey level, the border another."""
    from PIL import Image

    img = Image.new("RGB", (178, 218), (border,) * 3)
    img.paste(Image.new("RGB", (140, 140), (centre,) * 3), (19, 39))
    img.save(path, quality=100, subsampling=0)
    return path


def test_celeba_crop_then_resize(tmp_path):
    white = celeba_image(framed_jpeg(tmp_path / "a.jpg", 255, 0))
    assert white.shape == (3, 64, 64) and white.dtype == np.uint8
    assert white.min() >= 240  # only the white centre survives the crop
    black = celeba_image(framed_jpeg(tmp_path / "b.jpg", 0, 255))
    assert black.max() <= 15


def test_celeba_crop_is_centred(tmp_path):
    from PIL import Image

    # left half of the 140 x 140 centre red, right half blue, the rest green
    img = Image.new("RGB", (178, 218), (0, 255, 0))
    img.paste(Image.new("RGB", (70, 140), (255, 0, 0)), (19, 39))
    img.paste(Image.new("RGB", (70, 140), (0, 0, 255)), (89, 39))
    img.save(tmp_path / "c.jpg", quality=100, subsampling=0)
    out = celeba_image(tmp_path / "c.jpg").astype(int)
    assert out[1].max() <= 20  # no green border
    assert out[0, :, :30].min() >= 230 and out[2, :, 34:].min() >= 230


def test_celeba_split_from_partition_file(tmp_path):
    folder = tmp_path / "img_align_celeba"
    folder.mkdir()
    names = ["000001.jpg", "000002.jpg", "000003.jpg", "000004.jpg"]
    for i, name in enumerate(names):
        framed_jpeg(folder / name, 255 if i % 2 else 0, 0)
    (tmp_path / "list_eval_partition.txt").write_text(
        "000001.jpg 0\n000002.jpg 0\n000003.jpg 1\n000004.jpg 2\n")
    assert [f.name for f in celeba_files(tmp_path, "train")] == names[:2]
    assert [f.name for f in celeba_files(tmp_path, "test")] == names[3:]
    train = read_celeba_folder(tmp_path, "train")
    assert train.shape == (2, 3, 64, 64) and train.dtype == torch.float32
    assert float(train[0].max()) < 0.1 and float(train[1].min()) > 0.9
    assert read_celeba_folder(tmp_path, "train", max_images=1).shape == (1, 3, 64, 64)
    train, test = load_data(DataConfig(name="celeba", data_dir=str(tmp_path), n_train=1, n_test=5))
    assert train.shape == (1, 3, 64, 64) and test.shape == (1, 3, 64, 64)


def test_celeba_standard_ranges_without_partition_file(tmp_path):
    for name in ["000001.jpg", "162770.jpg", "162771.jpg", "182637.jpg", "182638.jpg"]:
        framed_jpeg(tmp_path / name, 255, 0)
    assert [f.name for f in celeba_files(tmp_path, "train")] == ["000001.jpg", "162770.jpg"]
    assert [f.name for f in celeba_files(tmp_path, "valid")] == ["162771.jpg", "182637.jpg"]
    assert [f.name for f in celeba_files(tmp_path, "test")] == ["182638.jpg"]


def test_celeba_errors(tmp_path):
    with pytest.raises(DataError, match="img_align_celeba.*data.data_dir"):
        load_data(DataConfig(name="celeba", data_dir=str(tmp_path)))
    (tmp_path / "000001.jpg").write_bytes(b"not a jpeg")
    with pytest.raises(DataError, match="000001.jpg.*not a readable image"):
        read_celeba_folder(tmp_path, "train")
    from PIL import Image

    Image.new("RGB", (100, 218)).save(tmp_path / "000001.jpg")
    with pytest.raises(DataError, match="000001.jpg is 100 x 218"):
        read_celeba_folder(tmp_path, "train")


# ----------------------------------------------------------------------------
# The real data sets, where they are on this machine

def _real(name: str) -> Path | None:
    for folder in (default_data_root() / name, FASHION_SYSTEM_DIR if name == "fashion-mnist" else None):
        if folder is not None and has_idx_files(folder):
            return folder
    return None


@pytest.mark.parametrize("name", ["mnist", "fashion-mnist"])
def test_real_idx_data(name):
    folder = _real(name)
    if folder is None:
        pytest.skip(f"{name} files absent (maskaae data get {name})")
    train, test = load_data(DataConfig(name=name, data_dir=str(folder)))
    assert train.shape == (60000, 1, 28, 28) and test.shape == (10000, 1, 28, 28)
    assert train.dtype == torch.float32 and float(train.min()) == 0.0 and float(train.max()) == 1.0
