"""Development probe (2026-11-28) behind the ordered discovery: a nested-truncation auto-encoder and the
curve of held-out reconstruction error against the number k of leading code dimensions kept.

    CRITIC=0|1 PFULL=p LR=lr OPT=tf|adam COS=0|1 OMP_NUM_THREADS=1 \
        .venv/bin/python experiments/nested_probe.py N M STEPS SEED [KIND] > results/nested-probe/FILE.txt

CRITIC=1 adds the WAE-GAN critic and generator steps; PFULL is the share of each batch kept whole (the rest
truncated after k ~ U{1..M}); OPT/LR/COS choose the auto-encoder optimiser, its learning rate and a cosine
decay. The last line of each output is JSON: e (mean) and med (median over samples) of the per-sample error
relative to the data's variance, for k = 0..M, on 2,000 test samples. Outputs in results/nested-probe/:

| file | settings | N M STEPS SEED KIND |
|---|---|---|
| out_g4, out_g16 | CRITIC=1 PFULL=0 LR=5e-4 | 4 / 16, 32, 3000, 0 |
| out_a | CRITIC=0 PFULL=0 | 16 32 3000 0 |
| out_b | CRITIC=0 PFULL=0.5 | 16 32 3000 0 |
| out_c, out_d | CRITIC=0 PFULL=0.5, LR=5e-4 / 2e-3 | 16 32 20000 0 |
| o_g4, o_s6 | CRITIC=0 PFULL=0.5 | 4 32 12000 0; 6 32 12000 0 sphere |
| o_t2, o_c10 | CRITIC=0 PFULL=0.5 | 2 32 12000 0 torus; 10 32 12000 0 curved3 |
| o_g16, o_g20 | CRITIC=0 PFULL=0.5 | 16 32 12000 1; 20 40 12000 0 |
| o_g20_cos, o_g20_adam | CRITIC=0 PFULL=0.5 COS=1 LR=1e-3, OPT=tf / adam | 20 40 12000 0 |

The out_* files predate the `med` field and the KIND argument (the script only gained options since).
"""
import sys, time, json, os
import torch
torch.set_num_threads(1)
from maskaae.presets import build_config
from maskaae.data import load_data
from maskaae.model import build_model
from maskaae.optim import make_optimizer
from maskaae.losses import critic_loss, generator_loss

n = int(sys.argv[1]); m = int(sys.argv[2]); steps = int(sys.argv[3])
seed = int(sys.argv[4]) if len(sys.argv) > 4 else 0
kind = sys.argv[5] if len(sys.argv) > 5 else "gaussian"
CRITIC = int(os.environ.get("CRITIC", "1")); PFULL = float(os.environ.get("PFULL", "0"))
LR = float(os.environ.get("LR", "5e-4"))
cfg = build_config("synthetic", overrides=[f"data.latent_dim={n}", f"model.latent_dim={m}", f"seed={seed}",
                                           f"data.seed={seed}", f"data.kind={kind}",
                                           f"data.noise={os.environ.get('NOISE','0')}"])
train, test = load_data(cfg.data)
model = build_model(cfg, train.shape[1:])
g = torch.Generator().manual_seed(seed)
params=[*model.encoder.parameters(), *model.decoder.parameters()]
OPT=os.environ.get("OPT","tf")
opt_ae = torch.optim.Adam(params, lr=LR) if OPT=="adam" else make_optimizer(params, LR, "tf")
COS=int(os.environ.get("COS","0"))
opt_c = make_optimizer(model.critic.parameters(), 1e-4, "tf")
opt_g = make_optimizer(model.encoder.parameters(), 1e-4, "tf")
def apply(opt, loss):
    opt.zero_grad(); loss.backward(); opt.step()
B = 64
def batch():
    return train[torch.randint(len(train), (B,), generator=g)]
ar = torch.arange(m)
t0 = time.time()
for step in range(1, steps + 1):
    x = batch()
    k = torch.randint(1, m + 1, (B, 1), generator=g)
    full = torch.rand(B, 1, generator=g) < PFULL
    k = torch.where(full, torch.full_like(k, m), k)
    trunc = (ar < k).float()
    if COS:
        import math
        for gr in opt_ae.param_groups: gr["lr"] = LR * 0.5 * (1 + math.cos(math.pi * step / steps))
    codes = model.encoder(x)
    loss = ((model.decoder(codes * trunc) - x) ** 2).mean()
    apply(opt_ae, loss)
    for _ in range(5 if CRITIC else 0):
        x = batch(); z = torch.randn(B, m, generator=g); eps = torch.rand(B, 1, generator=g)
        with torch.no_grad():
            c = model.encoder(x)
        l, om = critic_loss(model.critic, z, c, eps, 10.0)
        apply(opt_c, l)
    if CRITIC: apply(opt_g, generator_loss(model.critic(model.encoder(batch()))))
    if step % 1000 == 0:
        print(step, float(loss), f"{time.time()-t0:.0f}s", flush=True)
with torch.no_grad():
    xt = test[:2000]
    c = model.encoder(xt)
    var = ((xt - xt.mean(0)) ** 2).mean()
    e = []; med = []
    for kk in range(0, m + 1):
        tr = (ar < kk).float()
        err = ((model.decoder(c * tr) - xt) ** 2).mean(1) / var
        e.append(float(err.mean())); med.append(float(err.median()))
print(json.dumps({"n": n, "m": m, "kind": kind, "seed": seed, "e": e, "med": med}))
