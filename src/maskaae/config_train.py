"""The config sections of how a run trains and is evaluated: train and eval (maskaae/config.py assembles them)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from .config_checks import _check, _positive
from .device import check_name


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
    # two-stage VAE's second stage) keeps its start and stretches to the end planned. maskaae train plans the
    # schedule for it first (a timed run of the schedule scaled to 600 steps); maskaae sweep --budget sets it for
    # every point. Run folders only: the library's fit trains train.steps.
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
