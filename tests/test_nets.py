import math

import pytest
import torch
from torch import nn

import maskaae
from maskaae.config import ModelConfig
from maskaae.losses import relu_mlp_layers
from maskaae.nets import NETWORKS, PAPER_WIDTHS, build_networks

# Every registered network with a data shape it is meant for and a tiny width for forward passes.
SHAPES = {"mlp": [(128,), (1, 28, 28)], "fashion-conv": [(1, 28, 28)], "cifar-resnet": [(3, 32, 32)],
          "celeba-resnet": [(3, 64, 64)]}
CASES = [(name, shape) for name, shapes in SHAPES.items() for shape in shapes]


def n_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def paper_nets(network: str, shape: tuple[int, ...], m: int = 32, width: int | None = None, depth: int = 4):
    """Paper-size networks on the meta device: shapes and counts without allocating or initialising."""
    cfg = ModelConfig(latent_dim=m, network=network, width=width or PAPER_WIDTHS[network], depth=depth)
    with torch.device("meta"):
        return build_networks(shape, cfg)


def test_every_network_has_a_test_case():
    assert set(SHAPES) == set(NETWORKS)


@pytest.mark.parametrize("network,shape", CASES)
def test_output_shapes_and_ranges(network, shape):
    torch.manual_seed(0)
    m, n = 5, 4
    cfg = ModelConfig(latent_dim=m, network=network, width=2, depth=2, output="sigmoid")
    encoder, decoder, critic = build_networks(shape, cfg)
    x = torch.rand(n, *shape)
    z = encoder(x)
    assert z.shape == (n, m)
    x_hat = decoder(torch.randn(n, m))
    assert x_hat.shape == (n, *shape)
    assert x_hat.min() >= 0 and x_hat.max() <= 1  # every decoder here ends in a sigmoid
    assert critic(z).shape == (n, 1)
    # the critic is the plain ReLU MLP the closed-form gradient penalty needs
    layers = relu_mlp_layers(critic)
    assert layers is not None and len(layers) == cfg.depth + 1
    z.sum().backward()  # gradients reach the encoder's first layer
    assert next(encoder.parameters()).grad is not None


def test_vector_mlp_keeps_its_layout():
    """Saved synthetic checkpoints name parameters 0.weight, 2.weight, ... in plain Sequentials."""
    cfg = ModelConfig(latent_dim=3, width=8, depth=2)
    for net in build_networks((6,), cfg):
        assert relu_mlp_layers(net) is not None
        assert [k for k in net.state_dict()] == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    decoder = build_networks((6,), ModelConfig(latent_dim=3, width=8, depth=2, output="sigmoid"))[1]
    assert isinstance(decoder[-1], nn.Sigmoid)


def test_image_mlp_flattens_and_reshapes():
    encoder, decoder, _ = build_networks((1, 28, 28), ModelConfig(latent_dim=3, width=8, depth=1))
    assert isinstance(encoder[0], nn.Flatten) and encoder[1].in_features == 784
    assert isinstance(decoder[-1], nn.Unflatten) and decoder[-2].out_features == 784


def _mlp_count(sizes):
    """Closed form for a chain of FC layers: sum over layers of (in + 1) * out."""
    return sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))


@pytest.mark.parametrize("shape,width,depth", [((1, 28, 28), 1024, 4), ((128,), 1000, 5)])
def test_mlp_parameter_counts_at_paper_sizes(shape, width, depth):
    m = 32
    d = math.prod(shape)
    encoder, decoder, critic = paper_nets("mlp", shape, m, width, depth)
    assert n_params(encoder) == _mlp_count([d] + [width] * depth + [m])
    assert n_params(decoder) == _mlp_count([m] + [width] * depth + [d])
    assert n_params(critic) == _mlp_count([m] + [width] * depth + [1])


# Paper configuration, m = 32. Notation: conv k x k, c_in -> c_out has k*k*c_in*c_out + c_out
# parameters (weight + bias), FC a -> b has (a + 1) * b, BN over c features has 2c (running
# statistics are buffers). A residual block CONV_RES_BLOCK_c (two 3x3 convs and one BN) has
# 2 * (9c^2 + c) + 2c = 18c^2 + 4c. The critic, m -> 4 x FC1024 -> 1, has
# 33*1024 + 3*1025*1024 + 1025 = 33792 + 3148800 + 1025 = 3183617.
CRITIC = 3_183_617
PAPER_COUNTS = {
    # Fashion-MNIST (8.4.2), w = 64.
    # E: conv4 1->64: 16*64 + 64 = 1088; BN 128; conv4 64->128: 16*64*128 + 128 = 131200; BN 256;
    #    FC 6272->1024: 6273*1024 = 6423552; BN 2048; FC 1024->32: 1025*32 = 32800
    #    = 1088 + 128 + 131200 + 256 + 6423552 + 2048 + 32800 = 6591072
    # D: FC 32->1024: 33*1024 = 33792; BN 2048; FC 1024->6272: 1025*6272 = 6428800; BN 12544;
    #    2 x [tconv4 128->128: 16*128*128 + 128 = 262272; BN 256] = 525056; conv3 128->1: 9*128 + 1 = 1153
    #    = 33792 + 2048 + 6428800 + 12544 + 525056 + 1153 = 7003393
    ("fashion-conv", (1, 28, 28)): (6_591_072, 7_003_393, CRITIC),
    # CIFAR-10 (8.4.3), w = 128.
    # E: conv4 3->128: 16*3*128 + 128 = 6272; BN 256; conv4 128->128: 262272; BN 256;
    #    conv4 128->256: 16*128*256 + 256 = 524544; BN 512; FC 4096->1024: 4097*1024 = 4195328; BN 2048;
    #    3 x [FC 1024->1024: 1025*1024 = 1049600; BN 2048] = 3154944; FC 1024->32: 32800
    #    = 6272 + 256 + 262272 + 256 + 524544 + 512 + 4195328 + 2048 + 3154944 + 32800 = 8179232
    # D: FC 32->2048: 33*2048 = 67584; BN 4096; tconv4 512->256: 16*512*256 + 256 = 2097408, BN 512 -> 2097920;
    #    3 x [tconv4 256->256: 16*256*256 + 256 = 1048832; BN 512] = 3 * 1049344 = 3148032;
    #    4 x [res 256: 18*65536 + 1024 = 1180672; BN 512] = 4 * 1181184 = 4724736; conv3 256->3: 9*256*3 + 3 = 6915
    #    = 67584 + 4096 + 2097920 + 3148032 + 4724736 + 6915 = 10049283
    ("cifar-resnet", (3, 32, 32)): (8_179_232, 10_049_283, CRITIC),
    # CelebA 64x64 (8.4.4), w = 16.
    # E: conv3 3->16: 9*3*16 + 16 = 448; BN 32; res 16: 18*256 + 64 = 4672; conv4 16->32: 16*16*32 + 32 = 8224;
    #    res 32: 18*1024 + 128 = 18560; conv4 32->64: 16*32*64 + 64 = 32832; res 64: 18*4096 + 256 = 73984;
    #    conv4 64->64: 16*64*64 + 64 = 65600; res 64: 73984;
    #    FC_RES_BLOCK 4096->512: shortcut 4096*512 = 2097152, FC 4097*512 = 2097664, BN 1024,
    #    FC 513*512 = 262656, together 4458496; FC 512->32: 513*32 = 16416
    #    = 448 + 32 + 4672 + 8224 + 18560 + 32832 + 73984 + 65600 + 73984 + 4458496 + 16416 = 4753248
    # D: FC 32->64: 33*64 = 2112; BN 128;
    #    tconv4 16->32: 8224, BN 64, res 32: 18560, BN 64          -> 26912
    #    tconv4 32->64: 32832, BN 128, res 64: 73984, BN 128       -> 107072
    #    tconv4 64->128: 131200, BN 256, res 128: 295424, BN 256   -> 427136
    #    tconv4 128->256: 524544, BN 512, res 256: 1180672, BN 512 -> 1706240
    #    tconv4 256->512: 2097664, BN 1024, res 512: 4720640, BN 1024 -> 6820352
    #    conv3 512->3: 9*512*3 + 3 = 13827
    #    = 2112 + 128 + 26912 + 107072 + 427136 + 1706240 + 6820352 + 13827 = 9103779
    ("celeba-resnet", (3, 64, 64)): (4_753_248, 9_103_779, CRITIC),
}


@pytest.mark.parametrize("network,shape", list(PAPER_COUNTS))
def test_conv_parameter_counts_at_paper_configuration(network, shape):
    counts = tuple(n_params(net) for net in paper_nets(network, shape))
    assert counts == PAPER_COUNTS[(network, shape)]


@pytest.mark.parametrize("network,shape", list(PAPER_COUNTS))
def test_paper_configuration_shapes(network, shape):
    encoder, decoder, critic = paper_nets(network, shape)
    x = torch.empty(2, *shape, device="meta")
    assert encoder(x).shape == (2, 32)
    assert decoder(torch.empty(2, 32, device="meta")).shape == (2, *shape)
    assert [layer.out_features for layer in relu_mlp_layers(critic)] == [1024] * 4 + [1]


def test_unknown_network_names_the_key():
    with pytest.raises(ValueError, match="model.network"):
        build_networks((128,), ModelConfig(network="resnet-9000"))


@pytest.mark.parametrize("network,shape", [("fashion-conv", (128,)), ("cifar-resnet", (3, 28, 28)),
                                           ("celeba-resnet", (3, 32, 48))])
def test_conv_networks_reject_unsuitable_shapes(network, shape):
    with pytest.raises(ValueError, match="model.network"):
        build_networks(shape, ModelConfig(network=network, width=2))


def test_build_model_passes_the_image_shape():
    cfg = maskaae.build_config(overrides=["model.network=fashion-conv", "model.width=2", "model.depth=1",
                                          "model.latent_dim=3"])
    model = maskaae.build_model(cfg, (1, 28, 28))
    assert tuple(model.generate(2).shape) == (2, 1, 28, 28)
    assert tuple(model.encode(torch.rand(4, 1, 28, 28)).shape) == (4, 3)


def test_the_config_knows_every_network_by_name():
    from maskaae.config import NETWORK_NAMES, ConfigError
    from maskaae.nets import NETWORKS
    from maskaae.presets import build_config

    assert tuple(NETWORKS) == NETWORK_NAMES
    with pytest.raises(ConfigError, match=r"'model.network' = 'mpl' must be one of \['mlp'"):
        build_config(overrides=["model.network=mpl"])
