import math

import pytest
import torch

from maskaae.mask import LatentMask


def _mask(theta, **kw):
    m = LatentMask(len(theta), **kw)
    with torch.no_grad():
        m.theta.copy_(torch.tensor(theta))
    return m


def test_projection_values_closed_form():
    m = _mask([0.0, 0.5, 1.0, 3.0], param="projection")
    expected = [1.0 - math.exp(-t) for t in [0.0, 0.5, 1.0, 3.0]]
    torch.testing.assert_close(m.values(), torch.tensor(expected))


def test_projection_gradient_is_exp_minus_theta():
    # d mu / d theta = exp(-theta), also at theta = 0 (a dimension at 0 can come back)
    m = _mask([0.0, 1.0], param="projection")
    m.values().sum().backward()
    torch.testing.assert_close(m.theta.grad, torch.tensor([1.0, math.exp(-1.0)]))


def test_paper_form_clamps_negative_theta_to_zero_with_zero_gradient():
    m = _mask([-2.0, -0.1, 1.0], param="paper")
    mu = m.values()
    assert mu[0].item() == 0.0 and mu[1].item() == 0.0
    assert mu[2].item() == pytest.approx(1.0 - math.exp(-1.0))
    mu.sum().backward()
    assert m.theta.grad[0].item() == 0.0 and m.theta.grad[1].item() == 0.0
    assert m.theta.grad[2].item() == pytest.approx(math.exp(-1.0))


def test_projection_form_negative_theta_is_not_clamped_in_values():
    # Without the projection step, the projection form is plain 1 - exp(-theta).
    m = _mask([-1.0], param="projection")
    assert m.values().item() == pytest.approx(1.0 - math.e)


def test_project_clamps_only_for_projection():
    p = _mask([-1.0, 2.0], param="projection")
    p.project_()
    assert p.theta.tolist() == [0.0, 2.0]
    q = _mask([-1.0, 2.0], param="paper")
    q.project_()
    assert q.theta.tolist() == [-1.0, 2.0]


def test_forward_multiplies_by_mu():
    m = _mask([1.0, 2.0, 0.0], param="projection")
    z = torch.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 4.0]])
    mu = torch.tensor([1 - math.exp(-1), 1 - math.exp(-2), 0.0])
    torch.testing.assert_close(m(z), z * mu)


def test_init_in_range_and_reproducible():
    a = 3.0
    g1 = torch.Generator().manual_seed(7)
    g2 = torch.Generator().manual_seed(7)
    m1 = LatentMask(1000, init_max=a, init_min=0.0, generator=g1)
    m2 = LatentMask(1000, init_max=a, init_min=0.0, generator=g2)
    assert torch.equal(m1.theta, m2.theta)
    assert m1.theta.min() >= 0.0 and m1.theta.max() <= a
    # spread over the whole interval, not e.g. U[0, 1]
    assert m1.theta.max() > 0.9 * a and m1.theta.min() < 0.1 * a
    m3 = LatentMask(1000, init_max=a, init_min=0.0, generator=torch.Generator().manual_seed(8))
    assert not torch.equal(m1.theta, m3.theta)


def test_init_min_raises_the_lower_end_and_keeps_the_default_draw():
    g = torch.Generator().manual_seed(7)
    m = LatentMask(1000, init_max=5.0, init_min=2.0, generator=g)
    assert m.theta.min() >= 2.0 and m.theta.max() <= 5.0 and m.theta.min() < 2.1 and m.theta.max() > 4.9
    # one default for the mask alone, the model and the config (it was 0.0 here and 2.0 in MaskAAE)
    from maskaae import MaskAAE
    from maskaae.config import ModelConfig

    default = LatentMask(10, generator=torch.Generator().manual_seed(1))
    explicit = LatentMask(10, init_min=ModelConfig().mask_init_min, generator=torch.Generator().manual_seed(1))
    assert ModelConfig().mask_init_min == 2.0 and torch.equal(default.theta, explicit.theta)
    model = MaskAAE(torch.nn.Identity(), torch.nn.Identity(), torch.nn.Identity(), 10,
                    generator=torch.Generator().manual_seed(1))
    assert torch.equal(model.latent.theta, default.theta)


def test_disabled_mask_is_identity():
    m = LatentMask(3, enabled=False)
    z = torch.randn(5, 3)
    assert torch.equal(m(z), z)
    assert torch.equal(m.values(), torch.ones(3))
    assert not m.theta.requires_grad
    with torch.no_grad():
        m.theta.fill_(-1.0)
    m.project_()  # no-op when disabled
    assert m.theta.tolist() == [-1.0] * 3
    assert m.active_dims() == 3


def test_active_dims_threshold_inclusive():
    # mu = 0.1 exactly: theta = -log(0.9)
    t = -math.log(0.9)
    m = _mask([t, t - 1e-3, 5.0, 0.0], param="projection")
    mu = m.values()
    assert mu[0].item() >= 0.1  # float32 round-trip check for the test itself
    assert m.active(0.1).tolist() == [True, False, True, False]
    assert m.active_dims(0.1) == 2
    assert m.active_dims(0.5) == 1


def test_wrong_last_dim_raises():
    m = LatentMask(4)
    with pytest.raises(ValueError, match="last dimension 4"):
        m(torch.zeros(2, 3))
    with pytest.raises(ValueError):
        LatentMask(4, enabled=False)(torch.zeros(2, 5))


def test_bad_arguments():
    with pytest.raises(ValueError):
        LatentMask(0)
    with pytest.raises(ValueError):
        LatentMask(3, param="sigmoid")
    with pytest.raises(ValueError, match="init_min"):
        LatentMask(3, init_min=5.0, init_max=5.0)
