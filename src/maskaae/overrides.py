"""Config dicts from the command line and from files: dotted overrides (`model.latent_dim=32`), merging,
and JSON/TOML config files, each problem reported as a ConfigError that names the key or the file."""

from __future__ import annotations

import copy
import json
import tomllib
from pathlib import Path
from typing import Any

from .config import ConfigError


def merge_dicts(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_dicts(out[key], value)
        else:
            out[key] = value
    return out


def parse_value(text: str) -> Any:
    """Parse a CLI override value: JSON where it parses (numbers, true, null), else a string."""
    lowered = text.strip()
    if lowered.lower() in ("true", "false"):
        return lowered.lower() == "true"
    if lowered.lower() in ("null", "none"):
        return None
    try:
        return json.loads(lowered)
    except json.JSONDecodeError:
        return text


def overrides_to_dict(pairs: list[str]) -> dict[str, Any]:
    """Turn ['model.latent_dim=32', 'seed=3'] into a nested dict."""
    out: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise ConfigError(f"override '{pair}' must look like key=value, e.g. model.latent_dim=32")
        key, text = pair.split("=", 1)
        parts = key.strip().split(".")
        if not all(parts):
            raise ConfigError(f"override key '{key}' is malformed; use dotted keys like train.steps")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"override '{pair}' conflicts with an earlier override")
        node[parts[-1]] = parse_value(text)
    return out


def merge_overrides(values: dict[str, Any], pairs: list[str]) -> dict[str, Any]:
    """A config dict with dotted overrides applied on top."""
    return merge_dicts(values, overrides_to_dict(pairs))


def load_config_file(path: str | Path) -> dict[str, Any]:
    """A JSON (.json, or no suffix) or TOML (.toml) config file as a dict; any problem names the file."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist (or is not a file); check the --config path")
    suffix = path.suffix.lower()
    if suffix not in ("", ".json", ".toml"):
        raise ConfigError(f"config file {path}: {path.suffix} files are not read; write the config as JSON "
                          "(.json) or TOML (.toml)")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ConfigError(f"config file {path} is not UTF-8 text ({err.reason} at byte {err.start}); "
                          "save it as UTF-8") from None
    except OSError as err:
        raise ConfigError(f"config file {path} cannot be read: {err.strerror}") from None
    kind = "TOML" if suffix == ".toml" else "JSON"
    try:
        values = tomllib.loads(text) if suffix == ".toml" else json.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"config file {path} is not valid {kind}: {err}") from None
    if not isinstance(values, dict):
        raise ConfigError(f"config file {path} holds a {type(values).__name__} at the top level; it must be a "
                          'mapping of sections, e.g. {"model": {"latent_dim": 16}}')
    return values
