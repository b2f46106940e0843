"""Compatibility alias: a module path of checkpointing 1.0.1. The objects live in
checkpointing.stores.base."""

from ..stores.base import CacheBase, SynchronizedCache

__all__ = ["CacheBase", "SynchronizedCache"]
