"""Typed configuration: dataclasses, validation, saved configs and their versions.

Every knob of a run lives here with a visible default. A config is validated
when it is built, so a typo or an out-of-range value fails before training
starts, naming the key. Paper-versus-authors'-code differences (SPEC.md) are
named switches; their defaults are documented in docs/CONFIG.md.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from .data.registry import DATASET_NAMES
from .device import check_name
from .models import MODELS


class ConfigError(ValueError):
    """A config key is unknown, has the wrong type, or is out of range."""


SEED_LIMIT = 2**32  # seed and data.seed

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


@dataclass
class TrainConfig:
    """Algorithm 1: step counts, ratios, optimiser, lambda3 schedule (SPEC 4)."""

    # Iterations in all; with model.discovery=ordered: 12,000 nested steps (fast, no critic), 2,000 verifying,
    # 3,000 with the critic (15,000 in all before the verification steps; the discovery benchmark's paper variant
    # runs 8,000)
    steps: int = 17000
    batch_size: int = 64  # samples per batch; every update draws its own batch
    ae_training_ratio: int = 1  # auto-encoder updates per iteration of Algorithm 1
    disc_training_ratio: int = 5  # critic updates per iteration of Algorithm 1 (then one generator update)
    # learning rate of the auto-encoder update, the authors' (the other model families' updates use it too)
    lr_ae: float = 5e-4
    # model.discovery=paper: the mask's learning rate; the authors' 5e-4 (the *-paper presets) was too slow to
    # move theta over a few thousand steps (fashion: 2e-3)
    lr_mask: float = 5e-3
    lr_critic: float = 1e-4  # the critic's learning rate, the authors'
    lr_gen: float = 1e-4  # the generator update's learning rate (the encoder against the critic), the authors'
    # tf: the authors' TF1 RMSProp (decay 0.9, eps 1e-10 inside the sqrt, average starts at 1);
    # torch: torch.optim.RMSprop defaults (alpha 0.99, eps 1e-8, average starts at 0)
    optimizer: Literal["tf", "torch"] = "tf"
    # model.discovery=paper: lambda3 doubles every reg_schedule_interval steps, without a cap (paper), or every
    # 4 * interval steps up to lambda3_max (code, the authors' code)
    lambda3_schedule: Literal["paper", "code"] = "code"
    # the lambda3 schedule's interval (125: doubling every 500 steps under code); null: the authors' rule from m,
    # 75 if m <= 20 else min(10000, floor(1125 m / 10)) (3600 for m = 32; the *-paper presets)
    reg_schedule_interval: int | None = 125
    lambda3_max: float = 2048.0  # the code schedule's cap on lambda3
    # model.discovery=paper: mask updates start after this many iterations (0: from the first, as in the paper
    # and the *-paper presets; fashion: 1,000). Not in the paper: an untrained encoder makes omega large, and the
    # (1 + omega)^2 term then switches dimensions off before the auto-encoder has learnt to use them (seen on MNIST
    # and at m <= n on synthetic data; record-2026-12: experiments/README.md).
    mask_warmup_steps: int = 500
    # model.discovery=ordered: iterations of nested auto-encoder training (encoder and decoder only, no critic)
    # before the mask is decided (and discovery_verify_steps more); the remaining iterations train the critic and
    # generator with it. A run shorter than this decides at its last step.
    discovery_steps: int = 12000
    # Adam, cosine-decayed to 0 over the discovery steps (also the descent's rounds and the decoder_share phase)
    lr_discovery: float = 1e-3
    # The last discovery_focus share of the discovery steps draw truncations from k' - 2 .. k' + 2 (within 1..m;
    # FOCUS_HALF_WIDTH), k' a provisional decision taken when they start, so the prefixes the decision compares get
    # trained more (not in the paper; maskaae/discovery/, record-2026-12: experiments/README.md); 0: k ~ U{1..m}
    # throughout (saved configs from before the key).
    discovery_focus: float = 0.25
    # The share of every nested batch that keeps all m code dimensions (the rest keep a prefix; the nested loss is
    # the batch mean of loss.recon). 0 is Rippel et al.'s nested dropout: it cut more of the flat torus's circles
    # (T^6 7 and T^10 15 instead of 9 and 18) but lowered MNIST's m_A to 7-10 (0.25 too), below its range of 9-15,
    # so it is not the default (record-2026-12: experiments/README.md, "The torus"). Two other nested-phase options
    # were measured, rejected and removed in schema 19 (the git tag record-2026-12 runs them): the log law for the
    # prefix lengths (train.discovery_truncation=log: MNIST's m_A 8-12 with no growth in m, but exact in 51 of 58
    # benchmark runs against 54 for uniform) and a power of the per-sample error (loss.nested_power: 0.25 and 0.5
    # kept more torus dimensions, 2 changed nothing)
    discovery_full_share: float = 0.5
    # r > 0: a preliminary decision k0 halfway to the focus phase, then truncations uniform over
    # 1..min(m, max(ceil(r k0), k0 + 2, discovery_reach_min)) until it, so the prefixes near the answer get a share
    # that depends on the data's answer, not on m (not in the paper; maskaae/discovery/, reach_window): under
    # 1..m MNIST's m_A grew with m (9-17 over m = 16..110 and two seeds), with the reach it was 9-11
    # (record-2026-12: experiments/README.md, "The reach"); 0: truncations uniform over 1..m until the focus phase (the
    # default before 2026-11-29's seventh default).
    discovery_reach: float = 2.0
    # The reach's range never ends below this many dimensions (within 1..m): a narrow range gives the smallest
    # prefixes most of the samples and squeezes a weak real factor (the reach without it lost curved3's 5th
    # dimension drawing over 1..10; record-2026-12: experiments/README.md, "The reach"). Where m <= it, the reach
    # changes nothing. 0: no minimum (saved configs from before the key).
    discovery_reach_min: int = 16
    # After the decision k at discovery_steps, this many more nested steps with truncations at k - 1 and k
    # only, then the rule again: k - 1 when it now answers exactly k - 1 and the k-th dimension was borderline
    # (model.discovery_verify_gate, model.discovery_verify_inversion): a factor split over dimensions k - 1 and k
    # moves into the first k - 1 (maskaae/discovery/, record-2026-12: experiments/README.md). train.steps counts
    # them (the presets grew by 2,000 steps, so the phase with the critic kept its length). 0: no verification (the
    # default before 2026-11-29).
    discovery_verify_steps: int = 2000
    # With model.discovery_descent_ratio: nested steps in each round of the descent (Adam, lr_discovery
    # cosine-decayed over each round; maskaae/discovery/descent.py). They run inside the final decision's
    # step, so train.steps and the critic's steps are unchanged; only runs whose descent is triggered take longer.
    discovery_descent_steps: int = 4000
    # MaskAAE and WAE-GAN: the last round(decoder_share * steps) steps train the decoder alone on reconstruction
    # from the codes mu * E(x) of the whole training set, with the encoder, mask and critic fixed (Adam at
    # lr_discovery, cosine-decayed to 0 over them). The samples D(mu * z) are only as sharp as the decoder renders
    # them, and such a step costs about a quarter of one with a critic step (docs/REPRODUCTION.md, issue 35). The
    # phase must start after ordered discovery ends (train.decoder_phase_encoder trains the encoder in it too).
    # 0: off (saved configs from before the key).
    decoder_share: float = 0.0
    # true: the decoder phase trains the encoder with the decoder (the mask fixed), on reconstruction alone, so the
    # codes move off the prior the critic matched; model.sampler=mixture then samples a mixture fitted to the final
    # codes. false: the decoder alone, on the codes fixed when the phase starts (issue 35)
    decoder_phase_encoder: bool = False
    stage2_share: float = 0.5  # vae-2stage: the share of train.steps that train stage two, after stage one
    # A wall-clock budget for training, in seconds (0: off, train.steps decides). The run re-plans its train.steps
    # as it goes, from its measured pace, so that training ends at this many seconds (maskaae/clock.py); the
    # phases before the end keep their steps, and a last phase that runs to the end (MaskAAE's decoder phase, the
    # two-stage VAE's second stage) keeps its start and stretches to the end planned. maskaae train plans the schedule for it first (a timed run of the
    # schedule scaled to 600 steps); maskaae sweep --budget sets it for every point. Run folders only: the
    # library's fit trains train.steps.
    seconds: float = 0.0
    # torch threads of maskaae train and maskaae dimension, which set them for their own process (sweep runs use
    # one each; library calls such as fit and maskaae.runs.train_run keep the caller's); 0 leaves torch's
    # default. A resumed run is bitwise identical to an uninterrupted one with the same thread count. The
    # synthetic preset uses 1, the others 2.
    threads: int = 0
    # Where the models, the training data and the metrics' networks run: auto (CUDA when this torch sees a
    # CUDA device, else the CPU), cpu, cuda, cuda:N or mps (maskaae/device.py). Random numbers are drawn on the
    # CPU and moved, so the stream is the same everywhere, but results are bit-for-bit only on one device: a run
    # resumed or evaluated on another is close, not identical. maskaae train prints the device; config.json and
    # summary.json name it.
    device: str = "auto"
    # The arithmetic of the training steps (decisions included; evaluation and sampling stay float32): float32;
    # tf32 (CUDA matrix products and convolutions in TensorFloat-32; the same as float32 elsewhere); bf16
    # (autocast to bfloat16 on the run's device; reconstruction losses in float32). Meant to be faster on a GPU,
    # not the same numbers: the pinned runs are float32 (maskaae/device.py). No GPU timing is committed yet
    # (benchmarks/device_check.py times tf32 and bf16 beside float32).
    precision: Literal["float32", "tf32", "bf16"] = "float32"
    # Run the four objectives and the optimiser updates through torch.compile: the same maths with fused
    # kernels, at a one-off compile cost of 10-30 s; needs a C++ compiler. Faster only with passive OpenMP
    # waiting (benchmarks/README.md).
    compile: bool = False
    log_every: int = 50  # a line of metrics.jsonl (the step's losses) every this many steps
    eval_every: int = 1000  # the held-out metrics in metrics.jsonl every this many steps, and at the last
    checkpoint_every: int = 1000  # checkpoint.pt, from which --resume continues, every this many steps and at the last

    @property
    def discovery_end(self) -> int:
        """The step of ordered discovery's final decision: the nested steps, then the verification steps."""
        return self.discovery_steps + self.discovery_verify_steps

    def validate(self) -> None:
        _positive(self, "train", ["steps", "batch_size", "ae_training_ratio", "disc_training_ratio",
                                  "log_every", "eval_every", "checkpoint_every"])
        for key in ["lr_ae", "lr_mask", "lr_critic", "lr_gen", "lr_discovery", "lambda3_max"]:
            value = getattr(self, key)
            _check(math.isfinite(value) and value > 0, f"train.{key}", value, "must be finite and > 0")
        if self.reg_schedule_interval is not None:
            _check(self.reg_schedule_interval >= 1, "train.reg_schedule_interval",
                   self.reg_schedule_interval, "must be >= 1 or null")
        _check(self.threads >= 0, "train.threads", self.threads, "must be >= 0")
        _check(check_name(self.device) is None, "train.device", self.device, check_name(self.device) or "")
        _check(self.mask_warmup_steps >= 0, "train.mask_warmup_steps", self.mask_warmup_steps, "must be >= 0")
        _check(self.discovery_steps >= 1, "train.discovery_steps", self.discovery_steps, "must be >= 1")
        _check(self.discovery_verify_steps >= 0, "train.discovery_verify_steps", self.discovery_verify_steps,
               "must be >= 0")
        _check(self.discovery_descent_steps >= 1, "train.discovery_descent_steps", self.discovery_descent_steps,
               "must be >= 1 (model.discovery_descent_ratio=null turns the descent off)")
        _check(0.0 <= self.discovery_full_share < 1.0, "train.discovery_full_share", self.discovery_full_share,
               "must be in [0, 1)")
        _check(0.0 <= self.discovery_focus < 1.0, "train.discovery_focus", self.discovery_focus,
               "must be in [0, 1)")
        _check(math.isfinite(self.discovery_reach) and self.discovery_reach >= 0.0, "train.discovery_reach",
               self.discovery_reach, "must be >= 0 (0: off)")
        _check(self.discovery_reach_min >= 0, "train.discovery_reach_min", self.discovery_reach_min,
               "must be >= 0 (0: no minimum)")
        _check(0.0 <= self.decoder_share < 1.0, "train.decoder_share", self.decoder_share, "must be in [0, 1)")
        _check(not self.decoder_phase_encoder or self.decoder_share > 0, "train.decoder_phase_encoder",
               self.decoder_phase_encoder, "changes the decoder phase, and train.decoder_share = 0 has none: set "
               "train.decoder_share > 0 or leave it false")
        _check(0.0 <= self.seconds < float("inf"), "train.seconds", self.seconds, "must be >= 0 seconds (0: off)")
        _check(0.0 <= self.stage2_share < 1.0, "train.stage2_share", self.stage2_share, "must be in [0, 1)")


@dataclass
class EvalConfig:
    """Held-out metrics (SPEC 7)."""

    n_samples: int = 2000  # generated and real test samples for fd and precision/recall
    nac_samples: int = 5000  # encoded test samples for NAC
    active_threshold: float = 0.1  # mu_j >= threshold counts as active
    pr_k: int = 3  # k of precision/recall: each point's ball reaches its k-th nearest neighbour
    # Inception FID for image data (SPEC 7): the final FID, on fid_samples generated vs the first fid_samples test
    # images (0: off)
    fid_samples: int = 0
    # FID on this many samples at every train.eval_every step too (0: off; slow on a CPU)
    fid_train_samples: int = 0
    fid_batch_size: int = 10  # fastest of 10, 50, 100 on 2 threads (benchmarks/results/fid.json)
    fid_authors_minmax: bool = False  # the authors' variant: min-max normalise each generated image

    def validate(self) -> None:
        for key in ["fid_samples", "fid_train_samples"]:
            value = getattr(self, key)
            _check(value == 0 or value >= 2, f"eval.{key}", value, "must be 0 (off) or >= 2")
        _check(self.fid_batch_size >= 1, "eval.fid_batch_size", self.fid_batch_size, "must be >= 1")
        _check(self.n_samples >= 2, "eval.n_samples", self.n_samples, "must be >= 2")
        _check(self.nac_samples >= 2, "eval.nac_samples", self.nac_samples, "must be >= 2")
        _check(0.0 < self.active_threshold < 1.0, "eval.active_threshold", self.active_threshold,
               "must be in (0, 1)")
        _check(1 <= self.pr_k < self.n_samples, "eval.pr_k", self.pr_k, "must be in [1, eval.n_samples)")


@dataclass
class Config:
    # the preset the values start from (maskaae/presets.py); chosen with --preset, not with --set or a config file
    preset: str = "synthetic"
    description: str = ""  # what the preset is for, set by it (maskaae presets lists them)
    # seeds the networks' initialisation and every draw of training (batches, prior samples); data.seed seeds the
    # data (the synthetic data, a file's held-out split)
    seed: int = 0
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)

    def validate(self) -> "Config":
        # torch and numpy take larger seeds, but the samplers that combine them wrap at 2^32 (issue 34 C16)
        _check(0 <= self.seed < SEED_LIMIT, "seed", self.seed, f"must be in [0, 2^32) ({SEED_LIMIT - 1} at most)")
        for section in (self.data, self.model, self.loss, self.train, self.eval):
            section.validate()
        # binary cross-entropy takes probabilities; the conv networks end in a sigmoid, the VAEs choose their own
        _check(not (self.loss.recon == "bce" and self.model.network == "mlp" and self.model.output == "linear"
                    and not self.model.kind.startswith("vae")), "loss.recon", self.loss.recon,
               "needs probabilities from the decoder, and model.output=linear gives any real number: set "
               "model.output=sigmoid (data in [0, 1]) or use loss.recon=mse")
        _check(not self.train.decoder_phase_encoder or self.model.sampler == "mixture", "train.decoder_phase_encoder",
               self.train.decoder_phase_encoder, "moves the codes off N(0, I), which model.sampler=prior samples: set "
               "model.sampler=mixture (a mixture fitted to the final codes)")
        return self

    def to_dict(self) -> dict[str, Any]:
        """Every key, with the schema version it was written under (what run folders and checkpoints save)."""
        return {"schema_version": SCHEMA_VERSION, **asdict(self)}

    @property
    def model_name(self) -> str:
        if self.model.kind != "maskaae":
            return self.model.kind
        return "maskaae" if self.model.mask else "wae-gan"

    @property
    def lambda3_init(self) -> float:
        if self.loss.lambda3_init is not None:
            return self.loss.lambda3_init
        return 2.0 / self.model.latent_dim


def _check(ok: bool, key: str, value: Any, message: str) -> None:
    if not ok:
        raise ConfigError(f"config key '{key}' = {value!r} {message}")


def _positive(section: Any, prefix: str, keys: list[str]) -> None:
    for key in keys:
        value = getattr(section, key)
        _check(value >= 1, f"{prefix}.{key}", value, "must be >= 1")


# ----------------------------------------------------------------------------
# Building from dicts, with type checks and unknown-key errors

def _coerce(value: Any, hint: Any, key: str) -> Any:
    """Check value against a type hint; accept ints for floats."""
    origin = typing.get_origin(hint)
    if origin is Literal:
        if value is None and "none" in typing.get_args(hint):
            return "none"  # --set data.scale=none: the CLI reads a bare none as null
        if value not in typing.get_args(hint):
            raise ConfigError(f"config key '{key}' = {value!r} must be one of {list(typing.get_args(hint))}")
        return value
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(hint)
        if value is None:
            if type(None) in args:
                return None
            raise ConfigError(f"config key '{key}' must not be null")
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(value, arg, key)
            except ConfigError as err:
                errors.append(str(err))
        raise ConfigError(errors[0])
    if hint is bool:
        if isinstance(value, bool):
            return value
        raise ConfigError(f"config key '{key}' = {value!r} must be true or false")
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise ConfigError(f"config key '{key}' = {value!r} must be an integer")
    if hint is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise ConfigError(f"config key '{key}' = {value!r} must be a number")
    if hint is str:
        if isinstance(value, str):
            return value
        raise ConfigError(f"config key '{key}' = {value!r} must be a string")
    raise TypeError(f"unsupported config type {hint!r} for '{key}'")


def _build(cls: type, values: dict[str, Any], prefix: str) -> Any:
    if not isinstance(values, dict):
        raise ConfigError(f"config section '{prefix.rstrip('.') or '<root>'}' must be a mapping")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - names)
    if unknown:
        raise ConfigError(
            f"unknown config key '{prefix}{unknown[0]}'; known keys here: {', '.join(sorted(names))}")
    kwargs = {}
    for name, value in values.items():
        hint = hints[name]
        if dataclasses.is_dataclass(hint):
            kwargs[name] = _build(hint, value, f"{prefix}{name}.")
        else:
            kwargs[name] = _coerce(value, hint, f"{prefix}{name}")
    return cls(**kwargs)


def config_from_dict(values: dict[str, Any]) -> Config:
    """Build and validate a Config; missing keys take their defaults.

    A `schema_version` key, as `Config.to_dict` writes it, must be this version's; an older saved config is
    read by `maskaae.versions.saved_config_from_dict`, which upgrades it. Without one the dict is taken as
    written for this version.
    """
    if isinstance(values, dict) and "schema_version" in values:
        version = values["schema_version"]
        if version != SCHEMA_VERSION:
            raise ConfigError(f"config key 'schema_version' = {version!r}: this function reads version "
                              f"{SCHEMA_VERSION}; read a saved config of another version with "
                              "maskaae.versions.saved_config_from_dict, which upgrades it")
        values = {key: value for key, value in values.items() if key != "schema_version"}
    return _build(Config, values, "").validate()


# The schema's version, written by Config.to_dict; older saved configs are upgraded by maskaae/versions.py.
SCHEMA_VERSION = 21
