"""What every config section's validation uses: the error it raises and the checks that name the key."""

from __future__ import annotations

from typing import Any


class ConfigError(ValueError):
    """A config key is unknown, has the wrong type, or is out of range."""


SEED_LIMIT = 2**32  # seed and data.seed


def _check(ok: bool, key: str, value: Any, message: str) -> None:
    if not ok:
        raise ConfigError(f"config key '{key}' = {value!r} {message}")


def _positive(section: Any, prefix: str, keys: list[str]) -> None:
    for key in keys:
        value = getattr(section, key)
        _check(value >= 1, f"{prefix}.{key}", value, "must be >= 1")


# ----------------------------------------------------------------------------
# Building from dicts, with type checks and unknown-key errors
