"""RMSProp in the two flavours of SPEC 4.

`TFRMSprop` follows TF1's tf.train.RMSPropOptimizer without momentum:
    ms <- ms + (1 - decay) (g^2 - ms),  ms initialised to ones
    w  <- w - lr g / sqrt(ms + eps)
PyTorch's RMSprop starts ms at zero, uses alpha 0.99 and puts eps outside the
square root; with ms at zero its first steps are about lr / sqrt(1 - alpha)
times larger, which changes early training noticeably.
"""

from __future__ import annotations

import math
from typing import Iterable

import torch


class TFRMSprop(torch.optim.Optimizer):
    def __init__(self, params: Iterable[torch.Tensor], lr: float, decay: float = 0.9, eps: float = 1e-10) -> None:
        if lr <= 0:
            raise ValueError(f"learning rate must be > 0, got {lr}")
        super().__init__(params, {"lr": lr, "decay": decay, "eps": eps})
        # The running average exists from the start (not at the first step), so a compiled step
        # (train.compile) sees one state layout and compiles once.
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p]["ms"] = torch.ones_like(p, memory_format=torch.preserve_format)

    @torch.no_grad()
    def step(self, closure=None):  # noqa: D102 - torch.optim interface
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            if not params:
                continue
            lr, decay, eps = group["lr"], group["decay"], group["eps"]
            # One tensor at a time rather than torch._foreach_*: each tensor's four
            # passes then run while it is still in cache (faster for 1024-wide layers; a development
            # measurement that no benchmarks/results/ file holds, see benchmarks/README.md).
            for p in params:
                ms, grad = self.state[p]["ms"], p.grad
                ms.lerp_(grad * grad, 1.0 - decay)  # ms += (1 - decay) * (g^2 - ms)
                p.addcdiv_(grad, (ms + eps).sqrt_(), value=-lr)
        return None


def make_optimizer(params: Iterable[torch.Tensor], lr: float, kind: str) -> torch.optim.Optimizer:
    params = list(params)
    if kind == "tf":
        return TFRMSprop(params, lr=lr)
    if kind == "torch":
        return torch.optim.RMSprop(params, lr=lr)
    raise ValueError(f"unknown optimizer {kind!r}; use 'tf' or 'torch'")


# Devices whose parameters get Adam's fused kernel: one pass per tensor instead of a dozen (the same update to float
# rounding; the nested step of the synthetic preset ran 1.36x faster on one CPU thread, benchmarks/README.md).
FUSED_ADAM_DEVICES = ("cpu", "cuda")


def adam(params: Iterable[torch.Tensor], lr: float) -> torch.optim.Adam:
    """Adam at lr over params, fused where every parameter lies on a device in FUSED_ADAM_DEVICES."""
    params = list(params)
    fused = bool(params) and all(p.device.type in FUSED_ADAM_DEVICES for p in params)
    return torch.optim.Adam(params, lr=lr, fused=fused or None)


def cosine(peak: float, step: int, length: int) -> float:
    """peak decayed by a half cosine: peak at step 0, 0 at step length."""
    return peak * 0.5 * (1.0 + math.cos(math.pi * step / length))


def set_learning_rate(optimizer: torch.optim.Optimizer, lr: float) -> None:
    """Every parameter group of `optimizer` at learning rate lr (a schedule's value for the next step)."""
    for group in optimizer.param_groups:
        group["lr"] = lr
