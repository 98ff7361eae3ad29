"""The device path (maskaae/device.py): one resolution, models and data on the device, random numbers drawn on
the CPU, results back on the CPU. Tested on the CPU through the same code, and against torch's `meta` device,
which raises on any tensor left on the CPU; the `gpu` tests run where torch sees a CUDA device."""

import json

import pytest
import torch

import maskaae.device as device_module
from maskaae.config import ConfigError
from maskaae.device import DeviceError, check_name, resolve_device
from maskaae.models import MODEL_CHOICES, family
from maskaae.presets import build_config
from maskaae import runs
from maskaae.runs import evaluate_run, load_run, train_run
from maskaae.discovery import nested_truncation

from test_vae import _unit_interval_file as unit_interval_file

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="torch sees no CUDA device here")


def on_meta(monkeypatch):
    """Every device name resolves to `meta` (where runs.py and the trainers look it up)."""
    for where in (device_module, runs):
        monkeypatch.setattr(where, "resolve_device", lambda name="auto": torch.device("meta"))


def test_device_names_are_checked_by_the_config():
    for name in ["auto", "cpu", "cuda", "cuda:1", "mps"]:
        assert check_name(name) is None and build_config(overrides=[f"train.device={name}"]).train.device == name
    for name in ["gpu", "cuda:", "cuda:x", "CPU", ""]:
        with pytest.raises(ConfigError, match="train.device.*must be auto, cpu, cuda, cuda:N or mps"):
            build_config(overrides=[f"train.device={name}"])


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA device")
def test_auto_is_the_cpu_without_a_gpu_and_cuda_is_refused_with_what_to_use():
    assert resolve_device("auto") == torch.device("cpu") == resolve_device("cpu")
    with pytest.raises(DeviceError, match=r"device 'cuda'.*sees no CUDA device; use train.device=auto or cpu"):
        resolve_device("cuda")
    with pytest.raises(DeviceError, match="must be auto, cpu"):
        resolve_device("tpu")


def test_an_explicit_cpu_run_is_the_default_run_bit_for_bit(tmp_path, tiny_overrides):
    auto = train_run(build_config(overrides=tiny_overrides), tmp_path / "auto", quiet=True)
    cpu = train_run(build_config(overrides=tiny_overrides + ["train.device=cpu"]), tmp_path / "cpu", quiet=True)
    assert {k: v for k, v in auto.items() if k != "seconds"} == {k: v for k, v in cpu.items() if k != "seconds"}
    assert auto["device"].startswith("cpu (")
    record = json.loads((tmp_path / "cpu" / "config.json").read_text())
    assert record["device"] == auto["device"] and record["config"]["train"]["device"] == "cpu"


def test_a_checkpoint_loads_onto_the_device_its_config_names(tmp_path, tiny_overrides, monkeypatch):
    train_run(build_config(overrides=tiny_overrides), tmp_path / "run", quiet=True)
    _, model, _ = load_run(tmp_path / "run")
    assert model.device == torch.device("cpu")
    # where the config's device resolves elsewhere, the checkpoint (read onto the CPU) is moved there
    on_meta(monkeypatch)
    _, moved, _ = load_run(tmp_path / "run")
    assert moved.device == torch.device("meta") and all(p.device.type == "meta" for p in moved.parameters())
    monkeypatch.undo()
    assert evaluate_run(tmp_path / "run", 0)["recon"] > 0


# the step at which each family's run first reads a number back from the device, with log_every 3: the first
# logged step, except where the schedule reads earlier (ordered discovery's preliminary decision, at step 1 here)
FIRST_READ = {"maskaae": 1}


@pytest.mark.parametrize("name", list(MODEL_CHOICES))
def test_every_familys_run_stays_on_the_device_until_it_reads_a_number_back(name, monkeypatch):
    """On `meta` an operation between a CPU tensor and a device tensor raises 'not on the expected device', and
    reading a number back raises too. A run must get to its first read (issue 32: no host synchronisation inside
    a step except where a logged value is written) and fail there, not earlier."""
    on_meta(monkeypatch)
    choice = [f"{k}={str(v).lower()}" for k, v in MODEL_CHOICES[name].items()]
    cfg = build_config(overrides=["model.width=8", "model.depth=1", "model.latent_dim=4", "data.latent_dim=2",
                                  "train.batch_size=8", "train.steps=10", "train.discovery_steps=2",
                                  "train.log_every=3", "loss.rae_components=2", *choice])
    kind = family(cfg.model.kind)
    trainer = kind.Trainer(kind.build_model(cfg, (cfg.data.data_dim,)), torch.rand(64, cfg.data.data_dim), cfg)
    assert trainer.data.device.type == "meta" and trainer.model.device.type == "meta"
    with pytest.raises((RuntimeError, NotImplementedError), match="meta tensor") as err:
        trainer.run(cfg.train.steps)
    assert "expected device" not in str(err.value)
    assert trainer.step == FIRST_READ.get(name, 3)


def test_random_numbers_are_drawn_on_the_cpu_and_moved(monkeypatch):
    cfg = build_config(overrides=["model.width=8", "model.depth=1", "model.latent_dim=4", "data.latent_dim=2",
                                  "train.batch_size=8"])
    kind = family("maskaae")
    cpu = kind.Trainer(kind.build_model(cfg, (cfg.data.data_dim,)), torch.rand(64, cfg.data.data_dim), cfg)
    on_meta(monkeypatch)
    meta = kind.Trainer(kind.build_model(cfg, (cfg.data.data_dim,)), torch.rand(64, cfg.data.data_dim), cfg)
    for trainer in (cpu, meta):
        assert trainer._prior().device == trainer.device == trainer.model.sample_prior(2).device
        assert trainer.draw(nested_truncation(8, 4, trainer.generator)).device == trainer.device
    # the same stream on both: the generators advanced alike
    assert torch.equal(cpu.generator.get_state(), meta.generator.get_state())


@pytest.mark.gpu
@needs_cuda
def test_a_cuda_run_resumes_and_evaluates_on_the_cpu(tmp_path, tiny_overrides):
    cfg = build_config(overrides=tiny_overrides + ["train.device=cuda"])
    summary = train_run(cfg, tmp_path / "run", quiet=True)
    assert summary["device"].startswith("cuda:0 (")
    again = train_run(cfg, tmp_path / "again", quiet=True)
    assert {k: v for k, v in summary.items() if k != "seconds"} == {k: v for k, v in again.items() if k != "seconds"}
    cpu = build_config(overrides=tiny_overrides + ["train.device=cpu"])
    _, model, _ = load_run(tmp_path / "run")
    assert model.device.type == "cuda"
    x = torch.rand(4, cfg.data.data_dim)
    on_cpu = model.to("cpu").reconstruct(x)
    assert torch.allclose(on_cpu, model.to("cuda").reconstruct(x).cpu(), atol=1e-4)
    assert cpu.train.device == "cpu"


@pytest.mark.gpu
@needs_cuda
def test_every_family_trains_a_few_steps_on_cuda(tmp_path, tiny_overrides):
    data = unit_interval_file(tmp_path / "x.npy") + ["loss.recon=bce", "model.output=sigmoid"]  # vae-bernoulli's
    for name, choice in MODEL_CHOICES.items():
        sets = [f"{k}={str(v).lower()}" for k, v in choice.items()]
        summary = train_run(build_config(overrides=tiny_overrides + data + ["train.device=cuda", "loss.rae_components=2",
                                                                            *sets]), tmp_path / name, quiet=True)
        assert summary["device"].startswith("cuda") and summary["recon"] > 0


def test_tf32_is_float32_on_the_cpu_and_puts_torchs_switches_back(tmp_path, tiny_overrides):
    """train.precision=tf32 switches CUDA's TensorFloat-32 on for the steps only: on the CPU the run is the float32
    run bit for bit, and torch's global switches are as they were after it."""
    before = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    plain = train_run(build_config(overrides=tiny_overrides), tmp_path / "float32", quiet=True)
    tf32 = train_run(build_config(overrides=tiny_overrides + ["train.precision=tf32"]), tmp_path / "tf32", quiet=True)
    assert {k: v for k, v in plain.items() if k != "seconds"} == {k: v for k, v in tf32.items() if k != "seconds"}
    assert (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32) == before
    with device_module.tf32_matmuls():
        assert torch.backends.cuda.matmul.allow_tf32 and torch.backends.cudnn.allow_tf32
    assert (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32) == before


def test_binary_cross_entropy_stays_float32_under_bf16_autocast():
    from maskaae.losses import binary_cross_entropy

    p, x = (torch.rand(16, 5) * 0.98 + 0.01).bfloat16(), torch.rand(16, 5).round()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        low = binary_cross_entropy(p, x, reduction="none")
    assert low.dtype == torch.float32
    assert torch.equal(low, torch.nn.functional.binary_cross_entropy(p.float(), x, reduction="none"))


@pytest.mark.parametrize("name", list(MODEL_CHOICES))
def test_every_family_trains_in_bf16(name, tiny_overrides, tmp_path):
    """train.precision=bf16: the steps run under autocast (not the float32 numbers), the losses stay finite and
    the reconstruction close to the float32 run's; evaluation is float32 either way. Data in [0, 1] with binary
    cross-entropy, which autocast refuses on CUDA (losses.binary_cross_entropy keeps it in float32)."""
    choice = [f"{k}={str(v).lower()}" for k, v in MODEL_CHOICES[name].items()]
    sets = tiny_overrides + unit_interval_file(tmp_path / "x.npy") + ["loss.recon=bce", "model.output=sigmoid",
                                                                      "loss.rae_components=2", *choice]
    logs = {}
    for precision in ("float32", "bf16"):
        train_run(build_config(overrides=sets + [f"train.precision={precision}"]), tmp_path / precision, quiet=True)
        logs[precision] = [json.loads(line)["recon"]
                           for line in (tmp_path / precision / "metrics.jsonl").read_text().splitlines()]
    assert logs["bf16"] != logs["float32"]
    assert logs["bf16"] == pytest.approx(logs["float32"], rel=0.05)


@pytest.mark.gpu
@needs_cuda
def test_every_family_trains_in_each_precision_on_cuda(tmp_path, tiny_overrides):
    data = unit_interval_file(tmp_path / "x.npy") + ["loss.recon=bce", "model.output=sigmoid"]
    for name, choice in MODEL_CHOICES.items():
        for precision in ("tf32", "bf16"):
            sets = [f"{k}={str(v).lower()}" for k, v in choice.items()]
            summary = train_run(build_config(overrides=tiny_overrides + data + [
                "train.device=cuda", f"train.precision={precision}", "loss.rae_components=2", *sets]),
                tmp_path / f"{name}-{precision}", quiet=True)
            assert summary["recon"] > 0
