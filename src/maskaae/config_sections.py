"""The config sections of what is trained and on what: data, model and loss (maskaae/config.py assembles them)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from .config_checks import SEED_LIMIT, _check, _positive
from .data.registry import DATASET_NAMES
from .models import MODELS

# The networks' names, checked here without loading torch; maskaae.nets.NETWORKS holds their builders under the
# same keys (tests/test_nets.py checks that the two agree).
NETWORK_NAMES = ("mlp", "fashion-conv", "cifar-resnet", "celeba-resnet")


@dataclass
class DataConfig:
    """Which data, and for the synthetic data how it is generated (SPEC 6)."""

    name: Literal[DATASET_NAMES] = "synthetic"  # a name in maskaae/data/registry.py
    path: str | None = None  # data.name=file: the user's .npy/.npz/.csv/.tsv file or image folder (--data)
    scale: Literal["auto", "none", "standardize", "minmax"] = "auto"  # data.name=file (maskaae/data/files.py)
    test_fraction: float = 0.1  # data.name=file: share held out for the metrics
    data_dir: str | None = None  # image data sets: folder with the files (None: maskaae's data folder)
    # synthetic data: "gaussian" is SPEC 6 (z ~ N(0, I_n) through a random two-layer leaky-ReLU map); the others
    # are manifolds with a non-Gaussian latent, lifted to data_dim and scaled to unit mean coordinate variance
    # (maskaae/data/manifolds.py): hypercube U[-1, 1]^n, sphere S^n in n + 1 dimensions, torus the flat T^n in
    # 2n, curved1 and curved3 U[-1, 1]^n through 1 or 3 random tanh layers
    kind: Literal["gaussian", "hypercube", "sphere", "torus", "curved1", "curved3"] = "gaussian"
    latent_dim: int = 8  # n, the true latent dimension of the synthetic data
    hidden_dim: int = 128  # k, width of the generating map's first layer
    data_dim: int = 128  # d, dimension of the data
    seed: int = 0  # fixes the generating map's weights and the samples (a file: its held-out split)
    # training samples of the synthetic data (the paper gives no count), or the first n_train images of CelebA's
    # train split; the other image data sets use their whole splits
    n_train: int = 20000
    n_test: int = 5000  # held-out samples for the metrics, likewise (CelebA: the first n_test of its test split)
    leaky_slope: float = 0.2  # slope of the gaussian map's leaky ReLUs (the paper does not give it)
    noise: float = 0.0  # synthetic data: std of additive Gaussian noise, relative to the data's (0.01 = 1%)

    @property
    def source(self) -> str:
        """What the data is read from, for messages: the user's file or folder, else the data set's name."""
        return self.path or self.data_dir or self.name

    def validate(self) -> None:
        _positive(self, "data", ["latent_dim", "hidden_dim", "data_dim", "n_train", "n_test"])
        _check(0 <= self.seed < SEED_LIMIT, "data.seed", self.seed, f"must be in [0, 2^32) ({SEED_LIMIT - 1} at most)")
        _check(0.0 <= self.leaky_slope < 1.0, "data.leaky_slope", self.leaky_slope, "must be in [0, 1)")
        _check(math.isfinite(self.noise) and self.noise >= 0, "data.noise", self.noise, "must be finite and >= 0")
        _check(0.0 < self.test_fraction < 1.0, "data.test_fraction", self.test_fraction, "must be in (0, 1)")
        # a path beside another data set would be ignored without a word, and the run would train on that set
        _check(self.path is None or self.name == "file", "data.path", self.path,
               f"is read only with data.name = file, and data.name is {self.name!r}: give the file with --data PATH "
               "(it sets both), or add data.name=file")


@dataclass
class ModelConfig:
    """Networks and mask (SPEC 2 and 5)."""

    # the model family, a key of maskaae.models.MODELS: maskaae (MaskAAE; WAE-GAN with mask=false), wae-mmd,
    # vae-bernoulli, vae-gaussian, vae-gamma, vae-iaf, vae-2stage or rae (maskaae train --help describes them)
    kind: str = "maskaae"
    latent_dim: int = 32  # m, the model's latent capacity
    mask: bool = True  # maskaae family; false: WAE-GAN (mask fixed to ones, no mask step, no variance penalty)
    # one of NETWORK_NAMES, the keys of maskaae.nets.NETWORKS: mlp, fashion-conv, cifar-resnet or celeba-resnet
    network: str = "mlp"
    # mlp: the hidden units of every layer; the conv networks: the first conv layer's channels, every other
    # count a fixed multiple of it (maskaae/nets.py; PAPER_WIDTHS gives the paper's sizes)
    width: int = 256
    # hidden layers in each of encoder, decoder and critic (the conv networks: the critic's only)
    depth: int = 3
    output: Literal["linear", "sigmoid"] = "linear"  # decoder's last activation (sigmoid: the image presets)
    # projection: mu = 1 - exp(-theta), theta projected to >= 0 after each update (the authors' code); paper:
    # mu = max(0, 1 - exp(-theta)), where a dimension that reaches 0 stays off
    mask_param: Literal["projection", "paper"] = "projection"
    # discovery=paper: theta ~ U[mask_init_min, mask_init_max] at the start (ordered starts with every mu = 1)
    mask_init_max: float = 5.0
    # CPU default 2 (every mu starts >= 0.86); 0 in the paper and the authors' code (the *-paper presets and
    # fashion), where dimensions that start with a small mu are switched off by the variance penalty before they
    # are used, which at m <= n removed needed dimensions (record-2026-12: experiments/README.md)
    mask_init_min: float = 2.0
    # How the mask is found. ordered: a nested auto-encoder, then the shortest prefix of dimensions after
    # which more dimensions stop paying (maskaae/discovery/; not in the paper); paper: mu trained by gradient
    # on the paper's mask loss (eq. 17), the paper's and the authors' method (the *-paper presets and fashion).
    discovery: Literal["ordered", "paper"] = "ordered"
    # ordered, with u(k) the median per-sample squared error from the first k dimensions relative to the data's
    # variance and u* its lowest value: the decision (the gain rule) keeps the smallest k with
    # u(k) - u(k + 2) <= 2 tolerance (u(0) - u*), the next two dimensions explaining at most tolerance of the total
    # reduction u(0) - u* each. The first rule, level (u(k) - u* <= 0.01 (u(0) - u*), model.discovery_rule=level),
    # grew with m on MNIST and was exact in 0.793 of the discovery benchmark's runs with m >= n, against 0.81 for the
    # gain rule on the same curves and 0.966 for today's default (results/discovery); it was removed in schema 19,
    # and the git tag record-2026-12 runs it
    discovery_tolerance: float = 0.005
    # ordered: caps the tolerance at k at this share of the first k dimensions' mean share of the total,
    # (u(0) - u(k)) / (k (u(0) - u*)), so that it follows large n (without it, n = 32 gave 28 and n = 40 gave
    # 31; for n up to about 10 it changes nothing; record-2026-12: experiments/README.md); null: the fixed share
    # alone (the rule before schema 7)
    discovery_relative_tolerance: float | None = 0.05
    # With train.discovery_verify_steps: the verification may take k - 1 only when the candidate's k-th
    # dimension explains less than this share of the total (a borderline dimension); null: whatever it explains
    # (the verification before schema 9). A clearly real weak dimension is then left alone: ungated, the steps
    # took the real 6th dimension of the curved maps at n = 6 (1.5-2.6% of the total), where the split fragments
    # they are for explained 0.2-0.9% (record-2026-12: experiments/README.md)
    discovery_verify_gate: float | None = 0.01
    # With train.discovery_verify_steps: the verification may also take k - 1 when the candidate's k-th
    # dimension explains more than its (k - 1)-th, whatever the gate says (an inverted order: nested training
    # puts the larger part of a factor first, so a k-th above the (k - 1)-th is a factor split over the two, such
    # as 0.14% then 1.41% at n = 16, m = 34); false: the gate alone (the verification before schema 10)
    discovery_verify_inversion: bool = True
    # After the final decision k: when TwoNN on up to 10,000 training samples reads more than this many times less
    # than it reads on as many k-dimensional Gaussian samples, rounds of nested steps at j = k - 1, k - 2, .. keep
    # each j whose first j dimensions reconstruct within discovery_descent_tolerance (a share of the decision's
    # total) of what the first k did: a circle kept on two coordinates is cut to one (a flat torus T^n answered up
    # to 2n). The trigger keeps the rounds off data whose weak last factor they would fold (the curved maps;
    # maskaae/discovery/descent.py; not in the paper). null: no descent (before schema 14)
    discovery_descent_ratio: float | None = 1.3
    # The descent's acceptance: a share of the decision's total reduction u(0) - u(k) for all rounds together
    # (the reference does not move); a round that fails it is undone and ends the descent
    discovery_descent_tolerance: float = 0.01
    # maskaae family: what the generator draws z from for D(mu * z). prior: N(0, I), the paper's sampling;
    # mixture: a Gaussian mixture of 10 full-covariance components (the RAE authors' MNIST setting) fitted to the
    # codes E(x) of the training set on the active dimensions at the last training step, as the RAE samples
    # (maskaae/sampling.py). The critic trains against N(0, I) either way. rae samples its mixture whatever this
    # says, so a sweep over rae and maskaae may set it for both; the other families refuse mixture. On MNIST at
    # 900 s a mixture fitted after training took the 0.5 decoder-phase run's FID from 27.4 to 23.8
    # (docs/REPRODUCTION.md, issue 35)
    sampler: Literal["prior", "mixture"] = "prior"

    def validate(self) -> None:
        _check(0.0 <= self.discovery_tolerance < 1.0, "model.discovery_tolerance", self.discovery_tolerance,
               "must be in [0, 1)")
        _check(self.discovery_relative_tolerance is None or 0.0 < self.discovery_relative_tolerance < 1.0,
               "model.discovery_relative_tolerance", self.discovery_relative_tolerance, "must be in (0, 1) or null")
        _check(self.discovery_verify_gate is None or 0.0 < self.discovery_verify_gate <= 1.0,
               "model.discovery_verify_gate", self.discovery_verify_gate, "must be in (0, 1] or null")
        _check(self.discovery_descent_ratio is None or (math.isfinite(self.discovery_descent_ratio)
                                                        and self.discovery_descent_ratio > 0),
               "model.discovery_descent_ratio", self.discovery_descent_ratio, "must be finite and > 0, or null")
        _check(0.0 <= self.discovery_descent_tolerance < 1.0, "model.discovery_descent_tolerance",
               self.discovery_descent_tolerance, "must be in [0, 1)")
        _check(self.kind in MODELS, "model.kind", self.kind, f"must be one of {list(MODELS)}")
        _check(self.network in NETWORK_NAMES, "model.network", self.network, f"must be one of {list(NETWORK_NAMES)}")
        _check(self.latent_dim >= 1, "model.latent_dim", self.latent_dim,
               "must be >= 1 (it is the number of latent dimensions m)")
        _positive(self, "model", ["width", "depth"])
        _check(math.isfinite(self.mask_init_max) and self.mask_init_max > 0, "model.mask_init_max",
               self.mask_init_max, "must be finite and > 0")
        _check(0.0 <= self.mask_init_min < self.mask_init_max, "model.mask_init_min", self.mask_init_min,
               "must be >= 0 and below model.mask_init_max")
        _check(self.sampler == "prior" or self.kind in ("maskaae", "rae"), "model.sampler", self.sampler,
               f"is a choice of the maskaae family (MaskAAE, WAE-GAN; rae always samples its mixture), not of "
               f"{self.kind!r}, which samples its own prior: set model.sampler=prior")


@dataclass
class LossConfig:
    """Loss weights and forms (SPEC 3)."""

    # mse: squared error, mean over elements; bce: binary cross-entropy, mean over elements (the authors' MNIST
    # loss; the image presets); l2: the per-sample norm ||x - x_hat|| (the paper's eq. 14 as written)
    recon: Literal["mse", "bce", "l2"] = "mse"
    alpha1: float = 1.0  # L_ae's weight of the reconstruction
    alpha2: float = 100.0  # L_ae's weight of the variance penalty (none with model.mask=false)
    gamma: float = 10.0  # gamma of the variance penalty's weights delta_j (variance_penalty_form)
    # delta_j = exp(-gamma mu_j^2) (authors' code) or exp(-gamma mu_j) (paper)
    variance_penalty_form: Literal["squared", "linear"] = "squared"
    # mean over dimensions (authors' code) or sum (paper's delta^T Diag(A))
    variance_penalty_reduction: Literal["mean", "sum"] = "mean"
    beta2: float = 10.0  # the critic loss's weight of the gradient penalty (WGAN-GP, SPEC 3.2)
    lambda1: float = 1000.0  # model.discovery=paper: the mask loss's weight of the reconstruction (eq. 17)
    # model.discovery=paper: the mask loss's weight of (1 + omega)^2 (eq. 17); the paper's 1.0 (kept by the
    # *-paper presets and fashion) left extra dimensions on at the CPU preset's budget (tag record-2026-12)
    lambda2: float = 3.0
    mmd_weight: float = 10.0  # wae-mmd: lambda of the MMD term (Tolstikhin et al. 2018 used 10 on MNIST)
    # rae: beta of beta ||z||^2 / 2 beside a per-sample summed reconstruction (Ghosh et al. 2020, RAE-L2): the
    # authors' MNIST 1e-4, which weighs mean_j z_j^2 against a per-pixel mean, rescaled to this loss (d = 784,
    # m = 16), as pythae's MNIST config has it (maskaae/models/rae.py)
    rae_latent_weight: float = 1e-2
    # rae: lambda of the decoder's penalty lambda ||theta_D||^2: the authors' MNIST 1e-7, which weighs a per-pixel
    # mean, rescaled to this loss (d = 784), as pythae's MNIST config has it
    rae_decoder_l2: float = 1e-4
    rae_components: int = 10  # rae: components of the Gaussian mixture fitted to the codes after training
    # model.discovery=paper: lambda3's start, the mask loss's weight of sum_j |mu_j (mu_j - 1)| (eq. 17); null: 2 / m
    lambda3_init: float | None = None
    # vae-iaf: inverse autoregressive flow steps on the posterior sample (Kingma et al. 2016), each a MADE with two
    # hidden layers of 4m, the order of z reversed between steps
    iaf_steps: int = 2

    def validate(self) -> None:
        for key in ["alpha1", "alpha2", "gamma", "beta2", "lambda1", "lambda2", "mmd_weight", "rae_latent_weight",
                    "rae_decoder_l2"]:
            value = getattr(self, key)
            _check(math.isfinite(value) and value >= 0, f"loss.{key}", value, "must be finite and >= 0")
        _positive(self, "loss", ["iaf_steps"])
        _check(self.rae_components >= 1, "loss.rae_components", self.rae_components, "must be >= 1")
        if self.lambda3_init is not None:
            _check(math.isfinite(self.lambda3_init) and self.lambda3_init > 0, "loss.lambda3_init",
                   self.lambda3_init, "must be finite and > 0, or null")
