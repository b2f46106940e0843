"""The directory store and the fsspec store share one file layout (stores/file_layout.py): each
reads what the other wrote, entry by entry, with its metadata, last components and statistics."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from checkpointing import PickleFileCache
from checkpointing.stores.file_layout import file_name
from checkpointing.stores.fsspec_store import FsspecCache


@pytest.mark.parametrize("writer_kind", ["directory", "fsspec"])
def test_each_store_reads_what_the_other_wrote(tmp_path: Path, writer_kind: str) -> None:
    directory, fsspec = PickleFileCache(tmp_path), FsspecCache(f"file://{tmp_path}")
    writer, reader = (directory, fsspec) if writer_kind == "directory" else (fsspec, directory)
    key = "0123456789abcdef0123456789abcdef"
    writer.save_entry(key, {"x": [1, 2]}, {"function": "m.f", "compute_time": 2.5})
    writer.record_latest("m.f", key, {"code": "abc"})
    writer.record_stats({"m.f": {"hits": 3, "misses": 1, "saved": 7.5}})

    assert reader.retrieve(key) == {"x": [1, 2]}
    assert reader.contains(key) is True
    assert reader.compute_time(key) == 2.5
    assert (reader.metadata(key) or {})["function"] == "m.f"
    assert reader.latest("m.f") == {"function": "m.f", "key": key, "components": {"code": "abc"}}
    assert reader.stats() == {"m.f": {"hits": 3, "misses": 1, "saved": 7.5, "unstable": 0}}
    [entry] = list(reader.entries())
    assert (entry.key, entry.function, entry.compute_time) == (key, "m.f", 2.5)
    assert entry.size == os.path.getsize(directory.path_for(key))
    assert reader.delete(key) is True
    assert writer.contains(key) is False


def test_the_layout_on_disk(tmp_path: Path) -> None:
    store = PickleFileCache(tmp_path)
    store.save("abcdef", 1)
    store.record_latest("m.f", "abcdef", None)
    store.record_stats({"m.f": {"hits": 1}})
    files = sorted(str(p.relative_to(tmp_path)).replace(os.sep, "/") for p in tmp_path.rglob("*") if p.is_file())
    assert files[0] == "ab/abcdef.ckpt"
    assert [f.split("/")[0] for f in files[1:]] == ["latest", "stats"]
    assert not [f for f in files if f.endswith(".tmp")]


@pytest.mark.parametrize("key", ["abc", "a.b-c_d", "x" * 128, "0123456789abcdef0123456789ABCDEF"])
def test_a_safe_key_is_its_own_file_name(key: str) -> None:
    assert file_name(key) == key


@pytest.mark.parametrize("key", ["", ".hidden", "..", "a/b", "a\\b", "key\n", "x" * 129, "é", "a b"])
def test_any_other_key_is_named_by_its_digest(key: object) -> None:
    name = file_name(key)
    assert len(name) == 32 and all(c in "0123456789abcdef" for c in name)
    assert name != file_name(f"{key}?")
