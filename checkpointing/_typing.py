"""Types: the type variables of checkpointing 1.0.1's generic classes
(``CacheBase[ContextId, ReturnValue]``) and :class:`Checkpointed`, what ``@checkpoint`` returns."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Callable, Optional, Protocol, Type, TypeVar, overload

if sys.version_info >= (3, 10):
    from typing import ParamSpec
else:  # pragma: no cover - exercised on Python 3.9 only
    from typing_extensions import ParamSpec

if TYPE_CHECKING:
    from ._explain import Explanation
    from ._usage import CacheInfo

#: the return value of the function
ReturnValue = TypeVar("ReturnValue")
#: the identifier of a function call context (this package's identifiers give ``str`` keys)
ContextId = TypeVar("ContextId")

#: the parameters and the result of a decorated function
P = ParamSpec("P")
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)


class Checkpointed(Protocol[P, R_co]):
    """A function decorated with ``@checkpoint``: called with the function's own parameters, it
    returns its (possibly stored) result; type checkers see the wrapped signature.

    Looked up on an instance (a decorated method), the parameters after ``self`` are not tracked
    by the type (``Checkpointed[..., R]``); note that ``obj.method.rerun`` and ``.explain`` take
    ``self`` explicitly: ``obj.method.rerun(obj, x)``.
    """

    __checkpointing__: Any  # the DecoratorCheckpoint that made it

    @property
    def __wrapped__(self) -> Callable[P, R_co]:
        """The undecorated function."""
        ...

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R_co: ...

    def rerun(self, *args: P.args, **kwargs: P.kwargs) -> R_co:
        """Run unconditionally, overwrite the stored entry, return the new value."""
        ...

    def explain(self, *args: P.args, **kwargs: P.kwargs) -> Explanation:
        """Why a call with these arguments would be served or recomputed, without running it."""
        ...

    def clear(self) -> int:
        """Delete every stored entry of this function; the number deleted."""
        ...

    def cache_info(self) -> CacheInfo:
        """This function's entries in the store, and its hits, misses and time saved."""
        ...

    @overload
    def __get__(self, instance: None, owner: Optional[Type[Any]] = None) -> Checkpointed[P, R_co]: ...

    @overload
    def __get__(self, instance: object, owner: Optional[Type[Any]] = None) -> Checkpointed[..., R_co]: ...
