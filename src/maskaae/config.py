"""Typed configuration: the Config that holds a run's sections, its validation across sections, and building
it from a dict (saved configs are upgraded in maskaae/versions.py).

The sections live in config_sections.py (data, model, loss) and config_train.py (train, eval), their checks in
config_checks.py; this module re-exports them. Every knob of a run lives there with a visible default. A config
is validated when it is built, so a typo or an out-of-range value fails before training starts, naming the key.
Paper-versus-authors'-code differences (SPEC.md) are named switches; their defaults are documented in
docs/CONFIG.md.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from .config_checks import SEED_LIMIT, ConfigError, _check
from .config_sections import NETWORK_NAMES, DataConfig, LossConfig, ModelConfig
from .config_train import EvalConfig, TrainConfig

__all__ = ["SCHEMA_VERSION", "SEED_LIMIT", "NETWORK_NAMES", "Config", "ConfigError", "DataConfig", "EvalConfig",
           "LossConfig", "ModelConfig", "TrainConfig", "config_from_dict"]


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
