"""The assumptions of a guarded reading (see ``analysis.normalize.pipeline``) that the runtime
checks: about a free name (a module whose attributes run no code, a builtin not shadowed, a
plain value, ``functools.wraps`` decorating a nested def), or about an argument (plain), which
only the checkpointed function's call can check."""

from __future__ import annotations

import builtins
import functools
from types import FunctionType, ModuleType

from .._fingerprint import CodeIdentity, Reading, resolve_free_name
from .._hashing import is_plain
from .._objects import MISSING


def helper_reading(func: FunctionType, identity: CodeIdentity) -> Reading:
    """The reading of a function other than the checkpointed one: the guarded one when each of
    its assumptions is about a free name and holds (a helper has no arguments to check)."""
    if identity.guarded is not None and all(holds(kind, name, func) for kind, name in identity.assumptions):
        return identity.guarded
    return identity.strict


def holds(kind: str, name: str, func: FunctionType) -> bool:
    """Does the assumption ``(kind, name)`` about a free name of ``func`` hold now? (An
    assumption about a parameter, ``("plain", p)``, does not: it needs the call's arguments.)"""
    if kind == "wraps":  # a nested def renamed: its decorator is functools.wraps
        root, _, attribute = name.partition(".")
        value = resolve_free_name(func, root)
        if attribute:
            value = vars(value).get(attribute, MISSING) if type(value) is ModuleType else MISSING
        return value is functools.wraps
    if kind == "plain" and name in func.__code__.co_varnames:
        return False
    value = resolve_free_name(func, name)
    if kind == "plain":
        return value is not MISSING and is_plain(value)
    if kind == "module":  # reading its attributes runs no code
        return type(value) is ModuleType and "__getattr__" not in vars(value)
    if kind == "builtin":
        return value is getattr(builtins, name, MISSING)
    return False

