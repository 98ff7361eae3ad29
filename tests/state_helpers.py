"""Killing a run at a step and comparing saved training states, for the resume tests."""

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


def kill_at(monkeypatch, trainer_class, step):
    """trainer_class.iteration raises KeyboardInterrupt (a kill) when it would start iteration step + 1;
    returns the original method."""
    original = trainer_class.iteration

    def killed(self):
        if self.step == step:
            raise KeyboardInterrupt
        return original(self)

    monkeypatch.setattr(trainer_class, "iteration", killed)
    return original
