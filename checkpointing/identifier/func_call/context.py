"""Compatibility alias: a module path of checkpointing 1.0.1. The objects live in
checkpointing._context."""

from ..._context import FuncCallContext

__all__ = ["FuncCallContext"]
