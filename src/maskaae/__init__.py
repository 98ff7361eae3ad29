"""maskaae: adversarial auto-encoders that learn how many latent dimensions the data needs."""

from .openmp import choose_wait_policy

choose_wait_policy()  # before anything below imports torch (maskaae/openmp.py)

from .config import Config, ConfigError  # noqa: E402
from .presets import PRESETS, build_config  # noqa: E402
from .mask import LatentMask  # noqa: E402
from .model import MaskAAE, build_model  # noqa: E402
from .train import Trainer, TrainingDiverged, fit  # noqa: E402

__version__ = "0.1.0"

_SUBMODULES = {"data", "discovery", "evaluate", "losses", "metrics", "nets", "plots", "report", "runs", "sweep"}


def __getattr__(name: str):
    """`maskaae.runs.load_run(...)` and the like work after a plain `import maskaae`; the heavier modules
    (run folders and plots, sweeps, reports) load on first use."""
    if name == "MaskAAEDimension":
        try:
            from .estimator import MaskAAEDimension
        except ImportError as err:
            raise ImportError(f"maskaae.MaskAAEDimension needs scikit-learn ({err}); "
                              "install it with pip install 'maskaae[intrinsic]'") from None
        return MaskAAEDimension
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'maskaae' has no attribute {name!r}")

__all__ = ["Config", "ConfigError", "LatentMask", "MaskAAE", "PRESETS", "Trainer", "TrainingDiverged",
           "build_config", "build_model", "fit", "__version__"]
