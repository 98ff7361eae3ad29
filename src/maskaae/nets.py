"""Network builders, chosen by name from `NETWORKS` (SPEC 5, paper section 8).

A builder takes the data shape (one sample, e.g. (128,) or (1, 28, 28)) and
the model config and returns (encoder, decoder, critic). The critic is a
Wasserstein critic: no sigmoid. Every critic here is a plain
Sequential(Linear, ReLU, ..., Linear) so that losses.relu_mlp_layers finds it
and the gradient penalty uses its closed form.

Widths. `model.width` sets each network's size; `PAPER_WIDTHS` gives the value
that reproduces the paper's layer lists, and every other channel or unit count
is a fixed multiple of it (written next to each layer), so a CPU preset can
shrink a network without changing its shape. `model.depth` is the number of
hidden layers of the MLPs; for the conv networks it is used only by the critic
(the paper's critic "as in 8.4.1" is 4 x FC1024, so paper presets set depth 4).
"""

from __future__ import annotations

import math
from typing import Callable

import torch
from torch import nn

from .config import ModelConfig

Nets = tuple[nn.Module, nn.Module, nn.Module]

# model.width that gives the paper's sizes (section 8): MLP hidden units (8.3 synthetic: 1000 with
# depth 5; 8.4.1 MNIST: 1024 with depth 4), else the first conv layer's channels.
PAPER_WIDTHS: dict[str, int] = {
    "mlp": 1024,
    "fashion-conv": 64,
    "cifar-resnet": 128,
    "celeba-resnet": 16,
}
PAPER_CRITIC_WIDTH = 1024  # H "same as in 8.4.1": m -> 4 x [FC1024, ReLU] -> FC 1


def mlp(in_dim: int, width: int, depth: int, out_dim: int, output: str = "linear") -> nn.Sequential:
    """in_dim -> depth x [FC width, ReLU] -> FC out_dim [-> sigmoid]."""
    layers: list[nn.Module] = []
    dim = in_dim
    for _ in range(depth):
        layers += [nn.Linear(dim, width), nn.ReLU()]
        dim = width
    layers.append(nn.Linear(dim, out_dim))
    if output == "sigmoid":
        layers.append(nn.Sigmoid())
    elif output != "linear":
        raise ValueError(f"unknown decoder output {output!r}; use 'linear' or 'sigmoid'")
    return nn.Sequential(*layers)


def build_mlp(data_shape: tuple[int, ...], cfg: ModelConfig) -> Nets:
    """Fully connected E, D, H as for the paper's synthetic (8.3) and MNIST (8.4.1) models.

    E = d -> depth x [FC width, ReLU] -> FC m; D = m -> depth x [FC width, ReLU] -> FC d
    [-> sigmoid, model.output]; H = m -> depth x [FC width, ReLU] -> FC 1, with d = prod(data_shape).
    Image-shaped data (C, H, W) is flattened at the encoder's input and the decoder's output is
    reshaped back; vector data keeps the plain Sequential (saved checkpoints depend on its layout).
    """
    data_dim = math.prod(data_shape)
    encoder = mlp(data_dim, cfg.width, cfg.depth, cfg.latent_dim)
    decoder = mlp(cfg.latent_dim, cfg.width, cfg.depth, data_dim, cfg.output)
    if len(data_shape) > 1:
        encoder = nn.Sequential(nn.Flatten(), *encoder)
        decoder = nn.Sequential(*decoder, nn.Unflatten(1, tuple(data_shape)))
    return encoder, decoder, mlp_critic(cfg, cfg.width)


def mlp_critic(cfg: ModelConfig, width: int) -> nn.Sequential:
    """H = m -> depth x [FC width, ReLU] -> FC 1 (paper 8.4.1)."""
    return mlp(cfg.latent_dim, width, cfg.depth, 1)


# ----------------------------------------------------------------------------
# Layers of the conv networks (paper 8.4.2-8.4.4)
#
# The paper gives kernel sizes and strides, not padding. We pad as TF's 'same' does for these even
# sizes: a k4 s2 conv halves H and W (padding 1), a k4 s2 transposed conv doubles them (padding 1),
# a k3 s1 conv keeps them (padding 1). Conv and FC layers keep their bias even before BN (the
# frameworks' default; the bias is redundant there but costs nothing), so the pinned parameter
# counts in tests/test_nets.py include it.

def conv(c_in: int, c_out: int, k: int, s: int) -> nn.Conv2d:
    """CONV_{c_out; k=(k,k); s=(s,s)} with 'same' padding (k4 s2 halves, k3 s1 keeps the size)."""
    return nn.Conv2d(c_in, c_out, k, s, padding=1)


def tconv(c_in: int, c_out: int) -> nn.ConvTranspose2d:
    """TCONV_{c_out; k=(4,4); s=(2,2)}: doubles H and W."""
    return nn.ConvTranspose2d(c_in, c_out, 4, 2, padding=1)


def bn_relu(channels: int, dims: int = 2) -> list[nn.Module]:
    return [nn.BatchNorm2d(channels) if dims == 2 else nn.BatchNorm1d(channels), nn.ReLU()]


class ConvResBlock(nn.Module):
    """CONV_RES_BLOCK_c: x + CONV_{c;3,1}(ReLU(BN(CONV_{c;3,1}(x)))).

    The paper names the block without defining it. We use the basic ResNet block (two 3x3 convs,
    same channels, stride 1) without its last BN and ReLU, because the paper's lists put
    "BN -> ReLU" after each block themselves (decoders); in the CelebA encoder, which lists none,
    the block's inner ReLU is the only non-linearity, as written.
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(channels, channels, 3, 1, padding=1), nn.BatchNorm2d(channels),
                                  nn.ReLU(), nn.Conv2d(channels, channels, 3, 1, padding=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class FCResBlock(nn.Module):
    """FC_RES_BLOCK_n: P x + FC_n(ReLU(BN(FC_n(x)))).

    Undefined in the paper, like the conv block. In the CelebA encoder its input is the flattened
    4w x H/8 x W/8 feature map (4096 values at 64 x 64), not n = 512 values, so the shortcut needs a
    change of size: we use ResNet's projection shortcut (option B), a bias-free linear map P, and the
    identity when the sizes agree.
    """

    def __init__(self, in_dim: int, out_dim: int) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(in_dim, out_dim), nn.BatchNorm1d(out_dim), nn.ReLU(),
                                  nn.Linear(out_dim, out_dim))
        self.shortcut = nn.Identity() if in_dim == out_dim else nn.Linear(in_dim, out_dim, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.shortcut(x) + self.body(x)


def _image_shape(data_shape: tuple[int, ...], network: str, divisor: int) -> tuple[int, int, int]:
    """(C, H, W) with H and W divisible by divisor (the network's total down/up-sampling), else ValueError."""
    if len(data_shape) != 3 or data_shape[1] % divisor or data_shape[2] % divisor:
        raise ValueError(f"network '{network}' (config key model.network) needs image data of shape (C, H, W) "
                         f"with H and W divisible by {divisor}; got data shape {tuple(data_shape)}")
    c, h, w = data_shape
    return c, h, w


def scaled_fc_width(cfg: ModelConfig, network: str) -> int:
    """FC1024 at the paper's width, scaled with model.width like the rest of the network."""
    return max(1, cfg.width * PAPER_CRITIC_WIDTH // PAPER_WIDTHS[network])


# ----------------------------------------------------------------------------
# Builders of the conv networks. w = model.width; paper values in the comments.

def build_fashion_conv(data_shape: tuple[int, ...], cfg: ModelConfig) -> Nets:
    """Fashion-MNIST networks, paper 8.4.2 (paper: w = 64, critic 4 x FC1024 with depth 4).

    E = x -> CONV_{w;4,2} -> BN -> ReLU -> CONV_{2w;4,2} -> BN -> ReLU -> FC_{16w} -> BN -> ReLU -> FC_m
    D = z -> FC_{16w} -> BN -> ReLU -> FC_{2w x H/4 x W/4} -> BN -> ReLU -> reshape
          -> 2 x [TCONV_{2w;4,2} -> BN -> ReLU] -> CONV_{C;3,1} -> sigmoid
    H = z -> depth x [FC_{16w}, ReLU] -> FC_1
    Both transposed convs have 2w (paper: 128) channels, as the paper lists them. The decoder always
    ends in a sigmoid, as in the paper (model.output applies to 'mlp' only).
    """
    c, h, w_img = _image_shape(data_shape, "fashion-conv", 4)
    w = cfg.width
    fc = 16 * w  # paper: 1024
    flat = 2 * w * (h // 4) * (w_img // 4)  # paper: 128 x 7 x 7
    encoder = nn.Sequential(
        conv(c, w, 4, 2), *bn_relu(w),
        conv(w, 2 * w, 4, 2), *bn_relu(2 * w),
        nn.Flatten(), nn.Linear(flat, fc), *bn_relu(fc, 1),
        nn.Linear(fc, cfg.latent_dim))
    decoder = nn.Sequential(
        nn.Linear(cfg.latent_dim, fc), *bn_relu(fc, 1),
        # BN on the flat FC output, before the reshape, in the paper's order
        nn.Linear(fc, flat), *bn_relu(flat, 1), nn.Unflatten(1, (2 * w, h // 4, w_img // 4)),
        tconv(2 * w, 2 * w), *bn_relu(2 * w),
        tconv(2 * w, 2 * w), *bn_relu(2 * w),
        conv(2 * w, c, 3, 1), nn.Sigmoid())
    return encoder, decoder, mlp_critic(cfg, scaled_fc_width(cfg, "fashion-conv"))


def build_cifar_resnet(data_shape: tuple[int, ...], cfg: ModelConfig) -> Nets:
    """CIFAR-10 networks, paper 8.4.3 (paper: w = 128, critic 4 x FC1024 with depth 4).

    E = x -> CONV_{w;4,2} -> BN -> ReLU -> CONV_{w;4,2} -> BN -> ReLU -> CONV_{2w;4,2} -> BN -> ReLU
          -> 4 x [FC_{8w} -> BN -> ReLU] -> FC_m
    D = z -> FC_{4w x H/16 x W/16} -> BN -> ReLU -> reshape
          -> 4 x [TCONV_{2w;4,2} -> BN -> ReLU -> CONV_RES_BLOCK_{2w} -> BN -> ReLU] -> CONV_{C;3,1} -> sigmoid
    H = z -> depth x [FC_{8w}, ReLU] -> FC_1
    The paper's second up-sampling layer reads "CONV_TCONV_{256;k=(4,4);s=(2,2)}"; we read it as a
    TCONV like the other three: four doublings are what take 2 x 2 to 32 x 32.
    """
    c, h, w_img = _image_shape(data_shape, "cifar-resnet", 16)
    w = cfg.width
    fc = 8 * w  # paper: 1024
    flat = 2 * w * (h // 8) * (w_img // 8)  # paper: 256 x 4 x 4
    encoder: list[nn.Module] = [
        conv(c, w, 4, 2), *bn_relu(w),
        conv(w, w, 4, 2), *bn_relu(w),
        conv(w, 2 * w, 4, 2), *bn_relu(2 * w),
        nn.Flatten()]
    dim = flat
    for _ in range(4):
        encoder += [nn.Linear(dim, fc), *bn_relu(fc, 1)]
        dim = fc
    encoder.append(nn.Linear(fc, cfg.latent_dim))

    start = (4 * w, h // 16, w_img // 16)  # paper: 512 x 2 x 2
    decoder: list[nn.Module] = [nn.Linear(cfg.latent_dim, math.prod(start)), *bn_relu(math.prod(start), 1),
                                nn.Unflatten(1, start)]
    channels = 4 * w
    for _ in range(4):
        decoder += [tconv(channels, 2 * w), *bn_relu(2 * w), ConvResBlock(2 * w), *bn_relu(2 * w)]
        channels = 2 * w
    decoder += [conv(2 * w, c, 3, 1), nn.Sigmoid()]
    return nn.Sequential(*encoder), nn.Sequential(*decoder), mlp_critic(cfg, scaled_fc_width(cfg, "cifar-resnet"))


def build_celeba_resnet(data_shape: tuple[int, ...], cfg: ModelConfig) -> Nets:
    """CelebA 64 x 64 networks, paper 8.4.4 (paper: w = 16, critic 4 x FC1024 with depth 4).

    E = x -> CONV_{w;3,1} -> BN -> CONV_RES_BLOCK_w -> CONV_{2w;4,2} -> CONV_RES_BLOCK_{2w}
          -> CONV_{4w;4,2} -> CONV_RES_BLOCK_{4w} -> CONV_{4w;4,2} -> CONV_RES_BLOCK_{4w}
          -> FC_RES_BLOCK_{32w} -> FC_m
    D = z -> FC_{w x H/32 x W/32} -> BN -> ReLU -> reshape
          -> for c in 2w, 4w, 8w, 16w, 32w: [TCONV_{c;4,2} -> BN -> ReLU -> CONV_RES_BLOCK_c -> BN -> ReLU]
          -> CONV_{C;3,1} -> sigmoid
    H = z -> depth x [FC_{64w}, ReLU] -> FC_1
    The encoder has no BN or ReLU between blocks and convs because the paper lists none; the
    decoder's channels grow (16 -> 512) towards the output, as listed.
    """
    c, h, w_img = _image_shape(data_shape, "celeba-resnet", 32)
    w = cfg.width
    flat = 4 * w * (h // 8) * (w_img // 8)  # paper: 64 x 8 x 8
    encoder = nn.Sequential(
        conv(c, w, 3, 1), nn.BatchNorm2d(w),
        ConvResBlock(w), conv(w, 2 * w, 4, 2),
        ConvResBlock(2 * w), conv(2 * w, 4 * w, 4, 2),
        ConvResBlock(4 * w), conv(4 * w, 4 * w, 4, 2),
        ConvResBlock(4 * w),
        nn.Flatten(), FCResBlock(flat, 32 * w),  # paper: FC_RES_BLOCK_512
        nn.Linear(32 * w, cfg.latent_dim))

    start = (w, h // 32, w_img // 32)  # paper: 16 x 2 x 2
    decoder: list[nn.Module] = [nn.Linear(cfg.latent_dim, math.prod(start)), *bn_relu(math.prod(start), 1),
                                nn.Unflatten(1, start)]
    channels = w
    for out in (2 * w, 4 * w, 8 * w, 16 * w, 32 * w):  # paper: 32, 64, 128, 256, 512
        decoder += [tconv(channels, out), *bn_relu(out), ConvResBlock(out), *bn_relu(out)]
        channels = out
    decoder += [conv(channels, c, 3, 1), nn.Sigmoid()]
    return encoder, nn.Sequential(*decoder), mlp_critic(cfg, scaled_fc_width(cfg, "celeba-resnet"))


NETWORKS: dict[str, Callable[[tuple[int, ...], ModelConfig], Nets]] = {
    "mlp": build_mlp,
    "fashion-conv": build_fashion_conv,
    "cifar-resnet": build_cifar_resnet,
    "celeba-resnet": build_celeba_resnet,
}


def build_networks(data_shape: tuple[int, ...], cfg: ModelConfig) -> Nets:
    """(encoder, decoder, critic) from NETWORKS[cfg.network] for samples of shape data_shape."""
    try:
        builder = NETWORKS[cfg.network]
    except KeyError:
        raise ValueError(f"unknown network '{cfg.network}' (config key model.network); "
                         f"choose one of {', '.join(NETWORKS)}") from None
    return builder(tuple(data_shape), cfg)
