"""One decorated function: key -> store.retrieve -> (miss) call -> store.save, and its
``rerun``, ``explain``, ``clear`` and ``cache_info`` (the role of joblib's ``MemorizedFunc``).

:class:`CheckpointedFunction` holds the state and the logic. What ``@checkpoint`` returns is
still a plain Python function (made by :meth:`CheckpointedFunction.wrapper`) that forwards to
it, so that everything that treats functions specially keeps doing so: a decorated method binds
to its instance, ``pickle`` and ``copy`` refer to it by its qualified name, ``inspect`` sees the
wrapped signature, and a key that meets it (another checkpointed function called by this one,
or passed as an argument) identifies it by the code it wraps, never by a name.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import time
import warnings
from typing import TYPE_CHECKING, Any, Callable, Optional, Tuple, cast

from . import _explain, _usage, _verify
from ._config import defaults
from ._context import FuncCallContext
from ._explain import Explanation
from ._identifier import AutoFuncCallIdentifier
from ._typing import Checkpointed, P, R
from .exceptions import (
    CheckpointFailedWarning,
    CheckpointNotExist,
    ExpensiveOverheadWarning,
    GlobalStatementError,
    NonlocalStatementError,
)
from .stores import entry_format, trust
from .stores.base import LockTimeout
from .stores.entry_format import EnvironmentMismatch

if TYPE_CHECKING:
    from ._decorator import DecoratorCheckpoint

logger = logging.getLogger("checkpointing")
#: seconds by which caching a result may exceed computing it before it counts as a slow miss
OVERHEAD_TOLERANCE = 0.1


def warn_at(func: Callable[..., Any], message: str, category: type) -> None:
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


class CheckpointedFunction:
    """``func`` cached in the store of ``decorator`` (a :class:`DecoratorCheckpoint`)."""

    def __init__(self, func: Callable[..., Any], decorator: DecoratorCheckpoint[Any, Any]) -> None:
        self.func = func
        self.decorator = decorator
        self.cache = decorator.cache
        identifier = decorator.identifier
        self._identify = identifier.identify
        #: (key, parts) of a call, for explanations; None for identifiers that cannot tell
        self._components = getattr(identifier, "components", None)
        #: the fast key of calls with plain arguments (our own identifier only)
        self._scalar_key = getattr(identifier, "scalar_key", None) if type(identifier) is \
            AutoFuncCallIdentifier else None
        self.function_id = f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', '?')}"
        self.usage = _usage.register(self.cache, self.function_id)
        #: misses whose caching took longer than computing (see _compute_and_save)
        self._slow_misses = 0
        #: decided at the first call: True when only you can write the store
        self._private: Optional[bool] = None

    def __repr__(self) -> str:
        return f"CheckpointedFunction({self.function_id}, cache={self.cache!r})"

    def wrapper(self) -> Checkpointed[P, R]:
        """The function ``@checkpoint`` returns: ``func``'s name, signature and documentation,
        with ``rerun``, ``explain``, ``clear`` and ``cache_info``."""
        call = self.call

        @functools.wraps(self.func)
        def checkpointed(*args: Any, **kwargs: Any) -> Any:
            return call(args, kwargs)

        done = cast("Checkpointed[P, R]", checkpointed)  # (functools.wraps set __wrapped__)
        done.rerun = self.rerun  # type: ignore[method-assign]
        done.explain = self.explain  # type: ignore[method-assign]
        done.clear = self.clear  # type: ignore[method-assign]
        done.cache_info = self.cache_info  # type: ignore[method-assign]
        done.__checkpointing__ = self.decorator
        return done

    # -- a call: the hot path -------------------------------------------------------------------

    def call(self, args: Tuple[Any, ...], kwargs: Any) -> Any:
        """The stored result of ``func(*args, **kwargs)``, computed and stored on a miss."""
        key = self._key_of(args, kwargs) if self._private or self._usable() else None
        if key is None:
            return self.func(*args, **kwargs)
        start = time.perf_counter()
        cache = self.cache
        try:
            value = cache.retrieve(key)
        except EnvironmentMismatch as exc:  # written by another environment: look beside it
            found, key, value = self._another_environment(key, exc)
            if found:
                return self._served(key, value, args, kwargs)
        except CheckpointNotExist:
            pass
        except Exception as exc:
            self._failed("reading the store", exc)
        else:
            usage = self.usage
            usage.hits += 1  # usage.hit(key), inlined: this is the hot path
            used = usage.keys
            used[key] = used.get(key, 0) + 1
            if _verify.VERIFIER is not None:  # CHECKPOINTING_VERIFY: recompute and compare
                return _verify.VERIFIER.check(self, key, value, args, kwargs)
            return value
        if self.decorator.lock:
            return self._compute_once(key, args, kwargs, start)
        return self._compute_and_save(key, args, kwargs, time.perf_counter() - start)

    def _served(self, key: str, value: Any, args: Tuple[Any, ...], kwargs: Any) -> Any:
        """What a hit returns: the stored value, unless verification recomputes it."""
        return value if _verify.VERIFIER is None else _verify.VERIFIER.check(self, key, value, args, kwargs)

    def _key_of(self, args: Tuple[Any, ...], kwargs: Any) -> Optional[str]:
        """The call's key; None when it cannot be computed (the failure policy has spoken)."""
        try:
            if self._scalar_key is not None:
                key: Optional[str] = self._scalar_key(self.func, args, kwargs)
                if key is not None:
                    return key
            return self._identify(FuncCallContext(self.func, args, kwargs))
        except (GlobalStatementError, NonlocalStatementError):
            raise
        except Exception as exc:
            self._failed("computing the key", exc)
            return None

    def _usable(self) -> bool:
        """May the store be read and written? Only if nobody else can write it, or entries
        are signed (the warning, when not, is given once per process and store)."""
        if self._private is None:
            self._private = trust.untrusted(self.cache) is None
        return self._private or trust.readable(self.cache, self.decorator.trust_unsigned,
                                               lambda m, c: warn_at(self.func, m, c))

    def _failed(self, what: str, exc: BaseException, *, result: Any = None, has_result: bool = False) -> None:
        self.decorator.handle_failure(self.func, what, exc, result=result, has_result=has_result)

    # -- a miss -----------------------------------------------------------------------------------

    def _compute_and_save(self, key: Optional[str], args: Tuple[Any, ...], kwargs: Any, spent: float) -> Any:
        perf = time.perf_counter
        # explained before running: the function may mutate its arguments
        explanation = self._why_missed(key, args, kwargs) if key is not None else None
        start = perf()
        result = self.func(*args, **kwargs)
        run_time = perf() - start
        if key is None:
            return result
        usage = self.usage
        usage.misses += 1
        start = perf()
        try:
            self.cache.save_entry(key, result, {"function": self.function_id, "created": time.time(),
                                                "compute_time": run_time})
        except Exception as exc:
            self._failed("saving the result", exc, result=result, has_result=True)
        else:
            self._remember(explanation)
            _usage.after_save(self.cache)
        overhead = spent + perf() - start
        # The first call of a process also pays one-time costs (reading or analysing the code),
        # and one slow save can be a scheduler hiccup: only a second slow miss after the first
        # call says that caching this function costs more than running it.
        if overhead > run_time + OVERHEAD_TOLERANCE and usage.hits + usage.misses > 1:
            self._slow_misses += 1
            if self._slow_misses == 2:
                warn_at(self.func, f"checkpointing {self._name}() took longer than running it ({overhead:.2f}s > "
                                   f"{run_time:.2f}s): consider removing @checkpoint from it",
                        ExpensiveOverheadWarning)
        return result

    @property
    def _name(self) -> str:
        return str(getattr(self.func, "__qualname__", self.func))

    def _another_environment(self, key: str, exc: EnvironmentMismatch) -> Tuple[bool, str, Any]:
        """The entry of ``key`` was written in another environment (other versions of the
        libraries its pickle refers to). This environment's entry lives beside it: (True,
        its key, its value) on a hit; else (False, the key to store the result under, None),
        and the miss is explained."""
        variant = entry_format.variant_key(key, exc.tag)
        try:
            value = self.cache.retrieve(variant)
        except CheckpointNotExist:
            logger.info("%s: recomputed because its stored result was %s; the new result is stored beside it",
                        self.function_id, exc)
            return False, variant, None
        self.usage.hit(variant)
        return True, variant, value

    def _compute_once(self, key: str, args: Tuple[Any, ...], kwargs: Any, start: float) -> Any:
        """lock=True: whoever holds the key's lock computes; the others then read its result."""
        decorator = self.decorator
        timeout = decorator.lock_timeout if decorator.lock_timeout is not None \
            else float(defaults["cache.lock_timeout"])
        spent = time.perf_counter() - start  # waiting for another caller's computation is not overhead
        with contextlib.ExitStack() as held:
            try:
                held.enter_context(self.cache.lock(key, timeout))
            except LockTimeout as exc:
                warn_at(self.func, f"{exc}; computing {self._name}() here as well", CheckpointFailedWarning)
            except Exception as exc:  # a store that cannot lock must not stop the computation
                self._failed("taking the single-flight lock", exc)
            else:
                try:
                    value = self.cache.retrieve(key)  # computed by another caller while we waited
                except CheckpointNotExist:
                    pass
                except Exception as exc:
                    self._failed("reading the store", exc)
                else:
                    self.usage.hit(key)
                    return self._served(key, value, args, kwargs)
            return self._compute_and_save(key, args, kwargs, spent)

    # -- explaining a miss ------------------------------------------------------------------------

    def _why_missed(self, key: str, args: Tuple[Any, ...], kwargs: Any) -> Optional[Explanation]:
        """Before a save: what changed since this function's last entry (None if unknown)."""
        if self._components is None:
            return None
        try:
            explanation = self.explain(*args, **kwargs)
        except Exception as exc:  # explaining must never break the user's program
            logger.debug("could not explain the miss of %s: %s", self.function_id, exc)
            return None
        return explanation if explanation.key == key else None

    def _remember(self, explanation: Optional[Explanation]) -> None:
        """After a save: log why the call missed, and keep its components for next time."""
        if explanation is None:
            return
        explanation.cached = False
        _explain.log_miss(explanation)
        try:
            self.cache.record_latest(self.function_id, explanation.key, _explain.to_json(explanation.components))
        except Exception as exc:
            logger.debug("could not record the latest entry of %s: %s", self.function_id, exc)

    # -- the decorated function's own methods -----------------------------------------------------

    def explain(self, *args: Any, **kwargs: Any) -> Explanation:
        """Why a call with these arguments would be served or recomputed, without running it."""
        context = FuncCallContext(self.func, args, kwargs)
        cache = self.cache
        if self._components is None:
            key = self._identify(context)
            return Explanation(self.function_id, key, cache.contains(key), [])
        key, parts = self._components(context)
        previous = cache.latest(self.function_id)
        explanation = Explanation(self.function_id, key, cache.contains(key), parts)
        if previous is not None and previous.get("key") != key:
            explanation.previous_key = previous.get("key")
            bound = context.arguments if context.fingerprint.signature is not None else {}
            explanation.changes = _explain.diff(_explain.from_json(previous.get("components")), parts, bound)
        return explanation

    def rerun(self, *args: Any, **kwargs: Any) -> Any:
        """Run unconditionally, overwrite the entry, return the new value."""
        return self._compute_and_save(self._key_of(args, kwargs) if self._usable() else None, args, kwargs, 0.0)

    def clear(self) -> int:
        """Delete every stored entry of this function; the number deleted."""
        from .stores.management import delete_entries, list_entries

        return delete_entries(self.cache, list_entries(self.cache, self.function_id))

    def cache_info(self) -> _usage.CacheInfo:
        """This function's entries in the store, and its hits, misses and time saved."""
        return _usage.cache_info(self.cache, self.function_id, self.usage)
