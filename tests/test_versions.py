"""Saved configs and sweep specs carry a schema version; older ones load with what their runs used."""

import json
import re
from pathlib import Path

import pytest

import maskaae.presets
from maskaae.config import SCHEMA_VERSION, Config, ConfigError, config_from_dict
from maskaae.versions import saved_config_from_dict
from maskaae.sweep import SweepError, SweepSpec, build_points, load_spec, run_sweep

RESULTS = Path(__file__).resolve().parents[1] / "results"
# config.json of committed runs whose results folders left main (they are at the git tag record-2026-12), kept as
# OLD_CONFIGS/<folder>.json because they pin what the oldest configs upgrade to
OLD_CONFIGS = Path(__file__).resolve().parent / "fixtures" / "old-configs"
TINY_SWEEP = ["model.width=8", "model.depth=1", "data.latent_dim=2", "data.n_train=128", "data.n_test=64",
              "train.steps=2", "train.batch_size=8", "train.log_every=1", "train.eval_every=2",
              "train.checkpoint_every=2", "eval.n_samples=32", "eval.nac_samples=32", "model.discovery=paper"]


def _saved(path):
    saved = json.loads(path.read_text())
    return saved["config"] if "config" in saved else saved


def test_saved_configs_carry_the_version_and_round_trip():
    cfg = Config()
    saved = cfg.to_dict()
    assert saved["schema_version"] == SCHEMA_VERSION == 21
    assert saved_config_from_dict(saved) == cfg
    assert config_from_dict(saved) == cfg


def test_a_version_1_config_without_later_keys_gets_what_runs_did_before_them():
    v1 = Config().to_dict()
    del v1["schema_version"]
    for section, key in [("model", "mask_init_min"), ("model", "discovery"), ("train", "mask_warmup_steps"),
                         ("train", "compile"), ("eval", "fid_samples"), ("data", "kind")]:
        del v1[section][key]
    cfg = saved_config_from_dict(v1)
    # today's defaults are 2.0, "ordered", 500 (synthetic preset) / 0, ...; a v1 run used the old behaviour
    assert cfg.model.mask_init_min == 0.0 != Config().model.mask_init_min
    assert cfg.model.discovery == "paper" != Config().model.discovery
    assert (cfg.train.mask_warmup_steps, cfg.train.compile, cfg.eval.fid_samples, cfg.data.kind) == (
        0, False, 0, "gaussian")
    # keys the file has are kept as written
    v1["model"]["latent_dim"] = 7
    assert saved_config_from_dict(v1).model.latent_dim == 7


def test_a_version_2_ordered_config_ran_the_level_rule_and_is_refused():
    # before version 3 had the key, ordered discovery decided by the level rule, which version 19 removed
    v2 = Config().to_dict()
    v2["schema_version"] = 2
    v2["model"]["discovery_tolerance"] = 0.01
    with pytest.raises(ConfigError, match=r"'model\.discovery_rule' = 'level' \(ordered configs from before schema 3"):
        saved_config_from_dict(v2)
    # with the paper's mask the rule was never read: the config loads
    v2["model"]["discovery"] = "paper"
    assert saved_config_from_dict(v2).model.discovery_tolerance == 0.01


def test_a_version_5_config_keeps_uniform_nested_truncations():
    v5 = Config().to_dict()
    v5["schema_version"] = 5
    del v5["train"]["discovery_focus"]
    assert saved_config_from_dict(v5).train.discovery_focus == 0.0


def test_a_version_6_config_keeps_the_fixed_tolerance():
    v6 = Config().to_dict()
    v6["schema_version"] = 6
    del v6["model"]["discovery_relative_tolerance"]
    assert saved_config_from_dict(v6).model.discovery_relative_tolerance is None
    assert Config().model.discovery_relative_tolerance == 0.05


def test_a_version_13_config_has_no_descent():
    v13 = Config().to_dict()
    v13["schema_version"] = 13
    for section, key in [("model", "discovery_descent_ratio"), ("model", "discovery_descent_tolerance"),
                         ("train", "discovery_descent_steps")]:
        del v13[section][key]
    cfg = saved_config_from_dict(v13)
    assert cfg.model.discovery_descent_ratio is None and Config().model.discovery_descent_ratio == 1.3
    assert (cfg.model.discovery_descent_tolerance, cfg.train.discovery_descent_steps) == (0.01, 4000)


def test_a_version_7_config_has_no_verification_steps():
    v7 = Config().to_dict()
    v7["schema_version"] = 7
    del v7["train"]["discovery_verify_steps"]
    assert saved_config_from_dict(v7).train.discovery_verify_steps == 0
    assert Config().train.discovery_verify_steps == 2000


def test_a_version_8_config_takes_the_verification_ungated():
    v8 = Config().to_dict()
    v8["schema_version"] = 8
    del v8["model"]["discovery_verify_gate"]
    assert saved_config_from_dict(v8).model.discovery_verify_gate is None
    assert Config().model.discovery_verify_gate == 0.01


def test_a_version_9_config_has_the_gate_alone():
    v9 = Config().to_dict()
    v9["schema_version"] = 9
    del v9["model"]["discovery_verify_inversion"]
    assert saved_config_from_dict(v9).model.discovery_verify_inversion is False
    assert Config().model.discovery_verify_inversion is True


# version -> (the train key it lacked, what a config written while the key was new says, what a missing key means)
# version 10: truncations over 1..m until the focus; version 11: the reach's range had no minimum
REACH_KEYS = {10: ("discovery_reach", 3.0, 0.0), 11: ("discovery_reach_min", 32, 0)}


@pytest.mark.parametrize("version", sorted(REACH_KEYS))
def test_a_config_without_the_reach_keys_reads_as_before_them_unless_it_says_otherwise(version):
    key, written, missing = REACH_KEYS[version]
    saved = Config().to_dict()
    saved["schema_version"] = version
    saved["train"][key] = written  # written while the key was new: kept
    assert getattr(saved_config_from_dict(saved).train, key) == written
    del saved["train"][key]
    assert getattr(saved_config_from_dict(saved).train, key) == missing
    assert getattr(Config().train, key) not in (written, missing)  # today's default is neither


def test_a_version_12_config_has_half_the_nested_rows_whole_and_the_plain_mean():
    v12 = Config().to_dict()
    v12["schema_version"] = 12
    v12["train"]["discovery_full_share"], v12["loss"]["nested_power"] = 0.0, 1.0  # written while the keys were new
    assert saved_config_from_dict(v12).train.discovery_full_share == 0.0
    v12["loss"]["nested_power"] = 2.0
    with pytest.raises(ConfigError, match=r"'loss\.nested_power' = 2\.0"):
        saved_config_from_dict(v12)
    del v12["train"]["discovery_full_share"], v12["loss"]["nested_power"]  # before the keys: the plain mean
    assert saved_config_from_dict(v12).train.discovery_full_share == 0.5


# The options version 19 removed, and the one behaviour of each that is left
REMOVED_IN_19 = {"train.discovery_truncation": "uniform", "loss.nested_power": 1.0, "model.discovery_rule": "gain"}


def _version_18(**removed) -> dict:
    """Today's defaults as a version-18 config wrote them: with the removed keys, at `removed` or what is left."""
    v18 = Config().to_dict()
    v18["schema_version"] = 18
    for dotted, left in REMOVED_IN_19.items():
        section, key = dotted.split(".")
        v18[section][key] = removed.get(key, left)
    return v18


def test_a_version_18_config_with_the_behaviour_left_loads_as_today():
    assert saved_config_from_dict(_version_18()) == Config()
    assert saved_config_from_dict(_version_18(nested_power=1)) == Config()  # an integer 1, as JSON may hold it


@pytest.mark.parametrize("key, value", [("discovery_truncation", "log"), ("nested_power", 2.0),
                                        ("discovery_rule", "level")])
def test_a_version_18_ordered_run_with_a_removed_option_is_refused_naming_it_and_the_record(key, value):
    with pytest.raises(ConfigError, match=rf"run/config\.json: config key '\w+\.{key}' = {value!r}.* removed in "
                                          r"schema 19.*record-2026-12 \(commit 6a19709\) runs it"):
        saved_config_from_dict(_version_18(**{key: value}), source="run/config.json")


@pytest.mark.parametrize("never_read", [{"discovery": "paper"}, {"mask": False}, {"kind": "wae-mmd"}])
def test_a_removed_option_that_the_run_never_read_is_dropped(never_read):
    # ordered discovery is the only reader: the paper's mask (the manifest pinned the level rule on those runs so
    # that their configs rebuilt), WAE-GAN and the other families never trained it
    v18 = _version_18(discovery_truncation="log", nested_power=2.0, discovery_rule="level")
    v18["model"].update(never_read)
    model = saved_config_from_dict(v18).model
    assert {key: getattr(model, key) for key in never_read} == never_read


def test_newer_or_malformed_versions_are_refused_naming_the_file():
    newer = {**Config().to_dict(), "schema_version": SCHEMA_VERSION + 1}
    with pytest.raises(ConfigError, match=rf"run/config.json: .*schema version {SCHEMA_VERSION + 1}, newer .*upgrade"):
        saved_config_from_dict(newer, source="run/config.json")
    with pytest.raises(ConfigError, match="schema_version"):
        saved_config_from_dict({**Config().to_dict(), "schema_version": "2"})


# What the committed runs used, from their own records (docs/REPRODUCTION.md and the commits that made them); the
# synthetic-default* configs are in OLD_CONFIGS. A run that used an option version 19 removed is refused instead
# (_REFUSED: the key the refusal names).
_REFUSED = {"synthetic-default-ordered": "model.discovery_rule"}  # the first ordered default: the level rule
_USED = {
    "mnist-cpu-maskaae-m64": {"model.mask_init_min": 0.0, "model.discovery": "paper", "train.compile": False},
    "mnist-cpu-wae-m64": {"model.mask": False, "train.mask_warmup_steps": 0},
    "synthetic-default": {"model.discovery": "paper", "data.kind": "gaussian"},
    "synthetic-default-wae": {"model.mask_init_min": 0.0, "eval.fid_samples": 0},
}


def _run_name(path):
    """The results folder a config belongs to: its own folder's name, or its file name in OLD_CONFIGS."""
    return path.stem if path.parent == OLD_CONFIGS else path.parent.name


@pytest.mark.parametrize("path", sorted(RESULTS.glob("**/config.json")) + sorted(OLD_CONFIGS.glob("*.json")),
                         ids=_run_name)
def test_every_committed_run_folder_loads_with_its_own_settings(path):
    saved = _saved(path)
    if _run_name(path) in _REFUSED:
        refused = re.escape(f"{path}: config key '{_REFUSED[_run_name(path)]}'")
        with pytest.raises(ConfigError, match=rf"{refused}.*record-2026-12"):
            saved_config_from_dict(saved, source=path)
        return
    cfg = saved_config_from_dict(saved, source=path).to_dict()
    for section, values in saved.items():
        if isinstance(values, dict):
            for key, value in values.items():
                if f"{section}.{key}" in REMOVED_IN_19:  # held the behaviour left, or was never read: dropped
                    continue
                assert cfg[section][key] == value, f"{path}: {section}.{key}"
    for dotted, value in _USED.get(_run_name(path), {}).items():
        section, key = dotted.split(".")
        assert cfg[section][key] == value, f"{path}: {dotted}"


def test_the_pinned_facts_cover_old_and_new_folders():
    for name in [*_USED, *_REFUSED]:
        assert (RESULTS / name / "config.json").is_file() or (OLD_CONFIGS / f"{name}.json").is_file(), name
    assert {p.stem for p in OLD_CONFIGS.glob("*.json")} <= set(_USED) | set(_REFUSED)


@pytest.mark.parametrize("path", sorted(RESULTS.glob("**/sweep.json")), ids=lambda p: p.parent.name)
def test_committed_sweeps_load_and_refuse_to_train_with_todays_preset(path):
    spec = load_spec(path.parent)
    assert spec.grid
    if json.loads(path.read_text())["format"] == "maskaae-sweep-v1":
        with pytest.raises(SweepError, match="did not save the settings"):
            build_points(spec)


def test_a_sweep_continues_with_the_settings_it_started_with(tmp_path, monkeypatch):
    spec = SweepSpec.from_args(["seed=0,1"], "synthetic", None, TINY_SWEEP)
    run_sweep(spec, tmp_path / "s", log=None)
    saved = json.loads((tmp_path / "s" / "sweep.json").read_text())
    assert saved["format"] == "maskaae-sweep-v2" and saved["base"]["schema_version"] == SCHEMA_VERSION
    assert saved["base"]["model"]["width"] == 8
    # a later maskaae changes the preset; continuing (with one more point pending) keeps the saved settings
    (tmp_path / "s" / "runs" / "seed=1" / "summary.json").unlink()
    changed = {**maskaae.presets.PRESETS["synthetic"], "loss": {"lambda1": 123.0}}
    monkeypatch.setitem(maskaae.presets.PRESETS, "synthetic", changed)
    again = SweepSpec.from_args(["seed=0,1"], "synthetic", None, TINY_SWEEP)
    assert build_points(again)[0].config.loss.lambda1 == 123.0
    result = run_sweep(again, tmp_path / "s", log=None)
    assert result.skipped == ["seed=0"] and not result.failed
    rerun = json.loads((tmp_path / "s" / "runs" / "seed=1" / "config.json").read_text())["config"]
    assert rerun["loss"]["lambda1"] == Config().loss.lambda1


def test_a_version_1_sweep_with_unfinished_points_is_refused(tmp_path):
    spec = SweepSpec.from_args(["seed=0,1"], "synthetic", None, TINY_SWEEP)
    run_sweep(spec, tmp_path / "s", log=None)
    saved = json.loads((tmp_path / "s" / "sweep.json").read_text())
    saved["format"] = "maskaae-sweep-v1"
    del saved["base"]
    (tmp_path / "s" / "sweep.json").write_text(json.dumps(saved))
    assert not run_sweep(spec, tmp_path / "s", log=None).failed  # all finished: collecting still works
    (tmp_path / "s" / "runs" / "seed=1" / "summary.json").unlink()
    with pytest.raises(SweepError, match="maskaae-sweep-v1.*new sweep in another --out"):
        run_sweep(spec, tmp_path / "s", log=None)


def test_a_version_14_config_reads_as_training_on_the_device_auto_names():
    v14 = Config().to_dict()
    v14["schema_version"] = 14
    del v14["train"]["device"]
    assert saved_config_from_dict(v14).train.device == "auto"  # the CPU on a machine without a GPU


def test_a_version_15_config_has_no_decoder_phase():
    v15 = maskaae.presets.build_config("mnist").to_dict()
    v15["schema_version"] = 15
    del v15["train"]["decoder_share"]
    assert saved_config_from_dict(v15).train.decoder_share == 0.0


def test_a_version_16_config_trained_in_float32():
    v16 = Config().to_dict()
    v16["schema_version"] = 16
    v16["train"]["decoder_share"] = 0.3  # keys of version 16 keep their values
    del v16["train"]["precision"]
    cfg = saved_config_from_dict(v16)
    assert (cfg.train.precision, cfg.train.decoder_share) == ("float32", 0.3)


def test_a_version_19_config_trained_for_its_steps_alone():
    v19 = Config().to_dict()
    v19["schema_version"] = 19
    del v19["train"]["seconds"]
    assert saved_config_from_dict(v19).train.seconds == 0.0


def test_a_version_20_config_trained_the_decoder_alone_in_its_decoder_phase():
    v20 = Config().to_dict()
    v20["schema_version"] = 20
    del v20["train"]["decoder_phase_encoder"]
    assert saved_config_from_dict(v20).train.decoder_phase_encoder is False
