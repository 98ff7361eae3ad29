"""Run folders: train a run into one (config and provenance, metrics log, checkpoints, summary, plots), and load,
evaluate and sample a trained one. What a folder records and how it is read back: maskaae/runrecord.py.

A run folder holds
    config.json     resolved config, seed, package versions, code version
    metrics.jsonl   one JSON object per logged step (eval metrics under "eval")
    checkpoint.pt   trainer state (weights, optimisers, random stream, step)
    summary.json    final held-out metrics
    *.png           mask trajectory, loss curves, latent covariance
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch

from .atomic import atomic_write_json, atomic_write_text, current_umask
from .checkpoint import CheckpointError, atomic_torch_save, safe_load
from .clock import Clock
from .config import Config, ConfigError
from .device import describe_device, resolve_device
from .versions import saved_config_from_dict
from .data import check_distinct, check_unit_range, load_data
from .evaluate import evaluate, evaluation_needs, latent_covariance
from .models import family
from .models.base import AutoEncoder, BaseTrainer
from .plots import plot_covariance, plot_image_grid, plot_losses, plot_mask_trajectory
from .lock import FolderLock
from .results import LATENT_DIM, MODEL, PRESET, SECONDS, SEED, STEPS, TRUE_LATENT_DIM
from .runfolder import Replacement, RunError, folder_state
from .runrecord import (CHECKPOINT_FORMAT, check_data_file, check_unedited, data_record, provenance, read_config,
                        read_metrics)
from .train import TrainingDiverged

def _resume_config(out: Path, cfg: Config | None) -> Config:
    saved = read_config(out)
    if cfg is None:
        return saved
    # Only the step budget may change on resume: anything else would break the
    # identity with an uninterrupted run.
    if replace(cfg, train=replace(cfg.train, steps=saved.train.steps)).to_dict() != saved.to_dict():
        raise RunError(f"the config given differs from the one saved in {out}/config.json; "
                       "on --resume only train.steps may change (omit --preset/--config/--set otherwise)")
    return cfg


def run_config(cfg: Config | None, out: str | Path, resume: bool = False, overwrite: bool = False) -> Config:
    """The config `train_run` with these arguments trains with: `cfg`, or on resume the run's own (which `cfg`
    may only extend in train.steps). Raises what train_run would raise for the folder or the config; writes
    nothing. The CLI reads train.threads from it before training."""
    out = Path(out)
    cfg = _resume_config(out, cfg) if folder_state(out, resume, overwrite) == "resume" else cfg
    if cfg is None:
        raise ConfigError("a config is needed to start a new run")
    return cfg


def train_run(cfg: Config | None, out: str | Path, resume: bool = False, overwrite: bool = False,
              progress: Callable[[int, int], Any] | None = None, quiet: bool = False,
              timed: dict[str, Any] | None = None) -> dict[str, Any]:
    """Train into a run folder and return the summary. `cfg` may be None on resume. With train.seconds, `timed`
    is the timing its clock predicts with (budget.Timing.clock_timing; maskaae/clock.py); a resumed run keeps
    its own.

    Runs on the caller's torch threads: train.threads is applied by the entry points (the CLI, sweep workers),
    not here (maskaae/openmp.py).
    """
    out = Path(out)
    state = folder_state(out, resume, overwrite)
    resuming = state == "resume"
    cfg = run_config(cfg, out, resume, overwrite)
    # Everything that can fail on the user's input (config, data, networks, checkpoint) fails here, before
    # the folder is touched.
    train, test = load_data(cfg.data)
    check_distinct(train, cfg.data.source)
    kind = family(cfg.model.kind)
    model = kind.build_model(cfg, tuple(train.shape[1:]))
    trainer = kind.Trainer(model, train, cfg)  # a family's own data checks first (the VAEs')
    if cfg.loss.recon == "bce":
        check_unit_range({"training": train, "held-out": test}, cfg.data.source)
    too_small = evaluation_needs(cfg, len(test))
    if too_small:
        raise RunError(f"{cfg.data.source}: {too_small}")
    no_fid = fid_unavailable(cfg)
    if no_fid:
        warnings.warn(f"{no_fid} The run trains, and its summary has no FID; add it afterwards with `maskaae "
                      f"evaluate {out} --fid-samples {cfg.eval.fid_samples or cfg.eval.fid_train_samples}`.")
    elapsed = 0.0
    data_file = data_record(cfg)
    clock_state = {"timed": timed, "planned_steps": cfg.train.steps}
    if resuming:
        check_data_file(out, data_file, "resuming")
        ckpt = safe_load(out / "checkpoint.pt", CHECKPOINT_FORMAT)
        try:
            trainer.load_state_dict(ckpt["trainer"])
        except (RuntimeError, ValueError, KeyError) as err:
            raise CheckpointError(f"{out}/checkpoint.pt does not match the run's config: {err}") from err
        elapsed = float(ckpt["elapsed"])
        trained = saved_config_from_dict(ckpt["config"])
        check_unedited(out, trained, cfg, "a resumed run")
        if cfg.train.seconds:  # the clock's plan so far, not the config's first one
            trainer.set_steps(trained.train.steps)
            cfg = trainer.cfg
            clock_state = ckpt.get("clock") or clock_state
        if cfg.train.steps < trainer.step:
            raise RunError(f"{out} is at step {trainer.step}; train.steps={cfg.train.steps} would end before it. "
                           "On --resume train.steps can only grow")
    with FolderLock(out, "run"):
        if folder_state(out, resume, overwrite) != state:
            raise RunError(f"{out} changed while this run was starting; check it and run the command again")
        replacement = Replacement(out) if state == "replace" else None
        try:
            return _train_locked(cfg, out, trainer, train, test, elapsed, replacement, quiet, no_fid, data_file,
                                 clock_state)
        except BaseException:
            if replacement is not None and not replacement.committed:
                replacement.restore()  # the new run has no checkpoint: the old run comes back
            raise


def _train_locked(cfg: Config, out: Path, trainer: BaseTrainer, train: torch.Tensor, test: torch.Tensor,
                  elapsed: float, replacement: Replacement | None, quiet: bool,
                  no_fid: str | None, data_file: dict[str, Any] | None,
                  clock_state: dict[str, Any]) -> dict[str, Any]:
    """train_run's part that writes: the folder is locked and the run is known to start. `no_fid`: why FID
    cannot be measured (fid_unavailable), which leaves it out of the evaluations; `data_file`: data_record;
    `clock_state`: the clock's timing and the run's first plan, for train.seconds."""
    model = trainer.model
    if elapsed > 0 or trainer.step > 0:  # resumed: the log keeps the steps up to the checkpoint
        kept = [r for r in read_metrics(out) if r["step"] <= trainer.step]
        atomic_write_text("".join(json.dumps(r) + "\n" for r in kept), out / "metrics.jsonl")
    record_run = {"config": cfg.to_dict(), "seed": cfg.seed, "model": cfg.model_name,
                  "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "command": sys.argv,
                  "device": describe_device(trainer.device), **({"data_file": data_file} if data_file else {}),
                  **provenance()}
    atomic_write_json(record_run, out / "config.json")

    t = cfg.train  # train.steps aside, which the clock may move (trainer.cfg has the current plan)
    clock = Clock(t.seconds, clock_state["planned_steps"], clock_state["timed"]) if t.seconds else None
    start = time.perf_counter() - elapsed
    bar = _progress_bar(t.steps, trainer.step, quiet, model)
    log = (out / "metrics.jsonl").open("a")
    first_step, began_here = trainer.step, time.perf_counter()

    def save_checkpoint() -> None:
        log.flush()
        try:
            atomic_torch_save({"format": CHECKPOINT_FORMAT, "config": trainer.cfg.to_dict(),
                               "trainer": trainer.state_dict(), "elapsed": time.perf_counter() - start,
                               "data_shape": list(train.shape[1:]), "clock": clock_state}, out / "checkpoint.pt")
        except OSError as err:  # disk full, file too large, folder gone: the previous checkpoint is intact
            kept = "the previous checkpoint is intact: make room and continue with --resume" \
                if (out / "checkpoint.pt").is_file() else "no checkpoint of this run was written before it"
            raise RunError(f"writing {out}/checkpoint.pt at step {trainer.step} failed: "
                           f"{err.strerror or err}; {kept}") from None
        if replacement is not None:
            replacement.commit()

    last_mark = time.perf_counter()

    def on_step(tr: BaseTrainer, losses: dict[str, float]) -> None:
        nonlocal last_mark
        step, entered = tr.step, time.perf_counter()
        if clock is not None:
            clock.step(tr.phase, entered - last_mark)
            planned = clock.replan(tr, entered - start)
            if planned is not None:
                tr.set_steps(planned)
                if bar is not None:
                    bar.total = planned
        end = tr.cfg.train.steps
        is_eval = step % t.eval_every == 0 or step == end
        if step % t.log_every == 0 or is_eval:
            record: dict[str, Any] = {"step": step, "elapsed": round(time.perf_counter() - start, 3),
                                      **losses, **tr.log_fields()}
            if is_eval:
                began = time.perf_counter()
                metrics = evaluate(model, test, cfg, 0 if no_fid else cfg.eval.fid_train_samples)
                record["eval"] = {k: v for k, v in metrics.items() if k != "mask"}
                record["eval_seconds"] = round(time.perf_counter() - began, 3)  # inside the next elapsed
            log.write(json.dumps(record) + "\n")
            if bar is not None:
                # the phase's own quantities: no critic's W during ordered discovery or the decoder phase
                bar.set_postfix(phase=tr.phase, m_A=model.active_dims,
                                **{name: f"{value:.4g}" for name, value in losses.items()}, refresh=False)
        if bar is not None:
            bar.update(1)
            if step == first_step + PACE_STEPS:
                pace = (time.perf_counter() - began_here) / PACE_STEPS * 1000
                bar.write(f"maskaae: {pace:,.0f} s per 1,000 steps here (the first {PACE_STEPS}); "
                          f"{end - step:,} steps to go", file=sys.stderr)
        if step % t.checkpoint_every == 0 or step == end:
            save_checkpoint()
        last_mark = time.perf_counter()
        if clock is not None:
            clock.outside(last_mark - entered)

    try:
        trainer.run(None, on_step)
    except TrainingDiverged as err:
        kept = "a checkpoint of an earlier step is kept, but resuming repeats the same steps" \
            if (out / "checkpoint.pt").is_file() else "no checkpoint of this run was written before it"
        raise TrainingDiverged(err.step, err.losses,
                               advice=f"{kept}; start again with --overwrite and lower learning rates "
                                      "(train.lr_*) or another seed") from None
    finally:
        log.close()
        if bar is not None:
            bar.close()
    seconds = time.perf_counter() - start
    if trainer.cfg != cfg:  # the clock moved the end: the record names the steps that trained
        cfg = trainer.cfg
        atomic_write_json({**record_run, "config": cfg.to_dict()}, out / "config.json")
    metrics = evaluate(model, test, cfg, 0 if no_fid else cfg.eval.fid_samples)
    if no_fid:
        metrics["fid_unavailable"] = no_fid
    summary = {**_run_header(cfg), **metrics, STEPS: trainer.step, SECONDS: round(seconds, 2), SEED: cfg.seed,
               "device": describe_device(trainer.device), "discovery": trainer.discovery,
               **({"clock": clock.record(clock_state["planned_steps"])} if clock is not None else {})}
    atomic_write_json(summary, out / "summary.json")
    write_plots(out, model, test, cfg)
    return summary


def fid_unavailable(cfg: Config) -> str | None:
    """Why a run that asks for FID cannot measure it (no Inception weights), or None; checked before training,
    so that the run trains without it instead of failing at its end."""
    if not (cfg.eval.fid_samples or cfg.eval.fid_train_samples):
        return None
    from .metrics.inception import InceptionWeightsError, find_inception_weights

    try:
        find_inception_weights()
    except InceptionWeightsError as err:
        return str(err)
    return None


def _run_header(cfg: Config) -> dict[str, Any]:
    return {MODEL: cfg.model_name, PRESET: cfg.preset, LATENT_DIM: cfg.model.latent_dim,
            TRUE_LATENT_DIM: cfg.data.latent_dim if cfg.data.name == "synthetic" else None}


def write_plots(out: Path, model: AutoEncoder, test: torch.Tensor, cfg: Config) -> None:
    records = read_metrics(out)
    if model.mask_enabled:
        plot_mask_trajectory(records, out / "mask_trajectory.png")
    plot_losses(records, out / "losses.png")
    plot_covariance(latent_covariance(model, test, cfg), out / "covariance.png",
                    f"|cov| of mu*E(x), {cfg.model_name}, m = {cfg.model.latent_dim}")
    if test.ndim == 4:  # images: samples (paper Fig. 6) and reconstructions beside their inputs
        with torch.inference_mode():
            samples = model.generate(64, generator=torch.Generator().manual_seed(cfg.seed))
            inputs = test[:32]
            recons = model.reconstruct(inputs).cpu()
        plot_image_grid(samples, out / "samples.png", f"samples, {cfg.model_name}, m_A = {model.active_dims}")
        plot_image_grid(torch.cat([inputs[:16], recons[:16], inputs[16:], recons[16:]]), out / "reconstructions.png",
                        "rows 1 and 3: test images; rows 2 and 4: reconstructions", nrow=16)


def _progress_bar(total: int, initial: int, quiet: bool, model: AutoEncoder):
    """The training bar, titled with the model's parameter count (a network too large for the machine shows
    before its first slow step)."""
    if quiet:
        return None
    from tqdm import tqdm

    count = sum(p.numel() for p in model.parameters())
    return tqdm(total=total, initial=initial, desc=f"train ({count:,} parameters)", dynamic_ncols=True,
                mininterval=0.5)


PACE_STEPS = 20  # the bar states the time per 1,000 steps measured over a run's first this many steps here


def _checkpoint_model(run_dir: Path) -> tuple[Config, AutoEncoder, int]:
    """(config, model at its last checkpoint, that checkpoint's step) of a run folder."""
    if not run_dir.is_dir():
        what = "is a file, not a run folder" if run_dir.is_file() else "does not exist"
        raise RunError(f"{run_dir} {what}; pass the --out folder of a maskaae train run")
    cfg = read_config(run_dir)
    ckpt = safe_load(run_dir / "checkpoint.pt", CHECKPOINT_FORMAT)
    trained = saved_config_from_dict(ckpt["config"])
    check_unedited(run_dir, trained, cfg, "evaluating or sampling it")
    model = family(trained.model.kind).build_model(trained, ckpt["data_shape"])
    try:
        model.load_state_dict(ckpt["trainer"]["model"])  # read onto the CPU (safe_load), then moved
    except (RuntimeError, KeyError) as err:
        raise CheckpointError(f"{run_dir}/checkpoint.pt does not match its config: {err}") from err
    model.to(resolve_device(trained.train.device)).eval()
    return cfg, model, int(ckpt["trainer"]["step"])


def load_run(run_dir: str | Path) -> tuple[Config, AutoEncoder, torch.Tensor]:
    """(config, model at its last checkpoint, test data) of a run folder."""
    cfg, model, _ = _checkpoint_model(Path(run_dir))
    check_data_file(Path(run_dir), data_record(cfg), "its evaluation")
    _, test = load_data(cfg.data)
    return cfg, model, test


def evaluate_run(run_dir: str | Path, fid_samples: int | None = None) -> dict[str, Any]:
    """Recompute the summary's held-out metrics from the checkpoint into RUN_DIR/evaluation.json.

    FID uses `fid_samples` generated images when given (0 turns it off), else the config's eval.fid_samples.
    """
    cfg, model, step = _checkpoint_model(Path(run_dir))
    if fid_samples is None:
        fid_samples = cfg.eval.fid_samples
    if fid_samples < 0:
        raise RunError(f"--fid-samples must be >= 0, got {fid_samples}")
    if fid_samples and cfg.data.name == "synthetic":
        raise RunError(f"FID needs image data; run {run_dir} trained on {cfg.data.name!r}")
    check_data_file(Path(run_dir), data_record(cfg), "evaluating it")
    with FolderLock(run_dir, "run"):  # not while the run trains, nor beside another evaluation of it
        _, test = load_data(cfg.data)
        start = time.perf_counter()
        metrics = {**_run_header(cfg), **evaluate(model, test, cfg, fid_samples), STEPS: step, SEED: cfg.seed}
        metrics["eval_seconds"] = round(time.perf_counter() - start, 2)
        atomic_write_json(metrics, Path(run_dir) / "evaluation.json")
    return metrics


def sample_run(run_dir: str | Path, num: int, out_file: str | Path, seed: int = 0) -> Path:
    if num < 1:
        raise RunError(f"--num must be >= 1, got {num}")
    out_file = Path(out_file)
    if out_file.suffix != ".npy":
        raise RunError(f"--out {out_file}: samples are written as .npy; give a file name ending in .npy")
    if out_file.is_dir():
        raise RunError(f"--out {out_file} is a folder; give a file name ending in .npy")
    _, model, _ = _checkpoint_model(Path(run_dir))
    try:
        out_file.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise RunError(f"--out {out_file}: its folder cannot be made ({err.strerror}); choose another path") from None
    shape = (num, *model.data_shape)
    need = 4 * int(np.prod(shape, dtype=np.float64))
    free = shutil.disk_usage(out_file.parent).free
    if need > free:
        raise RunError(f"--num {num} needs {need / 2**30:.1f} GiB in {out_file.parent}, which has "
                       f"{free / 2**30:.1f} GiB free; ask for fewer samples")
    # written batch by batch into the file (memory stays one batch), then renamed into place
    tmp = out_file.with_name(f".{out_file.name}.tmp")
    try:
        array = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float32, shape=shape)
        generator = torch.Generator().manual_seed(seed)
        batch = 4096
        for start in range(0, num, batch):
            array[start:start + batch] = model.generate(min(batch, num - start), generator=generator).numpy()
        array.flush()
        del array
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, out_file)
    except OSError as err:
        raise RunError(f"--out {out_file}: writing the samples failed ({err.strerror or err}); choose another path "
                       "or free space") from None
    finally:
        tmp.unlink(missing_ok=True)  # a stopped or failed write leaves no partial file behind
    return out_file
