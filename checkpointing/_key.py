"""The key of a call: the function's fingerprint, its bound arguments, and what its code reads.

``KeyBuilder.key`` streams into one hasher: the fingerprint's prefix (the canonical code of the
checkpointed function), each bound argument in canonical parameter order, each decorator
layer, then what the code reads. In the default (*shallow*) mode that is the value of each
free name and import of the checkpointed function itself; in *deep* mode it is the whole
graph of code and values reachable from it.

How an object is identified (``identify``), whatever the mode:

- provably library code (see ``_objects``) by module, qualified name and distribution version;
- plain data, arrays, frames and other objects by value (``_hashing``);
- anything else that is code or holds code by **content**: a function by its canonical code,
  signature, defaults, ``__dict__``, closure cells and the values it reads; a bound method by
  its function and ``__self__``; ``functools.partial``, ``partialmethod``, ``lru_cache``,
  ``singledispatch``, ``cached_property``, properties, static and class methods by what they
  wrap and hold; a class by its members, bases and metaclass; a module by its attributes.

Functions, classes and modules identified by content are *items*: each gets an index in the
order the walk meets it, a reference to it is that index, and its *record* (its content, with
references to other items by index) is added once everything reachable has been met. That
encodes any graph (recursion, cycles) without recursion in Python, and without names:
renaming a helper consistently keeps the key.

In shallow mode (checkpointing 1.0.1's behaviour, see docs/caveats.md), a function or class
that the checkpointed function refers to *by name*, and that is found again under that name,
is identified by the name: editing it is not seen. One found inside a value, or that cannot
be found by name (a lambda, a local class, a class made by ``namedtuple``), is identified by
content.
"""

from __future__ import annotations

import builtins
import functools
import importlib
import inspect
import operator
import os
import re
import sys
from functools import partial
from types import BuiltinFunctionType, CodeType, FunctionType, MappingProxyType, MethodType, ModuleType
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    FrozenSet,
    Iterable,
    List,
    Mapping,
    Optional,
    Sequence,
    Set,
    Tuple,
    cast,
)

from . import _generators, _objects
from ._fingerprint import CodeIdentity, Fingerprint, Import, Reading, code_identity, resolve_free_name
from ._hashing import _EXACT, ValueHasher, _type_module, _type_name, is_plain, new_hasher
from ._objects import MISSING
from .analysis.generators import STATE_READERS

if TYPE_CHECKING:
    from ._deep_plan import Plan, Recorder

#: kinds of reads of a deep-mode plan (same values as in _deep_plan, which is imported lazily)
SAME, EQUAL = 0, 1

#: class members that describe the class rather than implement it (counted when code names them)
_CLASS_BOOKKEEPING = frozenset({
    "__dict__", "__weakref__", "__module__", "__doc__", "__qualname__", "__annotations__", "__slots__",
    "__dataclass_params__", "__match_args__", "__firstlineno__", "__static_attributes__", "__parameters__",
    "__orig_bases__", "__abstractmethods__", "_abc_impl", "__annotate_func__", "__annotations_cache__",
})
#: function attributes that are data a reader can observe: counted when reachable code names them
_FUNCTION_ATTRIBUTES = ("__doc__", "__name__", "__qualname__", "__module__", "__annotations__",
                        "__type_params__")
#: methods that the interpreter or common libraries call by name on objects they are given
#: (``**mapping`` and ``dict(x)`` call ``keys``, ``json.load`` calls ``read``, scikit-learn ``fit``...)
_PROTOCOL_METHODS = frozenset({
    "keys", "items", "values", "get", "read", "readline", "readlines", "write", "writelines", "flush", "close",
    "fileno", "send", "throw", "fit", "transform", "fit_transform", "predict", "predict_proba",
    "decision_function", "score", "get_params", "set_params", "forward",
})
_ATTRIBUTE_CALLERS = (operator.attrgetter, operator.methodcaller)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Chain: attribute names read in a row; Keyed: (chain, how, key) reads with constant keys
Chain = Tuple[str, ...]
Keyed = Tuple[Chain, str, str]


def _is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def _is_sunder(name: str) -> bool:
    return len(name) > 2 and name[0] == "_" and name[-1] == "_" and name[1] != "_"


def _version(module_name: Any) -> str:
    from ._distributions import version_of

    return version_of(module_name) if isinstance(module_name, str) else ""


def library_token(obj: Any) -> bytes:
    module = getattr(obj, "__module__", None) or _objects.library_home(obj) or getattr(
        getattr(obj, "__objclass__", None), "__module__", None)
    return f"lib:{_objects.qualified_name(obj)}@{_version(module)}".encode()


class KeyBuilder:
    """Computes the key of one call (one instance per call).

    ``mode`` is "shallow" or "deep". Two more modes serve other builders: "replay", the probe
    with which a deep-mode plan checks a value again (an item is identified by the object's
    identity there: its content is checked by the plan itself), and "stable", used for the
    components of an explanation (an item by its name and code, not its index).
    """

    __slots__ = ("algorithm", "mode", "components", "pickle_protocol", "hasher", "_index", "objects", "records",
                 "_cursor", "attributes", "dynamic", "dynamic_sites", "recorder", "_classes", "_functions",
                 "_modules_whole", "_member_tokens", "_selection", "_provisional", "seen", "generators",
                 "_in_arguments", "_reads_global_state", "plan")

    def __init__(self, pickle_protocol: int = 5, algorithm: str = "xxh3_128", deep: bool = False,
                 record: bool = False, mode: Optional[str] = None) -> None:
        self.algorithm = algorithm
        self.mode = mode or ("deep" if deep else "shallow")
        #: with record=True, the key's components (see _explain), for explaining misses
        self.components: Optional[List[Any]] = [] if record else None
        self.pickle_protocol = pickle_protocol
        self.hasher = ValueHasher(self.identify, pickle_protocol, algorithm, self.provisional)
        self.attributes: Set[str] = set()  # attribute names used by the code met so far
        self.dynamic = False  # code met looks attributes up by computed names, eval, ...
        self.dynamic_sites: List[Tuple[FunctionType, int, str]] = []
        #: deep mode: notes what the walk reads, to make a plan of it (see _deep_plan)
        self.recorder: Optional["Recorder"] = None
        self._provisional = False
        # the items met: empty and read-only until the first one is (a call without any is the hot
        # path): _start_items puts writable containers in their place before anything is added, so
        # a write before it would raise, never be lost
        self._index: Dict[int, int] = cast("Dict[int, int]", _EMPTY)  # id(item) -> index
        self.objects: List[Any] = cast("List[Any]", ())  # index -> item (keeps the ids valid)
        self.records: List[bytes] = cast("List[bytes]", ())
        self._cursor = 0
        self._classes: List[int] = cast("List[int]", ())
        self._functions: List[int] = cast("List[int]", ())
        self._modules_whole: Set[int] = cast("Set[int]", frozenset())  # module items whose every attribute counts
        self._member_tokens: Dict[Tuple[int, str], bytes] = cast("Dict[Tuple[int, str], bytes]", _EMPTY)
        self._selection: Dict[int, List[str]] = cast("Dict[int, List[str]]", _EMPTY)
        #: "replay" mode: the objects identified by identity (a plan keeps them alive)
        self.seen: List[Any] = cast("List[Any]", ())
        #: the random generators met, other than the global ones: (label, generator, kind), kind
        #: "argument" (keyed by its state) or "static" (reached through code: keyed by where it was
        #: met; its state counts when the computation draws from it, see _run_record)
        self.generators: List[Tuple[str, Any, str]] = cast("List[Tuple[str, Any, str]]", ())
        #: hashing the call's arguments (True) or a value on its own ("value"): generators by state
        self._in_arguments: object = False
        #: the global generators whose state reachable code reads without drawing (np.random.get_state)
        self._reads_global_state: Set[str] = cast("Set[str]", frozenset())
        #: deep mode: the plan of what this call's walk read (see _deep_plan), when one was kept
        self.plan: Optional["Plan"] = None

    def _start_items(self) -> None:
        self._index, self.objects, self.records, self._classes, self._functions = {}, [], [], [], []
        self._modules_whole, self._member_tokens, self._selection, self.seen = set(), {}, {}, []

    @property
    def deep(self) -> bool:
        return self.mode == "deep"

    # -- the key of a call ----------------------------------------------------------------------

    def key(self, fp: Fingerprint, bound: Optional[Mapping[str, Any]],
            raw_call: Optional[Tuple[Sequence[Any], Mapping[str, Any]]] = None) -> str:
        """The key of calling ``fp.func`` with ``bound`` arguments (or, if they could not be bound,
        ``raw_call``). The guarded reading is used exactly when all its assumptions hold."""
        try:
            return self._key(fp, bound, raw_call)
        except RecursionError:  # a value nested deeper than the interpreter allows
            raise ValueHasher.too_deep(bound if bound is not None else raw_call) from None

    def _key(self, fp: Fingerprint, bound: Optional[Mapping[str, Any]],
             raw_call: Optional[Tuple[Sequence[Any], Mapping[str, Any]]] = None) -> str:
        reading = fp.strict
        if bound is not None and fp.guarded is not None and all(
                self._holds(kind, name, fp, bound) for kind, name in fp.identity.assumptions):
            reading = fp.guarded
        h = new_hasher(self.algorithm)
        h.update(fp.strict_prefix if reading is fp.strict else fp.guarded_prefix)
        self._note_code(fp.func, fp.identity)
        if self.components is not None:
            self._record("code", fp.qualname, reading.code_digest, _location(fp.func))
        self._arguments(h, reading, bound, raw_call)
        for layer in fp.layers:
            h.update(b"layer")
            self.hasher.feed(layer, h)
        if self.mode == "deep" or reading.free_names or reading.imports or self.objects:
            # what the code reads gets a hasher of its own: aliasing between an argument and a
            # global is not encoded, so a deep-mode plan's digest does not depend on the arguments
            self.hasher = ValueHasher(self.identify, self.pickle_protocol, self.algorithm, self.provisional)
            if self.mode == "deep":
                h.update(self._deep_digest(fp, reading))
            else:
                self._reads(h, fp.func, reading, fp.identity)
                self._finish(h)
        return h.hexdigest()

    def value_digest(self, value: Any) -> bytes:
        """The digest of a value on its own, with the content of the code it holds (no code
        reads it here: every member of a class counts; a random generator counts by its state)."""
        self.dynamic = True
        h = new_hasher(self.algorithm)
        try:
            self._in_arguments = "value"
            self.hasher.feed(value, h)
            self._in_arguments = False
            self._finish(h)
        except RecursionError:
            raise ValueHasher.too_deep(value) from None
        return h.digest()

    def _arguments(self, h: Any, reading: Reading, bound: Optional[Mapping[str, Any]],
                   raw_call: Optional[Tuple[Sequence[Any], Mapping[str, Any]]]) -> None:
        self._in_arguments = True
        try:
            self._bound_arguments(h, reading, bound, raw_call)
        finally:
            self._in_arguments = False

    def _bound_arguments(self, h: Any, reading: Reading, bound: Optional[Mapping[str, Any]],
                         raw_call: Optional[Tuple[Sequence[Any], Mapping[str, Any]]]) -> None:
        feed = self.hasher.feed
        if bound is None:
            assert raw_call is not None
            h.update(b"raw")
            feed((tuple(raw_call[0]), dict(sorted(raw_call[1].items()))), h)
            return
        for name in reading.params:
            if name in bound:
                feed(bound[name], h)
                if self.components is not None:
                    self._record("argument", name, self._stable_digest(bound[name], argument=True), "", bound[name],
                                 True)
            else:
                h.update(b"unbound")

    def _reads(self, h: Any, func: FunctionType, reading: Reading, identity: CodeIdentity) -> None:
        """The free names and imports of ``func``, each with the chains and keys read from it.
        Code that looks names up dynamically may read any attribute of what it holds."""
        chains = None if identity.dynamic else reading.attribute_chains
        keyed = reading.keyed_by_root
        for name in reading.free_names:
            value = self._read_free(func, name)
            if _is_same_function(value, func):
                h.update(b"self")
                continue
            digest = self.reference(value, None if chains is None else chains.get(name, ()), keyed.get(name, ()))
            h.update(digest)
            if self.components is not None and not isinstance(value, (FunctionType, type, ModuleType,
                                                                       BuiltinFunctionType)):
                self._record("global", name, self._stable_digest(value), _location(func, line=False), value, True)
        for imp in reading.imports:
            value = self._note_read(partial(_resolve_import, func.__globals__, imp), SAME)
            h.update(b"import" + self.reference(value, None if chains is None else chains.get(imp[0], ()),
                                                keyed.get(imp[0], ())))

    # -- deep mode ----------------------------------------------------------------------------

    def _deep_digest(self, fp: Fingerprint, reading: Reading) -> bytes:
        """All the code the function reaches and the values it reads. The first call walks the
        graph and keeps a plan of what it read; later calls replay the plan and walk again only
        when a read gives a different answer (see _deep_plan)."""
        entry = tuple(self.objects)  # items met in the arguments and layers
        plannable = self.components is None
        given = tuple(id(g) for _, g, kind in self.generators if kind == "argument")
        slot = (reading is fp.guarded, self.algorithm, self.pickle_protocol, tuple(map(id, entry)), given)
        if plannable:
            plan = fp.plans.get(slot)
            if plan is not None and plan.holds(self._probe):
                self.plan = plan
                self.dynamic_sites.extend(plan.dynamic_sites)
                if plan.generators:
                    self.generators = [*self.generators, *plan.generators]
                return plan.digest
            from ._deep_plan import Recorder

            self.recorder = Recorder()
        h = new_hasher(self.algorithm)
        self._reads(h, fp.func, reading, fp.identity)
        self._finish(h)
        digest = h.digest()
        if self.recorder is not None and not self._reads_generator_state():
            plans = fp.plans
            if len(plans) >= 16:  # arguments reaching ever new classes: keep the latest plans only
                plans.pop(next(iter(plans)))
            plan = plans[slot] = self.recorder.plan(digest, entry, self, self._probe)
            plan.generators = tuple(g for g in self.generators if g[2] == "static")
            plan.new_probe = partial(KeyBuilder, self.pickle_protocol, self.algorithm, mode="replay")
            self.plan = plan
        self.recorder = None
        return digest

    def _probe(self) -> "KeyBuilder":
        return KeyBuilder(self.pickle_protocol, self.algorithm, mode="replay")

    # -- identity of objects ------------------------------------------------------------------

    def identify(self, obj: Any) -> Optional[bytes]:
        """The token of a code-like object met inside a value; None: hash it by value (pickle)."""
        handler = _IDENTIFY.get(type(obj))
        if handler is not None:
            return handler(self, obj)
        if _generators.access(type(obj)) is not None:
            return self._generator_token(obj)
        if isinstance(obj, type):
            return self._class_token(obj)
        if isinstance(obj, ModuleType):
            return self._module_token(obj, whole=True)
        if isinstance(obj, functools.partial):
            return self._partial_token(obj)
        if _objects.is_environ(obj):
            return b"environ" + self._environment_digest()
        if isinstance(obj, _ATTRIBUTE_CALLERS):
            return self._attribute_caller_token(obj)
        compiled = _objects.compiled_parts(obj)
        if compiled is not None:  # a numba function: what it compiles, never its compiled state
            return b"compiled" + self._part(compiled)
        if callable(obj) and _objects.is_library_callable(obj):
            self._note_state_reader(obj)
            return library_token(obj)  # np.sum, np.add: by name and version
        return None

    def _generator_token(self, generator: Any) -> bytes:
        """A random generator: a global one by its name, one in the arguments by its state, one
        reached through code by where it was met (its state counts only if the computation draws
        from it: see _run_record). Never by a state that differs between runs by itself."""
        name = _generators.global_name(generator)
        if name is not None:
            token = b"global-generator:" + name.encode()
            if self._in_arguments == "value":  # hash_anything(np.random.mtrand._rand): a value, by its state
                token += b"=" + ValueHasher().digest(_generators.state_of(generator))
            return token
        kind = _type_name(type(generator)).encode()
        if self.mode == "replay":
            if self._index is _EMPTY:
                self._start_items()
            self.seen.append(generator)
            return b"generator@%d" % id(generator)
        if self._provisional or self.mode == "stable":
            if self._in_arguments and not self._provisional:  # an argument's component: by its state
                return b"generator:" + kind + b"=" + ValueHasher().digest(_generators.state_of(generator))
            return b"generator:" + kind
        for label, known, _ in self.generators:
            if known is generator:
                return b"generator:" + kind + b"@" + label.encode()
        if not isinstance(self.generators, list):
            self.generators = []
        where = "argument" if self._in_arguments else "static"
        label = f"{where}#{sum(1 for _, _, k in self.generators if k == where)}"
        self.generators.append((label, generator, where))
        token = b"generator:" + kind + b"@" + label.encode()
        if where == "argument":  # the caller's generator: its state is an input
            token += b"=" + ValueHasher().digest(_generators.state_of(generator))
        return token

    def _watched_token(self, watched: Any) -> bytes:
        """A library function watched while a computation runs (``_objects.Watched``): the original."""
        token = self.identify(watched.original)
        return token if token is not None else self._by_value(watched.original)

    def _function_token(self, func: FunctionType) -> bytes:
        if getattr(func, "__checkpointing__", None) is not None and hasattr(func, "__wrapped__"):
            return b"checkpointed" + self._part(func.__wrapped__)  # another checkpointed function
        parts = _objects.singledispatch_parts(func)
        if parts is not None:
            return b"singledispatch" + self._part(parts)
        if _objects.is_library_function(func):
            return library_token(func)
        return self._item(func)

    def _method_token(self, method: MethodType) -> bytes:
        self._note_state_reader(method)
        return b"method" + self._part(method.__func__) + self._part(method.__self__)

    def _note_state_reader(self, obj: Any) -> None:
        name = _generators.reads_state(obj)
        if name:
            self._reads_global_state = {*self._reads_global_state, name}

    def _builtin_token(self, obj: Any) -> bytes:
        self._note_state_reader(obj)
        if _objects.is_library_builtin(obj):
            return library_token(obj)
        # a builtin method bound to data: "abc".upper, d.get, rng.normal
        return b"builtin-method:" + str(getattr(obj, "__name__", "?")).encode() + self._part(obj.__self__)

    def _class_token(self, cls: type) -> bytes:
        if _objects.is_library_class(cls):
            return library_token(cls)
        if self.mode == "shallow" and _objects.lookup(cls.__module__, cls.__qualname__) is cls:
            return b"class:" + _objects.qualified_name(cls).encode()  # 1.0.1: classes by name
        return self._item(cls)

    def _module_token(self, module: ModuleType, whole: bool = False) -> bytes:
        if _objects.is_library_module(module):
            return f"lib-module:{module.__name__}@{_version(module.__name__)}".encode()
        token = self._item(module)
        if whole and self.mode in ("shallow", "deep"):
            self._modules_whole.add(self._index[id(module)])
        return token

    def _partial_token(self, obj: Any) -> bytes:
        return b"partial" + self._part((obj.func, obj.args, obj.keywords, _instance_dict(obj)))

    def _wrapper_token(self, obj: Any) -> bytes:
        """staticmethod, classmethod: what they wrap."""
        return type(obj).__name__.encode() + self._part(obj.__func__)

    def _property_token(self, obj: property) -> bytes:
        return b"property" + self._part((obj.fget, obj.fset, obj.fdel))

    def _cached_property_token(self, obj: Any) -> bytes:
        return b"cached_property" + self._part((obj.func, getattr(obj, "attrname", None)))

    def _partialmethod_token(self, obj: Any) -> bytes:
        return b"partialmethod" + self._part((obj.func, obj.args, obj.keywords))

    def _lru_token(self, obj: Any) -> bytes:
        parts = _objects.lru_cache_parts(obj)
        if parts is None:
            from .exceptions import UnhashableValueError

            raise UnhashableValueError(f"cannot identify {_objects.qualified_name(obj)}: an lru_cache wrapper "
                                       f"without __wrapped__")
        return b"lru_cache" + self._part(parts)

    def _descriptor_token(self, obj: Any) -> bytes:
        """A C-level descriptor (``str.upper``, a slot): its class and name."""
        return b"descriptor:" + str(obj.__name__).encode() + self._part(obj.__objclass__)

    def _method_wrapper_token(self, obj: Any) -> bytes:
        return b"method-wrapper:" + str(obj.__name__).encode() + self._part(obj.__self__)

    def _attribute_caller_token(self, obj: Any) -> bytes:
        """``attrgetter("a.b")``, ``methodcaller("fit")``: they read attributes named in strings."""
        reduced = obj.__reduce__()
        for arg in reduced[1][:1] if isinstance(obj, operator.methodcaller) else reduced[1]:
            if isinstance(arg, str):
                self.attributes.update(arg.split("."))
        return b"attribute-caller" + self._part((type(obj).__name__, reduced[1:]))

    def _item(self, obj: Any) -> bytes:
        """The token of an object identified by content: its index (given when first met)."""
        if self._index is _EMPTY:
            self._start_items()
        if self.mode == "replay":
            self.seen.append(obj)
            return b"@%d" % id(obj)
        if self._provisional or self.mode == "stable":
            return b"?" + _objects.qualified_name(obj).encode() + _code_token(obj)
        index = self._index.get(id(obj))
        if index is None:
            index = self._index[id(obj)] = len(self.objects)
            self.objects.append(obj)
            self.records.append(b"")
        return b"#%d" % index

    def provisional(self, obj: Any, h: Any) -> None:
        """Feed a set element as the *order* of the set's elements sees it: items by name and
        code rather than by the index they would get (see ``ValueHasher._unordered_digests``)."""
        saved = self._provisional
        self._provisional = True
        try:
            ValueHasher(self.identify, self.pickle_protocol, self.algorithm).feed(obj, h)
        finally:
            self._provisional = saved

    def _stable_digest(self, value: Any, argument: bool = False) -> bytes:
        """A value's digest for a component of an explanation (its own builder: the key is untouched);
        an argument's random generators count by their state, as in the key."""
        try:
            builder = KeyBuilder(self.pickle_protocol, self.algorithm, mode="stable")
            builder._in_arguments = argument
            return builder.hasher.digest(value)
        except Exception:
            return b"?"

    # -- references: what a name read gives ------------------------------------------------------

    def reference(self, value: Any, chains: Optional[Iterable[Chain]], keyed: Sequence[Keyed] = ()) -> bytes:
        """The digest of a value read through a name, with the attribute chains read from it
        (``None``: not known, every attribute counts) and the reads with constant keys."""
        if value is MISSING:
            return b"missing"
        if type(value) is str:  # a format string or attribute name read from a global: "{0.size}"
            self.attributes.update(_IDENTIFIER.findall(value))
        h = new_hasher(self.algorithm)
        if self._environment(value, (), keyed, h):
            return h.digest()
        if _objects.implicit_input(value) is not None:
            self.attributes.add(value.__name__)
        if isinstance(value, ModuleType) and (chains is None or ("*",) in chains):
            h.update(self._module_token(value, whole=True))  # what is read from it is not known
            return h.digest()
        h.update(self._token(value))
        for chain in sorted(chains or ()):
            h.update(("." + ".".join(chain)).encode())
            self._chain(value, tuple(chain), keyed, h)
        return h.digest()

    def _token(self, value: Any) -> bytes:
        """A name's value: by name where the mode allows it, else by content."""
        if isinstance(value, ModuleType):
            if self.mode == "shallow" and not _objects.is_library_module(value):
                return b"module:" + value.__name__.encode()
            return self._module_token(value)
        if self.mode == "shallow" and isinstance(value, (FunctionType, type)) \
                and getattr(value, "__checkpointing__", None) is None and _objects.is_user_named(value):
            return b"name:" + _objects.qualified_name(value).encode()  # 1.0.1: helpers by name
        return self._by_value(value)

    def _by_value(self, value: Any) -> bytes:
        h = new_hasher(self.algorithm)
        self.hasher.feed(value, h)
        return h.digest()

    def _part(self, value: Any) -> bytes:
        """The digest of a part of a composite object (a method's ``__self__``, a partial's
        arguments): with the key's hasher (aliasing counts), except while ordering a set."""
        if self._provisional:
            return ValueHasher(self.identify, self.pickle_protocol, self.algorithm).digest(value)
        return self.hasher.digest(value)

    def _chain(self, root: Any, chain: Chain, keyed: Sequence[Keyed], h: Any) -> None:
        """Follow ``root.a.b``, without running user code (``_objects.static_attribute``): the
        value found at each step, where it is not a module the next step reads from."""
        value = root
        for i, attr in enumerate(chain):
            holder = value
            value = self._note_read(partial(_objects.static_attribute, holder, attr), writer=partial(
                setattr, holder, attr) if isinstance(holder, ModuleType) else None)
            here = chain[:i + 1]
            if self._environment(value, here, keyed, h):
                return
            if value is MISSING:
                h.update(b"missing")
                hook = getattr(type(holder), "__getattr__", None)
                if hook is not None and not isinstance(holder, ModuleType):
                    h.update(self._by_value(hook))  # what answers instead
                return
            if isinstance(value, ModuleType):
                if _objects.is_library_module(value):
                    h.update(self._module_token(value))
                continue
            if isinstance(holder, ModuleType) and _objects.is_library_module(holder):
                self._note_state_reader(value)
                if not _is_data(value):  # a library function, class or object: by name
                    h.update(self._by_value(value) if isinstance(value, (FunctionType, type, BuiltinFunctionType))
                             else library_token(type(value)))
                    return
                h.update(b"data" + self._by_value(value))
                if self.components is not None:  # sys.argv, np.pi: a library module's data
                    name = f"{holder.__name__}.{attr}"
                    self._record("argv" if name == "sys.argv" else "global", name, self._stable_digest(value), "",
                                 value, True)
                continue
            h.update(self._token(value))
            if self.components is not None and _is_data(value):
                self._record("global", ".".join(here), self._stable_digest(value), _location(root, line=False),
                             value, show_value=True)
            if _objects.is_python_descriptor(value) or isinstance(value, (staticmethod, classmethod)):
                return  # what it gives is computed by code the key already covers

    # -- the process environment ---------------------------------------------------------------

    def _environment(self, value: Any, chain: Chain, keyed: Sequence[Keyed], h: Any) -> bool:
        """If ``value`` (found at ``chain``) is the environment or reads it: add the variables read,
        by name when every use has a constant name, else the whole environment (fail closed)."""
        if _objects.is_environ(value):
            here = [(how, key) for c, how, key in keyed if c == chain]
            below = [(c, how, key) for c, how, key in keyed if len(c) > len(chain) and c[:len(chain)] == chain]
            uses = here + [("call" if len(c) == len(chain) + 1 and how == "call"
                            and c[-1] in ("get", "__getitem__") else "any", key) for c, how, key in below]
        elif _objects.environ_accessor(value) is not None:
            uses = [(how, key) for c, how, key in keyed if c == chain]
        else:
            return False
        if uses and all(how in ("getitem", "call") for how, _ in uses):
            self._environment_variables(sorted({key for _, key in uses}), h)
        else:
            h.update(b"environ" + self._environment_digest())
        return True

    def _environment_variables(self, names: Sequence[str], h: Any) -> None:
        """The value of each environment variable named (or its absence)."""
        for name in names:
            current = self._note_read(partial(_objects.environment_value, name), EQUAL)
            h.update(b"env:" + name.encode("utf-8", "surrogatepass") + b"=")
            h.update(b"-" if current is None else b"+" + current.encode("utf-8", "surrogatepass"))
            if self.components is not None:
                self._record("environment", name, self._stable_digest(current), "", current, True)

    def _environment_digest(self) -> bytes:
        return self.hasher.digest(self._note_read(_environment_items, EQUAL))

    # -- expanding items ------------------------------------------------------------------------

    def _finish(self, h: Any) -> None:
        """Expand every item met, until the attribute names reachable code uses are final; then
        add the records in index order."""
        if not self.objects:
            self._implicit_inputs(h)
            self._generator_states(h)
            return
        while True:
            while self._cursor < len(self.objects):
                index = self._cursor
                self._cursor += 1
                self._expand(index)
            state = (len(self.objects), len(self.attributes), self.dynamic, len(self._modules_whole))
            for index in list(self._classes):
                self._class_members(index)
            for index in sorted(self._modules_whole):
                self._module_members(index)
            if self._cursor == len(self.objects) and state == (
                    len(self.objects), len(self.attributes), self.dynamic, len(self._modules_whole)):
                break
        self._implicit_inputs(h)
        self._generator_states(h)
        for index in self._classes:
            self.records[index] = self._class_record(index)
        for index in self._functions:
            self.records[index] += self._function_attributes(index)
        for index in self._modules_whole:
            self.records[index] += self._module_record(index)
        for index, record in enumerate(self.records):
            h.update(b"|#%d:" % index)
            h.update(record)
            if self.components is not None:
                self._record_item(index)

    def _reads_generator_state(self) -> bool:
        """Reachable code reads a generator's state without drawing from it (``np.random.get_state()``,
        ``rng.bit_generator.state``): the state itself is then an input."""
        return bool(self._reads_global_state) or (bool(self.generators)
                                                  and not self.attributes.isdisjoint(STATE_READERS))

    def _generator_states(self, h: Any) -> None:
        """Where reachable code reads generators' states: those states (a draw is recorded by the
        run, see _run_record; a read is not)."""
        if self._reads_global_state:
            for generator in _generators.loaded_globals():
                if generator.name in self._reads_global_state:
                    h.update(b"generator-state:" + generator.name.encode() + ValueHasher().digest(generator.state()))
        if self.generators and not self.attributes.isdisjoint(STATE_READERS):
            for label, generator, kind in self.generators:
                if kind == "static":
                    h.update(b"generator-state:" + label.encode() + ValueHasher().digest(
                        _generators.state_of(generator)))

    def _implicit_inputs(self, h: Any) -> None:
        """Library calls that read the command line or the environment themselves:
        ``parser.parse_args()`` reads ``sys.argv``, ``os.path.expandvars`` the environment."""
        if self.attributes.isdisjoint(_objects.IMPLICIT_INPUTS):
            return
        reads = [_objects.IMPLICIT_INPUTS[name] for name in sorted(self.attributes & _objects.IMPLICIT_INPUTS.keys())]
        if any(what == "argv" for what, _ in reads):
            argv = self._note_read(_argv, EQUAL)
            h.update(b"argv" + self.hasher.digest(argv))
            if self.components is not None:
                self._record("argv", "sys.argv", self._stable_digest(argv), "", argv, True)
        variables = [names for what, names in reads if what == "environ"]
        if any(names is None for names in variables):
            h.update(b"environ" + self._environment_digest())
        elif variables:  # the variables they read, each by its value (as os.environ.get("HOME") is)
            self._environment_variables(sorted({name for names in variables for name in names or ()}), h)

    def _expand(self, index: int) -> None:
        obj = self.objects[index]
        if isinstance(obj, FunctionType):
            self.records[index] = self._function_record(obj)
            self._functions.append(index)
        elif isinstance(obj, type):
            self._classes.append(index)
        else:
            self.records[index] = b"module"

    def _function_record(self, func: FunctionType) -> bytes:
        h = new_hasher(self.algorithm)
        code = self._note_read(partial(getattr, func, "__code__"), SAME)
        defaults = self._note_read(partial(getattr, func, "__defaults__"))
        kwdefaults = self._note_read(partial(getattr, func, "__kwdefaults__"))
        attributes = self._note_read(partial(_instance_dict, func))
        if _objects.is_library_code(func):
            # a closure made by library code (a wrapper, a factory's product): the library's code
            # by where it is, its state by value
            h.update(_library_code_token(func, code))
            cells = tuple(self._read_free(func, name) for name in code.co_freevars)
            self.hasher.feed((defaults, kwdefaults, attributes, cells), h)
            return h.digest()
        identity = code_identity(code, func.__qualname__)
        self._note_code(func, identity)
        reading = identity.strict
        h.update(b"code" + reading.code_digest + _signature_spec(code, reading))
        self.hasher.feed((defaults, kwdefaults, attributes), h)
        self._reads(h, func, reading, identity)
        return h.digest()

    def _function_attributes(self, index: int) -> bytes:
        """Attributes of a function that reachable code names (``helper.__doc__``)."""
        wanted = [a for a in _FUNCTION_ATTRIBUTES if a in self.attributes or self.dynamic]
        if not wanted:
            return b""
        func = self.objects[index]
        h = new_hasher(self.algorithm)
        for attr in wanted:
            h.update(attr.encode() + b"=")
            self.hasher.feed(self._note_read(partial(getattr, func, attr, None)), h)
        return h.digest()

    def _note_code(self, func: FunctionType, identity: CodeIdentity) -> None:
        if identity.attributes:
            self.attributes.update(identity.attributes)
        if identity.dynamic:
            self.dynamic = True
            self.dynamic_sites.extend((func, line, what) for line, what in identity.dynamic)
            module = sys.modules.get(func.__module__)  # globals()[...] reads its own module by name
            if module is not None and not _objects.is_library_module(module) and self.mode in ("shallow", "deep"):
                self._module_token(module, whole=True)

    # classes -------------------------------------------------------------------------------------

    def _every_member(self, cls: type) -> bool:
        """Every member counts where code we cannot read may call methods by name: a class with
        a library base or metaclass that does (scikit-learn calls ``transform``), reachable code
        that looks attributes up dynamically or lists them (``__dict__``); and in shallow mode,
        where no reachable code is known. Builtin types, ``abc`` and ``typing.Generic`` call only
        dunder methods on a subclass, and ``enum`` sunder ones: those always count."""
        if self.dynamic or self.mode == "shallow" or "__dict__" in self.attributes:
            return True
        metaclasses = cast("Tuple[type, ...]", type(cls).__mro__)  # (the metaclass's own MRO)
        return any(_calls_by_name(k) for k in (*cls.__mro__[1:], *metaclasses))

    def _class_members(self, index: int) -> None:
        """Choose the members that count (with the attribute names known now) and identify them."""
        cls = self.objects[index]
        names = self._note_read(partial(_member_names, cls), EQUAL)
        every = self._every_member(cls)
        chosen = [name for name in sorted(names)
                  if (name not in _CLASS_BOOKKEEPING or name in self.attributes)
                  and (every or _is_dunder(name) or _is_sunder(name) or name in self.attributes
                       or name in _PROTOCOL_METHODS)]
        self._selection[index] = chosen
        for name in chosen:
            if (index, name) not in self._member_tokens:
                value = self._note_read(partial(_member, cls, name), writer=partial(setattr, cls, name))
                self._member_tokens[(index, name)] = self._by_value(value)
        if (index, "|mro") not in self._member_tokens:
            mro = self._note_read(partial(_mro, cls), EQUAL)
            meta = self._note_read(partial(type, cls), SAME)
            registered = self._note_read(partial(_abc_registry, cls), EQUAL)  # ABC.register(...)
            self._member_tokens[(index, "|mro")] = b"mro:" + b"".join(self._by_value(k) for k in mro[1:]) + (
                b"meta:" + self._by_value(meta) if meta is not type else b"") + (
                b"registered:" + self._by_value(registered) if registered else b"")

    def _class_record(self, index: int) -> bytes:
        cls = self.objects[index]
        h = new_hasher(self.algorithm)
        h.update(b"class " + self._member_tokens[(index, "|mro")])
        # its name counts where code can see it: code that names it, or the repr of a library
        # base (set, Exception, Enum print the class's name)
        if self.mode == "shallow" or self.dynamic or {"__name__", "__qualname__", "__module__"} & self.attributes \
                or any(k is not object and _objects.is_library_class(k) for k in cls.__mro__[1:]):
            h.update(f"name:{cls.__module__}.{cls.__qualname__}".encode())
        for name in self._selection[index]:
            h.update(b"|" + name.encode() + b"=" + self._member_tokens[(index, name)])
        return h.digest()

    # modules ------------------------------------------------------------------------------------

    def _module_members(self, index: int) -> None:
        """Every attribute of a user module (passed as a value, or read dynamically)."""
        module = self.objects[index]
        names = self._note_read(partial(_member_names, module), EQUAL)
        for name in sorted(names):
            if (_is_dunder(name) and name not in ("__all__", "__getattr__", "__dir__")) or (index, name) in \
                    self._member_tokens:
                continue
            value = self._note_read(partial(_member, module, name), digester=_reference_digester,
                                    writer=partial(setattr, module, name))
            self._member_tokens[(index, name)] = self.reference(value, ())

    def _module_record(self, index: int) -> bytes:
        h = new_hasher(self.algorithm)
        for (i, name), token in sorted(self._member_tokens.items()):
            if i == index:
                h.update(name.encode() + b"=" + token + b";")
        return h.digest()

    # -- live reads (noted in a deep-mode plan) ---------------------------------------------------

    def _note_read(self, reader: Any, kind: Optional[int] = None, digester: Any = None, writer: Any = None) -> Any:
        value = reader()
        if self.recorder is not None:
            self.recorder.note(reader, value, digester or _value_digester, kind, writer=writer)
        return value

    def _read_free(self, func: FunctionType, name: str) -> Any:
        value = resolve_free_name(func, name)
        if self.recorder is not None:
            self._note_free_name(func, name, value)
        return value

    def _note_free_name(self, func: FunctionType, name: str, value: Any) -> None:
        """How to read a free name again: the closure cell, the global or the builtin (then also
        that no global of that name appeared), with C-level readers."""
        assert self.recorder is not None
        note = self.recorder.note
        code = func.__code__
        if name in code.co_freevars and func.__closure__ is not None:
            note(partial(resolve_free_name, func, name), value, _value_digester)
            return
        g = func.__globals__
        if name in g:
            note(partial(g.get, name, MISSING), value, _value_digester, key=("global", id(g), name),
                 writer=partial(g.__setitem__, name))
            return
        note(partial(g.get, name, MISSING), MISSING, kind=SAME, key=("global", id(g), name, "absent"))
        b = g.get("__builtins__", builtins)
        if isinstance(b, ModuleType):
            b = b.__dict__
        note(partial(b.get, name, MISSING), value, _value_digester, key=("builtin", id(b), name))

    # -- explanations -------------------------------------------------------------------------------

    def _record(self, kind: str, name: str, digest: bytes, where: str = "", value: Any = None,
                show_value: bool = False) -> None:
        if self.components is None:
            return
        from ._explain import Component, short_repr

        shown = ""
        if kind == "environment":
            shown = "" if value is None else str(value)
        elif show_value:
            shown = (getattr(value, "__qualname__", None) or short_repr(value)) if not isinstance(
                value, (int, float, str, bytes, tuple, list, dict, set)) else short_repr(value)
        self.components.append(Component(kind, name, digest.hex(), where, shown))

    def _record_item(self, index: int) -> None:
        """A component per item, from its own content (not from indices, which shift when an
        unrelated helper is met earlier)."""
        obj = self.objects[index]
        kind = "class" if isinstance(obj, type) else "module" if isinstance(obj, ModuleType) else "helper"
        if kind == "module" and index not in self._modules_whole:
            return  # what is read from it is recorded where it is read (config.THRESHOLD)
        if isinstance(obj, FunctionType) and not _objects.is_library_code(obj):
            identity = code_identity(obj.__code__, obj.__qualname__)
            digest = identity.strict.code_digest + _signature_spec(obj.__code__, identity.strict) + \
                self._stable_digest((obj.__defaults__, obj.__kwdefaults__))
        else:
            digest = self.records[index]
        h = new_hasher(self.algorithm)
        h.update(digest)
        self._record(kind, getattr(obj, "__qualname__", getattr(obj, "__name__", "?")), h.digest(), _location(obj))

    # -- guarded readings ---------------------------------------------------------------------------

    @staticmethod
    def _holds(kind: str, name: str, fp: Fingerprint, bound: Mapping[str, Any]) -> bool:
        """Does the assumption ``(kind, name)`` hold for this call?"""
        if kind == "plain" and name in bound:
            return is_plain(bound[name])
        value = resolve_free_name(fp.func, name)
        if kind == "plain":
            return value is not MISSING and is_plain(value)
        if kind == "module":  # reading its attributes runs no code
            return type(value) is ModuleType and "__getattr__" not in vars(value)
        if kind == "builtin":
            return value is getattr(builtins, name, MISSING)
        return False


# -- the hot path --------------------------------------------------------------------------------


class ScalarKey:
    """The key of a call whose arguments are all scalars, of a function that reads nothing
    (no free name, no import, no dynamic access): the prefix, then each argument. Exactly the
    key ``KeyBuilder.key`` gives for such a call (a test checks), without building one."""

    __slots__ = ("_start", "_order", "_tail")

    def __init__(self, fp: Fingerprint, deep: bool, algorithm: str) -> None:
        self._start = new_hasher(algorithm)
        self._start.update(fp.strict_prefix)
        names = fp.bound_names
        assert names is not None
        self._order = tuple(names.index(p) for p in fp.strict.params)
        # deep mode: the digest of a walk that meets nothing
        self._tail = new_hasher(algorithm).digest() if deep else b""

    @staticmethod
    def applies(fp: Fingerprint) -> bool:
        identity, reading = fp.identity, fp.strict
        return (fp.error is None and not fp.layers and fp.guarded is None and fp.bound_names is not None
                and not reading.free_names and not reading.imports and not identity.dynamic
                and identity.attributes.isdisjoint(_objects.IMPLICIT_INPUTS)
                and sorted(reading.params) == sorted(fp.bound_names))

    def __call__(self, args: Sequence[Any]) -> Optional[str]:
        order = self._order
        if len(args) != len(order):
            return None
        h = self._start.copy()
        for i in order:
            value = args[i]
            encode = _SCALARS.get(type(value))
            if encode is None:
                return None
            encode(None, value, h)  # type: ignore[arg-type]
        if self._tail:
            h.update(self._tail)
        return h.hexdigest()


# -- helpers -------------------------------------------------------------------------------------

_EMPTY: Mapping[Any, Any] = MappingProxyType({})
_SCALARS = {t: _EXACT[t] for t in (type(None), bool, int, float, complex, str, bytes)}

_IDENTIFY: Dict[type, Callable[[KeyBuilder, Any], Optional[bytes]]] = {
    FunctionType: KeyBuilder._function_token,
    MethodType: KeyBuilder._method_token,
    _objects.Watched: KeyBuilder._watched_token,
    BuiltinFunctionType: KeyBuilder._builtin_token,
    staticmethod: KeyBuilder._wrapper_token,
    classmethod: KeyBuilder._wrapper_token,
    property: KeyBuilder._property_token,
    functools.cached_property: KeyBuilder._cached_property_token,
    functools.partialmethod: KeyBuilder._partialmethod_token,
    functools.partial: KeyBuilder._partial_token,
    type(functools.lru_cache(None)(lambda: None)): KeyBuilder._lru_token,
    type(str.upper): KeyBuilder._descriptor_token,  # method_descriptor
    type(str.__add__): KeyBuilder._descriptor_token,  # wrapper_descriptor
    type(dict.__dict__["fromkeys"]): KeyBuilder._descriptor_token,  # classmethod_descriptor
    type(FunctionType.__dict__["__name__"]): KeyBuilder._descriptor_token,  # getset_descriptor
    type(FunctionType.__dict__["__globals__"]): KeyBuilder._descriptor_token,  # member_descriptor
    type((1).__add__): KeyBuilder._method_wrapper_token,  # method-wrapper
}


def _library_code_token(func: FunctionType, code: CodeType) -> bytes:
    module = func.__globals__.get("__name__", "?")
    return f"lib-code:{module}.{getattr(code, 'co_qualname', code.co_name)}@{_version(module)}".encode()


_INERT_MODULES = frozenset({"builtins", "abc", "typing", "enum", "types"})


def _calls_by_name(cls: type) -> bool:
    """A library class whose code may call a subclass's methods by name (not a builtin type,
    ``abc.ABC``, ``typing.Generic`` or an enum type, which call only dunder and sunder ones)."""
    return cls.__module__ not in _INERT_MODULES and _objects.is_library_class(cls)


def _code_token(obj: Any) -> bytes:
    """An item's provisional token: its code, not its index (see ``KeyBuilder.provisional``)."""
    code = getattr(obj, "__code__", None)
    return code.co_code if isinstance(code, CodeType) else b""


def _is_data(value: Any) -> bool:
    """Plain data, arrays and frames: keyed by value wherever they are read."""
    if is_plain(value):
        return True
    return _type_module(type(value)).startswith(("numpy", "pandas")) and not callable(value)


def _instance_dict(obj: Any) -> Optional[Dict[str, Any]]:
    d = getattr(obj, "__dict__", None)
    return dict(d) if d else None


def _member_names(owner: Any) -> FrozenSet[str]:
    return frozenset(vars(owner))


def _member(owner: Any, name: str) -> Any:
    return vars(owner).get(name, MISSING)


def _mro(cls: type) -> Tuple[type, ...]:
    return cls.__mro__


def _abc_registry(cls: type) -> FrozenSet[Any]:
    """The virtual subclasses registered with an abstract base class (``Base.register(C)``)."""
    if "_abc_impl" not in vars(cls):
        return frozenset()
    try:
        import abc

        registry = abc._get_dump(cls)[0]  # type: ignore[attr-defined]
    except Exception:  # the pure-Python ABC implementation keeps it elsewhere
        registry = getattr(cls, "_abc_registry", ())
    return frozenset(filter(None, (ref() if callable(ref) else ref for ref in registry)))


def _argv() -> List[str]:
    return list(sys.argv)


def _environment_items() -> List[Tuple[str, str]]:
    return sorted(os.environ.items())


def _resolve_import(module_globals: Mapping[str, Any], imp: Import) -> Any:
    """What ``import``/``from ... import`` inside a function binds, as it would at run time."""
    _, kind, name, attribute, level = imp
    package = (module_globals.get("__package__") or str(module_globals.get("__name__", "")).rpartition(".")[0]) \
        if level else None
    try:
        module = importlib.import_module("." * level + name, package)
    except Exception:  # the function itself would fail to import it: part of its behaviour, keyed as such
        return MISSING
    if kind == "top":
        return sys.modules.get(name.split(".", 1)[0], MISSING)
    if kind == "from":
        value = _objects.unwatched(getattr(module, attribute, MISSING))
        if value is MISSING:
            try:
                value = importlib.import_module(f"{module.__name__}.{attribute}")
            except Exception:
                return MISSING
        return value
    return module


def _signature_spec(code: CodeType, reading: Reading) -> bytes:
    """How callers bind arguments to a function other than the checkpointed one: parameter
    kinds and order, each parameter's canonical slot, and the names of those a caller can pass
    by keyword."""
    n_positional, n_kwonly, flags = code.co_argcount, code.co_kwonlyargcount, code.co_flags
    count = n_positional + n_kwonly + bool(flags & inspect.CO_VARARGS) + bool(flags & inspect.CO_VARKEYWORDS)
    parts = [f"sig:{code.co_posonlyargcount},{n_positional},{n_kwonly},{flags & 0x0C}"]
    params = reading.params
    for i, name in enumerate(code.co_varnames[:count]):
        slot = params.index(name) if name in params else -1
        keyword = code.co_posonlyargcount <= i < n_positional + n_kwonly
        parts.append(f"{slot}:{name if keyword else ''}")
    return ";".join(parts).encode()


def _is_same_function(value: Any, func: FunctionType) -> bool:
    seen = 0
    while value is not None and seen < 32:
        if value is func:
            return True
        value = getattr(value, "__wrapped__", None)
        seen += 1
    return False


def _location(obj: Any, line: bool = True) -> str:
    from ._explain import location

    code = getattr(obj, "__code__", None)
    if isinstance(code, CodeType):
        return location(code.co_filename, code.co_firstlineno if line else None)
    module = obj if isinstance(obj, ModuleType) else sys.modules.get(getattr(obj, "__module__", "") or "")
    return location(getattr(module, "__file__", "") or "")


def _value_digester(builder: KeyBuilder, value: Any) -> bytes:
    return builder._by_value(value)


def _reference_digester(builder: KeyBuilder, value: Any) -> bytes:
    return builder.reference(value, ())
