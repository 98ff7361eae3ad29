import json

import pytest

from maskaae import PRESETS, Config, ConfigError, build_config
from maskaae.config import config_from_dict
from maskaae.overrides import overrides_to_dict, parse_value


def test_defaults_validate():
    cfg = Config().validate()
    assert cfg.model.latent_dim == 32 and cfg.lambda3_init == pytest.approx(2.0 / 32)
    assert cfg.train.optimizer == "tf" and cfg.train.lr_ae == 5e-4 and cfg.train.lr_critic == 1e-4
    assert cfg.loss.alpha2 == 100.0 and cfg.loss.gamma == 10.0 and cfg.loss.beta2 == 10.0
    assert cfg.loss.lambda1 == 1000.0 and cfg.eval.active_threshold == 0.1
    assert cfg.model.mask_param == "projection" and cfg.model.mask_init_max == 5.0


def test_unknown_top_level_key():
    with pytest.raises(ConfigError, match="'sede'"):
        config_from_dict({"sede": 1})


def test_unknown_nested_key_names_full_key():
    with pytest.raises(ConfigError, match=r"'model\.latnt_dim'"):
        build_config(overrides=["model.latnt_dim=4"])


def test_unknown_section():
    with pytest.raises(ConfigError, match="'modle'"):
        build_config(overrides=["modle.width=4"])


@pytest.mark.parametrize("override, key", [
    ("model.width=abc", "model.width"),
    ("model.width=2.5", "model.width"),
    ("model.mask=1", "model.mask"),
    ("model.mask=yes", "model.mask"),
    ("train.lr_ae=fast", "train.lr_ae"),
    ("train.lr_ae=true", "train.lr_ae"),
    ("loss.recon=l1", "loss.recon"),
    ("train.steps=null", "train.steps"),
    ("model.width.x=1", "model.width"),
])
def test_wrong_types_raise_naming_key(override, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        build_config(overrides=[override])


@pytest.mark.parametrize("override, key", [
    ("model.latent_dim=0", "model.latent_dim"),
    ("train.lr_ae=-1e-4", "train.lr_ae"),
    ("train.lr_critic=0", "train.lr_critic"),
    ("train.batch_size=0", "train.batch_size"),
    ("loss.alpha2=-1", "loss.alpha2"),
    ("loss.lambda3_init=0", "loss.lambda3_init"),
    ("train.discovery_full_share=1", "train.discovery_full_share"),
    ("train.discovery_full_share=-0.1", "train.discovery_full_share"),
    ("eval.active_threshold=1.5", "eval.active_threshold"),
    ("data.leaky_slope=1.0", "data.leaky_slope"),
    ("seed=-1", "seed"),
    ("train.lr_mask=NaN", "train.lr_mask"),
    ("model.mask_init_min=5", "model.mask_init_min"),
    ("model.mask_init_min=-1", "model.mask_init_min"),
])
def test_out_of_range_raises_naming_key(override, key):
    with pytest.raises(ConfigError, match=f"'{key}'".replace(".", r"\.")):
        build_config(overrides=[override])


def test_int_accepted_for_float():
    cfg = build_config(overrides=["loss.alpha2=50"])
    assert cfg.loss.alpha2 == 50.0 and isinstance(cfg.loss.alpha2, float)


def test_overrides_to_dict_parses_values():
    got = overrides_to_dict(["model.mask=false", "model.latent_dim=16", "train.lr_ae=1e-3", "seed=3",
                             "loss.lambda3_init=null", "model.network=mlp", "train.reg_schedule_interval=None",
                             "description=a=b"])
    assert got == {"model": {"mask": False, "latent_dim": 16, "network": "mlp"},
                   "train": {"lr_ae": 1e-3, "reg_schedule_interval": None},
                   "loss": {"lambda3_init": None}, "seed": 3, "description": "a=b"}
    assert isinstance(got["model"]["latent_dim"], int) and isinstance(got["train"]["lr_ae"], float)
    assert parse_value("TRUE") is True and parse_value("0.5") == 0.5


def test_overrides_malformed():
    with pytest.raises(ConfigError):
        overrides_to_dict(["model.latent_dim"])
    with pytest.raises(ConfigError):
        overrides_to_dict(["model..width=3"])
    with pytest.raises(ConfigError):
        overrides_to_dict(["model=3", "model.width=3"])


def test_build_config_layers_preset_file_overrides_json(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"seed": 7, "model": {"latent_dim": 10, "width": 64}}))
    cfg = build_config("synthetic", file=path, overrides=["model.width=32"])
    assert cfg.seed == 7 and cfg.model.latent_dim == 10 and cfg.model.width == 32
    assert cfg.model.depth == 3  # default kept
    assert cfg.lambda3_init == pytest.approx(0.2)


def test_build_config_toml(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('seed = 4\n[model]\nmask = false\nlatent_dim = 6\n[train]\nlr_ae = 1e-3\n')
    cfg = build_config(file=path)
    assert cfg.seed == 4 and cfg.model.mask is False and cfg.model.latent_dim == 6
    assert cfg.train.lr_ae == 1e-3 and cfg.model_name == "wae-gan"


def test_bad_files(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        build_config(file=tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigError, match="not valid"):
        build_config(file=bad)
    unknown = tmp_path / "u.toml"
    unknown.write_text("[model]\nlatnt_dim = 3\n")
    with pytest.raises(ConfigError, match=r"model\.latnt_dim"):
        build_config(file=unknown)


def test_unknown_preset():
    with pytest.raises(ConfigError, match="nope"):
        build_config("nope")


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_builds(name):
    cfg = build_config(name)
    assert cfg.preset == name
    assert cfg.validate() is cfg
    # round trip through a dict
    assert config_from_dict(cfg.to_dict()) == cfg


def test_paper_preset_has_paper_networks():
    cfg = build_config("synthetic-paper")
    assert cfg.model.width == 1000 and cfg.model.depth == 5 and cfg.train.steps == 500000


@pytest.mark.parametrize("name", [p for p in sorted(PRESETS) if p.endswith("-paper") or p in ("cifar10", "celeba")])
def test_paper_presets_keep_the_papers_mask_init_and_no_warmup(name):
    cfg = build_config(name)
    assert cfg.model.mask_init_min == 0.0 and cfg.train.mask_warmup_steps == 0 and cfg.train.lr_mask == 5e-4


def test_preset_cannot_be_relabelled_by_overrides(tmp_path):
    with pytest.raises(ConfigError, match="--preset"):
        build_config("synthetic", overrides=["preset=mnist"])
    f = tmp_path / "c.json"
    f.write_text('{"preset": "mnist"}')
    with pytest.raises(ConfigError, match="--preset"):
        build_config("synthetic", f)
    assert build_config("synthetic", overrides=["preset=synthetic"]).preset == "synthetic"


def test_config_file_problems_name_the_file(tmp_path):
    cases = {
        "list.json": ("[1, 2]", "top level"),
        "bad.json": ("{nope", "not valid JSON"),
        "latin.json": ('{"description": "caf'.encode() + bytes([0xE9]) + b'"}', "UTF-8"),
        "c.yaml": ("model: {}", r"JSON \(\.json\) or TOML"),
    }
    for name, (text, match) in cases.items():
        f = tmp_path / name
        f.write_bytes(text if isinstance(text, bytes) else text.encode())
        with pytest.raises(ConfigError, match=match) as info:
            build_config("synthetic", f)
        assert name in str(info.value)
    upper = tmp_path / "c.TOML"
    upper.write_text("[model]\nlatent_dim = 12\n")
    assert build_config("synthetic", upper).model.latent_dim == 12
