"""Stores: where results live. Each store is one module; all follow :class:`CacheBase`."""

from .base import CacheBase, EntryInfo, LockTimeout, SynchronizedCache
from .from_url import open_store
from .fsspec_store import FsspecCache
from .memory_lru import InMemoryLRUCache
from .pickle_file import PickleFileCache
from .redis_store import RedisCache

__all__ = ["CacheBase", "EntryInfo", "FsspecCache", "InMemoryLRUCache", "LockTimeout", "PickleFileCache",
           "RedisCache", "SynchronizedCache", "open_store"]
