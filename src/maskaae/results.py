"""The keys of a run's results (summary.json, evaluation.json, a sweep's results.csv) and how they are shown.

runs.py writes these keys, cli.py prints SUMMARY_COLUMNS, sweep.py copies SWEEP_COLUMNS into results.csv,
and report/ reads them back; each list is built here from the same names.
"""

from __future__ import annotations

from typing import Any

# What the run was (runs.py)
MODEL = "model"  # "maskaae", or "wae-gan" with the mask off
KIND = "model.kind"  # the family (maskaae for WAE-GAN too); a sweep column when its grid chooses models
PRESET = "preset"
LATENT_DIM = "latent_dim"  # m, the model's latent capacity
TRUE_LATENT_DIM = "true_latent_dim"  # n of synthetic data; None for other data
SEED = "seed"
STEPS = "steps"
SECONDS = "seconds"  # training time, evaluation included

# Held-out metrics (evaluate.py)
ACTIVE_DIMS = "active_dims"  # m_A
FD = "fd"  # Frechet distance in data space
FID = "fid"  # Inception FID, image data only
FID_SAMPLES = "fid_samples"
PRECISION = "precision"
RECALL = "recall"
NAC = "nac"
RECON = "recon"
WASSERSTEIN = "wasserstein"
EVAL_SAMPLES = "eval_samples"
NAC_SAMPLES = "nac_samples"

# `maskaae fid` and the FID/KID functions (maskaae/metrics/fid.py, kid.py); a run's summary holds FID and
# FID_SAMPLES
FID_SAMPLES_REF = "fid_samples_ref"  # N of the reference set (fid_between: of B)
FID_VARIANT = "fid_variant"  # VARIANT_STANDARD or VARIANT_AUTHORS_MINMAX
PR_K = "pr_k"
VARIANT_STANDARD = "standard"
VARIANT_AUTHORS_MINMAX = "authors_minmax"
KID = "kid"
KID_STD = "kid_std"
KID_SUBSETS = "kid_subsets"
KID_SUBSET_SIZE = "kid_subset_size"

# What `maskaae train` and `maskaae evaluate` print, in this order (those the summary has).
SUMMARY_COLUMNS = (MODEL, LATENT_DIM, ACTIVE_DIMS, FID, FID_SAMPLES, FD, PRECISION, RECALL, NAC, RECON, WASSERSTEIN,
                   STEPS, SECONDS)

# A sweep's results.csv: RUN, STATUS, the grid's config keys, TRUE_N, SWEEP_COLUMNS (from each run's
# summary), ERROR.
RUN = "run"  # the run folder's name under SWEEP_DIR/runs/
STATUS = "status"  # done, failed or pending
ERROR = "error"
TRUE_N = "data.latent_dim"  # n, known only for synthetic data
SWEEP_COLUMNS = (MODEL, LATENT_DIM, ACTIVE_DIMS, FD, PRECISION, RECALL, NAC, RECON, WASSERSTEIN, FID, FID_SAMPLES,
                 STEPS, SECONDS, SEED, EVAL_SAMPLES, NAC_SAMPLES, PRESET)
OPTIONAL_COLUMNS = (FID, FID_SAMPLES, KIND)  # a column only when some run has it (image data; a model axis)
FIXED_COLUMNS = frozenset({RUN, STATUS, ERROR, TRUE_N, KIND, *SWEEP_COLUMNS})  # the columns that are not grid keys
TEXT_COLUMNS = frozenset({RUN, STATUS, ERROR, MODEL, KIND, PRESET})  # read back as text, not as JSON values


def format_value(value: Any) -> str:
    """A result for people: floats to 4 significant digits, a missing value as a dash."""
    if value is None:
        return "–"
    return f"{value:.4g}" if isinstance(value, float) else str(value)
