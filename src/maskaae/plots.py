"""Figures drawn from saved results: mask trajectories (paper Fig. 5), loss
curves (Fig. 8) and the latent covariance matrix (Fig. 10).

Drawn on matplotlib Figure objects and saved with Figure.savefig (the Agg canvas), never through pyplot:
the user's backend and pyplot's figures are left alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure


def plot_mask_trajectory(records: list[dict[str, Any]], path: Path, title: str = "") -> None:
    rows = [r for r in records if "mask" in r]
    if not rows:
        return
    steps = np.array([r["step"] for r in rows])
    masks = np.array([r["mask"] for r in rows])
    fig = Figure(figsize=(7, 4))
    ax = fig.subplots()
    ax.plot(steps, masks, lw=1)
    ax.set_xlabel("step")
    ax.set_ylabel("mask value $\\mu_j$")
    ax.set_ylim(-0.05, 1.05)
    ax.set_title(title or f"mask over training (m = {masks.shape[1]}, final m_A = {rows[-1].get('active_dims')})")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def plot_losses(records: list[dict[str, Any]], path: Path) -> None:
    if not records:
        return
    steps = np.array([r["step"] for r in records])
    panels = [("recon", "reconstruction (train batch)"), ("wasserstein", "Wasserstein estimate $\\omega$"),
              ("critic_loss", "critic loss $L_{dm}$"), ("active_dims", "active dims $m_A$")]
    fig = Figure(figsize=(4 * len(panels), 3.2))
    axes = fig.subplots(1, len(panels))
    for ax, (key, label) in zip(axes, panels):
        ax.plot(steps, [r.get(key, np.nan) for r in records], lw=1)
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("step")
    evals = [r for r in records if "eval" in r]
    if evals:
        ax = axes[0].twinx()
        ax.plot([r["step"] for r in evals], [r["eval"]["fd"] for r in evals], "o-", color="C3", ms=3, lw=1)
        ax.set_ylabel("held-out FD", color="C3")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def plot_covariance(cov: np.ndarray, path: Path, title: str = "latent covariance of $\\mu \\odot E(x)$") -> None:
    fig = Figure(figsize=(5, 4.4))
    ax = fig.subplots()
    im = ax.imshow(np.abs(cov), cmap="viridis")
    fig.colorbar(im, ax=ax, label="|cov|")
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("latent dim")
    ax.set_ylabel("latent dim")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def plot_image_grid(images, path: Path, title: str = "", nrow: int = 8) -> None:
    """Images (N, C, H, W) in [0, 1] tiled row by row (paper Fig. 6)."""
    images = np.asarray(images.detach().cpu() if hasattr(images, "detach") else images, dtype=np.float64)
    n, c, h, w = images.shape
    rows = -(-n // nrow)
    grid = np.ones((rows * (h + 1) + 1, nrow * (w + 1) + 1, c))
    for i, image in enumerate(images):
        r, col = divmod(i, nrow)
        grid[1 + r * (h + 1): 1 + r * (h + 1) + h, 1 + col * (w + 1): 1 + col * (w + 1) + w] = image.transpose(1, 2, 0)
    grid = np.clip(grid, 0.0, 1.0)
    fig = Figure(figsize=(nrow * 0.6 + 0.4, rows * 0.6 + 0.6))
    ax = fig.subplots()
    ax.imshow(grid[..., 0] if c == 1 else grid, cmap="gray" if c == 1 else None, vmin=0, vmax=1)
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
