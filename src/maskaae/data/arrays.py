"""Accept user data as numpy arrays, tensors, Datasets or DataLoaders.

Everything is materialised as one float32 tensor: the training loop samples
fresh batches by index, which is what makes a resumed run identical to an
uninterrupted one.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset


class DataError(ValueError):
    """Data that cannot be trained on: empty, wrong shape or not finite."""


def _first(item: Any) -> Any:
    # (x, y) pairs from labelled Datasets: keep x
    return item[0] if isinstance(item, (tuple, list)) else item


def as_tensor(data: Any, name: str = "data", min_samples: int = 2) -> torch.Tensor:
    """float32 tensor (N, ...) with N >= min_samples and only finite values."""
    if isinstance(data, DataLoader):
        parts = [torch.as_tensor(_first(batch)) for batch in data]
        if not parts:
            raise DataError(f"{name}: the DataLoader yielded no batches; give it a non-empty Dataset")
        tensor = torch.cat(parts)
    elif isinstance(data, Dataset):
        try:
            count = len(data)  # type: ignore[arg-type]
        except TypeError:
            raise DataError(f"{name}: an IterableDataset has no length; wrap it in a DataLoader") from None
        if count == 0:
            raise DataError(f"{name} is empty (0 samples); pass at least {min_samples} samples")
        tensor = torch.stack([torch.as_tensor(_first(data[i])) for i in range(count)])
    elif isinstance(data, (np.ndarray, torch.Tensor, list)):
        try:
            tensor = torch.as_tensor(np.asarray(data) if isinstance(data, list) else data)
        except (ValueError, TypeError) as err:
            raise DataError(f"{name} could not be turned into an array: {err}") from err
    else:
        raise DataError(f"{name} has unsupported type {type(data).__name__}; pass a numpy array, "
                        "a torch tensor, a Dataset or a DataLoader")
    if tensor.dtype == torch.bool or tensor.is_complex():
        raise DataError(f"{name} has dtype {tensor.dtype}; pass real numbers (e.g. x.astype('float32'))")
    tensor = tensor.to(torch.float32)
    if tensor.ndim < 2:
        raise DataError(f"{name} has shape {tuple(tensor.shape)}; it must be (samples, features...) - "
                        "reshape a single vector with x.reshape(1, -1) or a 1-D feature with x.reshape(-1, 1)")
    if tensor.shape[0] < min_samples:
        raise DataError(f"{name} has {tensor.shape[0]} samples; at least {min_samples} are needed")
    if tensor[0].numel() == 0:
        raise DataError(f"{name} has shape {tuple(tensor.shape)}: samples with no features")
    bad = ~torch.isfinite(tensor)
    if bad.any():
        rows = torch.nonzero(bad.flatten(1).any(dim=1)).flatten()
        raise DataError(f"{name} contains NaN or inf in {len(rows)} sample(s), first at index {int(rows[0])}; "
                        "remove or impute them before training")
    return tensor.contiguous()
