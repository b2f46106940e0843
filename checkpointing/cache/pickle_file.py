"""Compatibility alias: a module path of checkpointing 1.0.1. The objects live in
checkpointing.stores.pickle_file."""

from ..stores.pickle_file import PickleFileCache

__all__ = ["PickleFileCache"]
