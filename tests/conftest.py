import os
import shutil
import socket
import subprocess
import time

import pytest

from tests.helpers import Project


@pytest.fixture
def project(tmp_path):
    return Project(tmp_path)


@pytest.fixture(autouse=True)
def _isolated_caches(tmp_path, monkeypatch):
    """Every test gets its own store directory, analysis cache and lint cache."""
    from checkpointing import defaults

    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(defaults, "analysis.cache_directory", str(tmp_path / ".analysis-cache"))
    monkeypatch.setenv("CHECKPOINTING_LINT_CACHE", str(tmp_path / ".lint-cache"))
    monkeypatch.setenv("CHECKPOINTING_STRICT", "1")
    yield


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
