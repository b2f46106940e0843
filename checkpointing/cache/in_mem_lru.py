"""Compatibility alias: a module path of checkpointing 1.0.1. The objects live in
checkpointing.stores.memory_lru."""

from ..stores.memory_lru import InMemoryLRUCache

__all__ = ["InMemoryLRUCache"]
