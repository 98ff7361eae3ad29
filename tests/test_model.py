import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import maskaae
from maskaae.checkpoint import CheckpointError
from maskaae.data.arrays import DataError


def _nets(d=6, m=4, w=8):
    return (nn.Sequential(nn.Linear(d, w), nn.ReLU(), nn.Linear(w, m)),
            nn.Sequential(nn.Linear(m, w), nn.ReLU(), nn.Linear(w, d)),
            nn.Sequential(nn.Linear(m, w), nn.ReLU(), nn.Linear(w, 1)))


def _data(n=64, d=6):
    return np.random.default_rng(0).normal(size=(n, d)).astype(np.float32)


def _unexplained(model, x):
    """u(k), k = 0..m, written out: median over samples of the mean squared error of D(E(x) with only its
    first k coordinates kept), over the data's mean coordinate variance (maskaae/discovery/)."""
    with torch.no_grad():
        codes = model.encoder(x)
        variance = float(((x - x.mean(dim=0)) ** 2).mean())
        curve = []
        for k in range(codes.shape[1] + 1):
            kept = torch.cat([codes[:, :k], torch.zeros_like(codes[:, k:])], dim=1)
            curve.append(float(((model.decoder(kept) - x) ** 2).mean(dim=1).median()) / variance)
    return curve


def test_fit_user_networks_and_reload(tmp_path):
    torch.manual_seed(0)
    seen = []
    model = maskaae.fit(maskaae.MaskAAE(*_nets(), latent_dim=4), _data(), steps=5,
                        on_step=lambda trainer, losses: seen.append(trainer))
    assert model.data_shape == (6,)
    # Five steps of the nested auto-encoder, then the decision (its last step): the mask is 1 on the first
    # k = m_A dimensions and 0 after them, k is the decision taken on the unexplained curve of the final
    # weights (recomputed here), and the code the decoder sees is E(x) with the rest zeroed.
    decision = seen[-1].discovery
    curve = _unexplained(model, torch.from_numpy(_data()))
    np.testing.assert_allclose(decision["curve"], curve, atol=2e-6)  # the record keeps 6 decimals
    k = model.active_dims
    assert k == decision["dimension"] == maskaae.discovery.choose_dimension(curve, decision["tolerance"],
                                                                           decision["relative_tolerance"])
    np.testing.assert_array_equal(model.mask, [1.0] * k + [0.0] * (4 - k))
    x = torch.from_numpy(_data(5))
    with torch.no_grad():
        torch.testing.assert_close(model.encode(x), torch.cat([model.encoder(x)[:, :k], torch.zeros(5, 4 - k)], 1))
    assert tuple(model.generate(3).shape) == (3, 6)
    model.save(tmp_path / "m.pt")
    again = maskaae.MaskAAE.load(tmp_path / "m.pt", *_nets())
    x = torch.from_numpy(_data(5))
    torch.testing.assert_close(again.encode(x), model.encode(x))
    with pytest.raises(CheckpointError, match="pass encoder="):
        maskaae.MaskAAE.load(tmp_path / "m.pt")
    with pytest.raises(CheckpointError, match="does not match"):
        maskaae.MaskAAE.load(tmp_path / "m.pt", *_nets(w=9))


def test_builtin_model_reloads_without_networks(tmp_path):
    cfg = maskaae.build_config(overrides=["model.width=8", "model.depth=1", "model.latent_dim=3"])
    model = maskaae.build_model(cfg, (128,))
    model.save(tmp_path / "m.pt")
    again = maskaae.MaskAAE.load(tmp_path / "m.pt")
    for key, value in model.state_dict().items():
        assert torch.equal(value, again.state_dict()[key])


@pytest.mark.parametrize("data", [TensorDataset(torch.from_numpy(_data())),
                                  DataLoader(TensorDataset(torch.from_numpy(_data()), torch.zeros(64)), batch_size=10)])
def test_fit_accepts_datasets_and_loaders(data):
    model = maskaae.fit(maskaae.MaskAAE(*_nets(), latent_dim=4), data, steps=2)
    assert model.data_shape == (6,)


def test_fit_rejects_bad_data():
    bad = _data()
    bad[3, 2] = np.nan
    with pytest.raises(DataError, match="NaN or inf .* first at index 3"):
        maskaae.fit(maskaae.MaskAAE(*_nets(), latent_dim=4), bad, steps=2)
    with pytest.raises(DataError, match="0 samples|samples; at least"):
        maskaae.fit(maskaae.MaskAAE(*_nets(), latent_dim=4), np.zeros((0, 6), np.float32), steps=2)


def test_wrong_sample_shape_is_named():
    model = maskaae.MaskAAE(*_nets(), latent_dim=4, data_shape=(6,))
    with pytest.raises(ValueError, match=r"sample shape \(5,\), the model expects \(6,\)"):
        model.encode(torch.zeros(2, 5))
    with pytest.raises(ValueError, match=r"sample shape"):
        maskaae.fit(model, np.zeros((10, 5), np.float32), steps=1)


def test_latent_dim_must_be_positive():
    with pytest.raises(ValueError, match="latent_dim"):
        maskaae.MaskAAE(*_nets(), latent_dim=0)


def test_corrupt_model_file(tmp_path):
    (tmp_path / "m.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="corrupt"):
        maskaae.MaskAAE.load(tmp_path / "m.pt", *_nets())


def test_generation_uses_the_mask():
    model = maskaae.MaskAAE(*_nets(), latent_dim=4)
    with torch.no_grad():
        model.latent.theta.copy_(torch.tensor([0.0, 0.0, 5.0, 0.0]))
    assert model.active_dims == 1
    g = torch.Generator().manual_seed(0)
    z = model.sample_prior(7, torch.Generator().manual_seed(0))
    expected = model.decoder(z * model.latent.values())
    torch.testing.assert_close(model.generate(7, generator=g), expected.detach())


def _bad_nets(d_in=6, m=3, enc_out=None, dec_out=None, critic_out=1):
    from torch import nn

    return (nn.Sequential(nn.Linear(d_in, 8), nn.ReLU(), nn.Linear(8, enc_out or m)),
            nn.Sequential(nn.Linear(m, 8), nn.ReLU(), nn.Linear(8, dec_out or d_in)),
            nn.Sequential(nn.Linear(m, 8), nn.ReLU(), nn.Linear(8, critic_out)))


def test_library_input_problems_are_named():
    import numpy as np

    from maskaae import MaskAAE, build_config, fit
    from maskaae.data import DataError

    x = np.random.default_rng(0).normal(size=(40, 6)).astype("float32")
    with pytest.raises(DataError, match="reshape"):
        fit(MaskAAE(*_bad_nets(), latent_dim=3), x.reshape(40, 2, 3), steps=2)
    with pytest.raises(DataError, match="latent_dim = 3"):
        fit(MaskAAE(*_bad_nets(enc_out=5), latent_dim=3), x, steps=2)
    with pytest.raises(DataError, match="decoder outputs"):
        fit(MaskAAE(*_bad_nets(dec_out=4), latent_dim=3), x, steps=2)
    with pytest.raises(DataError, match="critic outputs 2"):
        fit(MaskAAE(*_bad_nets(critic_out=2), latent_dim=3), x, steps=2)
    bce = build_config("synthetic", overrides=["loss.recon=bce", "model.output=sigmoid"])
    with pytest.raises(DataError, match=r"\[0, 1\]"):
        fit(MaskAAE(*_bad_nets(), latent_dim=3), x, config=bce, steps=2)
    with pytest.raises(TypeError, match="build_config"):
        fit(MaskAAE(*_bad_nets(), latent_dim=3), x, config=[1], steps=2)
    model = fit(MaskAAE(*_bad_nets(), latent_dim=3), x, config={"train": {"steps": 3}})
    assert model.active_dims >= 1
