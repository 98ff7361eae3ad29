"""The MaskAAE family: MaskAAE, and WAE-GAN with `model.mask=false` (SPEC 2-4).

Its model, losses and training iteration predate the registry and live in maskaae/model.py, mask.py,
losses.py, train.py and discovery.py; this module is its entry in `maskaae.models.MODELS`.
"""

from ..model import MaskAAE, build_model
from ..train import Trainer

__all__ = ["MaskAAE", "Trainer", "build_model"]
