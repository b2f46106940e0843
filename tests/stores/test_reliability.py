"""Stores under stress, with real processes: shared stores, single flight, killed writers,
full disks, and tampering, through the decorator."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
import warnings
from pathlib import Path

import numpy as np
import pytest

from checkpointing import (
    CheckpointFailedWarning,
    CheckpointNotExist,
    CorruptEntryWarning,
    PickleFileCache,
    RedisCache,
    checkpoint,
    defaults,
)
from tests.helpers import Project

SCRIPT = """
    import os, sys, time
    from checkpointing import checkpoint

    @checkpoint(lock=True)
    def slow(x):
        with open(os.path.join(sys.argv[1], f"ran-{x}-{os.getpid()}-{time.time_ns()}"), "w"):
            pass
        time.sleep(0.3)
        return x * 10

    print("OUT", [slow(x) for x in (1, 2, 3)])
    """


def _start(root: Path, env: dict, marks: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "main.py", str(marks)], cwd=root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("kind", ["directory", "redis"])
def test_eight_processes_compute_each_key_once_with_lock(kind: str, tmp_path: Path, request) -> None:
    project = Project(tmp_path).write(SCRIPT)
    marks = tmp_path / "marks"
    marks.mkdir()
    env = dict(project.env)
    if kind == "redis":
        env["CHECKPOINTING_STORE"] = f"{request.getfixturevalue('redis_url')}?prefix=hammer-{uuid.uuid4().hex}:"
        env["CHECKPOINTING_SECRET"] = "the team's secret"  # a shared store is used only signed
    processes = [_start(tmp_path, env, marks) for _ in range(8)]
    outputs = [p.communicate(timeout=120) for p in processes]
    for p, (out, err) in zip(processes, outputs):
        assert p.returncode == 0, err
        assert "OUT [10, 20, 30]" in out
        assert "Warning" not in err, err
    ran = sorted(name.split("-")[1] for name in os.listdir(marks))
    assert ran == ["1", "2", "3"], f"computed more than once: {sorted(os.listdir(marks))}"
    # and a later run is served entirely from the store
    later = _start(tmp_path, env, marks)
    assert "OUT [10, 20, 30]" in later.communicate(timeout=60)[0]
    assert len(os.listdir(marks)) == 3


def test_a_killed_lock_holder_does_not_block_the_others(tmp_path: Path) -> None:
    """flock is released by the kernel when its holder dies."""
    project = Project(tmp_path).write(SCRIPT.replace("time.sleep(0.3)", "time.sleep(60)"))
    marks = tmp_path / "marks"
    marks.mkdir()
    holder = _start(tmp_path, project.env, marks)
    deadline = time.time() + 30
    while not os.listdir(marks) and time.time() < deadline:
        time.sleep(0.05)
    assert os.listdir(marks), "the first process never started computing"
    waiter = subprocess.Popen([sys.executable, "main.py", str(marks)], cwd=tmp_path, env=project.env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    # the waiter takes over x=1 (the killed one) instead of waiting forever; it sleeps 60 s per key,
    # so only check that it started computing key 1 itself
    deadline = time.time() + 30
    while time.time() < deadline and sum(n.startswith("ran-1-") for n in os.listdir(marks)) < 2:
        time.sleep(0.05)
    waiter.kill()
    waiter.wait()
    assert sum(n.startswith("ran-1-") for n in os.listdir(marks)) == 2


def test_an_expired_redis_lease_is_taken_over(redis_url: str) -> None:
    store = RedisCache(redis_url, prefix=f"lease-{uuid.uuid4().hex}:")
    # a holder that died: its lock is there, with a short lease and nobody renewing it
    store.client.set(store._k("l", "k" * 32), "dead-process", px=300)
    start = time.monotonic()
    with store.lock("k" * 32, timeout=10):
        waited = time.monotonic() - start
    assert 0.2 < waited < 5


WRITER = """
    import sys
    import numpy as np
    from checkpointing import open_store

    store = open_store(sys.argv[1])
    value = np.full(4_000_000, float(sys.argv[2]))
    while True:
        store.save("a" * 32, value)
    """


@pytest.mark.parametrize("kind", ["directory", "redis"])
def test_writers_killed_at_random_moments_never_leave_a_wrong_value(kind: str, tmp_path: Path, request) -> None:
    url = str(tmp_path / "store") if kind == "directory" else (
        f"{request.getfixturevalue('redis_url')}?prefix=kill-{uuid.uuid4().hex}:")
    (tmp_path / "writer.py").write_text(textwrap.dedent(WRITER))
    rng = np.random.default_rng(0)
    from checkpointing import open_store

    store = open_store(url)
    if isinstance(store, RedisCache):
        store.chunk_size = 1 << 20
    for i in range(6):
        writer = subprocess.Popen([sys.executable, "writer.py", url, str(i)], cwd=tmp_path,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(0.6 + rng.random() * 0.6)
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a torn entry would warn
            try:
                value = store.retrieve("a" * 32)
            except CheckpointNotExist:
                continue
        assert value.shape == (4_000_000,) and value[0] == value[-1] and float(value[0]).is_integer()
    if kind == "directory":
        leftovers = [p for p in (tmp_path / "store").rglob("*.tmp")]
        assert len(leftovers) <= 6  # a killed writer may leave its temporary file, never a bad entry


def test_a_full_disk_returns_the_value_with_a_warning(tmp_path: Path, monkeypatch) -> None:
    store = tmp_path / "store"

    @checkpoint(directory=store)
    def compute(x):
        return np.arange(100_000) * x

    real_write = os.write

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.warns(CheckpointFailedWarning, match="No space left on device"):
        result = compute(3)
    assert np.array_equal(result, np.arange(100_000) * 3)
    monkeypatch.setattr(os, "write", real_write)
    assert not list(store.rglob("*.tmp")), "a failed save left a temporary file"
    assert not list(store.rglob("*.ckpt"))
    assert np.array_equal(compute(3), result)  # with space again, it is stored
    assert len(list(store.rglob("*.ckpt"))) == 1


def test_an_unwritable_store_returns_the_value_with_a_warning(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")

    @checkpoint(directory=blocker / "store")
    def compute(x):
        return x + 1

    with pytest.warns(CheckpointFailedWarning):
        assert compute(1) == 2


def test_tampered_signed_entries_are_refused_through_the_decorator(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(defaults, "cache.secret", b"k" * 32)

    @checkpoint(directory=tmp_path / "store")
    def compute(x):
        return {"value": x}

    assert compute(1) == {"value": 1}
    (entry,) = list((tmp_path / "store").rglob("*.ckpt"))
    data = bytearray(entry.read_bytes())
    data[-33] ^= 0xFF  # the last byte before the signature
    entry.write_bytes(bytes(data))
    with pytest.warns(CorruptEntryWarning, match="signature mismatch"):
        assert compute(1) == {"value": 1}
    assert entry.read_bytes() != bytes(data)  # recomputed and stored again, signed


def test_new_store_directories_are_private(tmp_path: Path) -> None:
    store = PickleFileCache(tmp_path / "store")
    store.save("b" * 32, 1)
    assert (tmp_path / "store").stat().st_mode & 0o777 == 0o700
    assert store.path_for("b" * 32).stat().st_mode & 0o777 == 0o600


def test_store_chosen_by_environment_url(tmp_path: Path, redis_url: str) -> None:
    project = Project(tmp_path).write("""
        from checkpointing import checkpoint

        @checkpoint
        def f(x):
            print("RUN")
            return x * 2

        print("OUT", f(21))
        """)
    env = {"CHECKPOINTING_STORE": f"{redis_url}?prefix=env-{uuid.uuid4().hex}:",
           "CHECKPOINTING_TRUST_UNSIGNED": "1"}  # this test's own server
    first, second = project.run(extra_env=env), project.run(extra_env=env)
    assert (first.ran, second.ran) == (1, 0) and first.out == second.out == ["42"]
    assert not (tmp_path / ".checkpointing").exists()


def test_lock_on_an_unwritable_store_still_returns_the_value(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")

    @checkpoint(directory=blocker / "store", lock=True)
    def compute(x):
        return x + 1

    with pytest.warns(CheckpointFailedWarning):
        assert compute(1) == 2


def test_lock_timeout_computes_anyway_with_a_warning(tmp_path: Path) -> None:
    import threading

    store = PickleFileCache(tmp_path / "store")

    @checkpoint(store=store, lock=True, lock_timeout=0.2)
    def compute(x):
        return x * 3

    from checkpointing import FuncCallContext
    from checkpointing._identifier import AutoFuncCallIdentifier

    key = AutoFuncCallIdentifier().identify(FuncCallContext(compute.__wrapped__, (2,), {}))
    entered, release = threading.Event(), threading.Event()

    def hold() -> None:
        with store.lock(key, timeout=5):
            entered.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    entered.wait(5)
    try:
        with pytest.warns(CheckpointFailedWarning, match=r"waited 0.2s .* computing .*compute\(\) here as well"):
            assert compute(2) == 6
    finally:
        release.set()
        holder.join()
