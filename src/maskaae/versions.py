"""Saved configs and their schema versions: what an older config.json, checkpoint or sweep spec meant.

A saved config holds every key of its version. Version 1 had no `schema_version` key, and keys were added
to it over time; a version-1 config without one of them was written before it existed, so the run used the
behaviour the code had then, not today's default. A change to the schema (a new key, a new meaning, a new
default that changes what a missing key would mean) raises config.SCHEMA_VERSION and adds an upgrade here.
Version 2 writes `schema_version` and every key; version 3 adds model.discovery_rule (its new default
tolerance, 0.005, is written in every version-3 config); version 4 adds the model families (model.kind,
loss.mmd_weight); version 5 the baseline families' keys (loss.iaf_steps, loss.rae_*, train.stage2_share);
version 6 train.discovery_focus (0 before it existed); version 7 model.discovery_relative_tolerance (none
before it existed); version 8 train.discovery_verify_steps (0 before it existed); version 9
model.discovery_verify_gate (none before it existed: the verification's answer was taken whatever the
candidate's k-th dimension explained);
version 10 model.discovery_verify_inversion (false before it existed: the gate alone decided); version 11
train.discovery_reach (0 before it existed: truncations over 1..m until the focus phase; a version-10 config
written while the key was new has it, and keeps its value); version 12 train.discovery_reach_min (0 before it
existed: the reach's range was 1..max(ceil(r k0), k0 + 2) within 1..m, however small); version 13
train.discovery_full_share and loss.nested_power (0.5 and 1 before they existed, today's defaults: half of every
nested batch whole, the plain mean; a version-12 config written while the keys were new has them, and keeps
their values); version 14 model.discovery_descent_ratio, model.discovery_descent_tolerance and
train.discovery_descent_steps (no descent before they existed); version 15 train.device (the CPU before it
existed; read as auto); version 16 train.decoder_share (0 before it existed: no decoder-only steps); version 17
train.precision (float32 before it existed); version 18 model.sampler (prior before it existed: the paper's
sampling); version 19 removes train.discovery_truncation, loss.nested_power and model.discovery_rule, options
measured and rejected (a config that holds the behaviour left, uniform, 1 or gain, or whose run never trained
ordered discovery, loses the keys; one whose ordered discovery used the log law, another power or the level rule,
as every ordered config from before version 3 did, is refused, naming the git tag that runs it); version 20
train.seconds (0 before it existed: train.steps alone set a run's length); version 21
train.decoder_phase_encoder (false before it existed: the decoder phase trained the decoder alone).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from .config import SCHEMA_VERSION, Config, ConfigError, config_from_dict

# The keys added while version 1 was current, each with what a run did before the key existed (git history
# of this file): theta started in U[0, a], the mask trained by gradient (eq. 17), no mask warm-up, no
# compilation, no FID, synthetic Gaussian latents without noise, no user files.
_ADDED_IN_VERSION_1: dict[str, Any] = {
    "data.data_dir": None,
    "data.kind": "gaussian",
    "data.noise": 0.0,
    "data.path": None,
    "data.scale": "auto",
    "data.test_fraction": 0.1,
    "model.mask_init_min": 0.0,
    "model.discovery": "paper",
    "model.discovery_tolerance": 0.01,
    "train.compile": False,
    "train.mask_warmup_steps": 0,
    "train.discovery_steps": 12000,
    "train.lr_discovery": 1e-3,
    "eval.fid_samples": 0,
    "eval.fid_train_samples": 0,
    "eval.fid_batch_size": 50,
    "eval.fid_authors_minmax": False,
}


def _upgrade_1_to_2(values: dict[str, Any]) -> dict[str, Any]:
    return _fill(values, _ADDED_IN_VERSION_1)


def _upgrade_2_to_3(values: dict[str, Any]) -> dict[str, Any]:
    """Version 3 added model.discovery_rule; before it, ordered discovery used the level rule (version 19
    removed the key, and refuses such a config)."""
    out = copy.deepcopy(values)
    if isinstance(out.get("model"), dict):
        out["model"].setdefault("discovery_rule", "level")
    return out


def _upgrade_3_to_4(values: dict[str, Any]) -> dict[str, Any]:
    """Version 4 added the model families (model.kind; loss.mmd_weight of wae-mmd): before, every run was the
    maskaae family."""
    out = copy.deepcopy(values)
    if isinstance(out.get("model"), dict):
        out["model"].setdefault("kind", "maskaae")
    if isinstance(out.get("loss"), dict):
        out["loss"].setdefault("mmd_weight", 10.0)
    return out


# Version 5 added the baseline families' keys; no run of an older version used them, so their defaults
# are what those runs meant.
_ADDED_IN_VERSION_5 = {"loss.iaf_steps": 2, "loss.rae_latent_weight": 1e-2, "loss.rae_decoder_l2": 1e-4,
                       "loss.rae_components": 10, "train.stage2_share": 0.5}


def _fill(values: dict[str, Any], added: dict[str, Any]) -> dict[str, Any]:
    """values with every dotted key of `added` that it lacks set to the value given there."""
    out = copy.deepcopy(values)
    for dotted, before in added.items():
        section, key = dotted.split(".")
        if isinstance(out.get(section), dict) and key not in out[section]:
            out[section][key] = before
    return out


def _upgrade_4_to_5(values: dict[str, Any]) -> dict[str, Any]:
    return _fill(values, _ADDED_IN_VERSION_5)


def _upgrade_5_to_6(values: dict[str, Any]) -> dict[str, Any]:
    # nested truncations were uniform over 1..m throughout before
    return _fill(values, {"train.discovery_focus": 0.0, "train.discovery_truncation": "uniform"})


def _upgrade_6_to_7(values: dict[str, Any]) -> dict[str, Any]:
    # the decision's tolerance was the fixed share of the total alone before
    return _fill(values, {"model.discovery_relative_tolerance": None})


def _upgrade_7_to_8(values: dict[str, Any]) -> dict[str, Any]:
    # the nested phase's decision was final before
    return _fill(values, {"train.discovery_verify_steps": 0})


def _upgrade_8_to_9(values: dict[str, Any]) -> dict[str, Any]:
    # the verification's answer was taken whatever the candidate's k-th dimension explained
    return _fill(values, {"model.discovery_verify_gate": None})


def _upgrade_9_to_10(values: dict[str, Any]) -> dict[str, Any]:
    # the gate alone decided whether the verification's k - 1 was taken
    return _fill(values, {"model.discovery_verify_inversion": False})


def _upgrade_10_to_11(values: dict[str, Any]) -> dict[str, Any]:
    # truncations were drawn over 1..m until the focus phase
    return _fill(values, {"train.discovery_reach": 0.0})


def _upgrade_11_to_12(values: dict[str, Any]) -> dict[str, Any]:
    # the reach's range had no minimum
    return _fill(values, {"train.discovery_reach_min": 0})


def _upgrade_12_to_13(values: dict[str, Any]) -> dict[str, Any]:
    # half of every nested batch kept all m dimensions, and the nested loss was the plain batch mean
    return _fill(values, {"train.discovery_full_share": 0.5, "loss.nested_power": 1.0})


def _upgrade_13_to_14(values: dict[str, Any]) -> dict[str, Any]:
    # no descent after the final decision
    return _fill(values, {"model.discovery_descent_ratio": None, "model.discovery_descent_tolerance": 0.01,
                          "train.discovery_descent_steps": 4000})


def _upgrade_14_to_15(values: dict[str, Any]) -> dict[str, Any]:
    # runs before the key trained on the CPU; auto names the CPU on a machine without a GPU, and a run may
    # resume on another device (maskaae/device.py)
    return _fill(values, {"train.device": "auto"})


def _upgrade_15_to_16(values: dict[str, Any]) -> dict[str, Any]:
    # every step trained the whole model
    return _fill(values, {"train.decoder_share": 0.0})


def _upgrade_16_to_17(values: dict[str, Any]) -> dict[str, Any]:
    # every step ran in float32
    return _fill(values, {"train.precision": "float32"})


def _upgrade_17_to_18(values: dict[str, Any]) -> dict[str, Any]:
    # the MaskAAE family generated from N(0, I)
    return _fill(values, {"model.sampler": "prior"})


# The options version 19 removed, each with the one behaviour left, and where their runs are.
_REMOVED_IN_VERSION_19 = {"train.discovery_truncation": "uniform", "loss.nested_power": 1.0,
                          "model.discovery_rule": "gain"}
_RECORD = "the git tag record-2026-12 (commit 6a19709)"


def _trains_ordered_discovery(values: dict[str, Any]) -> bool:
    """Whether a run with these values trained ordered discovery, the only part of maskaae that read the options
    removed in version 19: the MaskAAE family with its mask on and model.discovery=ordered (maskaae/train.py)."""
    model = values.get("model") if isinstance(values.get("model"), dict) else {}
    return (model.get("kind", "maskaae") == "maskaae" and model.get("mask", True) is not False
            and model.get("discovery", "ordered") == "ordered")


def _upgrade_18_to_19(values: dict[str, Any]) -> dict[str, Any]:
    # the removed keys go where they hold the behaviour left or were never read (the paper's mask runs from before
    # version 3 read as level, and the manifest pinned it on them only so that their configs rebuilt); a run that
    # used another value cannot be rerun or read as today's schema, so it is refused
    out = copy.deepcopy(values)
    ordered = _trains_ordered_discovery(out)
    for dotted, kept in _REMOVED_IN_VERSION_19.items():
        section, key = dotted.split(".")
        if not isinstance(out.get(section), dict) or key not in out[section]:
            continue
        value = out[section].pop(key)
        if ordered and value != kept:
            implied = (" (ordered configs from before schema 3 have no such key and ran it)"
                       if key == "discovery_rule" else "")
            raise ConfigError(f"config key '{dotted}' = {value!r}{implied}: the option was removed in schema 19 and "
                              f"today's maskaae runs only {kept!r}; {_RECORD} runs it")
    return out


def _upgrade_19_to_20(values: dict[str, Any]) -> dict[str, Any]:
    # train.steps alone set the run's length
    return _fill(values, {"train.seconds": 0.0})


def _upgrade_20_to_21(values: dict[str, Any]) -> dict[str, Any]:
    # the decoder phase trained the decoder alone
    return _fill(values, {"train.decoder_phase_encoder": False})


_UPGRADES = {1: _upgrade_1_to_2, 2: _upgrade_2_to_3, 3: _upgrade_3_to_4, 4: _upgrade_4_to_5,
             5: _upgrade_5_to_6, 6: _upgrade_6_to_7, 7: _upgrade_7_to_8, 8: _upgrade_8_to_9,
             9: _upgrade_9_to_10, 10: _upgrade_10_to_11,
             11: _upgrade_11_to_12, 12: _upgrade_12_to_13,
             13: _upgrade_13_to_14, 14: _upgrade_14_to_15,
             15: _upgrade_15_to_16, 16: _upgrade_16_to_17, 17: _upgrade_17_to_18,
             18: _upgrade_18_to_19, 19: _upgrade_19_to_20, 20: _upgrade_20_to_21}  # version -> function returning the next version's dict


def saved_config_from_dict(values: dict[str, Any], source: str | Path | None = None) -> Config:
    """A config saved by a run (config.json, checkpoint, model file, sweep task), upgraded to today's schema.

    Raises ConfigError for a version newer than this maskaae knows, or for a run that used an option since removed,
    naming `source` when given.
    """
    where = f"{source}: " if source is not None else ""
    if not isinstance(values, dict):
        raise ConfigError(f"{where}a saved config must be a mapping, not {type(values).__name__}")
    values = dict(values)
    version = values.pop("schema_version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ConfigError(f"{where}config key 'schema_version' = {version!r} must be an integer >= 1")
    if version > SCHEMA_VERSION:
        raise ConfigError(f"{where}the config was written with schema version {version}, newer than this maskaae "
                          f"reads ({SCHEMA_VERSION}); upgrade maskaae (pip install -U maskaae) to load it")
    try:
        while version < SCHEMA_VERSION:
            values = _UPGRADES[version](values)
            version += 1
        return config_from_dict(values)  # no schema_version left: validated as today's schema
    except ConfigError as err:
        raise ConfigError(f"{where}{err}") from None
