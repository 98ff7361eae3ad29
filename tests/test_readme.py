"""The README's library example runs as written, and its two commands are what CI runs."""

import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[1] / "README.md"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README.read_text(), flags=re.S)


def test_library_example_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    example = _blocks("python")[0]  # the library example (the estimator example after it is tested in
    # tests/test_estimator.py with a short schedule; as written it trains for minutes)
    scope: dict = {}
    exec(compile(example, "README.md", "exec"), scope)
    model, again = scope["model"], scope["again"]
    assert 0 <= model.active_dims <= 8
    assert tuple(scope["samples"].shape) == (100, 20)
    assert tuple(scope["codes"].shape) == (5, 8)
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
