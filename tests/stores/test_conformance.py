"""One conformance suite, run against every store: the directory store, fsspec's file:// and
memory://, and Redis (a real server)."""

from __future__ import annotations

import threading
import time
import warnings

import numpy as np
import pytest

from checkpointing import CheckpointNotExist, CorruptEntryWarning, RedisCache, defaults
from checkpointing.stores import entry_format
from checkpointing.stores.management import select_for_clear, select_for_gc


def raw_get(store, key: str) -> bytes:
    """The stored bytes of an entry, whatever the store."""
    if isinstance(store, RedisCache):
        return bytes(store._fetch(key))
    if hasattr(store, "fs"):
        return store.fs.cat_file(store._path(key))
    return store.path_for(key).read_bytes()


def raw_put(store, key: str, data: bytes) -> None:
    if isinstance(store, RedisCache):
        import json

        raw = store.client.get(store._k("e", key))
        if raw[:1] != b"{":  # a small entry is stored inline
            store.client.set(store._k("e", key), data)
            return
        pointer = json.loads(raw)
        store.client.set(store._k("e", key), json.dumps(dict(pointer, n=1, size=len(data))))
        store.client.set(store._k("c", key, pointer["v"], "0"), data)
    elif hasattr(store, "fs"):
        store.fs.pipe_file(store._path(key), data)
    else:
        store.path_for(key).write_bytes(data)


def test_save_retrieve_miss_and_overwrite(store) -> None:
    with pytest.raises(CheckpointNotExist):
        store.retrieve("a" * 32)
    store.save("a" * 32, {"x": [1, 2]})
    assert store.retrieve("a" * 32) == {"x": [1, 2]}
    store.save("a" * 32, "new")
    assert store.retrieve("a" * 32) == "new"
    assert store.contains("a" * 32) and not store.contains("b" * 32)


def test_large_values_round_trip(store) -> None:
    if isinstance(store, RedisCache):
        store.chunk_size = 1 << 20  # several chunks
    value = {"array": np.arange(3_000_000, dtype=np.float64), "tail": b"x" * 100}
    store.save("c" * 32, value)
    back = store.retrieve("c" * 32)
    assert np.array_equal(back["array"], value["array"]) and back["tail"] == value["tail"]


def test_metadata_listing_and_deletion(store) -> None:
    store.save_entry("d" * 32, [1] * 1000, {"function": "pipeline.clean", "created": 100.0, "compute_time": 2.5})
    store.save_entry("e" * 32, "x", {"function": "pipeline.load", "created": 200.0, "compute_time": 0.5})
    listed = {e.key: e for e in store.entries()}
    assert set(listed) == {"d" * 32, "e" * 32}
    assert listed["d" * 32].function == "pipeline.clean" and listed["d" * 32].compute_time == 2.5
    assert listed["d" * 32].size > listed["e" * 32].size > 0
    assert [e.key for e in select_for_clear(store, "clean")] == ["d" * 32]
    assert store.delete("d" * 32) and not store.delete("d" * 32)
    with pytest.raises(CheckpointNotExist):
        store.retrieve("d" * 32)
    assert [e.key for e in store.entries()] == ["e" * 32]


def test_gc_evicts_least_recently_used_first(store) -> None:
    for key in ("1" * 32, "2" * 32, "3" * 32):
        store.save_entry(key, b"z" * 10_000, {"function": "f", "created": time.time()})
        time.sleep(0.01)
    store.touch(["1" * 32], time.time() + 100)  # the oldest entry was used most recently
    sizes = {e.key: e.size for e in store.entries()}
    chosen = [e.key for e in select_for_gc(store, sizes["1" * 32] + sizes["3" * 32])]
    assert chosen[0] == "2" * 32 and "1" * 32 not in chosen


@pytest.mark.parametrize("size", ["small", "large"])
@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_a_damaged_entry_is_a_miss_with_a_warning(store, damage: str, size: str) -> None:
    if isinstance(store, RedisCache):
        store.chunk_size = 1 << 20  # a large entry spans chunks
    store.save("f" * 32, list(range(1000)) if size == "small" else np.arange(300_000.0))
    data = bytearray(raw_get(store, "f" * 32))
    if damage == "truncate":
        data = data[: len(data) // 2]
    else:
        data[len(data) - 10] ^= 0x40
    raw_put(store, "f" * 32, bytes(data))
    with pytest.warns(CorruptEntryWarning):
        with pytest.raises(CheckpointNotExist):
            store.retrieve("f" * 32)
    store.save("f" * 32, "repaired")  # and the next save overwrites it
    assert store.retrieve("f" * 32) == "repaired"


def test_an_unknown_format_version_is_a_miss(store) -> None:
    store.save("9" * 32, 1)
    data = bytearray(raw_get(store, "9" * 32))
    data[4] = 99  # the format version field
    raw_put(store, "9" * 32, bytes(data))
    with pytest.warns(CorruptEntryWarning, match="format version 99"):
        with pytest.raises(CheckpointNotExist):
            store.retrieve("9" * 32)


def test_signed_entries(store, monkeypatch) -> None:
    store.save("0" * 32, "unsigned")
    monkeypatch.setitem(defaults, "cache.secret", "team secret")
    with pytest.warns(CorruptEntryWarning, match="unsigned entry refused"):
        with pytest.raises(CheckpointNotExist):
            store.retrieve("0" * 32)
    store.save("0" * 32, {"signed": True})
    assert store.retrieve("0" * 32) == {"signed": True}
    data = raw_get(store, "0" * 32)
    assert entry_format.PREFIX.unpack_from(data, 0)[2] & entry_format.SIGNED
    # an attacker rewrites the payload and fixes the checksum, but cannot sign
    forged = bytearray(data)
    forged[-40] ^= 1
    raw_put(store, "0" * 32, bytes(forged))
    with pytest.warns(CorruptEntryWarning, match="signature mismatch"):
        with pytest.raises(CheckpointNotExist):
            store.retrieve("0" * 32)
    monkeypatch.setitem(defaults, "cache.secret", "another secret")
    store.save("8" * 32, 1)
    monkeypatch.setitem(defaults, "cache.secret", "team secret")
    with pytest.warns(CorruptEntryWarning, match="signature mismatch"):
        with pytest.raises(CheckpointNotExist):
            store.retrieve("8" * 32)


def test_concurrent_writers_and_readers_never_see_a_torn_entry(store) -> None:
    key = "7" * 32
    values = [np.full(200_000, i, dtype=np.int64) for i in range(4)]
    store.save(key, values[0])
    errors = []
    stop = threading.Event()

    def write(i: int) -> None:
        for _ in range(8):
            store.save(key, values[i])

    def read() -> None:
        while not stop.is_set():
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("error")
                    got = store.retrieve(key)
                if not any(np.array_equal(got, v) for v in values):
                    errors.append("a value that was never written")
            except CheckpointNotExist:
                errors.append("a miss while an entry existed")
            except Exception as exc:
                errors.append(repr(exc))

    readers = [threading.Thread(target=read) for _ in range(2)]
    writers = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join()
    stop.set()
    for t in readers:
        t.join()
    assert errors == []


def test_single_flight_lock_between_threads(store) -> None:
    inside, peak = [0], [0]
    guard = threading.Lock()

    def work() -> None:
        with store.lock("5" * 32, timeout=30):
            with guard:
                inside[0] += 1
                peak[0] = max(peak[0], inside[0])
            threading.Event().wait(0.02)
            with guard:
                inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak[0] == 1


def test_statistics_add_up_across_processes(store) -> None:
    store.save("6" * 32, 1)
    store.record_stats({"m.f": {"hits": 2, "misses": 1, "saved": 1.5}})
    store.record_stats({"m.f": {"hits": 3, "misses": 0, "saved": 0.5, "unstable": 1},
                        "m.g": {"hits": 0, "misses": 4, "saved": 0}})
    stats = store.stats()
    assert stats["m.f"] == {"hits": 5, "misses": 1, "saved": 2.0, "unstable": 1}
    assert stats["m.g"]["misses"] == 4


def test_compute_time_is_read_from_the_header(store) -> None:
    store.save_entry("4" * 32, np.zeros(300_000), {"function": "m.f", "compute_time": 1.25})
    store.save_entry("3" * 32, "small", {"function": "m.f", "compute_time": 0.5})
    assert store.compute_time("4" * 32) == 1.25 and store.compute_time("3" * 32) == 0.5
    assert store.compute_time("2" * 32) is None
