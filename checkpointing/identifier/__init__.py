"""Compatibility alias: a module path of checkpointing 1.0.1. The objects live in
checkpointing._identifier and ._context."""

from .._context import FuncCallContext
from .._identifier import AutoFuncCallIdentifier, FuncCallIdentifierBase

__all__ = ["AutoFuncCallIdentifier", "FuncCallContext", "FuncCallIdentifierBase"]
