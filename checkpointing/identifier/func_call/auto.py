"""Compatibility alias: a module path of checkpointing 1.0.1. The objects live in
checkpointing._identifier."""

from ..._identifier import AutoFuncCallIdentifier

__all__ = ["AutoFuncCallIdentifier"]
