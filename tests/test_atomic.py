"""One atomic writer for every file maskaae writes."""

import pytest

from maskaae.atomic import atomic_copy, atomic_write, atomic_write_json


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "a.json"
    atomic_write_json({"old": 1}, target)

    def half(handle):
        handle.write(b'{"new": ')
        raise KeyboardInterrupt  # killed mid-write

    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, half)
    assert target.read_text() == '{\n  "old": 1\n}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_copy_is_byte_identical_and_creates_the_folder(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(bytes(range(256)) * 100)
    atomic_copy(src, tmp_path / "new" / "dst.bin")
    assert (tmp_path / "new" / "dst.bin").read_bytes() == src.read_bytes()
