"""Why m_A did not follow n: the forces on the paper's mask, and where a sharp signal about n exists.

    OMP_NUM_THREADS=1 .venv/bin/python experiments/diagnosis.py [--n 4 8 16] [--steps 3000]

For each n (Gaussian-latent synthetic data, SPEC 6, m = 32, seed 0) this trains two models on the
`synthetic` preset's networks, one thread:
- the paper's gradient-trained mask (`model.discovery=paper` with the previous default's lambda2 = 3,
  theta ~ U[2, 5] and 500 warm-up steps), logging every 50 steps (c) the gradient on theta from each of the
  three mask-loss terms, lambda1 recon, lambda2 (1 + omega)^2 and lambda3 sum |mu (mu - 1)|, per dimension,
  on one fixed batch; after training, on 2,000 held-out test samples,
  (a) the reconstruction error when only the k dimensions with the highest mu are kept (the others set to
      0), as trained and after 300 steps of retraining the decoder alone for that k, for k = 1..m, and
  (b) the Wasserstein estimate of a freshly trained critic (WGAN-GP, 400 steps) between the k kept
      dimensions of the codes and of the prior;
- the ordered discovery (the new default): its unexplained curve u(k) on training samples.
Writes results/diagnosis/diagnosis.json (every number) and results/diagnosis/diagnosis.png.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from maskaae import Trainer, build_config, build_model
from maskaae.data import load_data
from maskaae.discovery import unexplained_curve
from maskaae.losses import binariness, critic_loss, critic_pair, reconstruction, wasserstein_estimate
from maskaae.nets import mlp
from maskaae.optim import make_optimizer

M = 32


def term_gradients(trainer: Trainer, x: torch.Tensor, z: torch.Tensor) -> dict[str, list[float]]:
    """d/dtheta of each weighted mask-loss term (eq. 17) on one batch."""
    model, loss = trainer.model, trainer.cfg.loss
    theta = model.latent.theta
    mu = model.latent.values()
    with torch.no_grad():
        codes = model.encoder(x)
    recon = reconstruction(x, model.decoder(codes * mu), loss.recon)
    omega = wasserstein_estimate(*critic_pair(model.critic, z * mu, codes * mu))
    terms = {"recon": loss.lambda1 * recon, "wasserstein": loss.lambda2 * (1.0 + omega) ** 2,
             "binary": trainer.lambda3() * binariness(mu)}
    return {name: torch.autograd.grad(t, theta, retain_graph=True)[0].tolist() for name, t in terms.items()}


def fresh_critic_w(codes: torch.Tensor, k_idx: torch.Tensor, seed: int, steps: int = 400) -> float:
    """W estimate of a fresh WGAN-GP critic between the kept code dimensions and N(0, I_k)."""
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    k = len(k_idx)
    critic = mlp(k, 128, 2, 1)
    opt = make_optimizer(critic.parameters(), 1e-3, "torch")
    kept = codes[:, k_idx]
    for _ in range(steps):
        idx = torch.randint(len(kept), (128,), generator=g)
        z = torch.randn(128, k, generator=g)
        eps = torch.rand(128, 1, generator=g)
        loss, _ = critic_loss(critic, z, kept[idx], eps, 10.0)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        z = torch.randn(len(kept), k, generator=g)
        return float(wasserstein_estimate(critic(z), critic(kept)))


def retrained_error(model, codes: torch.Tensor, x: torch.Tensor, keep: torch.Tensor, seed: int,
                    steps: int = 300) -> float:
    """Reconstruction MSE after retraining a copy of the decoder for a few steps on the kept code."""
    import copy

    g = torch.Generator().manual_seed(seed)
    decoder = copy.deepcopy(model.decoder)
    opt = torch.optim.Adam(decoder.parameters(), lr=1e-3)
    half = len(x) // 2  # retrain on one half of the held-out samples, measure on the other
    for _ in range(steps):
        idx = torch.randint(half, (128,), generator=g)
        loss = ((decoder(codes[idx] * keep) - x[idx]) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        return float(((decoder(codes[half:] * keep) - x[half:]) ** 2).mean())


def diagnose(n: int, steps: int) -> dict:
    cfg = build_config("synthetic", overrides=[f"data.latent_dim={n}", f"model.latent_dim={M}",
                                               "model.discovery=paper", f"train.steps={steps}"])
    train, test = load_data(cfg.data)
    model = build_model(cfg, tuple(train.shape[1:]))
    trainer = Trainer(model, train, cfg)
    g = torch.Generator().manual_seed(99)
    xb, zb = train[torch.randint(len(train), (256,), generator=g)], torch.randn(256, M, generator=g)
    trajectory = []
    t0 = time.perf_counter()
    while trainer.step < steps:
        trainer.iteration()
        if trainer.step % 50 == 0:
            trajectory.append({"step": trainer.step, "mu": model.mask.round(5).tolist(),
                               **term_gradients(trainer, xb, zb)})
    seconds = time.perf_counter() - t0
    x = test[:2000]
    with torch.no_grad():
        codes = model.encoder(x) * model.latent.values()
    order = torch.argsort(model.latent.values().detach(), descending=True)
    variance = float(((x - x.mean(0)) ** 2).mean())
    recon_as_trained, recon_retrained, critic_w = [], [], []
    for k in range(1, M + 1):
        keep = torch.zeros(M)
        keep[order[:k]] = 1.0
        with torch.no_grad():
            recon_as_trained.append(float(((model.decoder(codes * keep) - x) ** 2).mean()) / variance)
        recon_retrained.append(retrained_error(model, codes, x, keep, seed=k) / variance)
        critic_w.append(fresh_critic_w(codes, order[:k], seed=k))
    ordered_cfg = build_config("synthetic", overrides=[f"data.latent_dim={n}", f"model.latent_dim={M}"])
    ordered = build_model(ordered_cfg, tuple(train.shape[1:]))
    ordered_trainer = Trainer(ordered, train, ordered_cfg)
    ordered_trainer.run(ordered_cfg.train.discovery_steps)
    return {"n": n, "m": M, "steps": steps, "train_seconds": round(seconds, 1), "m_A": model.active_dims,
            "mu_final": model.mask.round(5).tolist(), "order": order.tolist(),
            "recon_topk": recon_as_trained, "recon_topk_retrained": recon_retrained, "critic_w_topk": critic_w,
            "trajectory": trajectory, "ordered_curve": ordered_trainer.discovery["curve"],
            "ordered_dimension": ordered_trainer.discovery["dimension"],
            "ordered_curve_test": unexplained_curve(ordered, test[:2000]).round(6).tolist()}


def plot(results: list[dict], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(results), 4, figsize=(18, 3.6 * len(results)), squeeze=False)
    for row, r in zip(axes, results):
        n, m_a, ks = r["n"], r["m_A"], np.arange(1, r["m"] + 1)
        ax = row[0]
        ax.semilogy(ks, r["recon_topk"], "o-", ms=3, label="as trained")
        ax.semilogy(ks, r["recon_topk_retrained"], "s-", ms=3, label="decoder retrained")
        ax.set_title(f"n={n}: (a) held-out recon / Var, top-k by mu (paper mask, m_A={m_a})", fontsize=9)
        ax2 = row[1]
        ax2.plot(ks, r["critic_w_topk"], "o-", ms=3, color="C2")
        ax2.set_title(f"n={n}: (b) fresh critic's W estimate, top-k by mu", fontsize=9)
        for a in (ax, ax2):
            a.axvline(n, color="k", ls="--", lw=1, label="n")
            a.axvline(m_a, color="C3", ls=":", lw=1, label="m_A")
            a.set_xlabel("k")
        ax.legend(fontsize=7)
        ax3 = row[2]
        steps = [t["step"] for t in r["trajectory"]]
        on = np.array(r["mu_final"]) >= 0.1
        for name, color in (("recon", "C0"), ("wasserstein", "C1"), ("binary", "C4")):
            grads = np.array([t[name] for t in r["trajectory"]])
            if on.any():
                ax3.plot(steps, grads[:, on].mean(1), color=color, label=f"{name}, kept dims")
            if (~on).any():
                ax3.plot(steps, grads[:, ~on].mean(1), color=color, ls="--", label=f"{name}, dropped dims")
        ax3.set_yscale("symlog", linthresh=1e-3)
        ax3.set_title(f"n={n}: (c) mean d term / d theta (positive pushes mu down)", fontsize=9)
        ax3.set_xlabel("step")
        ax3.legend(fontsize=6)
        ax4 = row[3]
        u = np.array(r["ordered_curve"])
        ax4.semilogy(np.arange(len(u)), u, "o-", ms=3, label="train samples (decision)")
        ax4.semilogy(np.arange(len(u)), r["ordered_curve_test"], "x-", ms=3, label="test samples")
        ax4.axvline(n, color="k", ls="--", lw=1)
        ax4.set_title(f"n={n}: ordered u(k), decided {r['ordered_dimension']}", fontsize=9)
        ax4.set_xlabel("k (first k dimensions)")
        ax4.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[4, 8, 16])
    parser.add_argument("--steps", type=int, default=3000, help="paper-mask training steps (default 3000)")
    parser.add_argument("--out", default="results/diagnosis")
    args = parser.parse_args()
    torch.set_num_threads(1)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = []
    for n in args.n:
        results.append(diagnose(n, args.steps))
        print(f"n={n}: paper m_A={results[-1]['m_A']}, ordered {results[-1]['ordered_dimension']}", flush=True)
        (out / "diagnosis.json").write_text(json.dumps({"command": "OMP_NUM_THREADS=1 .venv/bin/python "
                                                        "experiments/diagnosis.py", "results": results}) + "\n")
    plot(results, out / "diagnosis.png")


if __name__ == "__main__":
    main()
