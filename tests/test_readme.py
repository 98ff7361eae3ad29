"""The README's library example runs as written, and its two commands are what CI runs."""

import re
from pathlib import Path

import numpy as np
import torch

README = Path(__file__).resolve().parents[1] / "README.md"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README.read_text(), flags=re.S)


def test_library_example_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    example = _blocks("python")[0]  # the library example (the estimator example after it is tested in
    # tests/test_estimator.py with a short schedule; as written it trains for minutes)
    scope: dict = {}
    torch.manual_seed(0)  # the example's networks draw their initial weights from torch's global generator
    exec(compile(example, "README.md", "exec"), scope)
    model, again = scope["model"], scope["again"]
    x = torch.as_tensor(scope["x"], dtype=torch.float32)  # 3 latent dimensions seen in 20
    variance = float(x.var(dim=0).mean())
    # The mask keeps a prefix of k dimensions (ordered discovery) and m_A counts exactly those. The data needs
    # 3: with the first 1 or 2 alone the nested auto-encoder leaves >= 30% of the variance unexplained, so a
    # working decision keeps at least 3 and switches some of the 8 off (measured: k = 5 here; 4-6 over torch
    # seeds 0-7 after these 200 steps).
    k = model.active_dims
    assert 3 <= k < 8
    np.testing.assert_array_equal(model.mask, [1.0] * k + [0.0] * (8 - k))
    # codes are mu * E(x): the switched-off coordinates are exactly zero, the kept ones E(x) itself
    codes = scope["codes"].detach()
    with torch.no_grad():
        raw = model.encoder(x[:5])
        reconstruction = model.reconstruct(x)
    assert tuple(codes.shape) == (5, 8)
    torch.testing.assert_close(codes[:, :k], raw[:, :k])
    assert torch.all(codes[:, k:] == 0)
    # Reconstruction through the mask: mean squared error 0.035 = 0.064 of the data's variance (0.552) here;
    # it would be ~1 with every dimension off and >= 0.31 with one of the 3 needed ones off.
    assert float(((reconstruction - x) ** 2).mean()) < 0.15 * variance
    # Samples D(mu z) spread like the data, not collapsed to a point: variance 0.45 of the data's here
    # (0.36-0.47 over the seeds above); a mask of zeros at generation would give 0.
    samples = scope["samples"]
    assert tuple(samples.shape) == (100, 20)
    assert 0.2 * variance < float(samples.var(dim=0).mean()) < variance
    assert np.array_equal(model.mask, again.mask)
    assert (tmp_path / "model.pt").is_file()


def test_ci_runs_the_readme_test_command():
    test_command = _blocks("")[1].strip()
    assert "pytest" in test_command
    ci_lines = (README.parent / ".ci" / "run").read_text().splitlines()
    assert test_command in ci_lines


def test_run_helpers_need_only_import_maskaae():
    import subprocess
    import sys

    code = "import maskaae; print(callable(maskaae.runs.load_run), callable(maskaae.discovery.choose_dimension))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True"]
