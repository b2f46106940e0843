"""The ``s3://`` store end to end, through s3fs, against an S3-compatible server the test starts
(moto's server mode): write and read, two writers overwriting at once, a signed entry, a copied
entry, listing and gc."""

from __future__ import annotations

import socket
import threading
import uuid

import pytest

from checkpointing import CorruptEntryWarning, defaults
from checkpointing.exceptions import CheckpointNotExist
from checkpointing.stores import entry_format
from checkpointing.stores.fsspec_store import FsspecCache
from checkpointing.stores.management import list_entries, select_for_gc

moto_server = pytest.importorskip("moto.server")
pytest.importorskip("s3fs")


@pytest.fixture(scope="module")
def endpoint():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(endpoint: str, monkeypatch):
    """A fresh bucket, as a store (signed: an object store is shared)."""
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_DEFAULT_REGION", "us-east-1")):
        monkeypatch.setenv(name, value)
    import s3fs

    bucket = f"ckpt-{uuid.uuid4().hex[:12]}"
    s3fs.S3FileSystem(client_kwargs={"endpoint_url": endpoint}).mkdir(bucket)
    defaults["cache.secret"] = "team secret"
    yield lambda: FsspecCache(f"s3://{bucket}/cache", client_kwargs={"endpoint_url": endpoint},
                              skip_instance_cache=True)
    defaults["cache.secret"] = None


def test_an_entry_is_written_signed_and_read_back(s3) -> None:
    store = s3()
    store.save_entry("a" * 32, {"rows": [1, 2, 3]}, {"function": "m.load", "compute_time": 2.5})
    assert s3().retrieve("a" * 32) == {"rows": [1, 2, 3]}
    raw = store.fs.cat_file(store._path("a" * 32))
    assert entry_format.PREFIX.unpack_from(raw, 0)[2] & entry_format.SIGNED
    [entry] = list_entries(s3())
    assert (entry.key, entry.function, entry.compute_time) == ("a" * 32, "m.load", 2.5)


def test_two_writers_overwriting_at_once_leave_one_whole_entry(s3) -> None:
    values = [list(range(i, i + 50_000)) for i in range(2)]
    errors = []

    def write(value) -> None:
        try:
            for _ in range(3):
                s3().save("k" * 32, value)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(v,)) for v in values]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert s3().retrieve("k" * 32) in values


def test_an_entry_copied_under_another_key_is_refused(s3) -> None:
    store = s3()
    store.save("a" * 32, "cheap")
    store.save("b" * 32, "dear")
    store.fs.copy(store._path("a" * 32), store._path("b" * 32))
    with pytest.warns(CorruptEntryWarning, match="written for key"):
        with pytest.raises(CheckpointNotExist):
            s3().retrieve("b" * 32)


def test_an_unsigned_entry_is_refused(s3) -> None:
    store = s3()
    defaults["cache.secret"] = None
    store.save("a" * 32, "planted without the secret")
    defaults["cache.secret"] = "team secret"
    with pytest.warns(CorruptEntryWarning, match="unsigned entry refused"):
        with pytest.raises(CheckpointNotExist):
            s3().retrieve("a" * 32)


def test_gc_evicts_the_least_recently_used(s3) -> None:
    store = s3()
    for i, key in enumerate(("a" * 32, "b" * 32, "c" * 32)):
        store.save(key, b"x" * 1000)
        store.touch([key], 1000.0 + i)
    total = sum(e.size for e in list_entries(s3()))
    chosen = select_for_gc(s3(), total - 1)  # one entry too many: the least recently used goes
    assert [e.key for e in chosen] == ["a" * 32]
    assert s3().delete("a" * 32) and not s3().contains("a" * 32)
