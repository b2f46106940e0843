"""Identifiers turn a call into a key (checkpointing 1.0.1 API)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Optional

from ._config import defaults
from ._context import FuncCallContext
from ._hashing import new_hasher
from ._identity import KeyBuilder


class FuncCallIdentifierBase(ABC):
    """Subclass and implement :meth:`identify` to choose what a call's key depends on."""

    @abstractmethod
    def identify(self, context: FuncCallContext) -> str:
        """The key (a string) of the call described by ``context``."""


class AutoFuncCallIdentifier(FuncCallIdentifierBase):
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

    def identify(self, context: FuncCallContext) -> str:
        builder = KeyBuilder(self.pickle_protocol, self.algorithm, self.deep)
        fp = context.fingerprint
        try:
            bound = context.arguments
        except TypeError:
            return builder.key(fp, None, (context.args, context.kwargs))
        return builder.key(fp, bound)
