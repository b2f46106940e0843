"""The directory store: round trips, damaged entries, crashes, concurrent processes."""

from __future__ import annotations

import multiprocessing
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from checkpointing import CheckpointNotExist, CorruptEntryWarning, PickleFileCache
from checkpointing.stores import entry_format


def test_round_trip_and_miss(tmp_path) -> None:
    store = PickleFileCache(tmp_path)
    with pytest.raises(CheckpointNotExist):
        store.retrieve("k" * 32)
    store.save("k" * 32, {"a": [1, 2]})
    assert store.retrieve("k" * 32) == {"a": [1, 2]}


def test_metadata_is_recorded(tmp_path) -> None:
    store = PickleFileCache(tmp_path)
    store.save_entry("abc", 1, {"function": "m.f", "compute_time": 1.5, "created": 1.0})
    meta = store.metadata("abc")
    assert meta["function"] == "m.f" and meta["compute_time"] == 1.5 and meta["payload_size"] > 0


def test_large_arrays_travel_out_of_band_and_load_writable(tmp_path) -> None:
    store = PickleFileCache(tmp_path)
    a = np.random.default_rng(0).random((1000, 300))
    store.save("big", {"a": a})
    meta = store.metadata("big")
    assert len(meta["buffers"]) == 1 and meta["buffers"][0][0] % 64 == 0
    loaded = store.retrieve("big")["a"]
    assert np.array_equal(loaded, a) and loaded.flags.writeable
    loaded[0, 0] = 5.0


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_damaged_entry_is_a_miss_with_warning_then_overwritten(tmp_path, damage) -> None:
    store = PickleFileCache(tmp_path)
    store.save("key1", list(range(1000)))
    path = store.path_for("key1")
    raw = bytearray(path.read_bytes())
    if damage == "truncate":
        raw = raw[: len(raw) // 2]
    elif damage == "flip":
        raw[-10] ^= 0xFF
    elif damage == "garbage":
        raw = bytearray(b"not an entry at all")
    else:
        raw = bytearray()
    path.write_bytes(bytes(raw))
    with pytest.warns(CorruptEntryWarning):
        with pytest.raises(CheckpointNotExist):
            store.retrieve("key1")
    store.save("key1", "fresh")
    assert store.retrieve("key1") == "fresh"


def test_odd_keys_become_safe_file_names(tmp_path) -> None:
    store = PickleFileCache(tmp_path)
    store.save("../../etc/passwd", 1)
    assert store.retrieve("../../etc/passwd") == 1
    assert store.path_for("../../etc/passwd").resolve().is_relative_to(tmp_path.resolve())


WRITER = """
import sys, numpy as np
from checkpointing import PickleFileCache
store = PickleFileCache(sys.argv[1])
big = np.ones(30_000_000)
print("ready", flush=True)
while True:
    store.save("victim", big)
"""


def test_writer_killed_mid_save_leaves_no_valid_looking_entry(tmp_path) -> None:
    """SIGKILL a process while it writes a large entry: readers get a valid entry or a miss, never garbage."""
    p = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "ready"
    time.sleep(0.3)
    p.send_signal(signal.SIGKILL)
    p.wait()
    store = PickleFileCache(tmp_path)
    try:
        value = store.retrieve("victim")
    except CheckpointNotExist:
        return
    assert value.shape == (30_000_000,) and float(value[-1]) == 1.0


def _hammer(directory: str, seed: int) -> int:
    store = PickleFileCache(directory)
    bad = 0
    for i in range(150):
        key = f"shared{i % 5}"
        try:
            got = store.retrieve(key)
            if got != [i % 5] * 1000:
                bad += 1
        except CheckpointNotExist:
            pass
        store.save(key, [i % 5] * 1000)
    return bad


def test_processes_writing_and_reading_same_keys(tmp_path) -> None:
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        assert pool.starmap(_hammer, [(str(tmp_path), s) for s in range(4)]) == [0, 0, 0, 0]
    leftovers = [p for p in tmp_path.rglob("*.tmp")]
    assert leftovers == []


def test_unknown_format_version_is_a_miss(tmp_path) -> None:
    store = PickleFileCache(tmp_path)
    store.save("v", 1)
    path = store.path_for("v")
    raw = bytearray(path.read_bytes())
    raw[4] = 99  # the format version field
    path.write_bytes(bytes(raw))
    with pytest.warns(CorruptEntryWarning, match="format version"):
        with pytest.raises(CheckpointNotExist):
            store.retrieve("v")
    with pytest.raises(entry_format.EntryError):
        entry_format.decode(bytes(raw), None, "v")


def test_non_string_keys_from_custom_identifiers(tmp_path) -> None:
    store = PickleFileCache(tmp_path)
    store.save(12345, "int key")
    assert store.retrieve(12345) == "int key"
