"""Network builders, chosen by name from `NETWORKS` (SPEC 5, paper section 8).

A builder takes the data shape and the model config and returns
(encoder, decoder, critic). The critic is a Wasserstein critic: no sigmoid.
"""

from __future__ import annotations

from typing import Callable

from torch import nn

from .config import ModelConfig


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


def build_mlp(data_dim: int, cfg: ModelConfig) -> tuple[nn.Module, nn.Module, nn.Module]:
    """Fully connected E, D, H as for the paper's synthetic (8.3) and MNIST (8.4.1) models."""
    encoder = mlp(data_dim, cfg.width, cfg.depth, cfg.latent_dim)
    decoder = mlp(cfg.latent_dim, cfg.width, cfg.depth, data_dim, cfg.output)
    critic = mlp(cfg.latent_dim, cfg.width, cfg.depth, 1)
    return encoder, decoder, critic


NETWORKS: dict[str, Callable[[int, ModelConfig], tuple[nn.Module, nn.Module, nn.Module]]] = {
    "mlp": build_mlp,
}


def build_networks(data_dim: int, cfg: ModelConfig) -> tuple[nn.Module, nn.Module, nn.Module]:
    try:
        builder = NETWORKS[cfg.network]
    except KeyError:
        raise ValueError(f"unknown network '{cfg.network}' (config key model.network); "
                         f"choose one of {', '.join(NETWORKS)}") from None
    return builder(data_dim, cfg)
