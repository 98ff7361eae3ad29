"""Evaluation metrics: Fréchet distance, improved precision/recall, latent diagnostics, image FID/KID."""

from .frechet import frechet_distance, frechet_distance_samples, gaussian_stats
from .latent import active_dims, active_indices, nac, normalized_abs_covariance
from .precision_recall import precision_recall

__all__ = [
    "gaussian_stats",
    "frechet_distance",
    "frechet_distance_samples",
    "precision_recall",
    "active_dims",
    "active_indices",
    "normalized_abs_covariance",
    "nac",
]

# Image FID / KID on Inception features (SPEC 7).
from . import fid as _fid  # noqa: E402
from .fid import *  # noqa: E402,F401,F403
from .image_files import load_images  # noqa: E402
from .inception import (  # noqa: E402
    InceptionFeatures,
    InceptionWeightsError,
    find_inception_weights,
    inception_preprocess,
    verify_inception_weights,
)
from .kid import kid_from_features, mmd2_polynomial_unbiased  # noqa: E402

__all__ += [
    *_fid.__all__,
    "load_images",
    "InceptionFeatures",
    "InceptionWeightsError",
    "find_inception_weights",
    "inception_preprocess",
    "verify_inception_weights",
    "kid_from_features",
    "mmd2_polynomial_unbiased",
]
