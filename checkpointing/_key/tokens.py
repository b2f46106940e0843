"""What identifies an object met by the walk, as bytes (a *token*).

Provably library code (see ``_objects``) by module, qualified name and distribution version; a
random generator as ``_generators`` says; anything else that is code or holds code by content:
a function, class or module is an *item* (named as the numbering says, see ``numbering``), a
bound method by its function and ``__self__``, ``functools.partial``, ``partialmethod``,
``lru_cache``, ``singledispatch``, ``cached_property``, properties, static and class methods by
what they wrap and hold, a numba function by what it compiles. ``identify`` answers None for
data: the value hasher hashes it by value.
"""

from __future__ import annotations

import functools
import inspect
import operator
from types import BuiltinFunctionType, FunctionType, MethodType, ModuleType
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, cast

from .. import _generators, _objects
from .._hashing import ValueHasher, _type_key, new_hasher

if TYPE_CHECKING:
    from .._hashing import Sink
    from .shared import Walk

_ATTRIBUTE_CALLERS = (operator.attrgetter, operator.methodcaller)


def version(module_name: Any) -> str:
    from .._distributions import version_of

    return version_of(module_name) if isinstance(module_name, str) else ""


def library_token(obj: Any) -> bytes:
    module = getattr(obj, "__module__", None) or _objects.library_home(obj) or getattr(
        getattr(obj, "__objclass__", None), "__module__", None)
    return f"lib:{_objects.key_name(obj)}@{version(module)}".encode()


def instance_dict(obj: Any) -> Optional[Dict[str, Any]]:
    d = getattr(obj, "__dict__", None)
    return dict(d) if d else None


def _binds_by_name(func: Any, keywords: Dict[str, Any]) -> bool:
    """Does a call of the Python function ``func`` bind every one of ``keywords`` to a parameter
    of that name (no ``**kwargs`` that would see their order)?"""
    code = getattr(func, "__code__", None)
    if not isinstance(func, FunctionType) or code is None or code.co_flags & inspect.CO_VARKEYWORDS:
        return False
    named = code.co_varnames[code.co_posonlyargcount:code.co_argcount + code.co_kwonlyargcount]
    return all(name in named for name in keywords)


class Tokens:
    """The tokens of objects (a part of ``walk.KeyBuilder``)."""

    __slots__ = ()

    def identify(self: "Walk", obj: Any) -> Optional[bytes]:
        """The token of a code-like object met inside a value; None: hash it by value (pickle)."""
        handler = _IDENTIFY.get(type(obj))
        if handler is not None:
            return handler(self, obj)
        if _generators.access(type(obj)) is not None:
            return self.generator_token(obj)
        if isinstance(obj, type):
            return self.class_token(obj)
        if isinstance(obj, ModuleType):
            return self.module_token(obj, whole=True)
        if isinstance(obj, functools.partial):
            return self._partial_token(obj)
        if _objects.is_environ(obj):
            return b"environ" + self.environment_digest()
        if isinstance(obj, _ATTRIBUTE_CALLERS):
            return self._attribute_caller_token(obj)
        compiled = _objects.compiled_parts(obj)
        if compiled is not None:  # a numba function: what it compiles, never its compiled state
            return b"compiled" + self.part(compiled)
        if callable(obj) and _objects.is_library_callable(obj):
            self.note_state_reader(obj)
            return self.library_token(obj)  # np.sum, np.add: by name and version
        return None

    def library_token(self: "Walk", obj: Any) -> bytes:
        """Library code by name and version; its package is met (its settings count)."""
        token = library_token(obj)
        self.packages.add(token[4:].partition(b".")[0].decode())
        return token

    def generator_token(self: "Walk", generator: Any) -> bytes:
        """A random generator: a global one by its name, one in the arguments by its state, one
        reached through code by where it was met (its state counts only if the computation draws
        from it: see _run_record). Never by a state that differs between runs by itself."""
        name = _generators.global_name(generator)
        if name is not None:
            token = b"global-generator:" + name.encode()
            if self.in_arguments == "value":  # hash_anything(np.random.mtrand._rand): a value, by its state
                token += b"=" + ValueHasher().digest(_generators.state_of(generator))
            return token
        return self.numbering.generator(self, generator, _type_key(type(generator)))

    def _watched_token(self: "Walk", watched: Any) -> bytes:
        """A library function watched while a computation runs (``_objects.Watched``): the original."""
        token = self.identify(watched.original)
        return token if token is not None else self.by_value(watched.original)

    def _function_token(self: "Walk", func: FunctionType) -> bytes:
        if getattr(func, "__checkpointing__", None) is not None and hasattr(func, "__wrapped__"):
            return b"checkpointed" + self.part(func.__wrapped__)  # another checkpointed function
        parts = _objects.singledispatch_parts(func)
        if parts is not None:
            return b"singledispatch" + self.part(parts)
        if _objects.is_library_function(func):
            return self.library_token(func)
        return self.numbering.item(self, func)

    def _method_token(self: "Walk", method: MethodType) -> bytes:
        self.note_state_reader(method)
        return b"method" + self.part(method.__func__) + self.part(method.__self__)

    def note_state_reader(self: "Walk", obj: Any) -> None:
        """``obj`` reads a global generator's state without drawing (``np.random.get_state``)."""
        name = _generators.reads_state(obj)
        if name:
            self.reads_global_state = {*self.reads_global_state, name}

    def _builtin_token(self: "Walk", obj: Any) -> bytes:
        self.note_state_reader(obj)
        if _objects.is_library_builtin(obj):
            return self.library_token(obj)
        # a builtin method bound to data: "abc".upper, d.get, rng.normal
        return b"builtin-method:" + str(getattr(obj, "__name__", "?")).encode() + self.part(obj.__self__)

    def class_token(self: "Walk", cls: type) -> bytes:
        if _objects.is_library_class(cls):
            return self.library_token(cls)
        return self.policy.class_by_name(cls) or self.numbering.item(self, cls)

    def module_token(self: "Walk", module: ModuleType, whole: bool = False) -> bytes:
        if _objects.is_library_module(module):
            self.packages.add(module.__name__.partition(".")[0])
            return f"lib-module:{module.__name__}@{version(module.__name__)}".encode()
        token = self.numbering.item(self, module)
        if whole and self.numbering.positional:
            self.read_whole(module)
        return token

    def _partial_token(self: "Walk", obj: Any) -> bytes:
        keywords = obj.keywords
        if len(keywords) > 1 and _binds_by_name(obj.func, keywords) and "keywords" not in self.attributes:
            keywords = dict(sorted(keywords.items()))  # (their order reaches nothing: lo=0, hi=1 is hi=1, lo=0)
        return b"partial" + self.part((obj.func, obj.args, keywords, instance_dict(obj)))

    def _wrapper_token(self: "Walk", obj: Any) -> bytes:
        """staticmethod, classmethod: what they wrap."""
        return type(obj).__name__.encode() + self.part(obj.__func__)

    def _property_token(self: "Walk", obj: property) -> bytes:
        return b"property" + self.part((obj.fget, obj.fset, obj.fdel))

    def _cached_property_token(self: "Walk", obj: Any) -> bytes:
        return b"cached_property" + self.part((obj.func, getattr(obj, "attrname", None)))

    def _partialmethod_token(self: "Walk", obj: Any) -> bytes:
        return b"partialmethod" + self.part((obj.func, obj.args, obj.keywords))

    def _lru_token(self: "Walk", obj: Any) -> bytes:
        parts = _objects.lru_cache_parts(obj)
        if parts is None:
            from ..exceptions import UnhashableValueError

            raise UnhashableValueError(f"cannot identify {_objects.qualified_name(obj)}: an lru_cache wrapper "
                                       f"without __wrapped__")
        return b"lru_cache" + self.part(parts)

    def _descriptor_token(self: "Walk", obj: Any) -> bytes:
        """A C-level descriptor (``str.upper``, a slot): its class and name."""
        return b"descriptor:" + str(obj.__name__).encode() + self.part(obj.__objclass__)

    def _method_wrapper_token(self: "Walk", obj: Any) -> bytes:
        return b"method-wrapper:" + str(obj.__name__).encode() + self.part(obj.__self__)

    def _attribute_caller_token(self: "Walk", obj: Any) -> bytes:
        """``attrgetter("a.b")``, ``methodcaller("fit")``: they read attributes named in strings."""
        reduced = obj.__reduce__()
        for arg in reduced[1][:1] if isinstance(obj, operator.methodcaller) else reduced[1]:
            if isinstance(arg, str):
                self.attributes.update(arg.split("."))
        return b"attribute-caller" + self.part((type(obj).__name__, reduced[1:]))

    # -- digests of values ----------------------------------------------------------------------

    def by_value(self: "Walk", value: Any) -> bytes:
        h = new_hasher(self.algorithm)
        self.hasher.feed(value, h)
        return h.digest()

    def part(self: "Walk", value: Any) -> bytes:
        """The digest of a part of a composite object (a method's ``__self__``, a partial's
        arguments): with the key's hasher (aliasing counts), except while ordering a set."""
        if self.numbering.fresh_parts:
            return ValueHasher(self.identify, self.pickle_protocol, self.algorithm).digest(value)
        return self.hasher.digest(value)

    def provisional(self: "Walk", obj: Any, h: "Sink") -> None:
        """Feed a set element as the *order* of the set's elements sees it: items by name and
        code rather than by the position they would get (see ``ValueHasher._unordered_digests``)."""
        from .numbering import ORDERING, Numbering

        saved = self.numbering
        self.numbering = cast(Numbering, ORDERING)
        try:
            ValueHasher(self.identify, self.pickle_protocol, self.algorithm).feed(obj, h)
        finally:
            self.numbering = saved


_IDENTIFY: Dict[type, Callable[[Any, Any], Optional[bytes]]] = cast("Dict[type, Callable[[Any, Any], Optional[bytes]]]", {
    FunctionType: Tokens._function_token,
    MethodType: Tokens._method_token,
    _objects.Watched: Tokens._watched_token,
    BuiltinFunctionType: Tokens._builtin_token,
    staticmethod: Tokens._wrapper_token,
    classmethod: Tokens._wrapper_token,
    property: Tokens._property_token,
    functools.cached_property: Tokens._cached_property_token,
    functools.partialmethod: Tokens._partialmethod_token,
    functools.partial: Tokens._partial_token,
    type(functools.lru_cache(None)(lambda: None)): Tokens._lru_token,
    type(str.upper): Tokens._descriptor_token,  # method_descriptor
    type(str.__add__): Tokens._descriptor_token,  # wrapper_descriptor
    type(dict.__dict__["fromkeys"]): Tokens._descriptor_token,  # classmethod_descriptor
    type(FunctionType.__dict__["__name__"]): Tokens._descriptor_token,  # getset_descriptor
    type(FunctionType.__dict__["__globals__"]): Tokens._descriptor_token,  # member_descriptor
    type((1).__add__): Tokens._method_wrapper_token,  # method-wrapper
})
