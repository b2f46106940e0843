"""Same function? The fingerprint of a function and the key of a call. Pure: no store I/O.

A function's *fingerprint* is computed once per process: the digest of its canonical form
(``checkpointing.analysis``), which parameters and free names it reads, and how to bind a
call's arguments. A call's *key* combines the fingerprint with the value hash of each bound
argument (matched by canonical parameter, not by name) and of each free name's current value
(globals and closure cells are read at call time, so rebinding a global changes the key).

Shallow mode identifies the functions, classes and modules a function refers to by module and
qualified name; a function found inside an argument or a global *value* (a lambda passed in,
a dict of callbacks) is identified by its own canonical code and the values it reads.
"""

from __future__ import annotations

import builtins
import dataclasses
import dis
import inspect
import logging
import os
import sys
import threading
import weakref
from dataclasses import dataclass, field
from functools import partial
from types import BuiltinFunctionType, CodeType, FunctionType, MethodType, ModuleType
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Sequence, Set, Tuple

import xxhash

from . import _analysis_cache
if TYPE_CHECKING:  # deep mode imports it when it first plans (it is not needed otherwise)
    from ._deep_plan import Plan, Recorder

#: kinds of reads of a deep-mode plan (same values as in _deep_plan, which is imported lazily)
SAME, EQUAL = 0, 1
from ._hashing import ValueHasher, is_plain, new_hasher
from ._usercode import is_user_module, is_user_object
from .exceptions import GlobalStatementError, NonlocalStatementError

logger = logging.getLogger("checkpointing")

KEY_FORMAT = b"checkpointing-key/1"
_MISSING = object()
_STRICT = os.environ.get("CHECKPOINTING_STRICT") == "1"


@dataclass(frozen=True)
class Reading:
    """How to read one canonical form's inputs: digest of its code, parameter and free-name order."""

    code_digest: bytes
    params: Tuple[str, ...]
    free_names: Tuple[str, ...]
    attribute_chains: Mapping[str, Tuple[Tuple[str, ...], ...]]


@dataclass
class Fingerprint:
    """Everything about a function that does not change between calls."""

    func: FunctionType
    qualname: str
    strict: Reading
    guarded: Optional[Reading] = None
    assumptions: Tuple[Tuple[str, str], ...] = ()
    wrappers: bytes = b""
    source_kind: str = "source"  # or "bytecode" when the source could not be read
    #: attribute names the function uses; (line, what) of dynamic accesses it makes
    attributes: Tuple[str, ...] = ()
    dynamic: Tuple[Tuple[int, str], ...] = ()
    signature: Optional[inspect.Signature] = None
    _simple_names: Optional[Tuple[str, ...]] = field(default=None, repr=False)
    #: the first bytes of every key, per reading (computed once, not per call)
    strict_prefix: bytes = field(default=b"", init=False, repr=False)
    guarded_prefix: bytes = field(default=b"", init=False, repr=False)
    #: deep mode: the plan of the last walk, per (reading, algorithm, protocol) (see _deep_plan)
    plans: Dict[Tuple[bool, str, int], "Plan"] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.strict_prefix = KEY_FORMAT + self.strict.code_digest + b"|" + self.wrappers + b"|"
        if self.guarded is not None:
            self.guarded_prefix = KEY_FORMAT + self.guarded.code_digest + b"|" + self.wrappers + b"|"

    def bind(self, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Dict[str, Any]:
        """Bound arguments with defaults applied, by parameter name."""
        names = self._simple_names
        if names is not None and not kwargs and len(args) == len(names):
            return dict(zip(names, args))
        if self.signature is None:
            raise TypeError("no signature")
        bound = self.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return dict(bound.arguments)


def _unwrap(func: Callable[..., Any]) -> Tuple[FunctionType, List[Any]]:
    """The innermost user function behind decorators, and the wrapper layers on the way."""
    layers: List[Any] = []
    inner: Any = func
    seen: Set[int] = set()
    while hasattr(inner, "__wrapped__") and id(inner) not in seen:
        seen.add(id(inner))
        layers.append(inner)
        inner = inner.__wrapped__
    if isinstance(inner, MethodType):
        inner = inner.__func__
    if not isinstance(inner, FunctionType):
        raise TypeError(f"cannot checkpoint {func!r}: it is not a Python function")
    return inner, layers


def _reading(code: str, params: Sequence[str], free: Sequence[str],
             chains: Mapping[str, Sequence[Sequence[str]]]) -> Reading:
    return Reading(xxhash.xxh3_128_digest(code.encode("utf-8", "surrogatepass")), tuple(params), tuple(free),
                   {k: tuple(tuple(c) for c in v) for k, v in chains.items()})


# -- bytecode identity: for functions whose source cannot be read --------------------------


def _code_digest(code: CodeType, hasher: ValueHasher, names: Set[str]) -> bytes:
    h = xxhash.xxh3_128()
    h.update(code.co_code)
    for attr in ("co_argcount", "co_posonlyargcount", "co_kwonlyargcount", "co_flags"):
        h.update(str(getattr(code, attr)).encode() + b",")
    for attr in ("co_names", "co_varnames", "co_freevars", "co_cellvars"):
        h.update(repr(getattr(code, attr)).encode())
    names.update(code.co_names)
    names.update(code.co_freevars)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            h.update(b"code" + _code_digest(const, hasher, names))
        else:
            hasher.feed(const, h)
    return h.digest()


def _check_bytecode_statements(func: FunctionType) -> None:
    line = func.__code__.co_firstlineno
    for ins in dis.get_instructions(func):
        line = ins.starts_line or line  # an int on every Python version we support
        if ins.opname in ("STORE_GLOBAL", "DELETE_GLOBAL"):
            raise GlobalStatementError(_statement_message(func, "global", [line]))
        if ins.opname in ("STORE_DEREF", "DELETE_DEREF") and ins.argval in func.__code__.co_freevars:
            raise NonlocalStatementError(_statement_message(func, "nonlocal", [line]))


def _statement_message(func: FunctionType, keyword: str, lines: Sequence[int]) -> str:
    where = ", ".join(f"{func.__code__.co_filename}:{n}" for n in lines)
    return (
        f"`{keyword}` statement in checkpointed function {func.__qualname__}() at {where}: the function changes "
        f"a variable outside itself, which a cached result cannot reproduce. Return the value instead and "
        f"assign it at the call site, or remove @checkpoint from this function."
    )


# -- fingerprints ----------------------------------------------------------------------------

_fingerprints: "weakref.WeakKeyDictionary[Any, Fingerprint]" = weakref.WeakKeyDictionary()
_code_fingerprints: "weakref.WeakKeyDictionary[FunctionType, Fingerprint]" = weakref.WeakKeyDictionary()
_by_id: Dict[int, Tuple["weakref.ref[Any]", Fingerprint]] = {}
_lock = threading.RLock()


def fingerprint(func: Callable[..., Any]) -> Fingerprint:
    """The fingerprint of a checkpointed callable: its innermost function, with the decorator
    layers around it keyed by their own code (user code) or name (library code)."""
    cached = _by_id.get(id(func))
    if cached is not None and cached[0]() is func:  # the weak reference proves the id was not reused
        return cached[1]
    try:
        found = _fingerprints.get(func)  # type: ignore[arg-type]
    except TypeError:  # not weak-referenceable
        found = None
    if found is not None:
        _remember_by_id(func, found)
        return found
    inner, layers = _unwrap(func)
    with _lock:
        found = code_fingerprint(inner)
        if layers:
            found = dataclasses.replace(found, wrappers=b"".join(_layer_identity(layer) for layer in layers))
        try:
            _fingerprints[func] = found  # type: ignore[index]
        except TypeError:
            pass
        else:
            _remember_by_id(func, found)
        return found


def _remember_by_id(func: Any, found: Fingerprint) -> None:
    """The per-call fast path: a dict lookup by id, checked by a weak reference that drops the
    entry when the function is collected."""
    key = id(func)
    try:
        # the dict is bound here: at interpreter exit the module's globals may already be None
        _by_id[key] = (weakref.ref(func, lambda _, table=_by_id: table.pop(key, None)), found)
    except TypeError:
        pass


def code_fingerprint(func: FunctionType) -> Fingerprint:
    """The fingerprint of exactly this function's code (never of what it wraps)."""
    with _lock:
        found = _code_fingerprints.get(func)
        if found is None:
            found = _compute_fingerprint(func)
            _code_fingerprints[func] = found
        return found


def _layer_identity(layer: Any) -> bytes:
    if getattr(layer, "__checkpointing__", False):
        return b""
    if isinstance(layer, FunctionType) and is_user_object(layer):
        return b"layer-code:" + code_fingerprint(layer).strict.code_digest
    return f"layer:{getattr(layer, '__module__', '?')}.{getattr(layer, '__qualname__', type(layer).__qualname__)};".encode()


def _signature_info(func: FunctionType) -> Tuple[Optional[inspect.Signature], Optional[Tuple[str, ...]]]:
    try:
        sig = inspect.signature(func, follow_wrapped=False)
    except (TypeError, ValueError):
        return None, None
    params = list(sig.parameters.values())
    simple = all(p.kind is p.POSITIONAL_OR_KEYWORD and p.default is p.empty for p in params)
    return sig, tuple(p.name for p in params) if simple else None


def _compute_fingerprint(func: FunctionType) -> Fingerprint:
    sig, simple = _signature_info(func)
    wrappers = b""
    try:
        # from the code object: inspect.getsource(func) would follow __wrapped__ to another function
        source = inspect.getsource(func.__code__)
        norm = _analysis_cache.normalized(source)
    except (OSError, TypeError) as exc:
        logger.debug("no source for %s (%s): identified by bytecode", func.__qualname__, exc)
        norm = None
    except Exception as exc:  # a normalizer bug must not break the user's program
        from .analysis import NormalizeError

        if _STRICT and not isinstance(exc, NormalizeError):
            raise
        logger.debug("cannot normalize %s (%s): identified by bytecode", func.__qualname__, exc)
        norm = None
    if norm is None:
        _check_bytecode_statements(func)
        names: Set[str] = set()
        digest = _code_digest(func.__code__, ValueHasher(), names)
        params = tuple(sig.parameters) if sig is not None else ()
        reading = Reading(digest, params, tuple(sorted(names)), {})
        # co_names holds every attribute name too: a sound superset for deep mode
        return Fingerprint(func, func.__qualname__, reading, wrappers=wrappers, source_kind="bytecode",
                           signature=sig, _simple_names=simple, attributes=tuple(sorted(names)))
    first = func.__code__.co_firstlineno - 1
    if norm.global_lines:
        raise GlobalStatementError(_statement_message(func, "global", [first + n for n in norm.global_lines]))
    if norm.nonlocal_lines:
        raise NonlocalStatementError(_statement_message(func, "nonlocal", [first + n for n in norm.nonlocal_lines]))
    s = norm.strict
    strict = _reading(s.code, s.params, s.free_names, s.attribute_chains)
    guarded = None
    if norm.guarded is not None:
        g = norm.guarded
        guarded = _reading(g.code, g.params, g.free_names, g.attribute_chains)
    attributes = set(s.attributes) | (set(norm.guarded.attributes) if norm.guarded is not None else set())
    dynamic = tuple((first + line, what) for line, what in norm.dynamic)
    return Fingerprint(func, func.__qualname__, strict, guarded, tuple(norm.assumptions), wrappers,
                       signature=sig, _simple_names=simple, attributes=tuple(sorted(attributes)), dynamic=dynamic)


# -- free names ------------------------------------------------------------------------------


def resolve_free_name(func: FunctionType, name: str) -> Any:
    """The current value of a free name of ``func``: closure cell, then global, then builtin."""
    code = func.__code__
    if name in code.co_freevars and func.__closure__ is not None:
        try:
            return func.__closure__[code.co_freevars.index(name)].cell_contents
        except ValueError:  # empty cell
            return _MISSING
    g = func.__globals__
    if name in g:
        return g[name]
    b = g.get("__builtins__", builtins)
    if isinstance(b, ModuleType):
        b = b.__dict__
    return b.get(name, _MISSING)


#: deep mode follows call chains recursively, a few frames per function: a chain of a few
#: hundred helpers would pass Python's default limit of 1000 and make the call run uncached
_DEEP_RECURSION_LIMIT = 20_000


def _allow_deep_recursion() -> None:
    if sys.getrecursionlimit() < _DEEP_RECURSION_LIMIT:
        sys.setrecursionlimit(_DEEP_RECURSION_LIMIT)


def _explain_location(obj: Any, line: bool = True) -> str:
    from ._explain import location

    code = getattr(obj, "__code__", None)
    if code is not None:
        return location(code.co_filename, code.co_firstlineno if line else None)
    module = sys.modules.get(getattr(obj, "__module__", "") or "")
    return location(getattr(module, "__file__", "") or "")


def _wrapped_function(func: Any) -> Optional[FunctionType]:
    inner = getattr(func, "__wrapped__", None)
    if isinstance(inner, MethodType):
        inner = inner.__func__
    return inner if isinstance(inner, FunctionType) and inner is not func else None


def _is_same_function(value: Any, func: FunctionType) -> bool:
    seen = 0
    while value is not None and seen < 32:
        if value is func:
            return True
        value = getattr(value, "__wrapped__", None)
        seen += 1
    return False


#: class members that describe the class rather than implement it
_CLASS_BOOKKEEPING = frozenset({
    "__dict__", "__weakref__", "__module__", "__doc__", "__qualname__", "__annotations__", "__slots__",
    "__dataclass_params__", "__match_args__", "__firstlineno__", "__static_attributes__", "__parameters__",
    "__orig_bases__", "__abstractmethods__", "_abc_impl",
})


def _is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


# -- deep mode: how a plan reads values again (see _deep_plan) ----------------------------------


def _read_chain(module: ModuleType, chain: Tuple[str, ...]) -> Any:
    value: Any = module
    for attr in chain:
        value = getattr(value, attr, _MISSING)
        if value is _MISSING:
            break
    return value


def _mro(cls: type) -> Tuple[type, ...]:
    return cls.__mro__


def _reference_digester(chains: Sequence[Sequence[str]], builder: "KeyBuilder", value: Any) -> bytes:
    return builder.reference_digest(value, chains)


def _member_digester(builder: "KeyBuilder", value: Any) -> bytes:
    return builder._member_digest(value)


class KeyBuilder:
    """Computes the key of one call. One instance per call: it tracks aliasing and recursion.

    In deep mode the user's own functions are identified by their canonical code and the
    values they read, recursively, and user classes by their reachable members; the set of
    reachable attribute names grows while the key is computed, so class digests are added at
    the very end, once it is final.
    """

    __slots__ = ("algorithm", "deep", "components", "_pickle_protocol", "hasher", "_active", "_function_memo",
                 "_keepalive", "attributes", "classes", "dynamic", "dynamic_sites", "recorder")

    def __init__(self, pickle_protocol: int = 5, algorithm: str = "xxh3_128", deep: bool = False,
                 record: bool = False) -> None:
        self.algorithm = algorithm
        self.deep = deep
        #: with record=True, the key's components (see _explain), for explaining misses
        self.components: Optional[List[Any]] = [] if record else None
        self._pickle_protocol = pickle_protocol
        self.hasher = ValueHasher(self.identify_value, pickle_protocol, algorithm)
        self._active: Set[int] = set()
        self._function_memo: Dict[int, bytes] = {}
        self._keepalive: List[Any] = []
        self.attributes: Set[str] = set()  # attribute names used by reachable code
        self.classes: Dict[int, type] = {}  # user classes reached, in order
        self.dynamic = False  # reachable code uses getattr with a computed name, eval, ...
        self.dynamic_sites: List[Tuple[FunctionType, int, str]] = []
        #: deep mode: notes what the walk reads, to make a plan of it (see _deep_plan)
        self.recorder: Optional["Recorder"] = None

    # functions inside *values* are identified by their code
    def identify_value(self, obj: Any) -> Optional[bytes]:
        if isinstance(obj, ModuleType):
            return self._module_identity(obj)
        if isinstance(obj, FunctionType) and (is_user_object(obj) or _wrapped_function(obj) is not None):
            return self.function_value_digest(obj)
        if isinstance(obj, MethodType) and isinstance(obj.__func__, FunctionType) and is_user_object(obj.__func__):
            return b"method:" + self.function_code_digest(obj.__func__) + self.hasher.digest(obj.__self__)
        if self.deep and isinstance(obj, type) and is_user_object(obj):
            return self._record_class(obj)
        return self.identify_by_name(obj)

    def identify_by_name(self, obj: Any) -> Optional[bytes]:
        module = getattr(obj, "__module__", None)
        qualname = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
        if not isinstance(qualname, str):
            return None
        version = ""
        if self.deep and isinstance(module, str) and not is_user_object(obj):
            from ._distributions import version_of

            version = version_of(module)
        return f"name:{module}.{qualname}@{version}".encode()

    def _module_identity(self, module: ModuleType) -> bytes:
        ident = b"module:" + module.__name__.encode()
        if self.deep and not is_user_module(module):
            from ._distributions import version_of

            ident += b"@" + version_of(module.__name__).encode()
        return ident

    def _record_class(self, cls: type) -> bytes:
        """Deep mode: a user class is keyed by name now and by its reachable members at the end."""
        if id(cls) not in self.classes:
            self.classes[id(cls)] = cls
            self._keepalive.append(cls)
        return f"class:{cls.__module__}.{cls.__qualname__}".encode()

    def function_value_digest(self, func: FunctionType) -> bytes:
        """A function used as a value: its own code (user code) or name (library code), then,
        through ``__wrapped__``, whatever it wraps: a library wrapper around a user function
        (scikit-learn wraps ``transform``) must not hide the user function's code."""
        own = b"code:" + self.function_code_digest(func) if is_user_object(func) else (self.identify_by_name(func) or b"?")
        inner = _wrapped_function(func)
        if self.recorder is not None:
            self.recorder.note(partial(getattr, func, "__wrapped__", None), getattr(func, "__wrapped__", None),
                               kind=SAME)
        return own if inner is None else own + b"<" + self.function_value_digest(inner)

    def function_code_digest(self, func: FunctionType) -> bytes:
        """A user function as a value: its canonical code plus the values it reads."""
        memo = self._function_memo.get(id(func))
        if memo is not None:
            return memo
        if id(func) in self._active:
            return b"recursive:" + func.__qualname__.encode()
        self._active.add(id(func))
        try:
            fp = code_fingerprint(func)
            self._note_reachable(fp)
            h = new_hasher(self.algorithm)
            h.update(fp.strict.code_digest + fp.wrappers)
            for name in fp.strict.free_names:
                h.update(self.free_digest(fp, name, fp.strict.attribute_chains.get(name, ())))
            digest = h.digest()
            if self.components is not None:
                self._record("helper", func.__qualname__, fp.strict.code_digest + fp.wrappers,
                             _explain_location(func))
        finally:
            self._active.discard(id(func))
        self._function_memo[id(func)] = digest
        self._keepalive.append(func)
        return digest

    def _record(self, kind: str, name: str, digest: bytes, where: str = "", value: Any = None,
                show_value: bool = False) -> None:
        if self.components is None:
            return
        from ._explain import Component, short_repr

        shown = ""
        if show_value:
            shown = (getattr(value, "__qualname__", None) or short_repr(value)) if not isinstance(
                value, (int, float, str, bytes, tuple, list, dict, set)) else short_repr(value)
        self.components.append(Component(kind, name, digest.hex() if isinstance(digest, bytes) else str(digest),
                                         where, shown))

    def _value_digest(self, value: Any) -> bytes:
        """A value's digest for a component (its own hasher: the key's aliasing memo is untouched)."""
        return ValueHasher(self.identify_value, self._pickle_protocol, self.algorithm).digest(value)

    def _note_reachable(self, fp: Fingerprint) -> None:
        self.attributes.update(fp.attributes)
        if fp.dynamic:
            self.dynamic = True
            self.dynamic_sites.extend((fp.func, line, what) for line, what in fp.dynamic)

    def reference_digest(self, value: Any, chains: Sequence[Sequence[str]]) -> bytes:
        """A value read through a free name: references by name (shallow mode), data by value."""
        if value is _MISSING:
            return b"missing"
        if isinstance(value, ModuleType):
            h = new_hasher(self.algorithm)
            h.update(self._module_identity(value))
            if chains and is_user_module(value):
                for chain in chains:
                    h.update(("." + ".".join(chain)).encode())
                    h.update(self._chain_digest(value, chain))
            return h.digest()
        if getattr(value, "__checkpointing__", False) or isinstance(value, (FunctionType, BuiltinFunctionType, type)):
            target = getattr(value, "__wrapped__", value) if getattr(value, "__checkpointing__", False) else value
            qualname = getattr(target, "__qualname__", "")
            if isinstance(target, FunctionType) and (self.deep or "<" in qualname) and (
                    is_user_object(target) or _wrapped_function(target) is not None):
                return self.function_value_digest(target)  # deep mode, or a lambda / local function
            if self.deep and isinstance(target, type) and is_user_object(target):
                return self._record_class(target)
            ident = self.identify_by_name(target)
            if ident is not None:
                return ident
        return self.hasher.digest(value)

    def _chain_digest(self, module: ModuleType, chain: Sequence[str]) -> bytes:
        value: Any = module
        for i, attr in enumerate(chain):
            holder = value
            value = getattr(value, attr, _MISSING)
            if value is _MISSING or not isinstance(value, ModuleType) or i + 1 == len(chain):
                rest = [tuple(chain[i + 1:])] if i + 1 < len(chain) else []
                if self.recorder is not None:
                    path = tuple(chain[:i + 1])
                    reader = partial(getattr, module, path[0], _MISSING) if len(path) == 1 else partial(
                        _read_chain, module, path)
                    self.recorder.note(reader, value, partial(_reference_digester, rest),
                                       key=("chain", id(module), path, tuple(rest)))
            if value is _MISSING:
                return b"missing"
            if not isinstance(value, ModuleType):
                digest = self.reference_digest(value, rest)
                if self.components is not None and not isinstance(value, (FunctionType, type, BuiltinFunctionType)):
                    from ._explain import location

                    self._record("global", attr, digest, location(getattr(holder, "__file__", "") or ""), value, True)
                return digest
        return self.reference_digest(value, [])

    def _note_free_name(self, func: FunctionType, name: str, value: Any, chains: Sequence[Sequence[str]]) -> None:
        """Note how to read a free name again: the closure cell, the global or the builtin
        (then also that no global of that name appeared), with C-level readers, as
        resolve_free_name would."""
        assert self.recorder is not None
        note = self.recorder.note
        digester = partial(_reference_digester, chains)
        code = func.__code__
        if name in code.co_freevars and func.__closure__ is not None:
            note(partial(resolve_free_name, func, name), value, digester)
            return
        g = func.__globals__
        how = tuple(tuple(c) for c in chains)  # the digest of a module depends on the chains read
        if name in g:
            note(partial(g.get, name, _MISSING), value, digester, key=("global", id(g), name, how))
            return
        note(partial(g.get, name, _MISSING), _MISSING, kind=SAME, key=("global", id(g), name, "absent"))
        b = g.get("__builtins__", builtins)
        if isinstance(b, ModuleType):
            b = b.__dict__
        note(partial(b.get, name, _MISSING), value, digester, key=("builtin", id(b), name, how))

    def free_digest(self, fp: Fingerprint, name: str, chains: Sequence[Sequence[str]]) -> bytes:
        value = resolve_free_name(fp.func, name)
        if self.recorder is not None:
            self._note_free_name(fp.func, name, value, chains)
        if _is_same_function(value, fp.func):
            return b"self"
        digest = self.reference_digest(value, chains)
        if self.components is not None and not isinstance(value, (FunctionType, type, ModuleType, BuiltinFunctionType)):
            self._record("global", name, digest, _explain_location(fp.func, line=False), value, show_value=True)
        return digest

    # -- the key of a call ------------------------------------------------------------------

    def key(self, fp: Fingerprint, bound: Optional[Mapping[str, Any]],
            raw_call: Optional[Tuple[Sequence[Any], Mapping[str, Any]]] = None) -> str:
        """The key of calling ``fp.func`` with ``bound`` arguments (or, if they could not be bound, ``raw_call``).

        Every encoding is type-tagged and length-prefixed, so arguments and free names are
        streamed into one hasher. The guarded reading is used exactly when all its
        assumptions hold for this call.
        """
        reading = fp.strict
        if bound is not None and fp.guarded is not None and all(
                self._holds(kind, name, fp, bound) for kind, name in fp.assumptions):
            reading = fp.guarded
        if self.deep:
            self._note_reachable(fp)
            _allow_deep_recursion()
        return self._stream(fp, reading, bound, raw_call)

    def _stream(self, fp: Fingerprint, reading: Reading, bound: Optional[Mapping[str, Any]],
                raw_call: Optional[Tuple[Sequence[Any], Mapping[str, Any]]]) -> str:
        h = new_hasher(self.algorithm)
        h.update(fp.strict_prefix if reading is fp.strict else fp.guarded_prefix)
        recording = self.components is not None
        if recording:
            self._record("code", fp.qualname, reading.code_digest + fp.wrappers, _explain_location(fp.func))
        feed = self.hasher.feed
        if bound is not None:
            for name in reading.params:
                if name in bound:
                    feed(bound[name], h)
                    if recording:
                        self._record("argument", name, self._value_digest(bound[name]), "", bound[name], True)
                else:
                    h.update(b"unbound")
        else:
            assert raw_call is not None
            h.update(b"raw")
            feed((tuple(raw_call[0]), dict(sorted(raw_call[1].items()))), h)
        if self.deep:
            h.update(self._reachable_digest(fp, reading))
        else:
            chains = reading.attribute_chains
            for name in reading.free_names:
                h.update(self.free_digest(fp, name, chains.get(name, ())))
        return h.hexdigest()

    def _reachable_digest(self, fp: Fingerprint, reading: Reading) -> bytes:
        """Deep mode: the digest of all the code the function reaches and the values it reads.

        The first call walks the graph and keeps a plan of what it read; later calls replay
        the plan and walk again only when a read gives a different answer (see _deep_plan).
        A plan is made when the arguments reach no user function (they may reach classes).
        """
        slot = (reading is fp.guarded, self.algorithm, self._pickle_protocol)
        arg_classes = tuple(self.classes.values())
        plannable = self.components is None and not self._function_memo
        if plannable:
            plan = fp.plans.get(slot)
            if plan is not None and plan.matches(arg_classes) and plan.holds(self._probe()):
                self.dynamic_sites.extend(plan.dynamic_sites)
                return plan.digest
            from ._deep_plan import Recorder

            self.recorder = Recorder()
        # its own hasher: what the code reads must not be encoded as back-references to arguments
        self.hasher = ValueHasher(self.identify_value, self._pickle_protocol, self.algorithm)
        h = new_hasher(self.algorithm)
        chains = reading.attribute_chains
        for name in reading.free_names:
            h.update(self.free_digest(fp, name, chains.get(name, ())))
        self._stream_classes(h)
        digest = h.digest()
        if self.recorder is not None:
            fp.plans[slot] = self.recorder.plan(digest, arg_classes, self, self._probe())
            self.recorder = None
        return digest

    def _probe(self) -> "KeyBuilder":
        return KeyBuilder(self._pickle_protocol, self.algorithm, deep=True)

    # -- deep mode: classes ----------------------------------------------------------------

    def _selected_members(self, cls: type, everything: bool) -> List[Tuple[str, Any]]:
        return [(name, member) for name, member in sorted(vars(cls).items())
                if name not in _CLASS_BOOKKEEPING and (everything or _is_dunder(name) or name in self.attributes)]

    def _member_digest(self, member: Any) -> bytes:
        if isinstance(member, (staticmethod, classmethod)):
            member = member.__func__
        if isinstance(member, property):
            return b"property" + b"".join(self._member_digest(f) for f in (member.fget, member.fset, member.fdel)
                                          if f is not None)
        func = getattr(member, "func", None)  # functools.cached_property, partialmethod
        if not isinstance(member, FunctionType) and isinstance(func, FunctionType):
            member = func
        if isinstance(member, FunctionType):
            return self.function_value_digest(member)
        return self.hasher.digest(member)

    def _stream_classes(self, h: Any) -> None:
        """Add the digests of the user classes reached, once the reachable names are final."""
        # Including a member can reach more code, hence more names and classes: iterate.
        while True:
            before = (len(self.classes), len(self.attributes), self.dynamic)
            for cls in list(self.classes.values()):
                for klass in cls.__mro__:
                    if klass is not object and is_user_object(klass):
                        for _, member in self._selected_members(klass, self._all_members(cls)):
                            self._member_digest(member)
            if (len(self.classes), len(self.attributes), self.dynamic) == before:
                break
        for cls in self.classes.values():
            everything = self._all_members(cls)
            if self.components is not None:
                part = new_hasher(self.algorithm)
                self._class_parts(cls, everything, part)
                self._record("class", cls.__qualname__, part.digest(), _explain_location(cls))
            self._class_parts(cls, everything, h)

    def _class_parts(self, cls: type, everything: bool, h: Any) -> None:
        h.update(f"|class {cls.__module__}.{cls.__qualname__}".encode())
        recorder = self.recorder
        if recorder is not None:
            recorder.note(partial(_mro, cls), cls.__mro__, kind=EQUAL)
        for klass in cls.__mro__:
            if klass is object:
                continue
            if not is_user_object(klass):
                h.update(b"|base " + (self.identify_by_name(klass) or b"?"))
                continue
            h.update(f"|mro {klass.__qualname__}".encode())
            if recorder is not None:
                members = vars(klass)  # a live view of the class's namespace
                recorder.note(partial(frozenset, members), frozenset(members), kind=EQUAL)
            for name, member in self._selected_members(klass, everything):
                if recorder is not None:
                    recorder.note(partial(members.get, name, _MISSING), member, _member_digester)
                h.update(f"|{name}=".encode() + self._member_digest(member))

    def _all_members(self, cls: type) -> bool:
        """Every member counts when code we cannot read may call methods by name: a class with a
        base from an installed package (scikit-learn calls ``transform``, torch ``forward``), or
        reachable code that looks attributes up dynamically."""
        return self.dynamic or any(k is not object and not is_user_object(k) for k in cls.__mro__)

    @staticmethod
    def _holds(kind: str, name: str, fp: Fingerprint, bound: Mapping[str, Any]) -> bool:
        """Does the assumption ``(kind, name)`` hold for this call?"""
        if kind == "plain" and name in bound:
            return is_plain(bound[name])
        value = resolve_free_name(fp.func, name)
        if kind == "plain":
            return value is not _MISSING and is_plain(value)
        if kind == "module":
            return isinstance(value, ModuleType)
        if kind == "builtin":
            return value is getattr(builtins, name, _MISSING)
        return False
