"""maskaae: adversarial auto-encoders that learn how many latent dimensions the data needs."""

from .openmp import choose_wait_policy

choose_wait_policy()  # before anything below imports torch (maskaae/openmp.py)

from .config import Config, ConfigError, PRESETS, build_config  # noqa: E402
from .mask import LatentMask  # noqa: E402
from .model import MaskAAE, build_model  # noqa: E402
from .train import Trainer, TrainingDiverged, fit  # noqa: E402

__version__ = "0.1.0"

__all__ = ["Config", "ConfigError", "LatentMask", "MaskAAE", "PRESETS", "Trainer", "TrainingDiverged",
           "build_config", "build_model", "fit", "__version__"]
