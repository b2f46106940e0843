"""User code stored in library state: what a library the walk meets may call back.

Library code is identified by its name and version (see ``_objects``). That is right while
user code leaves the library alone; user code that stores a function or a class in a library
changes what the library does: ``json.JSONEncoder.default = my_default``, a pandas accessor
(``@register_dataframe_accessor("stats")``), ``copyreg.pickle(C, reduce_c)``, an implementation
registered on a library's ``singledispatch`` function, a plugin table, a codec search function.
Deep mode walks that code, by content, whenever it meets the library (see ``_key.registered``).

Where it is looked for, in each loaded module of a package: the module's namespace, the
members of the classes the module defines, and two holders deep from there (the keys and
values of a dict, the items of a list, tuple or set, the attributes of a library object, the
implementations of a ``singledispatch`` function), and the classes registered with an abstract
base class it defines. An instance of a user class counts as its class. What is found is a
*location*: where to read the user code again.

A package is searched once per process, when the walk first meets it (a search of pandas takes
some 20 ms), and so are the codec search functions; each key computation reads its locations again, so a registration run again at
the same place (a notebook cell run again with an edited class) is seen, and a module of the
package imported later is searched then. Not seen before the next process: user code stored,
after the search, at a place of an already searched module where there was none (documented
in docs/deep-mode.md).

Some registries are consulted whatever the library: ``copyreg``'s dispatch table (copying and
pickling), the registries of the standard abstract base classes (``isinstance(x, Mapping)``
after ``Mapping.register(Bag)``: any library may ask), searched when a call reaches any
library; and the codec search functions (``str.encode``, ``bytes.decode``), which cannot be
listed: they are found by looking up a name no codec has, watching which user functions the
lookup calls.
"""

from __future__ import annotations

import codecs
import functools
import gc
import sys
import threading
import weakref
from types import BuiltinFunctionType, FunctionType, MappingProxyType, MethodType, ModuleType
from typing import Any, Callable, Dict, List, Optional, Set, Tuple, cast

from ._objects import MISSING
from ._usercode import is_user_file, is_user_module

#: a place where user code was found: (label, reads the user code there now)
Location = Tuple[str, Callable[[], Tuple[Any, ...]]]

#: packages never searched: their state is an input of its own (sys.argv, the environment) or
#: resolved directly (builtins), or it is ours
NOT_SEARCHED = frozenset({"builtins", "sys", "checkpointing", "__main__", "_frozen_importlib",
                           "_frozen_importlib_external"})
#: what every library consults, whichever it is (searched when a call reaches any): copying
#: and pickling, copyreg's dispatch table; ``isinstance`` against the standard abstract base
#: classes, their registries (``collections.abc.Mapping.register(Bag)``)
INTERPRETER = "(the interpreter's registries)"
_CONSULTED_BY_ALL = ("copyreg", "collections.abc", "numbers", "io", "os", "contextlib", "typing")
#: packages whose code consults the codec registry, and the attribute names whose use does
#: (``"x".encode("rot13")``)
CODEC_READERS = frozenset({"codecs", "encodings", "io", "_io"})
CODEC_ATTRIBUTES = frozenset({"encode", "decode"})
#: a container bigger than this is not searched (no registry is this large)
_LARGEST = 10_000
_SKIPPED = {int, float, complex, str, bytes, bool, type(None), BuiltinFunctionType, ModuleType, range,
            type(str.join), type(str.__add__), type(int.real), type(type.__dict__["__dict__"])}
#: compiled functions of extension modules, and other objects known to hold no Python code
#: (added to _SKIPPED when first met)
_INERT_TYPE_NAMES = frozenset({"cython_function_or_method", "fused_cython_function", "PyCapsule", "_Feature"})
_SEQUENCES = frozenset({list, tuple, set, frozenset})
_CONTAINERS = _SEQUENCES | {dict, MappingProxyType}
#: holders never searched: what the interpreter keeps (a module's spec, a weak reference)
_OPAQUE = frozenset({type(sys.implementation), weakref.ref, type(sys.modules[__name__].__spec__)})
#: the code of every ``functools.singledispatch`` function (its registry is searched)
_SINGLEDISPATCH = cast(FunctionType, functools.singledispatch(repr)).__code__
#: the members every class has (its namespace's bookkeeping): never a registration
_CLASS_BOOKKEEPING = frozenset({"__dict__", "__weakref__", "__doc__", "__module__", "__qualname__", "__slots__",
                                "__annotations__", "__abstractmethods__", "_abc_impl", "__parameters__",
                                "__orig_bases__", "__match_args__", "__dataclass_fields__", "__dataclass_params__"})

_lock = threading.RLock()
_searched: Dict[str, List[Location]] = {}  # package -> locations
_modules_searched: "weakref.WeakSet[ModuleType]" = weakref.WeakSet()  # the module objects searched
_modules_seen = 0  # len(sys.modules) when the searched packages were last brought up to date
_generation = 0  # grows when a location is added
_user_types: "weakref.WeakKeyDictionary[type, bool]" = weakref.WeakKeyDictionary()


def locations(package: str) -> List[Location]:
    """The places in ``package``'s state (and the registries it consults) where user code is."""
    found = _searched.get(package)
    if found is None:
        with _lock:
            found = _searched.get(package)
            if found is None:
                found = []
                if package == INTERPRETER:
                    modules = [sys.modules[name] for name in _CONSULTED_BY_ALL if name in sys.modules]
                else:
                    modules = _modules_of(package)
                for module in modules:
                    found += _search_module(module)
                _searched[package] = found
    return found


def generation() -> int:
    """A number that grows when a location is added to a package searched before, by a module
    imported since (read by a deep-mode plan: it invalidates the plan)."""
    global _modules_seen, _generation
    if len(sys.modules) != _modules_seen:
        with _lock:
            _modules_seen = len(sys.modules)
            for package, found in list(_searched.items()):
                added = [loc for module in _modules_of(package) if module not in _modules_searched
                         for loc in _search_module(module)]
                if added:
                    found.extend(added)
                    _generation += 1
    return _generation


def codec_search_functions() -> Tuple[Any, ...]:
    """The user functions registered with ``codecs.register``: those a lookup of a name no codec
    has calls (the registry itself cannot be listed). Probed once per process, like a package's
    search (a deep-mode plan reads the answer on every call)."""
    if not _codecs:
        with _lock:
            if not _codecs:
                _codecs.append(_probe_codecs())
    return _codecs[0]


_codecs: List[Tuple[Any, ...]] = []


def _probe_codecs() -> Tuple[Any, ...]:
    called: List[Any] = []

    def watch(frame: Any, event: str, arg: Any) -> None:
        if event == "call" and is_user_file(frame.f_code.co_filename):
            called.append(frame.f_code)

    previous = sys.getprofile()
    sys.setprofile(watch)
    try:
        codecs.lookup("checkpointing-no-such-codec-4c1d")
    except LookupError:
        pass
    finally:
        sys.setprofile(previous)
    if not called:
        return ()
    # the functions whose code ran: found again by their code object among the user modules'
    # functions, else (a closure, a method) among the objects that refer to that code
    codes = set(called)
    found = {fn for fn in _user_functions() if fn.__code__ in codes}
    missing = codes - {fn.__code__ for fn in found}
    if missing:
        found |= {fn for fn in gc.get_referrers(*missing) if type(fn) is FunctionType and fn.__code__ in missing}
    return tuple(sorted(found, key=lambda fn: (fn.__module__ or "", fn.__qualname__, fn.__code__.co_firstlineno)))


# -- searching ------------------------------------------------------------------------------------


def _modules_of(package: str) -> List[ModuleType]:
    prefix = package + "."
    return [m for name, m in list(sys.modules.items())
            if (name == package or name.startswith(prefix)) and isinstance(m, ModuleType)
            and not is_user_module(m)]


def _search_module(module: ModuleType) -> List[Location]:
    """The locations in ``module``'s namespace and in the classes it defines (a module's own
    dunder names are the import system's: never a registration)."""
    _modules_searched.add(module)
    name = module.__name__
    try:
        namespace = vars(module)
    except TypeError:
        return []
    holders: Set[int] = set()  # (a holder imported into many modules is searched once)
    found: List[Location] = []
    for attribute in _candidates(namespace, holders, 0):
        value = namespace[attribute]
        label = f"{name}.{attribute}"
        if not isinstance(value, type) or _is_user_type(value):  # (a user class stored in a library's namespace)
            found.append((label, functools.partial(_read_global, module, attribute)))
            continue
        if not _defined_in(value, name):
            continue  # (a library class imported from another module: searched there)
        try:
            members = vars(value)
        except TypeError:
            continue
        found += [(f"{label}.{member}", functools.partial(_read_member, value, member))
                  for member in _candidates(members, holders, 1) if member not in _CLASS_BOOKKEEPING]
        if "_abc_impl" in members and _virtual_subclasses(value):  # ABC.register(UserClass)
            found.append((f"{label}.register()", functools.partial(_virtual_subclasses, value)))
    return found


def _virtual_subclasses(abc_class: type) -> Tuple[Any, ...]:
    """The user classes registered with a library's abstract base class (in a stable order)."""
    try:
        import abc

        registry = abc._get_dump(abc_class)[0]  # type: ignore[attr-defined]
    except Exception:  # the pure-Python implementation keeps it elsewhere
        registry = getattr(abc_class, "_abc_registry", ())
    classes = [ref() if callable(ref) else ref for ref in registry]
    return tuple(sorted((c for c in classes if isinstance(c, type) and _is_user_type(c)),
                        key=lambda c: (type.__getattribute__(c, "__module__"), c.__qualname__)))


def _candidates(namespace: Any, holders: Set[int], depth: int) -> List[str]:
    """The names in ``namespace`` whose value holds user code, or (at depth 0) is a class defined
    in a library (searched by the caller). The common values are set apart in bulk: library
    functions by their file, once per file; anything that cannot hold code by its type."""
    skipped = _SKIPPED
    rest = [(k, v) for k, v in namespace.items() if type(v) not in skipped and not (k[:2] == "__" == k[-2:] and depth == 0)]
    if not rest:
        return []
    functions = [(k, v) for k, v in rest if type(v) is FunctionType]
    names: List[str] = []
    if functions:
        files = {v.__code__.co_filename for _, v in functions}
        user_files = {f for f in files if is_user_file(f)}
        names += [k for k, v in functions if v.__code__.co_filename in user_files
                  or (v.__code__ is _SINGLEDISPATCH and _user_code_in(v, depth, holders))]
        rest = [(k, v) for k, v in rest if type(v) is not FunctionType]
    for k, v in rest:
        if isinstance(v, type):
            if depth == 0 or _is_user_type(v):
                names.append(k)
        elif _user_code_in(v, depth, holders):
            names.append(k)
    return names


def _defined_in(cls: type, module_name: str) -> bool:
    try:
        return bool(type.__getattribute__(cls, "__module__") == module_name)
    except Exception:
        return False


def _read_global(module: ModuleType, name: str) -> Tuple[Any, ...]:
    return _user_code_in(vars(module).get(name, MISSING), 0)


def _read_member(cls: type, name: str) -> Tuple[Any, ...]:
    return _user_code_in(vars(cls).get(name, MISSING), 1)


def _user_code_in(value: Any, depth: int, holders: Optional[Set[int]] = None) -> Tuple[Any, ...]:
    """The user functions and classes in ``value``, looking ``2 - depth`` holders deep (a holder
    whose id is in ``holders`` is not searched again; the ids of those searched are added)."""
    if type(value) in _SKIPPED:
        return ()
    found: List[Any] = []
    _collect(value, depth, found, set() if holders is None else holders)
    return tuple(found)


def _collect(value: Any, depth: int, found: List[Any], holders: Set[int]) -> None:
    t = type(value)
    if t in _SKIPPED or value is MISSING:
        return
    if t.__name__ in _INERT_TYPE_NAMES and not _is_user_type(t):
        _SKIPPED.add(t)
        return
    if t is FunctionType:
        if is_user_file(value.__code__.co_filename):
            found.append(value)
        elif depth < 2 and value.__code__ is _SINGLEDISPATCH:  # its implementations
            registry = value.__dict__.get("registry")
            if isinstance(registry, MappingProxyType):
                _collect_items(list(registry.items()), depth + 1, found, holders)
        return
    if isinstance(value, type):
        if _is_user_type(value):
            found.append(value)
        return
    if t is MethodType or t is staticmethod or t is classmethod:
        _collect(value.__func__, depth, found, holders)
        return
    if t is property:
        for accessor in (value.fget, value.fset, value.fdel):
            if type(accessor) is FunctionType:
                _collect(accessor, depth, found, holders)
        return
    if t is functools.partial:
        _collect(value.func, depth, found, holders)
        return
    if _is_user_type(t):
        found.append(t)  # an instance of a user class: its class (its code) counts
        return
    if depth >= 2 or (t.__dictoffset__ == 0 and t not in _CONTAINERS) or t in _OPAQUE or id(value) in holders:
        return  # (an object without attributes of its own has no place to hold code)
    holders.add(id(value))
    if t is dict or t is MappingProxyType:
        if len(value) <= _LARGEST:
            _collect_items(list(value.items()), depth + 1, found, holders)
        return
    if t in _SEQUENCES:
        if len(value) <= _LARGEST:
            skipped = _SKIPPED
            for item in [item for item in value if type(item) not in skipped]:
                _collect(item, depth + 1, found, holders)
        return
    try:  # a library object: its attributes (never through its own __getattr__ or properties)
        attributes = object.__getattribute__(value, "__dict__")
    except Exception:
        return
    if type(attributes) is dict and len(attributes) <= _LARGEST:
        _collect_items(list(attributes.items()), depth + 1, found, holders)


def _collect_items(items: List[Tuple[Any, Any]], depth: int, found: List[Any], holders: Set[int]) -> None:
    skipped = _SKIPPED
    for held in [x for pair in items for x in pair if type(x) not in skipped]:
        _collect(held, depth, found, holders)


def _is_user_type(t: type) -> bool:
    """A class of the user's code: by its module, or (a module that is not loaded, code run by
    ``exec``) by the files of the functions it defines."""
    known = _user_types.get(t)
    if known is None:
        try:
            module = sys.modules.get(type.__getattribute__(t, "__module__"))
            if module is not None:
                known = is_user_module(module)
            else:
                known = any(type(v) is FunctionType and is_user_file(v.__code__.co_filename)
                            for v in list(vars(t).values()))
        except Exception:
            known = False
        _user_types[t] = known
    return known


def _user_functions() -> List[FunctionType]:
    return [value for module in list(sys.modules.values()) if isinstance(module, ModuleType) and is_user_module(module)
            for value in list(vars(module).values()) if type(value) is FunctionType]
