"""The decorator: ``checkpoint(...)`` and :class:`DecoratorCheckpoint` (checkpointing 1.0.1's),
which hold the settings (identifier, store, failure policy, single flight) and make a
:class:`~checkpointing._checkpointed.CheckpointedFunction` of each function they decorate."""

from __future__ import annotations

import os
from typing import Any, Callable, Generic, Optional, Sequence, Union, overload

from ._checkpointed import CheckpointedFunction, warn_at
from ._config import defaults, validate_on_error
from ._identifier import AutoFuncCallIdentifier, FuncCallIdentifierBase
from ._typing import Checkpointed, ContextId, P, R, ReturnValue
from .exceptions import (
    CheckpointFailedError,
    CheckpointFailedWarning,
    HashFailedWarning,
    InvalidArgumentError,
    UnhashableValueError,
)
from .stores.base import CacheBase
from .stores.from_url import configured_store, open_store
from .stores.pickle_file import PickleFileCache


class DecoratorCheckpoint(Generic[ContextId, ReturnValue]):
    """A decorator that caches a function's results in ``cache``, keyed by ``identifier``.

    ``on_error`` says what happens when caching itself fails (not when the function raises:
    its exceptions always propagate and nothing is stored): ``"raise"`` raises
    :class:`CheckpointFailedError` with the cause chained; ``"warn"`` (the default, from
    ``defaults["checkpoint.on_error"]``) warns and runs the function uncached; ``"ignore"``
    runs it uncached silently.
    """

    def __init__(self, identifier: FuncCallIdentifierBase[Any], cache: CacheBase[Any, Any], on_error: Optional[str] = None, *,
                 lock: bool = False, lock_timeout: Optional[float] = None, trust_unsigned: bool = False,
                 inputs: Optional[bool] = None, inputs_ignore: Sequence[str] = ()) -> None:
        if not isinstance(identifier, FuncCallIdentifierBase):
            raise InvalidArgumentError(f"identifier must be a FuncCallIdentifierBase instance (such as "
                                       f"AutoFuncCallIdentifier()), got {type(identifier).__name__}")
        if not isinstance(cache, CacheBase):
            raise InvalidArgumentError(f"cache must be a CacheBase instance (such as PickleFileCache()), got "
                                       f"{type(cache).__name__}")
        self.identifier = identifier
        self.cache = cache
        self.on_error = validate_on_error(on_error if on_error is not None else defaults["checkpoint.on_error"])
        #: single flight: one caller computes a key while the others wait for its result
        self.lock = bool(lock)
        self.lock_timeout = lock_timeout
        if lock:  # said at decoration, not at the first call that finds the key locked
            _seconds(lock_timeout if lock_timeout is not None else defaults["cache.lock_timeout"],
                     "lock_timeout" if lock_timeout is not None else 'defaults["cache.lock_timeout"]')
        #: load unsigned entries of a store others could write (see stores/trust.py): only for a
        #: store you know only you can write
        self.trust_unsigned = bool(trust_unsigned)
        #: record the files a computation reads (None: defaults["checkpoint.inputs"], $CHECKPOINTING_INPUTS)
        self.inputs = None if inputs is None else bool(inputs)
        if isinstance(inputs_ignore, (str, bytes)) or not all(isinstance(p, str) for p in inputs_ignore):
            raise InvalidArgumentError(f"inputs_ignore must be a list of glob patterns (strings), such as "
                                       f"['logs/*', '*.lock'], got {inputs_ignore!r}")
        self.inputs_ignore = tuple(inputs_ignore)

    def __repr__(self) -> str:
        return f"DecoratorCheckpoint(identifier={self.identifier!r}, cache={self.cache!r}, on_error={self.on_error!r})"

    # -- failure policy -----------------------------------------------------------------------

    def handle_failure(self, func: Callable[..., Any], what: str, exc: BaseException, *, result: Any = None,
                       has_result: bool = False) -> None:
        name = getattr(func, "__qualname__", repr(func))
        if isinstance(exc, UnhashableValueError):
            message = f"cannot compute the key of {name}(): {exc}. It ran uncached."
            category: type = HashFailedWarning
        else:
            message = f"checkpointing {name}() failed while {what}: {type(exc).__name__}: {exc}. " + (
                "Its result was returned but not stored." if has_result else "It ran uncached.")
            category = CheckpointFailedWarning
        if self.on_error == "raise":
            raise CheckpointFailedError(message, result=result, has_result=has_result) from exc
        if self.on_error == "warn":
            warn_at(func, message, category)

    # -- the decorator ----------------------------------------------------------------------

    def __call__(self, func: Callable[P, R]) -> Checkpointed[P, R]:
        if not callable(func):
            raise TypeError(f"@checkpoint must decorate a function, got {type(func).__name__}")
        return CheckpointedFunction(func, self).wrapper()


@overload
def checkpoint(directory: Callable[P, R]) -> Checkpointed[P, R]: ...


@overload
def checkpoint(directory: Union[str, "os.PathLike[str]", None] = None, on_error: Optional[str] = None,
               cache_pickle_protocol: Optional[int] = None, *, deep: Optional[bool] = None, store: Any = None,
               lock: bool = False, lock_timeout: Optional[float] = None,
               trust_unsigned: bool = False, inputs: Optional[bool] = None,
               inputs_ignore: Sequence[str] = ()) -> DecoratorCheckpoint[str, Any]: ...


def checkpoint(directory: Any = None, on_error: Optional[str] = None, cache_pickle_protocol: Optional[int] = None,
               *, deep: Optional[bool] = None, store: Any = None, lock: bool = False,
               lock_timeout: Optional[float] = None, trust_unsigned: bool = False, inputs: Optional[bool] = None,
               inputs_ignore: Sequence[str] = ()) -> Any:
    """Cache a function's results on disk, keyed by its normalized code, arguments and the globals it reads.

    Use as ``@checkpoint``, ``@checkpoint()`` or ``@checkpoint(directory="d")``.

    Parameters
    ----------
    directory : path, optional
        Where entries are stored; default ``defaults["cache.filesystem.directory"]`` (``.checkpointing``).
    on_error : {"warn", "raise", "ignore"}, optional
        What to do when caching fails; default ``defaults["checkpoint.on_error"]`` (``"warn"``).
    cache_pickle_protocol : int, optional
        Pickle protocol of stored results; default ``defaults["cache.pickle_protocol"]`` (5).
    deep : bool, optional
        Also key on all of your own code the function can reach (helpers, classes, methods of
        its arguments), by normalized code; default ``defaults["checkpoint.deep"]`` (False).
    store : CacheBase or str, optional
        Where entries live: a store object or a URL (``redis://host:6379/0``,
        ``s3://bucket/prefix``, ``memory://name``, ``file:///path``); default
        ``defaults["cache.store"]``, then ``$CHECKPOINTING_STORE``, then the directory store.
        Not together with ``directory``.
    lock : bool
        Single flight: when several processes or threads miss the same key at once, one computes
        it while the others wait (up to ``lock_timeout`` seconds, default
        ``defaults["cache.lock_timeout"]``) and then read its result.
    trust_unsigned : bool
        Load unsigned entries from a store that others could write (a Redis server, an object
        store, a group-writable folder). Without it, and without ``CHECKPOINTING_SECRET``, such a
        store is not used at all, because unpickling an entry runs its code: pass it only for a
        store you know only you can write (see docs/security.md).
    inputs : bool, optional
        Record the files the function reads and the folders it lists while it computes, and
        recompute when one of them changed (see docs/behaviour.md); default
        ``defaults["checkpoint.inputs"]`` (True), off with ``CHECKPOINTING_INPUTS=0``.
    inputs_ignore : list of str
        Glob patterns of paths that are not inputs (``["logs/*", "*.lock"]``), matched against
        the path relative to the working directory and the absolute path.
    """
    if callable(directory) and not isinstance(directory, (str, bytes)) and not hasattr(directory, "__fspath__"):
        return checkpoint()(directory)
    identifier = AutoFuncCallIdentifier(deep=deep)
    if store is not None and directory is not None:
        raise ValueError("give either directory= (the directory store) or store= (any store), not both")
    if store is not None:
        cache = open_store(store, cache_pickle_protocol)
    elif directory is None:
        cache = configured_store(cache_pickle_protocol) or PickleFileCache(None, cache_pickle_protocol)
    else:
        cache = PickleFileCache(directory, cache_pickle_protocol)
    return DecoratorCheckpoint(identifier, cache, on_error, lock=lock, lock_timeout=lock_timeout,
                               trust_unsigned=trust_unsigned, inputs=inputs, inputs_ignore=inputs_ignore)


def _seconds(value: Any, name: str) -> float:
    """A duration in seconds, or an error naming the setting."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise InvalidArgumentError(f"{name} must be a number of seconds (0 or more), such as 600, got {value!r}")
    return float(value)
