"""Store fixtures: every store under test, including a real redis-server started per session."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> str:
    """A real redis-server for this test session (installed by .ci/run; required under CI)."""
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed: .ci/run installs it with apt-get")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = _free_port()
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                                "no", "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(port=port)
    for _ in range(200):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    else:
        process.kill()
        pytest.fail("redis-server did not start")
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


STORES = ["directory", "file-url", "memory-url", "redis"]


@pytest.fixture(params=STORES)
def store_url(request, tmp_path: Path) -> str:
    """A URL naming a fresh, empty store of each kind."""
    kind = request.param
    if kind == "directory":
        return str(tmp_path / "store")
    if kind == "file-url":
        return f"file://{tmp_path / 'fs-store'}"
    if kind == "memory-url":
        return f"memory://ckpt-{uuid.uuid4().hex}"
    base = request.getfixturevalue("redis_url")
    return base  # each test gets its own prefix through the store fixture


@pytest.fixture
def store(store_url: str):
    from checkpointing import RedisCache, open_store

    if store_url.startswith("redis://"):
        return RedisCache(store_url, prefix=f"test-{uuid.uuid4().hex}:")
    return open_store(store_url)
