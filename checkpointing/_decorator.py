"""The decorator: key -> store.retrieve -> (miss) call -> store.save. No hashing or I/O of its own."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import time
import warnings
from typing import Any, Callable, Generic, List, Optional, Union, cast, overload

from . import _explain, _usage
from ._config import defaults, validate_on_error
from ._context import FuncCallContext
from ._explain import Explanation
from ._identifier import AutoFuncCallIdentifier, FuncCallIdentifierBase
from ._typing import Checkpointed, ContextId, P, R, ReturnValue
from .exceptions import (
    CheckpointFailedError,
    CheckpointFailedWarning,
    CheckpointNotExist,
    ExpensiveOverheadWarning,
    GlobalStatementError,
    HashFailedWarning,
    InvalidArgumentError,
    NonlocalStatementError,
    UnhashableValueError,
)
from .stores import entry_format, trust
from .stores.base import CacheBase, LockTimeout
from .stores.entry_format import EnvironmentMismatch
from .stores.from_url import configured_store, open_store
from .stores.pickle_file import PickleFileCache

logger = logging.getLogger("checkpointing")
_OVERHEAD_TOLERANCE = 0.1


def _warn_at(func: Callable[..., Any], message: str, category: type) -> None:
    """A warning located at the user's function, not inside this library."""
    code = getattr(getattr(func, "__wrapped__", func), "__code__", None)
    if code is None:
        warnings.warn(message, category, stacklevel=3)
        return
    module_globals = getattr(func, "__globals__", None)
    registry = module_globals.setdefault("__warningregistry__", {}) if isinstance(module_globals, dict) else None
    where = (message, category, code.co_filename, code.co_firstlineno, getattr(func, "__module__", None), registry)
    try:
        warnings.warn_explicit(*where, module_globals=module_globals)
    except ValueError:  # 3.13 checks the module's loader (absent for a script run by runpy): no source line then
        warnings.warn_explicit(*where)


class DecoratorCheckpoint(Generic[ContextId, ReturnValue]):
    """A decorator that caches a function's results in ``cache``, keyed by ``identifier``.

    ``on_error`` says what happens when caching itself fails (not when the function raises:
    its exceptions always propagate and nothing is stored): ``"raise"`` raises
    :class:`CheckpointFailedError` with the cause chained; ``"warn"`` (the default, from
    ``defaults["checkpoint.on_error"]``) warns and runs the function uncached; ``"ignore"``
    runs it uncached silently.
    """

    def __init__(self, identifier: FuncCallIdentifierBase[Any], cache: CacheBase[Any, Any], on_error: Optional[str] = None, *,
                 lock: bool = False, lock_timeout: Optional[float] = None, trust_unsigned: bool = False) -> None:
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
        #: load unsigned entries of a store others could write (see stores/trust.py): only for a
        #: store you know only you can write
        self.trust_unsigned = bool(trust_unsigned)

    def __repr__(self) -> str:
        return f"DecoratorCheckpoint(identifier={self.identifier!r}, cache={self.cache!r}, on_error={self.on_error!r})"

    # -- failure policy -----------------------------------------------------------------------

    def _failed(self, func: Callable[..., Any], what: str, exc: BaseException, *, result: Any = None,
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
            _warn_at(func, message, category)

    # -- the decorator ----------------------------------------------------------------------

    def __call__(self, func: Callable[P, R]) -> Checkpointed[P, R]:
        if not callable(func):
            raise TypeError(f"@checkpoint must decorate a function, got {type(func).__name__}")
        identify = self.identifier.identify
        cache = self.cache
        failed = self._failed
        perf = time.perf_counter

        function_id = f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', '?')}"
        components = getattr(self.identifier, "components", None)
        usage = _usage.register(cache, function_id)
        used = usage.keys
        slow_misses = [0]  # misses whose caching took longer than computing (see compute_and_save)
        single_flight = self.lock
        lock_timeout = self.lock_timeout

        def explain(*args: Any, **kwargs: Any) -> Explanation:
            """Why a call with these arguments would be served or recomputed, without running it."""
            context = FuncCallContext(func, args, kwargs)
            if components is None:
                key = identify(context)
                return Explanation(function_id, key, cache.contains(key), [])
            key, parts = components(context)
            previous = cache.latest(function_id)
            explanation = Explanation(function_id, key, cache.contains(key), parts)
            if previous is not None and previous.get("key") != key:
                explanation.previous_key = previous.get("key")
                bound = context.arguments if context.fingerprint.signature is not None else {}
                explanation.changes = _explain.diff(_explain.from_json(previous.get("components")), parts, bound)
            return explanation

        def why_missed(key: str, args: Any, kwargs: Any) -> Optional[Explanation]:
            """Before a save: what changed since this function's last entry (None if unknown)."""
            if components is None:
                return None
            try:
                explanation = explain(*args, **kwargs)
            except Exception as exc:  # explaining must never break the user's program
                logger.debug("could not explain the miss of %s: %s", function_id, exc)
                return None
            return explanation if explanation.key == key else None

        def remember(explanation: Optional[Explanation]) -> None:
            """After a save: log why the call missed, and keep its components for next time."""
            if explanation is None:
                return
            explanation.cached = False
            _explain.log_miss(explanation)
            try:
                cache.record_latest(function_id, explanation.key, _explain.to_json(explanation.components))
            except Exception as exc:
                logger.debug("could not record the latest entry of %s: %s", function_id, exc)

        def compute_and_save(key: Optional[str], args: Any, kwargs: Any, spent: float) -> Any:
            # explained before running: the function may mutate its arguments
            explanation = why_missed(key, args, kwargs) if key is not None else None
            start = perf()
            result = func(*args, **kwargs)
            run_time = perf() - start
            if key is None:
                return result
            usage.misses += 1
            start = perf()
            try:
                cache.save_entry(key, result, {"function": function_id, "created": time.time(),
                                               "compute_time": run_time})
            except Exception as exc:
                failed(func, "saving the result", exc, result=result, has_result=True)
            else:
                remember(explanation)
                _usage.after_save(cache)
            overhead = spent + perf() - start
            # The first call of a process also pays one-time costs (reading or analysing the code),
            # and one slow save can be a scheduler hiccup: only a second slow miss after the first
            # call says that caching this function costs more than running it.
            if overhead > run_time + _OVERHEAD_TOLERANCE and usage.hits + usage.misses > 1:
                slow_misses[0] += 1
                if slow_misses[0] == 2:
                    _warn_at(func, f"checkpointing {getattr(func, '__qualname__', func)}() took longer than running "
                                   f"it ({overhead:.2f}s > {run_time:.2f}s): consider removing @checkpoint from it",
                             ExpensiveOverheadWarning)
            return result

        scalar_key = getattr(self.identifier, "scalar_key", None) if type(self.identifier) is \
            AutoFuncCallIdentifier else None

        def key_of(args: Any, kwargs: Any) -> Optional[str]:
            try:
                if scalar_key is not None:
                    key: Optional[str] = scalar_key(func, args, kwargs)
                    if key is not None:
                        return key
                return identify(FuncCallContext(func, args, kwargs))
            except (GlobalStatementError, NonlocalStatementError):
                raise
            except Exception as exc:
                failed(func, "computing the key", exc)
                return None

        trust_unsigned = self.trust_unsigned
        private: List[Optional[bool]] = [None]  # decided at the first call: True when only you can write the store

        def usable() -> bool:
            """May the store be read and written? Only if nobody else can write it, or entries
            are signed (the warning, when not, is given once per process and store)."""
            if private[0] is None:
                private[0] = trust.untrusted(cache) is None
            return private[0] or trust.readable(cache, trust_unsigned, lambda m, c: _warn_at(func, m, c))

        @functools.wraps(func)
        def checkpointed(*args: Any, **kwargs: Any) -> Any:
            key = key_of(args, kwargs) if private[0] or usable() else None
            if key is None:
                return func(*args, **kwargs)
            start = perf()
            try:
                value = cache.retrieve(key)
            except EnvironmentMismatch as exc:  # written by another environment: look beside it
                found, key, value = another_environment(key, exc)
                if found:
                    return value
            except CheckpointNotExist:
                pass
            except Exception as exc:
                failed(func, "reading the store", exc)
            else:
                usage.hits += 1  # usage.hit(key), inlined: this is the hot path
                used[key] = used.get(key, 0) + 1
                return value
            if single_flight:
                return compute_once(key, args, kwargs, start)
            return compute_and_save(key, args, kwargs, perf() - start)

        def another_environment(key: str, exc: EnvironmentMismatch) -> "tuple[bool, str, Any]":
            """The entry of ``key`` was written in another environment (other versions of the
            libraries its pickle refers to). This environment's entry lives beside it: (True,
            its key, its value) on a hit; else (False, the key to store the result under, None),
            and the miss is explained."""
            variant = entry_format.variant_key(key, exc.tag)
            try:
                value = cache.retrieve(variant)
            except CheckpointNotExist:
                logger.info("%s: recomputed because its stored result was %s; the new result is stored beside it",
                            function_id, exc)
                return False, variant, None
            usage.hits += 1
            used[variant] = used.get(variant, 0) + 1
            return True, variant, value

        def compute_once(key: str, args: Any, kwargs: Any, start: float) -> Any:
            """lock=True: whoever holds the key's lock computes; the others then read its result."""
            timeout = lock_timeout if lock_timeout is not None else float(defaults["cache.lock_timeout"])
            spent = perf() - start  # waiting for another caller's computation is not overhead
            with contextlib.ExitStack() as held:
                try:
                    held.enter_context(cache.lock(key, timeout))
                except LockTimeout as exc:
                    _warn_at(func, f"{exc}; computing {getattr(func, '__qualname__', func)}() here as well",
                             CheckpointFailedWarning)
                except Exception as exc:  # a store that cannot lock must not stop the computation
                    failed(func, "taking the single-flight lock", exc)
                else:
                    try:
                        value = cache.retrieve(key)  # computed by another caller while we waited
                    except CheckpointNotExist:
                        pass
                    except Exception as exc:
                        failed(func, "reading the store", exc)
                    else:
                        usage.hit(key)
                        return value
                return compute_and_save(key, args, kwargs, spent)

        def clear() -> int:
            """Delete every stored entry of this function; the number deleted."""
            from .stores.management import delete_entries, list_entries

            return delete_entries(cache, list_entries(cache, function_id))

        def cache_info() -> "_usage.CacheInfo":
            """This function's entries in the store, and its hits, misses and time saved."""
            return _usage.cache_info(cache, function_id, usage)

        def rerun(*args: Any, **kwargs: Any) -> Any:
            """Run unconditionally, overwrite the entry, return the new value."""
            return compute_and_save(key_of(args, kwargs) if usable() else None, args, kwargs, 0.0)

        done = cast("Checkpointed[P, R]", checkpointed)  # (functools.wraps set __wrapped__)
        done.rerun = rerun  # type: ignore[method-assign]
        done.explain = explain  # type: ignore[method-assign]
        done.clear = clear  # type: ignore[method-assign]
        done.cache_info = cache_info  # type: ignore[method-assign]
        done.__checkpointing__ = self
        return done


@overload
def checkpoint(directory: Callable[P, R]) -> Checkpointed[P, R]: ...


@overload
def checkpoint(directory: Union[str, "os.PathLike[str]", None] = None, on_error: Optional[str] = None,
               cache_pickle_protocol: Optional[int] = None, *, deep: Optional[bool] = None, store: Any = None,
               lock: bool = False, lock_timeout: Optional[float] = None,
               trust_unsigned: bool = False) -> DecoratorCheckpoint[str, Any]: ...


def checkpoint(directory: Any = None, on_error: Optional[str] = None, cache_pickle_protocol: Optional[int] = None,
               *, deep: Optional[bool] = None, store: Any = None, lock: bool = False,
               lock_timeout: Optional[float] = None, trust_unsigned: bool = False) -> Any:
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
                               trust_unsigned=trust_unsigned)

