"""RMSProp in the two flavours of SPEC 4.

`TFRMSprop` follows TF1's tf.train.RMSPropOptimizer without momentum:
    ms <- ms + (1 - decay) (g^2 - ms),  ms initialised to ones
    w  <- w - lr g / sqrt(ms + eps)
PyTorch's RMSprop starts ms at zero, uses alpha 0.99 and puts eps outside the
square root; with ms at zero its first steps are about lr / sqrt(1 - alpha)
times larger, which changes early training noticeably.
"""

from __future__ import annotations

from typing import Iterable

import torch


class TFRMSprop(torch.optim.Optimizer):
    def __init__(self, params: Iterable[torch.Tensor], lr: float, decay: float = 0.9, eps: float = 1e-10) -> None:
        if lr <= 0:
            raise ValueError(f"learning rate must be > 0, got {lr}")
        super().__init__(params, {"lr": lr, "decay": decay, "eps": eps})

    @torch.no_grad()
    def step(self, closure=None):  # noqa: D102 - torch.optim interface
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            if not params:
                continue
            grads = [p.grad for p in params]
            squares = []
            for p in params:
                state = self.state[p]
                if "ms" not in state:
                    state["ms"] = torch.ones_like(p)
                squares.append(state["ms"])
            # ms += (1 - decay) * (g^2 - ms)
            torch._foreach_lerp_(squares, torch._foreach_mul(grads, grads), 1.0 - group["decay"])
            denom = torch._foreach_add(squares, group["eps"])
            torch._foreach_sqrt_(denom)
            torch._foreach_addcdiv_(params, grads, denom, value=-group["lr"])
        return None


def make_optimizer(params: Iterable[torch.Tensor], lr: float, kind: str) -> torch.optim.Optimizer:
    params = list(params)
    if kind == "tf":
        return TFRMSprop(params, lr=lr)
    if kind == "torch":
        return torch.optim.RMSprop(params, lr=lr)
    raise ValueError(f"unknown optimizer {kind!r}; use 'tf' or 'torch'")
