"""The record's checks: the documents' tables are what experiments/tables.py writes from results/, and the
manifest experiments/experiments.toml names the experiment behind every results folder with the settings it ran.
They test the repository's record, not the library (tests/): `python -m pytest` runs both, as CI does, and
`python -m pytest tests` the library alone."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from maskaae.versions import saved_config_from_dict
from maskaae.presets import build_config
from maskaae.sweep import load_spec

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "experiments"))
from reproduce import commands, load_manifest, overrides  # noqa: E402
import tables  # noqa: E402

MANIFEST = load_manifest()
# the library tests' tiny run (tests/conftest.py), loaded under another name: two conftest modules would clash
_spec = importlib.util.spec_from_file_location("library_conftest", ROOT / "tests" / "conftest.py")
_library = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_library)


@pytest.fixture
def tiny_overrides() -> list[str]:
    return list(_library.TINY)

# results folders that no manifest entry writes, and why
NOT_EXPERIMENTS = {
    "fig4b-n16-m2-78": "a report joining two sweeps: maskaae report results/sweep-synthetic-n16 "
                       "results/sweep-synthetic-n16-m50-78 --out results/fig4b-n16-m2-78",
}


def test_the_documents_tables_are_generated_from_results():
    done = subprocess.run([sys.executable, str(ROOT / "experiments" / "tables.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, "stale tables; run experiments/tables.py:\n" + done.stdout[-3000:]


def test_the_discovery_benchmarks_decisions_from_saved_curves_are_the_committed_ones():
    """What results/discovery's summary decides from the saved curves alone, by the experiment's own functions: the
    level variant's m_A and both rules at other tolerances (the level rule left the library in schema 19;
    experiments/discovery_variants.py keeps it), and the gain variant's m_A decided from the level runs' curves."""
    from discovery_report import tolerance_sensitivity
    from discovery_variants import decide, decided_from_curves, decision_settings, kept_rows

    out = ROOT / "results" / "discovery"
    rows = [r for kept in kept_rows(out).values() for r in kept]
    level = [r for r in rows if r["variant"] == "level"]
    assert len(level) == 72 and all(decide(r["curve"], *decision_settings("level")) == r["m_A"] for r in level)
    assert tolerance_sensitivity(level) == json.loads((out / "summary.json").read_text())["tolerance_sensitivity"]
    gain = {(r["group"], r["run"]): r["m_A"] for r in rows if r["variant"] == "gain"}
    assert {(r["group"], r["run"]): r["m_A"] for r in decided_from_curves(level, "gain", "level")} == gain


def test_every_marked_table_has_a_generator_and_every_generator_is_used():
    text = "".join(path.read_text() for path in tables.DOCUMENTS)
    used = {m.group("name") for m in tables._BLOCK.finditer(text)}
    assert used == set(tables.TABLES)


def test_every_table_is_in_exactly_one_document():
    marked = [m.group("name") for path in tables.DOCUMENTS for m in tables._BLOCK.finditer(path.read_text())]
    assert sorted(marked) == sorted(set(marked))


def test_every_claim_names_entries_and_tables_that_exist_and_each_table_backs_one_claim():
    from claims import CLAIMS

    named = [name for claim in CLAIMS for name in claim.tables]
    assert len(named) == len(set(named)) and set(named) <= set(tables.TABLES)
    for claim in CLAIMS:
        assert claim.entries and claim.tables, claim.title
        for name in claim.entries:
            assert name in MANIFEST and (ROOT / "results" / name).is_dir(), (claim.title, name)
        assert claim.commands.count(
            ".venv/bin/python experiments/reproduce.py " + " ".join(claim.entries)) == 1, claim.title


def test_a_changed_result_makes_the_check_fail(tmp_path, monkeypatch):
    doc = tmp_path / "doc.md"
    original = ("x\n<!-- table:gaussian-blob -->\n" + "\n".join(tables.gaussian_blob())
                + "\n<!-- /table:gaussian-blob -->\n")
    doc.write_text(original.replace("0.662", "0.600"))
    monkeypatch.setattr(tables, "DOCUMENTS", [doc])
    monkeypatch.setattr(sys, "argv", ["tables.py", "--check"])
    assert tables.main() == 1
    monkeypatch.setattr(sys, "argv", ["tables.py"])
    assert tables.main() == 0 and doc.read_text() == original


def test_every_config_key_is_in_the_reference_with_its_meaning():
    """Every field of Config and of its sections has a row of docs/CONFIG.md's generated reference whose meaning
    (its comment in src/maskaae/config.py or the module of its section) is not empty, so a new key without a
    comment fails here."""
    import dataclasses
    import re

    from maskaae.config import Config

    expected, defaults = [], Config()
    for f in dataclasses.fields(defaults):
        section = getattr(defaults, f.name)
        if dataclasses.is_dataclass(section):
            expected += [f"{f.name}.{g.name}" for g in dataclasses.fields(section)]
        else:
            expected.append(f.name)
    rows = {}
    for line in tables.TABLES["config-reference"]():
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        if cells and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = cells[-1]
    assert sorted(rows) == sorted(expected)
    assert [key for key in expected if not rows[key]] == []


def test_the_reference_takes_each_fields_own_comments_and_guesses_no_groups():
    from config_reference import read_source

    text = """from dataclasses import dataclass, field


@dataclass
class DataConfig:
    \"\"\"Data.\"\"\"

    # shared by a and b
    a: int = 1
    b: int = 2
    # about c,
    # on two lines
    c: int = 3  # and inline
    # apart from d by a blank line

    d: int = 4
        # at another indentation
    e: int = 5


@dataclass
class Config:
    seed: int = 0  # the seed
    data: DataConfig = field(default_factory=DataConfig)
"""
    source = read_source(text)
    assert source.sections == {"data": ("DataConfig", "Data.")}
    assert source.comments == {"seed": "the seed", "data.a": "shared by a and b", "data.b": "",
                               "data.c": "about c, on two lines and inline", "data.d": "", "data.e": ""}


def test_every_results_folder_has_its_experiment():
    folders = {p.name for p in (ROOT / "results").iterdir() if p.is_dir()}
    assert folders - set(MANIFEST) == set(NOT_EXPERIMENTS)


@pytest.mark.parametrize("name", [n for n, e in MANIFEST.items() if e["kind"] == "train"])
def test_train_entries_rebuild_the_committed_config(name):
    if not (ROOT / "results" / name).is_dir():
        pytest.skip(f"{name} has not been collected into results/ yet")
    entry = MANIFEST[name]
    built = build_config(entry["preset"], None, overrides(entry)).to_dict()
    saved = saved_config_from_dict(json.loads((ROOT / "results" / name / "config.json").read_text())["config"])
    saved = saved.to_dict()
    built.pop("description"), saved.pop("description")
    assert built == saved


@pytest.mark.parametrize("name", [n for n, e in MANIFEST.items() if e["kind"] == "sweep"])
def test_sweep_entries_are_the_committed_sweeps(name):
    if not (ROOT / "results" / name).is_dir():
        pytest.skip(f"{name} has not been collected into results/ yet")
    entry, spec = MANIFEST[name], load_spec(ROOT / "results" / name)
    assert (spec.preset, spec.overrides, spec.budget) == (entry["preset"], entry.get("set", []), entry.get("budget"))
    ran = commands(name, entry, jobs=2)
    command = next(c for c in ran if "sweep" in c)
    grid = command[command.index("--grid") + 1:command.index("--budget" if "budget" in entry else "--out")]
    from maskaae.grid import parse_grid

    assert parse_grid(grid) == spec.grid
    # with fid_samples, every run is evaluated again at that N after the sweep, as many at once as it trained
    evaluate = [c for c in ran if "evaluate" in c]
    assert ran.index(command) == len(ran) - 1 - len(evaluate)
    if "fid_samples" in entry:
        assert evaluate[0][-5:] == [f"runs/{name}", "--fid-samples", str(entry["fid_samples"]), "--jobs", "2"]
    else:
        assert evaluate == []


def test_script_and_evaluate_entries_point_at_what_exists():
    for name, entry in MANIFEST.items():
        if entry["kind"] == "script":
            assert (ROOT / "experiments" / entry["script"]).is_file(), name
        if entry["kind"] == "evaluate":  # a train entry's run, or a sweep entry's run named by `run`
            assert MANIFEST[entry["from"]]["kind"] == ("sweep" if "run" in entry else "train"), name


def test_an_evaluate_entry_evaluates_the_named_run_of_a_sweep():
    import reproduce

    entry = {"kind": "evaluate", "about": "x", "from": "a-sweep", "run": "model=rae__seed=0", "fid_samples": 10}
    command = reproduce.commands("x", entry, jobs=1)[-1]
    assert command[3:] == ["evaluate", "runs/a-sweep/runs/model=rae__seed=0", "--fid-samples", "10"]


def test_the_runner_trains_collects_and_records_an_experiment(tmp_path, monkeypatch, tiny_overrides):
    import reproduce

    monkeypatch.setattr(reproduce, "ROOT", tmp_path)
    entry = {"kind": "train", "about": "tiny", "preset": "synthetic", "set": tiny_overrides}
    reproduce.reproduce("tiny", entry, jobs=1, collect_only=False)
    collected = tmp_path / "results" / "tiny"
    assert (tmp_path / "runs" / "tiny" / "checkpoint.pt").is_file()
    assert {p.name for p in collected.iterdir()} >= {"config.json", "summary.json", "metrics.jsonl",
                                                      "reproduce.json"}
    assert not (collected / "checkpoint.pt").exists()
    record = json.loads((collected / "reproduce.json").read_text())
    assert record["experiment"] == "tiny" and record["commands"][-1][1:4] == ["-m", "maskaae", "train"]
    assert record["wall_seconds"] > 0
    # the same command again continues the run from its checkpoint and collects the same result
    first = json.loads((collected / "summary.json").read_text())
    reproduce.reproduce("tiny", entry, jobs=1, collect_only=False)
    assert "--resume" in json.loads((collected / "reproduce.json").read_text())["commands"][-1]
    again = json.loads((collected / "summary.json").read_text())
    assert {k: v for k, v in again.items() if k != "seconds"} == {k: v for k, v in first.items() if k != "seconds"}


def test_the_pre_registered_grids_are_what_their_seeds_draw_and_share_no_data_seed():
    """experiments/fresh_grid.py: each committed grid file is its seed's draw, so a grid cannot be edited after the
    fact without the check failing, and grid 2 shares no data seed with grid 1, which was run and read."""
    import fresh_grid

    seeds = []
    for number, (seed, name) in fresh_grid.GRIDS.items():
        saved = json.loads((ROOT / "experiments" / name).read_text())
        assert saved == {"seed": seed, "cases": fresh_grid.draw_grid(seed)}, name
        seeds.append({case["data_seed"] for case in saved["cases"]})
    assert not set.intersection(*seeds)


def test_the_development_grid_shares_no_case_with_a_fresh_grid():
    """experiments/discovery_dev.py: the development grid's data seeds lie below the fresh grids' range, so no
    development case (looked at while designing) is a case of a pre-registered grid (judged once, unseen)."""
    import discovery_dev
    import fresh_grid

    dev = {case["data_seed"] for case in discovery_dev.dev_grid(48)}
    low, high = discovery_dev.DEV_DATA_SEEDS
    assert all(low <= seed < high for seed in dev) and high <= fresh_grid.SEED_RANGE[0]
    for seed, name in fresh_grid.GRIDS.values():
        saved = json.loads((ROOT / "experiments" / name).read_text())
        assert not dev & {case["data_seed"] for case in saved["cases"]}, name
