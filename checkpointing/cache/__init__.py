"""Compatibility alias: a module path of checkpointing 1.0.1. The objects live in
checkpointing.stores."""

from ..stores import CacheBase, InMemoryLRUCache, PickleFileCache

__all__ = ["CacheBase", "InMemoryLRUCache", "PickleFileCache"]
