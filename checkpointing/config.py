"""Compatibility alias: a module path of checkpointing 1.0.1. The objects live in
checkpointing._config."""

from ._config import defaults

__all__ = ["defaults"]
