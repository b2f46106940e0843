"""Stores: where results live. Each store is one module; all follow :class:`CacheBase`."""

from .base import CacheBase, SynchronizedCache
from .memory_lru import InMemoryLRUCache
from .pickle_file import PickleFileCache

__all__ = ["CacheBase", "InMemoryLRUCache", "PickleFileCache", "SynchronizedCache"]
