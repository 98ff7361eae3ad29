"""The decision rules on MNIST and Fashion-MNIST nested-phase curves: why `gain` replaced `level`.

Each folder of results/rule-check/ is one run of the nested phase alone (its config.json holds every
setting; the decision curve u(k) is in summary.json under `discovery`), made with

    maskaae train --preset mnist --set model.discovery=ordered train.steps=4000 train.discovery_steps=4000 \
        model.latent_dim=M seed=S train.threads=1 eval.fid_samples=0 --out DIR        (fashion: --preset fashion)

(mnist-m64-d8k: 8,000 nested steps of a 9,000-step run, stopped during its FID; its record is from the
checkpoint). mnist-m64-d4k and mnist-m64-d8k were looked at while choosing the gain rule; the others were
run after and played no part in the choice. Those runs had uniform truncations throughout (their configs
read as train.discovery_focus = 0). The relative-* runs are the focus-* command with the default's cap
on the tolerance (model.discovery_relative_tolerance = 0.05; the focus-* runs read as none) for the four
points whose provisional decision the cap changes (the other four train the same as their focus-* run); the
relative12k-* runs have 12,000 nested steps (train.steps=12000 train.discovery_steps=12000). The focus-*
and log-* runs (issue 11, after the focus phase was added) are the same command for m in {16, 32, 64, 110}
and seeds 0 and 1 with the focus phase (the default, train.discovery_focus = 0.25) and, for log-*, also
train.discovery_truncation=log; their provisional decision (step 3,000, before the focus phase) is in
summary.json under discovery.provisional. This script applies both rules, at their tolerances and at a few
others, to the saved curves and writes results/rule-check/rules.json and rules.md (no training).

    .venv/bin/python experiments/rule_check.py
"""

from __future__ import annotations

import json
from pathlib import Path

from maskaae.discovery import choose_dimension

ROOT = Path(__file__).resolve().parents[1] / "results" / "rule-check"
CHOSEN_ON = {"mnist-m64-d4k", "mnist-m64-d8k"}
# (rule, tolerance, relative cap): the default is the gain rule at 0.005 capped at 0.05 of the kept mean share
SETTINGS = [("gain", 0.005, 0.05), ("level", 0.01, None), ("gain", 0.005, None), ("gain", 0.004, None),
            ("gain", 0.006, None), ("level", 0.02, None), ("level", 0.05, None)]


def main() -> None:
    rows = []
    for folder in sorted(p for p in ROOT.iterdir() if p.is_dir()):
        cfg = json.loads((folder / "config.json").read_text())["config"]
        discovery = json.loads((folder / "summary.json").read_text())["discovery"]
        rows.append({"run": folder.name, "data": cfg["data"]["name"], "m": cfg["model"]["latent_dim"],
                     "seed": cfg["seed"], "nested_steps": cfg["train"]["discovery_steps"],
                     "focus": cfg["train"].get("discovery_focus", 0.0),
                     "truncation": cfg["train"].get("discovery_truncation", "uniform"),
                     "provisional": discovery.get("provisional", {}).get("dimension"),
                     "used_to_choose": folder.name in CHOSEN_ON,
                     "relative_cap": cfg["model"].get("discovery_relative_tolerance"),
                     **{f"{rule} {tol}" + (f" cap {cap}" if cap else ""): choose_dimension(discovery["curve"], tol,
                                                                                          rule, cap)
                        for rule, tol, cap in SETTINGS}})
    (ROOT / "rules.json").write_text(json.dumps(rows, indent=2) + "\n")
    keys = list(rows[0])
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(str(r[k]) for k in keys) + " |" for r in rows]
    (ROOT / "rules.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
