"""Stores: where results live. Each store is one module; all follow :class:`CacheBase`.

``RedisCache`` and ``FsspecCache`` are imported when first used (``import checkpointing``
stays fast).
"""

import importlib
from typing import Any

from .base import CacheBase, EntryInfo, LockTimeout, SynchronizedCache
from .from_url import open_store
from .memory_lru import InMemoryLRUCache
from .pickle_file import PickleFileCache

_LAZY = {"RedisCache": "redis_store", "FsspecCache": "fsspec_store"}

__all__ = ["CacheBase", "EntryInfo", "FsspecCache", "InMemoryLRUCache", "LockTimeout", "PickleFileCache",
           "RedisCache", "SynchronizedCache", "open_store"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
