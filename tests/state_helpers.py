"""Comparing saved training states in the family tests."""

import torch


def _trainer_state(run):
    return torch.load(run / "checkpoint.pt", weights_only=True)["trainer"]


def _assert_same_state(a, b):
    if isinstance(a, torch.Tensor):
        assert torch.equal(a, b)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            _assert_same_state(a[key], b[key])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _assert_same_state(x, y)
    else:
        assert a == b


def _without(d, *keys):
    return {k: v for k, v in d.items() if k not in keys}
