"""The content of an item (a function, class or module identified by content): its *record*.

A function's record is its canonical code, signature, defaults, attributes, closure and what it
reads (a function made by library code: the library's code by where it is, its state by value);
a class's, its bases, metaclass, registered virtual subclasses and the members that count; a
module's (when every attribute of it counts), each attribute.

Which members of a class count: its dunder and ``_sunder_`` members, every member whose name
reachable code uses as an attribute or writes in a string, the methods the interpreter and
common libraries call by name (``keys``, ``read``, ``fit``...), and every member where code we
cannot read may call any by name (a library base or metaclass that does, dynamic lookups, or
the default mode, where no reachable code is known).
"""

from __future__ import annotations

import inspect
import sys
from functools import partial
from types import CodeType, FunctionType
from typing import TYPE_CHECKING, Any, FrozenSet, Tuple, cast

from .. import _objects
from .._fingerprint import CodeIdentity, Reading, code_identity
from .._hashing import new_hasher
from .assumptions import helper_reading
from .keywords import orders_token
from .plan import EQUAL, SAME
from .reads import reference_digester
from .tokens import instance_dict, version

if TYPE_CHECKING:
    from .shared import Walk

#: class members that describe the class rather than implement it (counted when code names them)
_CLASS_BOOKKEEPING = frozenset({
    "__dict__", "__weakref__", "__module__", "__doc__", "__qualname__", "__slots__",
    "__dataclass_params__", "__match_args__", "__firstlineno__", "__static_attributes__", "__parameters__",
    "__orig_bases__", "__abstractmethods__", "_abc_impl", "__annotate_func__", "__annotations_cache__",
    "__slotnames__",  # copyreg caches it on the class the first time an instance is pickled
})
#: function attributes that are data a reader can observe: counted when reachable code names them
_FUNCTION_ATTRIBUTES = ("__doc__", "__name__", "__qualname__", "__module__", "__annotations__",
                        "__type_params__")
#: what reads a function's annotations without naming ``__annotations__``: where reachable code
#: names one of these, every reached function's annotations count (a class's always count: they
#: define its fields for dataclasses, attrs, pydantic and any library that reads type hints)
_ANNOTATION_READERS = frozenset({"__annotations__", "get_type_hints", "get_annotations", "signature",
                                 "getfullargspec", "getargspec", "__signature__", "from_callable",
                                 # libraries that validate or convert by the annotations of what they wrap
                                 "validate_call", "validate_arguments", "TypeAdapter", "beartype",
                                 "typechecked", "command", "Typer", "Field"})
#: methods that the interpreter or common libraries call by name on objects they are given
#: (``**mapping`` and ``dict(x)`` call ``keys``, ``json.load`` calls ``read``, scikit-learn ``fit``...)
_PROTOCOL_METHODS = frozenset({
    "keys", "items", "values", "get", "read", "readline", "readlines", "write", "writelines", "flush", "close",
    "fileno", "send", "throw", "fit", "transform", "fit_transform", "predict", "predict_proba",
    "decision_function", "score", "get_params", "set_params", "forward",
})
_INERT_MODULES = frozenset({"builtins", "abc", "typing", "enum", "types"})
#: members a subclass never shadows: run for the class that defines them when a subclass is
#: made, or read through the whole MRO (type hints, dataclass fields)
_NEVER_SHADOWED = frozenset({"__init_subclass__", "__set_name__", "__annotations__", "__dataclass_fields__",
                             "__slots__", "__class_getitem__", "__mro_entries__"})
#: attribute names through which code reaches a class's bases
_HIERARCHY_READERS = frozenset({"__mro__", "__bases__", "__base__", "mro", "__subclasses__", "getmro",
                                "__subclasshook__"})


class Members:
    """The records of items (a part of ``walk.KeyBuilder``)."""

    __slots__ = ()

    def expand(self: "Walk", index: int) -> None:
        obj = self.objects[index]
        if isinstance(obj, FunctionType):
            self.records[index] = self._function_record(obj)
            self.functions.append(index)
        elif isinstance(obj, type):
            self.classes.append(index)
        else:
            self.records[index] = b"module"

    def _function_record(self: "Walk", func: FunctionType) -> bytes:
        h = new_hasher(self.algorithm)
        code = self.note_read(partial(getattr, func, "__code__"), SAME)
        defaults = self.note_read(partial(getattr, func, "__defaults__"))
        kwdefaults = self.note_read(partial(getattr, func, "__kwdefaults__"))
        attributes = self.note_read(partial(instance_dict, func))
        if _objects.is_library_code(func):
            # a closure made by library code (a wrapper, a factory's product): the library's code
            # by where it is, its state by value
            h.update(_library_code_token(func, code))
            cells = tuple(self.read_free(func, name) for name in code.co_freevars)
            self.hasher.feed((defaults, kwdefaults, attributes, cells), h)
            return h.digest()
        identity = code_identity(code, func.__qualname__)
        self.note_code(func, identity)
        reading = identity.strict
        if identity.guarded is not None:  # (its assumptions are read again by a plan)
            reading = self.note_read(partial(helper_reading, func, identity), SAME)
        h.update(b"code" + reading.code_digest + signature_spec(code, reading))
        if reading.keyword_orders:  # (the order of keywords a callee can see)
            h.update(b"keywords:" + self.note_read(partial(orders_token, func, reading.keyword_orders), EQUAL))
        self.hasher.feed((defaults, kwdefaults, attributes), h)
        self.read_names(h, func, reading, identity)
        return h.digest()

    def function_attributes(self: "Walk", index: int) -> bytes:
        """Attributes of a function that reachable code names (``helper.__doc__``)."""
        reads_annotations = not self.attributes.isdisjoint(_ANNOTATION_READERS)
        # (code that looks attributes up by computed names may read any of them, except documentation:
        # a docstring is read by name, helper.__doc__, or not at all)
        wanted = [a for a in _FUNCTION_ATTRIBUTES if a in self.attributes or (self.dynamic and a != "__doc__")
                  or (a == "__annotations__" and reads_annotations)]
        if not wanted:
            return b""
        func = self.objects[index]
        h = new_hasher(self.algorithm)
        for attr in wanted:
            h.update(attr.encode() + b"=")
            self.hasher.feed(self.note_read(partial(getattr, func, attr, None)), h)
        return h.digest()

    def note_code(self: "Walk", func: FunctionType, identity: CodeIdentity) -> None:
        if "__class__" in func.__code__.co_freevars or "super" in identity.strict.free_names:
            self.uses_super = True  # (a method reached through super() is not shadowed)
        if identity.attributes:
            self.attributes.update(identity.attributes)
        if identity.dynamic:
            self.dynamic = True
            self.dynamic_sites.extend((func, line, what) for line, what in identity.dynamic)
            module = sys.modules.get(func.__module__)  # globals()[...] reads its own module by name
            if module is not None and not _objects.is_library_module(module) and self.numbering.positional:
                self.module_token(module, whole=True)

    # classes -------------------------------------------------------------------------------------

    def _every_member(self: "Walk", cls: type) -> bool:
        """Every member counts where code we cannot read may call methods by name: a class with
        a library base or metaclass that does (scikit-learn calls ``transform``), reachable code
        that looks attributes up dynamically or lists them (``__dict__``); and where the mode
        knows no reachable code. Builtin types, ``abc`` and ``typing.Generic`` call only dunder
        methods on a subclass, and ``enum`` sunder ones: those always count."""
        if self.dynamic or self.policy.every_member or "__dict__" in self.attributes:
            return True
        metaclasses = cast("Tuple[type, ...]", type(cls).__mro__)  # (the metaclass's own MRO)
        return any(_calls_by_name(k) for k in (*cls.__mro__[1:], *metaclasses))

    def class_members(self: "Walk", index: int) -> None:
        """Choose the members that count (with the attribute names known now) and identify them."""
        cls = self.objects[index]
        names = self.note_read(partial(_member_names, cls), EQUAL)
        every = self._every_member(cls)
        if vars(cls).get("_is_protocol") is True:  # isinstance(x, P) asks x's class for each of P's members
            every = True
            self.attributes.update(n for n in names if not _is_dunder(n) and not n.startswith("_abc"))
        chosen = [name for name in sorted(names)
                  if (name not in _CLASS_BOOKKEEPING or name in self.attributes)
                  and (name != "__annotations__" or vars(cls)["__annotations__"])  # ({}: made by reading it)
                  and (every or _is_dunder(name) or _is_sunder(name) or name in self.attributes
                       or name in _PROTOCOL_METHODS)]
        if chosen and not every and index not in self.direct and self._prunes_shadowed():
            chosen = [name for name in chosen if not self._shadowed(cls, name)]
        self.selection[index] = chosen
        for name in chosen:
            if (index, name) not in self.member_tokens:
                value = self.note_read(partial(_member, cls, name), writer=partial(setattr, cls, name))
                self.member_tokens[(index, name)] = self.by_value(value)
        if (index, "|mro") not in self.member_tokens:
            mro = self.note_read(partial(_mro, cls), EQUAL)
            meta = self.note_read(partial(type, cls), SAME)
            registered = self.note_read(partial(_abc_registry, cls), EQUAL)  # ABC.register(...)
            self.meeting_bases = True  # (a class met only as a base: its shadowed members cannot run)
            try:
                bases = b"".join(self.by_value(k) for k in mro[1:])
            finally:
                self.meeting_bases = False
            self.member_tokens[(index, "|mro")] = b"mro:" + bases + (
                b"meta:" + self.by_value(meta) if meta is not type else b"") + (
                b"registered:" + self.by_value(registered) if registered else b"")

    def _prunes_shadowed(self: "Walk") -> bool:
        """Can a member of a class met only as a base be unreachable? Not where code met calls
        ``super()`` or reads the class hierarchy, or looks attributes up dynamically."""
        return not (self.uses_super or self.dynamic or not self.attributes.isdisjoint(_HIERARCHY_READERS))

    def _shadowed(self: "Walk", base: type, name: str) -> bool:
        """Is ``name`` of ``base`` (a class met only as the base of others) overridden, for every
        class met other than as a base whose MRO holds ``base``, by a class of the user's before
        it? Then no attribute lookup reaches it."""
        if name in _NEVER_SHADOWED:
            return False
        for index in self.classes:
            if index not in self.direct:
                continue
            mro = self.objects[index].__mro__
            if base not in mro:
                continue
            for k in mro:
                if k is base:
                    return False
                if name in vars(k):
                    if _objects.is_library_class(k):
                        return False  # (library code may call the next one by super())
                    break
        return True

    def class_record(self: "Walk", index: int) -> bytes:
        cls = self.objects[index]
        h = new_hasher(self.algorithm)
        h.update(b"class " + self.member_tokens[(index, "|mro")])
        # its name counts where code can see it: code that names it, or the repr of a library
        # base (set, Exception, Enum print the class's name)
        if self.policy.names_classes or self.dynamic or {"__name__", "__qualname__", "__module__"} & self.attributes \
                or any(k is not object and _objects.is_library_class(k) for k in cls.__mro__[1:]):
            h.update(f"name:{cls.__module__}:{cls.__qualname__}".encode())
        for name in self.selection[index]:
            h.update(b"|" + name.encode() + b"=" + self.member_tokens[(index, name)])
        return h.digest()

    # modules ------------------------------------------------------------------------------------

    def module_members(self: "Walk", index: int) -> None:
        """Every attribute of a user module (passed as a value, or read dynamically)."""
        module = self.objects[index]
        names = self.note_read(partial(_member_names, module), EQUAL)
        for name in sorted(names):
            if (_is_dunder(name) and name not in ("__all__", "__getattr__", "__dir__")) or (index, name) in \
                    self.member_tokens:
                continue
            value = self.note_read(partial(_member, module, name), digester=reference_digester,
                                   writer=partial(setattr, module, name))
            self.member_tokens[(index, name)] = self.reference(value, ())

    def module_record(self: "Walk", index: int) -> bytes:
        h = new_hasher(self.algorithm)
        for (i, name), token in sorted(self.member_tokens.items()):
            if i == index:
                h.update(name.encode() + b"=" + token + b";")
        return h.digest()


def signature_spec(code: CodeType, reading: Reading) -> bytes:
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


def _library_code_token(func: FunctionType, code: CodeType) -> bytes:
    module = func.__globals__.get("__name__", "?")
    return f"lib-code:{module}.{getattr(code, 'co_qualname', code.co_name)}@{version(module)}".encode()


def _calls_by_name(cls: type) -> bool:
    """A library class whose code may call a subclass's methods by name (not a builtin type,
    ``abc.ABC``, ``typing.Generic`` or an enum type, which call only dunder and sunder ones)."""
    return cls.__module__ not in _INERT_MODULES and _objects.is_library_class(cls)


def _is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def _is_sunder(name: str) -> bool:
    return len(name) > 2 and name[0] == "_" and name[-1] == "_" and name[1] != "_"


def _member_names(owner: Any) -> FrozenSet[str]:
    return frozenset(vars(owner))


def _member(owner: Any, name: str) -> Any:
    return vars(owner).get(name, _objects.MISSING)


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
