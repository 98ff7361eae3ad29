"""Evaluation metrics: Fréchet distance, improved precision/recall, latent diagnostics."""

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
