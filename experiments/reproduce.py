"""Run, resume or collect one experiment of experiments/experiments.toml into results/NAME.

    .venv/bin/python experiments/reproduce.py NAME [NAME ...] [--jobs N] [--collect-only]
    .venv/bin/python experiments/reproduce.py --list

Training goes through the `maskaae` command line (runs/NAME holds checkpoints and is not committed; running
the same command again continues a stopped run or sweep). Collecting copies the small files to results/NAME
and writes results/NAME/reproduce.json: the command, the commit and whether the tree had uncommitted
changes, start and end time, wall seconds and the peak memory of the training processes.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "experiments" / "experiments.toml"
KINDS = ("train", "sweep", "evaluate", "script")
IMAGE_DATA = {"mnist": "mnist", "fashion": "fashion-mnist"}  # preset -> data set `maskaae data get` fetches


def load_manifest(path: Path = MANIFEST) -> dict[str, dict]:
    """The experiments by name; each entry checked for its kind's fields."""
    entries = tomllib.loads(path.read_text())
    needs = {"train": ["preset"], "sweep": ["preset", "grid"], "evaluate": ["from", "fid_samples"],
             "script": ["script"]}
    for name, entry in entries.items():
        kind = entry.get("kind")
        if kind not in KINDS:
            raise ValueError(f"{path}: experiment {name!r} has kind {kind!r}; choose one of {', '.join(KINDS)}")
        missing = [key for key in needs[kind] + ["about"] if key not in entry]
        if missing:
            raise ValueError(f"{path}: experiment {name!r} ({kind}) lacks {', '.join(missing)}")
        source = entries.get(entry.get("from"), {}).get("kind")
        if kind == "evaluate" and not (source == "train" and "run" not in entry
                                       or source == "sweep" and "run" in entry):
            raise ValueError(f"{path}: experiment {name!r} evaluates {entry['from']!r}, which is neither a train "
                             "entry nor a sweep entry with the run named by `run`")
    return entries


def overrides(entry: dict) -> list[str]:
    """What the run's command line said, then the pins that restore settings today's preset changed."""
    return list(entry.get("set", [])) + list(entry.get("pin", []))


def evaluated(entry: dict) -> str:
    """The run folder an evaluate entry evaluates: a train entry's, or the named run of a sweep entry's."""
    return f"runs/{entry['from']}" + (f"/runs/{entry['run']}" if "run" in entry else "")


def commands(name: str, entry: dict, jobs: int) -> list[list[str]]:
    """The commands that train (or evaluate) the experiment, in order."""
    cli = [sys.executable, "-m", "maskaae"]
    kind, run = entry["kind"], f"runs/{name}"
    out: list[list[str]] = []
    data = next((o.split("=", 1)[1] for o in overrides(entry) if o.startswith("data.name=")),
                IMAGE_DATA.get(entry.get("preset")))
    if data in IMAGE_DATA.values():
        out.append(cli + ["data", "get", data])
    if kind == "train":
        resume = ["--resume"] if (ROOT / run / "checkpoint.pt").is_file() else []
        sets = ["--set", *overrides(entry)] if overrides(entry) else []
        out.append(cli + ["train", "--preset", entry["preset"], *sets, "--out", run, "--quiet", *resume])
    elif kind == "sweep":
        sets = ["--set", *overrides(entry)] if overrides(entry) else []
        budget = ["--budget", str(entry["budget"])] if "budget" in entry else []
        out.append(cli + ["sweep", "--preset", entry["preset"], *sets, "--grid", *entry["grid"], *budget, "--out",
                          run, "--jobs", str(jobs)])
        if "fid_samples" in entry:  # every run evaluated again at that N; results.csv then shows it
            out.append(cli + ["evaluate", run, "--fid-samples", str(entry["fid_samples"]), "--jobs", str(jobs)])
    elif kind == "evaluate":
        out.append(cli + ["evaluate", evaluated(entry), "--fid-samples", str(entry["fid_samples"])])
    else:
        out.append([sys.executable, f"experiments/{entry['script']}", *entry.get("args", [])])
    return out


def collect(name: str, entry: dict, wall_seconds: float | None = None) -> Path:
    """Copy what the documents need from runs/NAME to results/NAME (no checkpoints); `wall_seconds` is the
    evaluation's wall-clock time for an evaluate entry run now."""
    kind, dst = entry["kind"], ROOT / "results" / name
    if kind == "script":
        return dst  # the script wrote it
    src = ROOT / (evaluated(entry) if kind == "evaluate" else f"runs/{name}")
    if kind == "sweep":
        subprocess.run([sys.executable, "-m", "maskaae", "report", str(src)], cwd=ROOT, check=True)
    staging = dst.with_name(f".{name}.collecting")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    if kind == "train":
        for path in src.iterdir():
            if path.is_file() and path.name not in ("checkpoint.pt", ".lock"):
                shutil.copy2(path, staging / path.name)
    elif kind == "sweep":
        for path in src.iterdir():
            if path.is_file() and path.name != ".lock":
                shutil.copy2(path, staging / path.name)
        shutil.copytree(src / "report", staging / "report")
        for run in sorted((src / "runs").iterdir()):
            if (run / "summary.json").is_file():
                (staging / "runs" / run.name).mkdir(parents=True)
                for file in ("config.json", "summary.json", "metrics.jsonl", "evaluation.json"):
                    if (run / file).is_file():
                        shutil.copy2(run / file, staging / "runs" / run.name / file)
    else:
        evaluation = json.loads((src / "evaluation.json").read_text())
        trained = json.loads((src / "summary.json").read_text())
        shutil.copy2(src / "config.json", staging / "config.json")
        summary = {"preset": trained["preset"], "seed": trained["seed"], **evaluation,
                   "train_seconds": trained["seconds"],
                   **_evaluation_time(dst, wall_seconds),
                   "fid_at_training_end": {"fid": trained.get("fid"), "fid_samples": trained.get("fid_samples")}}
        (staging / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    if (dst / "reproduce.json").is_file():
        shutil.copy2(dst / "reproduce.json", staging / "reproduce.json")
    old = dst.with_name(f".{name}.replaced")
    if dst.exists():
        dst.rename(old)
    staging.rename(dst)
    shutil.rmtree(old, ignore_errors=True)
    return dst


def _evaluation_time(dst: Path, wall_seconds: float | None) -> dict:
    """The evaluation's wall clock: measured now, or kept from an earlier collection of the same folder."""
    if wall_seconds is not None:
        return {"evaluation_wall_clock": time.strftime("%H:%M:%S", time.gmtime(wall_seconds))}
    earlier = dst / "summary.json"
    saved = json.loads(earlier.read_text()) if earlier.is_file() else {}
    return {key: saved[key] for key in ("evaluation_wall_clock",) if key in saved}


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()


def reproduce(name: str, entry: dict, jobs: int, collect_only: bool) -> None:
    started, t0 = time.strftime("%Y-%m-%dT%H:%M:%S%z"), time.monotonic()
    ran = [] if collect_only else commands(name, entry, jobs)
    for command in ran:
        print("+", " ".join(command[1:] if command[0] == sys.executable else command), flush=True)
        subprocess.run(command, cwd=ROOT, check=True)
    dst = collect(name, entry, time.monotonic() - t0 if ran and entry["kind"] == "evaluate" else None)
    if ran:
        record = {"experiment": name, "manifest": "experiments/experiments.toml",
                  "command": [Path(sys.argv[0]).as_posix(), *sys.argv[1:]],
                  "commands": [[Path(c[0]).name, *c[1:]] for c in ran],
                  "commit": _git("rev-parse", "HEAD"), "uncommitted_changes": bool(_git("status", "--porcelain")),
                  "started": started, "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                  "wall_seconds": round(time.monotonic() - t0, 1),
                  "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)}
        dst.mkdir(parents=True, exist_ok=True)
        (dst / "reproduce.json").write_text(json.dumps(record, indent=2) + "\n")
    print(f"{name}: {dst.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME")
    parser.add_argument("--list", action="store_true", help="list the experiments")
    parser.add_argument("--jobs", type=int, default=1, help="sweep runs at once, one thread each (default 1)")
    parser.add_argument("--collect-only", action="store_true", help="collect runs/NAME without training")
    args = parser.parse_args()
    entries = load_manifest()
    if args.list or not args.names:
        for name, entry in entries.items():
            print(f"{name:34} {entry['kind']:9} {entry['about']}")
        return
    unknown = [name for name in args.names if name not in entries]
    if unknown:
        parser.error(f"unknown experiment {unknown[0]!r}; see --list")
    for name in args.names:
        reproduce(name, entries[name], args.jobs, args.collect_only)


if __name__ == "__main__":
    main()
