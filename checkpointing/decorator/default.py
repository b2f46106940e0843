"""Compatibility alias: a module path of checkpointing 1.0.1. The objects live in
checkpointing._decorator."""

from .._decorator import checkpoint

__all__ = ["checkpoint"]
