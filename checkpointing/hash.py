"""Compatibility alias: a module path of checkpointing 1.0.1. The objects live in
checkpointing._hash_anything."""

from ._hash_anything import hash_anything

__all__ = ["hash_anything"]
