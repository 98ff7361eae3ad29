import numpy as np
import pytest
import torch
from scipy import linalg

from maskaae.metrics import (
    ReferenceStats,
    authors_minmax_normalize,
    compute_fid,
    fid_between,
    fid_from_features,
    load_images,
    reference_stats,
)


class FlatFeatures:
    """Cheap stand-in for InceptionFeatures: flattened pixels, counts calls."""

    weights_sha256 = "ab" * 32

    def __init__(self, batch_size=50):
        self.batch_size = batch_size
        self.calls = 0

    def __call__(self, images):
        self.calls += 1
        x = torch.as_tensor(images)
        x = x.float() / 255 if x.dtype == torch.uint8 else x.float()
        return torch.cat([x[i:i + self.batch_size].flatten(1) for i in range(0, len(x), self.batch_size)])


def _reference_fid(f1, f2):
    mu1, mu2 = f1.mean(0), f2.mean(0)
    s1, s2 = np.cov(f1, rowvar=False), np.cov(f2, rowvar=False)
    covmean = np.real(linalg.sqrtm(s1 @ s2))
    return float((mu1 - mu2) @ (mu1 - mu2) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def test_fid_from_features_matches_sqrtm_reference():
    rng = np.random.default_rng(0)
    f1 = rng.standard_normal((300, 20))
    f2 = rng.standard_normal((250, 20)) @ rng.standard_normal((20, 20)) * 0.5 + 0.3
    assert fid_from_features(f1, f2) == pytest.approx(_reference_fid(f1, f2), rel=1e-6)


def test_fid_of_set_with_itself_is_zero():
    f = np.random.default_rng(1).standard_normal((100, 16)).astype(np.float32)
    assert abs(fid_from_features(f, f)) < 1e-8
    x = torch.rand(40, 1, 4, 4)
    r = compute_fid(x, x.clone(), FlatFeatures())
    assert abs(r["fid"]) < 1e-8
    assert r["fid_samples"] == 40 and r["fid_samples_ref"] == 40 and r["fid_variant"] == "standard"


def test_fid_does_not_depend_on_batch_size():
    g = torch.Generator().manual_seed(2)
    a, b = torch.rand(30, 3, 3, 3, generator=g), torch.rand(30, 3, 3, 3, generator=g) ** 2
    vals = [compute_fid(a, b, FlatFeatures(batch_size=bs))["fid"] for bs in (1, 7, 50)]
    assert vals[0] > 0.1
    assert vals == pytest.approx([vals[0]] * 3, rel=1e-6)


def test_authors_minmax_variant_is_labelled_and_off_by_default():
    g = torch.Generator().manual_seed(3)
    real = torch.rand(30, 1, 4, 4, generator=g)
    fake = real * 0.5 + 0.2  # same images, contrast squashed
    std = compute_fid(fake, real, FlatFeatures())
    mm = compute_fid(fake, real, FlatFeatures(), authors_minmax=True)
    assert std["fid_variant"] == "standard" and mm["fid_variant"] == "authors_minmax"
    assert std["fid"] != pytest.approx(mm["fid"])
    n = authors_minmax_normalize(fake).flatten(1)
    assert torch.allclose(n.min(1).values, torch.zeros(30)) and torch.allclose(n.max(1).values, torch.ones(30))
    assert torch.equal(authors_minmax_normalize(torch.full((1, 1, 2, 2), 0.3)), torch.zeros(1, 1, 2, 2))


def test_reference_stats_cache_and_invalidation(tmp_path):
    g = torch.Generator().manual_seed(4)
    imgs = torch.rand(60, 1, 3, 3, generator=g)
    ext = FlatFeatures()
    s1 = reference_stats("mnist", "test", imgs, 50, tmp_path, ext)
    assert ext.calls == 1 and isinstance(s1, ReferenceStats) and s1.n == 50 and s1.path.is_file()
    name = s1.path.name
    assert "mnist" in name and "test" in name and "n50" in name and ext.weights_sha256[:16] in name

    loaded = []
    s2 = reference_stats("mnist", "test", lambda: loaded.append(1) or imgs, 50, tmp_path, ext)
    assert ext.calls == 1 and not loaded  # cache hit: images not even loaded
    np.testing.assert_array_equal(s1.mu, s2.mu)
    np.testing.assert_array_equal(s1.sigma, s2.sigma)

    reference_stats("mnist", "test", imgs, 40, tmp_path, ext)  # N changed
    assert ext.calls == 2
    reference_stats("mnist", "train", imgs, 50, tmp_path, ext)  # split changed
    assert ext.calls == 3
    reference_stats("fashion", "test", imgs, 50, tmp_path, ext)  # name changed
    assert ext.calls == 4
    reference_stats("mnist", "test", imgs, 50, tmp_path, ext, weights_hash="cd" * 32)  # weights changed
    assert ext.calls == 5
    # same 16-char hash prefix but a different full hash: stored metadata catch it
    reference_stats("mnist", "test", imgs, 50, tmp_path, ext, weights_hash="ab" * 8 + "ef" * 24)
    assert ext.calls == 6
    # corrupt file: recomputed, not an error
    s1.path.write_bytes(b"garbage")
    s3 = reference_stats("mnist", "test", imgs, 50, tmp_path, ext)
    assert ext.calls == 7
    np.testing.assert_allclose(s3.sigma, s1.sigma)
    assert len(list(tmp_path.glob("*.npz"))) == 5  # the two "ab..." hashes share a file name

    # stats give the same FID as the images themselves
    fake = torch.rand(50, 1, 3, 3, generator=g)
    direct = compute_fid(fake, imgs[:50], FlatFeatures())
    via = compute_fid(fake, s3, FlatFeatures())
    assert via["fid"] == pytest.approx(direct["fid"], rel=1e-9) and via["fid_samples_ref"] == 50

    with pytest.raises(ValueError, match="weights_hash"):
        reference_stats("mnist", "test", imgs, 50, tmp_path, lambda x: x.flatten(1))
    with pytest.raises(ValueError, match="fewer than n"):
        reference_stats("mnist", "val", imgs, 100, tmp_path, ext)


@pytest.mark.parametrize("layout", ["nhw", "nhwc", "nchw"])
def test_load_images_layouts(tmp_path, layout):
    rng = np.random.default_rng(5)
    base = rng.integers(0, 256, (4, 3, 5, 6), dtype=np.uint8)  # NCHW
    arr = {"nhw": base[:, 0], "nhwc": base.transpose(0, 2, 3, 1), "nchw": base}[layout]
    np.save(tmp_path / "x.npy", arr)
    x = load_images(tmp_path / "x.npy")
    expected = base[:, :1] if layout == "nhw" else base
    assert x.dtype == torch.uint8 and np.array_equal(x.numpy(), expected)
    np.savez(tmp_path / "y.npz", images=arr.astype(np.float32) / 255, labels=np.arange(4))
    y = load_images(tmp_path / "y.npz")
    assert y.dtype == torch.float32 and np.allclose(y.numpy() * 255, expected)


def test_load_images_errors(tmp_path):
    cases = {
        "f255.npy": (np.full((3, 4, 4), 200.0, np.float32), "looks like 0..255"),
        "i16.npy": (np.zeros((3, 4, 4), np.int16), "dtype int16"),
        "dim.npy": (np.zeros((3, 4), np.uint8), "expected images of shape"),
        "amb.npy": (np.zeros((3, 3, 4, 3), np.uint8), "ambiguous"),
        "noch.npy": (np.zeros((3, 5, 4, 4), np.uint8), "channel axis"),
    }
    for fname, (arr, msg) in cases.items():
        np.save(tmp_path / fname, arr)
        with pytest.raises(ValueError, match=msg):
            load_images(tmp_path / fname)
    np.savez(tmp_path / "two.npz", a=np.zeros((3, 4, 4)), b=np.zeros((3, 4, 4)))
    with pytest.raises(ValueError, match="'images'"):
        load_images(tmp_path / "two.npz")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no .png"):
        load_images(tmp_path / "empty")
    with pytest.raises(ValueError, match="no such file"):
        load_images(tmp_path / "missing.npy")
    (tmp_path / "corrupt.npy").write_bytes(b"not numpy")
    with pytest.raises(ValueError, match="not a readable .npy"):
        load_images(tmp_path / "corrupt.npy")
    (tmp_path / "pngs").mkdir()
    (tmp_path / "pngs" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    with pytest.raises(ValueError, match="a.png: not a readable PNG"):
        load_images(tmp_path / "pngs")


def test_fid_between_png_folder_and_npy(tmp_path):
    Image = pytest.importorskip("PIL.Image")
    rng = np.random.default_rng(6)
    imgs = rng.integers(0, 256, (12, 6, 6, 3), dtype=np.uint8)
    folder = tmp_path / "pngs"
    folder.mkdir()
    for i, im in enumerate(imgs):
        Image.fromarray(im).save(folder / f"{i:03d}.png")
    np.save(tmp_path / "same.npy", imgs)
    loaded = load_images(folder)
    assert loaded.shape == (12, 3, 6, 6) and np.array_equal(loaded.numpy(), imgs.transpose(0, 3, 1, 2))

    r = fid_between(folder, tmp_path / "same.npy", extractor=FlatFeatures(), kid_subsets=5, kid_subset_size=8)
    # the same names as a run's FID (compute_fid): fid_samples for A (generated), fid_samples_ref for B
    assert set(r) >= set(compute_fid(loaded, loaded, FlatFeatures())) | {"kid", "precision", "recall"}
    assert set(r) >= {"fid", "fid_samples", "fid_samples_ref", "fid_variant"}
    assert abs(r["fid"]) < 1e-6 and r["fid_samples"] == r["fid_samples_ref"] == 12
    assert r["precision"] == 1.0 and r["recall"] == 1.0

    np.save(tmp_path / "dark.npy", (imgs // 4).astype(np.uint8))
    r2 = fid_between(folder, tmp_path / "dark.npy", extractor=FlatFeatures(), kid_subsets=5, kid_subset_size=8)
    assert r2["fid"] > 1.0 and r2["kid"] > 0
