import math

import pytest
import torch

from maskaae.optim import TFRMSprop, adam, make_optimizer


def _step(opt, w, g):
    w.grad = torch.tensor(g, dtype=w.dtype)
    opt.step()


def test_tf_rmsprop_two_steps_by_hand():
    lr, decay, eps = 0.1, 0.9, 1e-10
    w = torch.nn.Parameter(torch.tensor([1.0, -2.0], dtype=torch.float64))
    opt = TFRMSprop([w], lr=lr)
    g1, g2 = [2.0, 0.5], [-1.0, 3.0]
    ms = [1.0, 1.0]
    expected = [1.0, -2.0]
    for g in (g1, g2):
        _step(opt, w, g)
        ms = [m + (1 - decay) * (gi * gi - m) for m, gi in zip(ms, g)]
        expected = [e - lr * gi / math.sqrt(m + eps) for e, gi, m in zip(expected, g, ms)]
        torch.testing.assert_close(w.detach(), torch.tensor(expected, dtype=torch.float64))
        torch.testing.assert_close(opt.state[w]["ms"], torch.tensor(ms, dtype=torch.float64))


def test_tf_rmsprop_first_step_value():
    w = torch.nn.Parameter(torch.tensor([0.0], dtype=torch.float64))
    opt = TFRMSprop([w], lr=0.01)
    _step(opt, w, [3.0])
    # ms = 1 + 0.1 * (9 - 1) = 1.8
    assert w.item() == pytest.approx(-0.01 * 3.0 / math.sqrt(1.8))


def test_tf_rmsprop_skips_params_without_grad():
    a = torch.nn.Parameter(torch.tensor([1.0]))
    b = torch.nn.Parameter(torch.tensor([1.0]))
    opt = TFRMSprop([a, b], lr=0.1)
    _step(opt, a, [1.0])
    assert b.item() == 1.0
    assert torch.equal(opt.state[b]["ms"], torch.ones(1))  # its running average did not move either
    assert a.item() != 1.0


def test_tf_rmsprop_rejects_bad_lr():
    with pytest.raises(ValueError):
        TFRMSprop([torch.nn.Parameter(torch.zeros(1))], lr=0.0)


def test_make_optimizer_kinds():
    p = [torch.nn.Parameter(torch.zeros(2))]
    opt = make_optimizer(p, 1e-3, "tf")
    assert isinstance(opt, TFRMSprop) and opt.param_groups[0]["lr"] == 1e-3
    assert opt.param_groups[0]["decay"] == 0.9 and opt.param_groups[0]["eps"] == 1e-10
    t = make_optimizer(iter(p), 2e-3, "torch")
    assert type(t) is torch.optim.RMSprop and t.param_groups[0]["lr"] == 2e-3
    with pytest.raises(ValueError, match="adam"):
        make_optimizer(p, 1e-3, "adam")


def test_adam_is_fused_on_the_cpu_and_makes_the_unfused_update_to_float_rounding():
    torch.manual_seed(0)
    start = [torch.randn(8, 5), torch.randn(5)]
    fused_params = [torch.nn.Parameter(t.clone()) for t in start]
    plain_params = [torch.nn.Parameter(t.clone()) for t in start]
    fused, plain = adam(fused_params, 1e-2), torch.optim.Adam(plain_params, lr=1e-2, foreach=False)
    assert fused.param_groups[0]["fused"] is True and not plain.param_groups[0]["fused"]
    for step in range(50):
        grads = [torch.randn_like(t) for t in start]
        for params, opt in ((fused_params, fused), (plain_params, plain)):
            for p, g in zip(params, grads):
                p.grad = g.clone()
            opt.step()
    for a, b, s in zip(fused_params, plain_params, start):
        assert not torch.equal(a, s)  # it trained
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_adam_is_not_fused_where_torch_has_no_fused_kernel():
    params = [torch.nn.Parameter(torch.zeros(3, device="meta"))]
    assert not adam(params, 1e-3).param_groups[0]["fused"]
