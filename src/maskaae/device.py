"""The one place where a device name (train.device, the Inception network's) becomes a torch.device.

`auto` is CUDA when this torch sees a CUDA device, else the CPU; `cpu`, `cuda`, `cuda:N` and `mps` name
one. Models, their training data and every tensor drawn while training live there; random numbers are
drawn on the CPU (one torch.Generator per stream, as on a CPU-only machine) and moved, so a run's random
stream is the same on every device. A run is bit-for-bit repeatable on the same device; on another device
the floating-point sums differ in their last bits, so a run resumed or evaluated elsewhere is close to,
not identical with, the one that stayed.
"""

from __future__ import annotations

import contextlib
import platform
import re
from typing import Any, Callable, ContextManager, Iterator

DEVICE_PATTERN = re.compile(r"auto|cpu|cuda(:\d+)?|mps")


class DeviceError(ValueError):
    pass


def check_name(name: str) -> str | None:
    """What is wrong with a device name, or None (no torch import: the config validates with it)."""
    if not isinstance(name, str) or not DEVICE_PATTERN.fullmatch(name):
        return "must be auto, cpu, cuda, cuda:N or mps"
    return None


def resolve_device(name: str = "auto"):
    """The torch.device that `name` names on this machine; a DeviceError saying what to use instead when this
    machine has no such device."""
    import torch

    problem = check_name(name)
    if problem:
        raise DeviceError(f"device {name!r} {problem}")
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(name)
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise DeviceError(f"device {name!r}: this torch ({torch.__version__}) sees no CUDA device; use "
                              "train.device=auto or cpu")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise DeviceError(f"device {name!r}: this machine has {torch.cuda.device_count()} CUDA device(s), "
                              f"numbered from 0; use cuda:0 .. cuda:{torch.cuda.device_count() - 1}")
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise DeviceError(f"device {name!r}: this torch sees no Apple GPU (MPS); use train.device=auto or cpu")
    return device


def describe_device(device) -> str:
    """The device and its model, for run records and the train command's first line."""
    import torch

    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        return f"cuda:{index} ({torch.cuda.get_device_name(index)})"
    if device.type == "cpu":
        return f"cpu ({platform.processor() or platform.machine()}, {torch.get_num_threads()} threads)"
    return str(device)


@contextlib.contextmanager
def tf32_matmuls() -> Iterator[None]:
    """CUDA matrix products and convolutions in TensorFloat-32 inside the block (torch's global switches, put
    back after it); nothing changes on other devices."""
    import torch

    saved = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
    try:
        yield
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved


def precision_context(precision: str, device) -> Callable[[], ContextManager[Any]]:
    """What makes a context in which one training step runs in train.precision on `device` (resolved once a run,
    entered every step): float32 (nothing), tf32 (tf32_matmuls) or bf16 (torch.autocast to bfloat16; losses that
    autocast cannot take stay in float32, maskaae/losses.py)."""
    import torch

    contexts = {"float32": contextlib.nullcontext,
                "tf32": tf32_matmuls,
                "bf16": lambda: torch.autocast(device.type, dtype=torch.bfloat16)}
    if precision not in contexts:
        raise DeviceError(f"precision {precision!r} must be one of {', '.join(contexts)}")
    return contexts[precision]
