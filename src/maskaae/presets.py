"""Named presets and `build_config`: preset, then config file, then dotted overrides.

The schema and its validation live in maskaae/config.py (and its sections' modules), saved configs' upgrades in
maskaae/versions.py; this module holds only the named starting points (SPEC 4 for the paper presets, record-2026-12: experiments/README.md for the CPU ones).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .config import Config, ConfigError, config_from_dict
from .overrides import load_config_file, merge_dicts, merge_overrides

# The authors' training settings (SPEC 4), shared by every *-paper preset.
_AUTHORS_TRAINING: dict[str, Any] = {
    "model": {"mask_init_min": 0.0, "discovery": "paper"},
    "loss": {"lambda2": 1.0},
    "train": {"steps": 500000, "reg_schedule_interval": None, "lr_mask": 5e-4, "eval_every": 10000,
              "checkpoint_every": 5000, "log_every": 100, "mask_warmup_steps": 0},
}
# Images in [0, 1] with a sigmoid decoder: the authors' binary cross-entropy (SPEC 3.1).
_IMAGES: dict[str, Any] = {"model": {"output": "sigmoid"}, "loss": {"recon": "bce"}}
# The settings of the paper's gradient-trained mask on the CPU image presets (the fashion preset's; the mnist
# preset's ordered discovery does not use them, and its runs with model.discovery=paper pin them in
# experiments/experiments.toml): the synthetic CPU schedule with the paper's lambda2 and theta start, a slower
# mask and a longer warm-up (tuned on MNIST m = 64, record-2026-12: experiments/README.md).
_IMAGES_CPU_MASK: dict[str, Any] = {
    "model": {"mask_init_min": 0.0, "discovery": "paper"},
    "loss": {"lambda2": 1.0},
    "train": {"lr_mask": 2e-3, "mask_warmup_steps": 1000},
}


def _preset(*parts: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in parts:
        out = merge_dicts(out, part)
    return out


PRESETS: dict[str, dict[str, Any]] = {
    "synthetic": {
        "description": "CPU preset: synthetic n=8, m=32, 3 x FC256 networks, ordered discovery (12,000 nested "
                       "auto-encoder steps, from the 4,500th up to twice a preliminary answer (at least 16), the "
                       "last quarter near a provisional answer, the decision, 2,000 "
                       "verification steps, the descent where the answer is well above TwoNN's, then 3,000 steps "
                       "with the critic and the mask fixed); "
                       "about 2.5 minutes on one thread (not the paper's networks, schedule or mask training)",
        # One thread: at this network size a second thread was slower with passive waiting and barely faster
        # with spinning (benchmarks/results/step_omp_passive.json, wait_policy.json; benchmarks/README.md).
        "train": {"threads": 1},
    },
    "synthetic-paper": _preset(_AUTHORS_TRAINING, {
        "description": "Paper preset: synthetic data, 5 x FC1000 networks, the authors' lambda3 schedule "
                       "and 500,000 steps (about two days on a 2-core CPU)",
        "model": {"width": 1000, "depth": 5},
    }),
    "mnist": _preset(_IMAGES, {
        "description": "CPU preset (smaller than the paper; run in docs/REPRODUCTION.md): MNIST, m=64, "
                       "3 x FC512 MLPs, ordered discovery (4,000 nested auto-encoder steps, the decision, 2,000 "
                       "verification steps, the descent where triggered, then 12,000 steps with the critic and the "
                       "mask fixed), FID at N=2,000",
        "data": {"name": "mnist"},
        "model": {"latent_dim": 64, "width": 512, "depth": 3, "discovery": "ordered"},
        # 12,000 steps with the critic, as many as the paper mask's runs of this preset train in all: with 8,000
        # the default's FID at m = 32 was above theirs (docs/REPRODUCTION.md, "The critic's share of the schedule")
        "train": {"steps": 18000, "discovery_steps": 4000, "threads": 2},
        "eval": {"fid_samples": 2000},
    }),
    "mnist-paper": _preset(_IMAGES, _AUTHORS_TRAINING, {
        "description": "Paper preset: MNIST, m=64, 4 x FC1024 MLPs (paper 8.4.1), the authors' schedule, "
                       "500,000 steps, FID at N=10,000 (days on a 2-core CPU)",
        "data": {"name": "mnist"},
        "model": {"latent_dim": 64, "width": 1024, "depth": 4},
        "train": {"threads": 2},
        "eval": {"fid_samples": 10000},
    }),
    "fashion": _preset(_IMAGES, _IMAGES_CPU_MASK, {
        "description": "CPU preset (smaller than the paper; run in docs/REPRODUCTION.md): Fashion-MNIST, "
                       "m=128, the paper's conv networks at a quarter of the channels, 20,000 steps of the "
                       "paper's gradient mask (lambda2 1, mask lr 2e-3, theta in U[0, 5], 1,000 warm-up "
                       "steps), FID at N=2,000",
        "data": {"name": "fashion-mnist"},
        "model": {"latent_dim": 128, "network": "fashion-conv", "width": 16, "depth": 3},
        "train": {"steps": 20000, "threads": 2},
        "eval": {"fid_samples": 2000},
    }),
    "fashion-paper": _preset(_IMAGES, _AUTHORS_TRAINING, {
        "description": "Paper preset: Fashion-MNIST, m=128, the paper's conv networks, the authors' schedule, "
                       "FID at N=10,000",
        "data": {"name": "fashion-mnist"},
        "model": {"latent_dim": 128, "network": "fashion-conv", "width": 64, "depth": 4},
        "train": {"threads": 2},
        "eval": {"fid_samples": 10000},
    }),
    "cifar10": _preset(_IMAGES, _AUTHORS_TRAINING, {
        "description": "Paper preset: CIFAR-10 (files from --set data.data_dir=...), m=256, the paper's conv + "
                       "residual networks, the authors' schedule, FID at N=10,000; far too slow for a 2-core CPU",
        "data": {"name": "cifar10"},
        "model": {"latent_dim": 256, "network": "cifar-resnet", "width": 128, "depth": 4},
        "train": {"threads": 2},
        "eval": {"fid_samples": 10000},
    }),
    "celeba": _preset(_IMAGES, _AUTHORS_TRAINING, {
        "description": "Paper preset: CelebA 64x64 (files from --set data.data_dir=...), m=256, the paper's conv "
                       "+ residual networks, the authors' schedule, FID at N=10,000; far too slow for a 2-core CPU",
        "data": {"name": "celeba"},
        "model": {"latent_dim": 256, "network": "celeba-resnet", "width": 16, "depth": 4},
        "train": {"threads": 2},
        "eval": {"fid_samples": 10000},
    }),
}


def preset_values(preset: str = "synthetic", file: str | Path | dict[str, Any] | None = None,
                  overrides: list[str] | None = None) -> dict[str, Any]:
    """Every config key as preset, then file (a path or its contents), then dotted overrides set it; not yet
    validated (a sweep validates it with each grid point's values). Carries `schema_version`."""
    if preset not in PRESETS:
        raise ConfigError(f"unknown preset '{preset}'; choose one of {', '.join(PRESETS)}")
    values: dict[str, Any] = merge_dicts(Config().to_dict(), {"preset": preset, **PRESETS[preset]})
    if file is not None:
        values = merge_dicts(values, file if isinstance(file, dict) else load_config_file(file))
    if overrides:
        values = merge_overrides(values, overrides)
    if values.get("preset") != preset:
        # the preset's values were merged above; a different name here would only relabel them
        raise ConfigError(f"config key 'preset' = {values.get('preset')!r} cannot be set by --set, --grid or a "
                          f"config file (the values stay those of preset {preset!r}); choose it with --preset")
    return values


def build_config(preset: str = "synthetic", file: str | Path | None = None,
                 overrides: list[str] | None = None) -> Config:
    """Preset, then file, then dotted overrides; validated."""
    return config_from_dict(preset_values(preset, file, overrides))
