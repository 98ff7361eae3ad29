"""maskaae: adversarial auto-encoders that learn how many latent dimensions the data needs.

Importing maskaae changes nothing in the user's process (environment, threads, random state, matplotlib
backend), and does not load torch: the names below load on first use. How torch's threads wait and how
many there are is the `maskaae` command's choice (maskaae/openmp.py), not the library's.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .config import Config, ConfigError
from .presets import PRESETS, build_config

if TYPE_CHECKING:
    from .estimator import MaskAAEDimension
    from .mask import LatentMask
    from .model import MaskAAE, build_model
    from .train import Trainer, TrainingDiverged, fit

__version__ = "0.1.0"

_LAZY = {"LatentMask": "mask", "MaskAAE": "model", "build_model": "model", "Trainer": "train",
         "TrainingDiverged": "train", "fit": "train"}
_SUBMODULES = {"data", "discovery", "evaluate", "losses", "metrics", "nets", "plots", "report", "results", "runs",
               "sweep", "versions"}


def __getattr__(name: str) -> Any:
    """`maskaae.fit(...)`, `maskaae.runs.load_run(...)` and the like work after a plain `import maskaae`; the
    modules that need torch (models, training, run folders, sweeps, reports) load on first use."""
    if name == "MaskAAEDimension":
        try:
            from .estimator import MaskAAEDimension
        except ImportError as err:
            raise ImportError(f"maskaae.MaskAAEDimension needs scikit-learn ({err}); "
                              "install it with pip install 'maskaae[intrinsic]'") from None
        return MaskAAEDimension
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'maskaae' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, *_SUBMODULES, "MaskAAEDimension"})


__all__ = ["Config", "ConfigError", "LatentMask", "MaskAAE", "PRESETS", "Trainer", "TrainingDiverged",
           "build_config", "build_model", "fit", "__version__"]
