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
import os
import time
import warnings
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Set, Tuple, cast

from . import _explain, _inputs, _replay, _usage, _verify
from ._config import analysis_cache_directory, defaults
from ._context import FuncCallContext
from ._explain import Explanation
from ._identifier import AutoFuncCallIdentifier, Explaining
from ._objects import MISSING
from ._run_record import Outcome, RunRecord
from ._typing import Checkpointed, P, R
from .exceptions import (
    CheckpointFailedWarning,
    CheckpointNotExist,
    ExpensiveOverheadWarning,
    GlobalStatementError,
    NonlocalStatementError,
    UnstableKeyWarning,
)
from .stores import entry_format, trust
from .stores.base import LockTimeout
from .stores.entry_format import EnvironmentMismatch

if TYPE_CHECKING:
    from ._decorator import DecoratorCheckpoint

logger = logging.getLogger("checkpointing")
#: seconds by which caching a result may exceed computing it before it counts as a slow miss
OVERHEAD_TOLERANCE = 0.1
_NO_KEY: Tuple[None, None] = (None, None)
#: inputs the person running the program chooses: a change of one is never "by itself"
_CHOSEN_INPUTS = ("argument", "environment", "argv")





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
    except (ValueError, ImportError):  # the module's loader cannot give its source (3.13 checks it; a script run
        warnings.warn_explicit(*where)  # by runpy, or `python -c`, whose __main__ has the built-in loader)


class CheckpointedFunction:
    """``func`` cached in the store of ``decorator`` (a :class:`DecoratorCheckpoint`)."""

    def __init__(self, func: Callable[..., Any], decorator: DecoratorCheckpoint[Any, Any]) -> None:
        self.func = func
        self.decorator = decorator
        self.cache = decorator.cache
        identifier = decorator.identifier
        self._identify = identifier.identify
        #: (key, parts) of a call, for explanations; None for identifiers that cannot tell
        self._components = identifier.components if isinstance(identifier, Explaining) else None
        #: the fast key of calls with plain arguments (our own identifier only, not a subclass's)
        self._scalar_key = identifier.scalar_key if type(identifier) is AutoFuncCallIdentifier else None
        self.function_id = f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', '?')}"
        self.usage = _usage.register(self.cache, self.function_id)
        #: misses whose caching took longer than computing (see _compute_and_save)
        self._slow_misses = 0
        #: decided at the first call: True when only you can write the store
        self._private: Optional[bool] = None
        #: warnings given once per function and process
        self._told: Set[str] = set()
        #: keys under which this process stored results that depend on generators' states: a later
        #: call with the same key finds the generators moved on by the program, not unseeded
        self._conditional_keys: Set[str] = set()

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
        key, context = self._key_of(args, kwargs) if self._private or self._usable() else _NO_KEY
        if key is None:
            return self.func(*args, **kwargs)
        start = time.perf_counter()
        cache = self.cache
        try:
            value = cache.retrieve(key)
        except EnvironmentMismatch as exc:  # written by another environment: look beside it
            found, key, value = self._another_environment(key, exc)
            if found:
                return self._served(key, value, args, kwargs, context)
        except CheckpointNotExist:
            pass
        except Exception as exc:
            self._failed("reading the store", exc)
        else:
            if type(value) in _replay.STORED_FORMS:  # its computation used random generators
                return self._stored_form(key, value, args, kwargs, context, start)
            usage = self.usage
            usage.hits += 1  # usage.hit(key), inlined: this is the hot path
            used = usage.keys
            used[key] = used.get(key, 0) + 1
            if _verify.VERIFIER is not None:  # CHECKPOINTING_VERIFY: recompute and compare
                return _verify.VERIFIER.check(self, key, value, args, kwargs)
            return value
        if self.decorator.lock:
            return self._compute_once(key, args, kwargs, start, context)
        return self._compute_and_save(key, args, kwargs, time.perf_counter() - start, context)

    def _served(self, key: str, value: Any, args: Tuple[Any, ...], kwargs: Any,
                context: Optional[FuncCallContext] = None) -> Any:
        """What a hit returns: the stored value (after setting the generators its computation
        used as it left them), unless verification recomputes it."""
        if type(value) is _replay.Recorded:
            if not value.effects and _verify.VERIFIER is None:  # (stored for its inputs only)
                return value.value
            state = _replay.CallState(context)
            result = value.value
            if _verify.VERIFIER is not None:
                result = _verify.VERIFIER.check(self, key, result, args, kwargs, state.snapshot(), value.inputs)
            state.apply(value.effects)
            return result
        return value if _verify.VERIFIER is None else _verify.VERIFIER.check(self, key, value, args, kwargs)

    def _stored_form(self, key: str, value: Any, args: Tuple[Any, ...], kwargs: Any,
                     context: Optional[FuncCallContext], start: float) -> Any:
        """A hit on an entry stored with what its computation did to random generators (see
        ``_replay``): a :class:`~checkpointing._replay.Recorded` result, or a
        :class:`~checkpointing._replay.Conditional` that sends the call to the result computed
        with the generators in their current states."""
        if type(value) is _replay.Recorded:
            why = self._inputs_changed(value)
            if why is not None:
                return self._compute_and_save(key, args, kwargs, time.perf_counter() - start, context,
                                              inputs_changed=why)
            self.usage.hit(key)
            return self._served(key, value, args, kwargs, context)
        states = _replay.CallState(context).states(value.labels)
        if states is not None:
            variant = _replay.variant_key(key, states)
            found = self._look_up(variant)
            if type(found) is _replay.Recorded:
                why = self._inputs_changed(found)
                if why is not None:
                    return self._compute_and_save(key, args, kwargs, time.perf_counter() - start, context, value,
                                                  inputs_changed=why)
                self.usage.hit(variant)
                return self._served(variant, found, args, kwargs, context)
        if key not in self._conditional_keys and value.sources == _explain.sources_signature():
            self._unseeded(value.labels)  # an earlier run of the same program found other states
        return self._compute_and_save(key, args, kwargs, time.perf_counter() - start, context, value)

    def _inputs_changed(self, value: "_replay.Recorded") -> Optional[str]:
        """Why the files the entry's computation read differ now (None: served). A hit inside a
        computation being recorded passes them on: they are that computation's inputs too."""
        if not value.inputs or not _inputs.enabled(self.decorator.inputs):
            return None
        why = _inputs.changed(value.inputs)
        if why is None:
            _inputs.inherit(value.inputs)
        return why

    def _input_record(self) -> Optional[_inputs.InputRecord]:
        """What records the files a computation reads (None: not recorded for this function)."""
        decorator = self.decorator
        if not _inputs.enabled(decorator.inputs):
            return None
        store = getattr(self.cache, "directory", None) or getattr(getattr(self.cache, "_cache", None), "directory", None)
        return _inputs.InputRecord(decorator.inputs_ignore, [os.fspath(store) if store else "",
                                                             analysis_cache_directory()])

    def _look_up(self, key: str) -> Any:
        """The value stored under ``key``; MISSING on a miss, or when the store failed (the
        failure policy has spoken)."""
        try:
            return self.cache.retrieve(key)
        except CheckpointNotExist:
            return MISSING
        except Exception as exc:
            self._failed("reading the store", exc)
            return MISSING

    def _key_of(self, args: Tuple[Any, ...], kwargs: Any) -> Tuple[Optional[str], Optional[FuncCallContext]]:
        """The call's key (None when it cannot be computed: the failure policy has spoken), and the
        context it was computed from (None on the scalar fast path)."""
        try:
            if self._scalar_key is not None:
                key: Optional[str] = self._scalar_key(self.func, args, kwargs)
                if key is not None:
                    return key, None
            context = FuncCallContext(self.func, args, kwargs)
            return self._identify(context), context
        except (GlobalStatementError, NonlocalStatementError):
            raise
        except Exception as exc:
            self._failed("computing the key", exc)
            return None, None

    def _usable(self) -> bool:
        """May the store be read and written? Only if nobody else can write it, or entries
        are signed (the warning, when not, is given once per process and store)."""
        private = self._private
        if private is None:
            private = trust.untrusted(self.cache) is None
            if trust.settled(self.cache):  # (not while its folder does not exist: asked again next call)
                self._private = private
        return private or trust.readable(self.cache, self.decorator.trust_unsigned,
                                         lambda m, c: warn_at(self.func, m, c))

    def _failed(self, what: str, exc: BaseException, *, result: Any = None, has_result: bool = False) -> None:
        self.decorator.handle_failure(self.func, what, exc, result=result, has_result=has_result)

    # -- a miss -----------------------------------------------------------------------------------

    def _compute_and_save(self, key: Optional[str], args: Tuple[Any, ...], kwargs: Any, spent: float,
                          context: Optional[FuncCallContext] = None,
                          known: Optional[_replay.Conditional] = None, inputs_changed: Optional[str] = None) -> Any:
        """Compute, recording what the computation did to random generators, and store the result
        (see ``_replay`` for the forms it is stored in). ``known``: the call's key already holds a
        :class:`~checkpointing._replay.Conditional` (its results depend on generators' states)."""
        perf = time.perf_counter
        if key is None:
            return self.func(*args, **kwargs)
        # explained before running: the function may mutate its arguments
        explanation = self._why_missed(key, args, kwargs, known, inputs_changed)
        state = _replay.CallState(context)
        state.before_run()
        record = RunRecord(state.watches())
        reads = self._input_record()
        start = perf()
        with record:
            if reads is None:
                result = self.func(*args, **kwargs)
            else:
                with reads:
                    result = self.func(*args, **kwargs)
        run_time = perf() - start
        usage = self.usage
        usage.misses += 1
        start = perf()
        outcome = record.outcome
        effects = [*outcome.effects, *state.read_effects()]
        nondeterministic = outcome.nondeterministic
        if nondeterministic is not None:
            self._warn_once("nondeterministic", f"{self._name}() is not cached: {nondeterministic}, so its result "
                                                f"differs on every run. Seed it with a number instead.")
            return result
        if self._private is None and not self._usable():  # judged before its folder existed: again
            return result
        try:
            inputs = reads.inputs() if reads is not None else ()
            self._save(key, result, outcome, effects, record, run_time, known, inputs)
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

    def _save(self, key: str, result: Any, outcome: Outcome, effects: Sequence[Tuple[str, Any, bool]],
              record: RunRecord, run_time: float, known: Optional[_replay.Conditional],
              inputs: Sequence[_inputs.Input] = ()) -> None:
        """Store ``result`` under ``key``, in the form what its computation did calls for (see
        _replay), with the files it read (see _inputs)."""
        metadata: Dict[str, Any] = {"function": self.function_id, "created": time.time(), "compute_time": run_time}
        if inputs:
            metadata["inputs"] = [i.to_json() for i in inputs]
        dependencies = [use.label for use in outcome.dependencies]
        if not dependencies and known is None:
            self.cache.save_entry(key, _replay.Recorded(result, effects, inputs) if effects or inputs else result,
                                  metadata)
            return
        labels = _replay.Conditional([*(known.labels if known is not None else ()), *dependencies],
                                     _explain.sources_signature())
        before = [(label, record.before(label)) for label in labels.labels]
        if any(digest is None for _, digest in before):
            return  # a generator its results depend on is not in this process now: nothing to key them on
        variant = _replay.variant_key(key, before)  # type: ignore[arg-type]
        self.cache.save_entry(variant, _replay.Recorded(result, effects, inputs), metadata)
        self._conditional_keys.add(key)
        if known is None or (known.labels, known.sources) != (labels.labels, labels.sources):
            self.cache.save_entry(key, labels, {"function": self.function_id, "created": time.time(),
                                                "compute_time": 0.0, "role": "conditional"})

    def _unseeded(self, labels: Tuple[str, ...]) -> None:
        """A call found its results stored for other states of the generators they depend on."""
        self.usage.unstable += 1
        them = "it" if len(labels) == 1 else "them"
        self._warn_once("unseeded", f"{self._name}() is computed again although its code and arguments did not "
                                    f"change: {_replay.in_another_state(labels)} than when its stored results were "
                                    f"computed, because the program does not seed {them} before the call (or seeds "
                                    f"{them} differently). Seed {them} once before the call (`np.random.seed(0)`, "
                                    f"`random.seed(0)`, `torch.manual_seed(0)`) or pass the function a seeded "
                                    f"generator (`random_state=0`, `np.random.default_rng(0)`), and later runs are "
                                    f"served from the cache.")

    def _unstable(self, explanation: Explanation) -> None:
        """The call's arguments are those of a stored entry, no source file changed since it was
        written, and yet its key differs: something it depends on differs between runs by itself."""
        self.usage.unstable += 1
        what = "; ".join(c.message for c in explanation.changes if c.kind != "argument") or (
            "no part the explanation can name changed")
        self._warn_once("unstable", f"{self._name}() is computed again although its arguments and every source file "
                                    f"of the program are unchanged: {what}. A value that differs between runs by "
                                    f"itself is part of its key (one made when a module is imported from the clock, "
                                    f"the process id or an unseeded generator, or an object identified by its "
                                    f"address): make it deterministic, or pass it as an argument, and later runs are "
                                    f"served from the cache.")

    def _warn_once(self, what: str, message: str, category: type = UnstableKeyWarning) -> None:
        if what in self._told:
            return
        self._told.add(what)
        warn_at(self.func, message, category)

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

    def _compute_once(self, key: str, args: Tuple[Any, ...], kwargs: Any, start: float,
                      context: Optional[FuncCallContext]) -> Any:
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
                value = self._look_up(key)  # computed by another caller while we waited
                if type(value) in _replay.STORED_FORMS:
                    return self._stored_form(key, value, args, kwargs, context, start)
                if value is not MISSING:
                    self.usage.hit(key)
                    return self._served(key, value, args, kwargs, context)
            return self._compute_and_save(key, args, kwargs, spent, context)

    # -- explaining a miss ------------------------------------------------------------------------

    def _why_missed(self, key: str, args: Tuple[Any, ...], kwargs: Any,
                    known: Optional[_replay.Conditional] = None,
                    inputs_changed: Optional[str] = None) -> Optional[Explanation]:
        """Before a save: what changed since this function's last entry (None if unknown)."""
        if self._components is None:
            return None
        strict = os.environ.get("CHECKPOINTING_STRICT") == "1"  # (the tests: a wrong explanation fails them)
        try:
            explanation = self.explain(*args, **kwargs)
        except Exception as exc:  # explaining must never break the user's program
            if strict:
                raise
            logger.debug("could not explain the miss of %s: %s", self.function_id, exc)
            return None
        if explanation.key != key.split(".", 1)[0]:  # (an entry for another environment: key.tag)
            if strict:
                raise AssertionError(f"explaining {self._name}() gave key {explanation.key}, the call {key}")
            return None
        if inputs_changed is not None:  # the same key, its components kept: a file its computation read changed
            explanation.previous_key = key
            explanation.changes = [_explain.Change("input", inputs_changed, inputs_changed)]
            return explanation
        if strict and known is None and explanation.previous_key is not None and not explanation.changes:
            raise AssertionError(f"{self._name}(): the key changed and the explanation names no component")
        if known is not None:  # the same key: the generators it depends on are in other states
            explanation.previous_key = key
            explanation.changes = _replay.changes(known.labels, moved_on=key in self._conditional_keys)
        elif explanation.unchanged_program and not any(c.kind in _CHOSEN_INPUTS for c in explanation.changes):
            self._unstable(explanation)
        return explanation

    def _remember(self, explanation: Optional[Explanation]) -> None:
        """After a save: log why the call missed, and keep its components for next time."""
        if explanation is None:
            return
        explanation.cached = False
        _explain.log_miss(explanation)
        try:
            self.cache.record_latest(self.function_id, explanation.key, _explain.document(
                explanation.key, explanation.components, self.cache.latest(self.function_id)))
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
        previous = _explain.record_of(cache.latest(self.function_id), parts)
        cached = cache.contains(key)
        explanation = Explanation(self.function_id, key, cached, parts)
        recorded = self._stored_inputs(key) if cached else ()
        explanation.inputs = [f"{i.path}/" if i.kind == "folder" else i.path for i in recorded]
        why = _inputs.changed(recorded) if recorded else None
        if why is not None:  # the entry exists, and a file its computation read changed
            explanation.cached, explanation.previous_key = False, key
            explanation.changes = [_explain.Change("input", why, why)]
            return explanation
        labels = self._conditional_labels(key) if cached else None
        if labels is not None:  # its results depend on generators: is there one for their states?
            states = _replay.CallState(context).states(labels)
            explanation.cached = states is not None and bool(cache.contains(_replay.variant_key(key, states)))
            if not explanation.cached:
                explanation.previous_key = key
                explanation.changes = _replay.changes(labels, moved_on=key in self._conditional_keys)
            return explanation
        if previous is not None and previous.get("key") not in (None, key):
            explanation.previous_key = previous.get("key")
            bound = context.arguments if context.fingerprint.signature is not None else {}
            explanation.changes = _explain.diff(_explain.from_json(previous.get("components")), parts, bound)
            # an earlier run of the same program, with the same arguments (a change made by this run
            # itself, such as a global it rebinds between two calls, is not "by itself")
            explanation.unchanged_program = previous.get("arguments") == _explain.arguments_digest(parts) and \
                previous.get("sources") == _explain.sources_signature() and previous.get("run") != _explain.run_id()
        return explanation

    def _stored_inputs(self, key: str) -> List[_inputs.Input]:
        """The files recorded with the entry of ``key`` (from its metadata, where the store keeps
        it: a large result is not loaded)."""
        metadata = getattr(self.cache, "metadata", None)
        if metadata is None or not _inputs.enabled(self.decorator.inputs):
            return []
        try:
            recorded = (metadata(key) or {}).get("inputs")
            return [_inputs.Input.from_json(i) for i in recorded] if recorded else []
        except Exception:
            return []

    def _conditional_labels(self, key: str) -> Optional[Tuple[str, ...]]:
        """The generators the results stored under ``key`` depend on (None: a plain entry). Read
        from the entry's metadata where the store keeps it, so a large result is not loaded."""
        metadata = getattr(self.cache, "metadata", None)
        if metadata is not None:
            try:
                meta = metadata(key)
            except Exception:
                meta = None
            if isinstance(meta, dict) and meta.get("role") != "conditional":
                return None
            if meta is None and getattr(self.cache, "keeps_metadata", False):
                return None  # a store that keeps metadata has no usable entry (its refusal was said)
        try:
            value = self.cache.retrieve(key)
        except Exception:
            return None
        return value.labels if type(value) is _replay.Conditional else None

    def rerun(self, *args: Any, **kwargs: Any) -> Any:
        """Run unconditionally, overwrite the entry, return the new value."""
        key, context = self._key_of(args, kwargs) if self._usable() else _NO_KEY
        return self._compute_and_save(key, args, kwargs, 0.0, context)

    def clear(self) -> int:
        """Delete every stored entry of this function; the number deleted."""
        from .stores.management import delete_entries, list_entries

        return delete_entries(self.cache, list_entries(self.cache, self.function_id))

    def cache_info(self) -> _usage.CacheInfo:
        """This function's entries in the store, and its hits, misses and time saved."""
        return _usage.cache_info(self.cache, self.function_id, self.usage)
