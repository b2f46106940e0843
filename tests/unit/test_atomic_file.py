"""``analysis/atomic_file.py``: one writer of local files for the store and the caches."""

from __future__ import annotations

import os
import stat
import threading
import time
from pathlib import Path

import pytest

from checkpointing.analysis.atomic_file import TEMPORARY, leftovers, temporary_name, write_atomically


def test_threads_writing_one_file_at_once_never_share_a_temporary_file(tmp_path: Path) -> None:
    target = str(tmp_path / "entry")
    errors = []

    def write(i: int) -> None:
        try:
            for _ in range(50):
                write_atomically(target, [str(i).encode() * 1000])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    content = Path(target).read_bytes()
    assert len(set(content)) == 1 and len(content) == 1000  # one writer's whole bytes
    assert os.listdir(tmp_path) == ["entry"]


def test_a_failed_write_keeps_the_old_contents_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "entry"
    write_atomically(str(target), [b"old"])

    def chunks():
        yield b"new, partly"
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(str(target), chunks())
    assert target.read_bytes() == b"old" and os.listdir(tmp_path) == ["entry"]


def test_the_mode_is_exact_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        write_atomically(str(tmp_path / "shared"), [b"x"], mode=0o660)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "shared").stat().st_mode) == 0o660


def test_a_link_at_the_temporary_name_is_never_followed(tmp_path: Path, monkeypatch) -> None:
    """The temporary file is created exclusively, without following a link planted at its name."""
    victim = tmp_path / "victim"
    victim.write_bytes(b"untouched")
    monkeypatch.setattr("checkpointing.analysis.atomic_file.temporary_name", lambda name: ".planted.tmp")
    os.symlink(victim, tmp_path / ".planted.tmp")
    with pytest.raises(FileExistsError):
        write_atomically(str(tmp_path / "entry"), [b"x"])
    assert victim.read_bytes() == b"untouched"


def test_leftovers_are_old_temporary_files_only(tmp_path: Path) -> None:
    old = tmp_path / temporary_name("entry")
    old.write_bytes(b"12345")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    (tmp_path / temporary_name("other")).write_bytes(b"fresh: a writer at work")
    (tmp_path / "entry.tmp").write_bytes(b"not one of ours")
    assert TEMPORARY.match(old.name)
    assert list(leftovers([str(tmp_path), str(tmp_path / "missing")], 3600)) == [(str(old), 5)]
