"""Store fixtures: every store under test (the redis-server fixture is in tests/conftest.py)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

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
