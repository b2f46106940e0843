"""Identifiers turn a call into a key (checkpointing 1.0.1 API)."""

from __future__ import annotations

import sys
import warnings
import weakref
from abc import ABC, abstractmethod
from typing import Any, Generic, List, Optional, Protocol, Tuple, runtime_checkable

from . import _analysis_cache, _fingerprint
from ._config import defaults
from ._context import FuncCallContext
from ._fingerprint import fingerprint
from ._hashing import new_hasher
from ._key import KeyBuilder, ScalarKey
from ._typing import ContextId
from .exceptions import DynamicAccessWarning


class FuncCallIdentifierBase(ABC, Generic[ContextId]):
    """Subclass and implement :meth:`identify` to choose what a call's key depends on."""

    @abstractmethod
    def identify(self, context: FuncCallContext) -> str:
        """The key (a string) of the call described by ``context``."""


@runtime_checkable
class Explaining(Protocol):
    """An identifier that can say what a key is made of (``explain``, the reasons of a miss):
    the key of a call and its components (see ``_explain``)."""

    def components(self, context: FuncCallContext) -> Tuple[str, List[Any]]: ...


class AutoFuncCallIdentifier(FuncCallIdentifierBase[str]):
    """The default identifier: normalized code, bound arguments and the free names' values.

    ``algorithm`` and ``pickle_protocol`` default to ``defaults["hash.algorithm"]`` and
    ``defaults["hash.pickle_protocol"]``. With ``deep=True`` (default
    ``defaults["checkpoint.deep"]``) the key also covers all of the user's own code the function
    can reach: helpers, classes and methods, by their normalized code.
    """

    def __init__(self, algorithm: Optional[str] = None, pickle_protocol: Optional[int] = None, *,
                 deep: Optional[bool] = None) -> None:
        self.algorithm = algorithm if algorithm is not None else defaults["hash.algorithm"]
        self.pickle_protocol = pickle_protocol if pickle_protocol is not None else defaults["hash.pickle_protocol"]
        self.deep = bool(defaults["checkpoint.deep"] if deep is None else deep)
        new_hasher(self.algorithm)  # a bad name fails here, at decoration, with the valid choices

    def __repr__(self) -> str:
        return f"AutoFuncCallIdentifier(algorithm={self.algorithm!r}, deep={self.deep})"

    def scalar_key(self, func: Any, args: Any, kwargs: Any) -> Optional[str]:
        """The hot path: the key of a call with scalar positional arguments of a function that
        reads nothing, without building a context (None: use :meth:`identify`)."""
        if kwargs:
            return None
        fp = fingerprint(func)
        maker = fp.scalar_keys.get((self.deep, self.algorithm), _UNSET)
        if maker is _UNSET:
            try:
                maker = ScalarKey(fp, self.deep, self.algorithm) if ScalarKey.applies(fp) else None
                fp.scalar_keys[(self.deep, self.algorithm)] = maker
            finally:
                _computation_done()  # the function's normalized form, if it was just made
        return maker(args) if maker is not None else None

    def identify(self, context: FuncCallContext) -> str:
        builder = KeyBuilder(self.pickle_protocol, self.algorithm, self.deep)
        key = _key(builder, context)
        if builder.dynamic_sites:
            _warn_dynamic(context.func, builder.dynamic_sites)
        if builder.generators:
            context.generators = builder.generators
        context.plan = builder.plan
        return key

    def components(self, context: FuncCallContext) -> "tuple[str, list[Any]]":
        """The key of the call and its components (see :mod:`checkpointing._explain`)."""
        builder = KeyBuilder(self.pickle_protocol, self.algorithm, self.deep, record=True)
        key = _key(builder, context)
        if builder.generators:
            context.generators = builder.generators
        return key, list(builder.components or [])


def _key(builder: KeyBuilder, context: FuncCallContext) -> str:
    """The key of a call: its arguments bound to the function's parameters (or, when they do
    not bind, as given, so the call fails as it would uncached)."""
    _fingerprint.computations += 1
    try:
        fp = context.fingerprint
        if fp.error is not None:
            raise fp.error
        try:
            bound = context.arguments
        except TypeError:
            return builder.key(fp, None, (context.args, context.kwargs))
        return builder.key(fp, bound)
    finally:
        _computation_ended()


_UNSET = object()


def _computation_ended() -> None:
    _fingerprint.computations -= 1
    if not _fingerprint.computations:
        _computation_done()


def _computation_done() -> None:
    """A key computation ended: write what it analysed, and stop the analysis workers if it
    started them (see ``_prefetch``; imported only by a cold analysis)."""
    _analysis_cache.flush()
    prefetch = sys.modules.get("checkpointing._prefetch")
    if prefetch is not None:
        prefetch.release()


_warned: "weakref.WeakSet[Any]" = weakref.WeakSet()


def _warn_dynamic(checkpointed: Any, sites: Any) -> None:
    """Once per reachable function and process: say which line deep mode cannot follow."""
    for func, line, what in sites:
        if func in _warned:
            continue
        _warned.add(func)
        warnings.warn_explicit(
            f"cannot follow {what} in {func.__qualname__}() ({func.__code__.co_filename}:{line}), reached from "
            f"checkpointed {getattr(checkpointed, '__qualname__', checkpointed)}(): the key now covers every "
            f"member of the classes and modules this code reaches, but code found only through a name computed "
            f"at run time (eval, an import of a computed module name) is not part of it. Use a literal name.",
            DynamicAccessWarning, func.__code__.co_filename, line, module=func.__module__)
