"""What an object *is*, for a key: library code identified by name, or anything else by content.

The key builder (``_key``) identifies an object by name only when it is **provably library
code**: a function whose code lives in the standard library or an installed package, a class
or module loaded from there, a builtin; and, in each case, the object found under its module
and qualified name is the object itself (so a class made at run time by ``namedtuple`` or
``type()``, a closure made by a library function, or a function made by ``exec`` never is).
Everything else is identified by its content. This module answers the questions that
decision needs and knows the few library objects whose content must be read in a special
way (``functools`` wrappers, the process environment).
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
import types
from typing import Any, Callable, Dict, List, Optional, Tuple

from ._usercode import is_user_file, is_user_module

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "<missing>"})()


class Watched:
    """A library function that sets a global generator's state (``np.random.seed``), put in its
    module's place while a computation runs so the run record sees the call (``_run_record``).
    Everything that identifies code sees the original through it (:func:`unwatched`)."""

    __slots__ = ("original", "on_call", "where", "__weakref__")

    def __init__(self, original: Any, on_call: Callable[[Tuple[Any, ...], Dict[str, Any]], None],
                 where: Tuple[str, str] = ("", "")) -> None:
        self.original = original
        self.on_call = on_call
        self.where = where  # (module, attribute) it stands in

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.on_call(args, kwargs)
        return self.original(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.original, name)

    @property
    def __wrapped__(self) -> Any:  # inspect.signature and help() describe the original
        return self.original

    def __reduce__(self) -> Any:  # pickled as the library function, found again by its name
        return _library_attribute, self.where

    def __repr__(self) -> str:
        return repr(self.original)


def _library_attribute(module: str, name: str) -> Any:
    import importlib

    return unwatched(getattr(importlib.import_module(module), name))


def unwatched(value: Any) -> Any:
    """``value``, or the library function a :class:`Watched` stands in for."""
    return value.original if type(value) is Watched else value

#: C-level descriptors and callables of builtin types: library code by construction
_C_DESCRIPTORS = (types.MemberDescriptorType, types.GetSetDescriptorType, types.MethodDescriptorType,
                  types.WrapperDescriptorType, types.ClassMethodDescriptorType)


def lookup(module_name: Any, qualname: Any) -> Any:
    """The object found under ``module_name`` and ``qualname`` (MISSING if none)."""
    if not isinstance(module_name, str) or not isinstance(qualname, str) or "<" in qualname:
        return MISSING
    module = sys.modules.get(module_name)
    if module is None:
        return MISSING
    value: Any = module
    for part in qualname.split("."):
        value = inspect.getattr_static(value, part, MISSING) if not isinstance(value, types.ModuleType) else \
            unwatched(getattr(value, part, MISSING))
        if value is MISSING:
            return MISSING
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
    return value


def is_library_module(module: types.ModuleType) -> bool:
    """A module of the standard library or an installed package (or a builtin/frozen one)."""
    if is_user_module(module):
        return False
    path = getattr(module, "__file__", None)
    if path:
        return not is_user_file(path)
    spec = getattr(module, "__spec__", None)
    origin = getattr(spec, "origin", None)
    return module.__name__ in sys.builtin_module_names or origin in ("built-in", "frozen")


def _library_module_named(name: Any) -> bool:
    module = sys.modules.get(name) if isinstance(name, str) else None
    return module is not None and is_library_module(module)


@functools.lru_cache(maxsize=4096)
def _library_code_file(path: str) -> bool:
    """The file of a code object is library code: a real file under a library root."""
    return not path.startswith("<") and not is_user_file(path)


def is_library_function(func: types.FunctionType) -> bool:
    """Library code, resolvable by name: identified by its module, qualified name and version.
    (A wrapper made by ``functools.wraps`` in library code carries the *wrapped* function's
    module and name: it is not library code by this test, and is identified by content.)"""
    return (_library_code_file(func.__code__.co_filename) and _library_module_named(func.__module__)
            and lookup(func.__module__, func.__qualname__) is func)


def is_library_code(func: types.FunctionType) -> bool:
    """Code that lives in a library file (the function itself may be a closure made at run time)."""
    return _library_code_file(func.__code__.co_filename)


def is_user_named(obj: Any) -> bool:
    """A function or class of the user's own code, found again under its module and name."""
    if isinstance(obj, type):
        library = is_library_class(obj)
    else:
        library = is_library_code(obj)
    return not library and lookup(obj.__module__, obj.__qualname__) is obj


def is_library_class(cls: type) -> bool:
    return _library_module_named(cls.__module__) and lookup(cls.__module__, cls.__qualname__) is cls


def library_home(obj: Any) -> Optional[str]:
    """The library module under which a callable object is found by its own name (``numpy`` for
    ``np.add``), or None. An object that does not say its module (a ufunc of numpy < 2.1) is
    looked up in the module of its type and that module's top-level package."""
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if not isinstance(name, str):
        return None
    module = getattr(obj, "__module__", None)
    candidates: List[str] = [module] if isinstance(module, str) and module else []
    if not module:
        owner = getattr(getattr(obj, "__objclass__", None), "__module__", None) or type(obj).__module__
        candidates += [owner, owner.split(".")[0]] if isinstance(owner, str) else []
    for candidate in candidates:
        if _library_module_named(candidate) and lookup(candidate, name) is obj:
            return candidate
    return None


def is_library_callable(obj: Any) -> bool:
    """A callable library object found under its own name (a ufunc, an array-function dispatcher)."""
    return library_home(obj) is not None


def is_library_builtin(obj: Any) -> bool:
    """A builtin function or method of a library module, not bound to data (``len``, ``np.add``)."""
    owner = getattr(obj, "__self__", None)
    return owner is None or isinstance(owner, types.ModuleType)


def _module_and_qualname(obj: Any) -> Tuple[str, str]:
    module = getattr(obj, "__module__", None) or library_home(obj) or getattr(
        getattr(obj, "__objclass__", None), "__module__", "?")
    qualname = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or type(obj).__qualname__
    return str(module), str(qualname)


def qualified_name(obj: Any) -> str:
    """``module.qualname``, as a person reads it (messages)."""
    return ".".join(_module_and_qualname(obj))


def key_name(obj: Any) -> str:
    """``module:qualname``, as a key records a name: a class ``Thing`` of module ``pkg.Sub`` and a
    class ``Sub.Thing`` of module ``pkg`` have the same dotted name, not the same key name."""
    return ":".join(_module_and_qualname(obj))


# -- functools and other library wrappers whose content is read in a special way ------------------


def singledispatch_parts(func: Any) -> Optional[Tuple[Any, List[Tuple[Any, Any]]]]:
    """(the default implementation, [(type, implementation)...]) of a ``functools.singledispatch``
    function: its behaviour, without the dispatch cache kept in its closure."""
    registry = getattr(func, "registry", None)
    if isinstance(registry, types.MappingProxyType) and callable(getattr(func, "dispatch", None)):
        return getattr(func, "__wrapped__", None), list(registry.items())
    return None


def lru_cache_parts(func: Any) -> Optional[Tuple[Any, Dict[str, Any]]]:
    """(the wrapped function, the cache's parameters) of an ``lru_cache``/``cache`` wrapper."""
    parameters = getattr(func, "cache_parameters", None)
    wrapped = getattr(func, "__wrapped__", MISSING)
    if wrapped is not MISSING and callable(parameters) and hasattr(func, "cache_info"):
        try:
            return wrapped, dict(parameters())
        except Exception:
            return None
    return None


def compiled_parts(obj: Any) -> Optional[Tuple[Any, ...]]:
    """What a just-in-time compiled function *is*, for a numba ``@jit``/``@njit`` dispatcher,
    ``@vectorize``/``@guvectorize`` function or ``@cfunc``: the Python function it compiles and
    the options it compiles with (and its declared signatures), never its compiled state, which
    grows each time it compiles for new argument types. None for anything else."""
    module = getattr(type(obj), "__module__", None)
    if not isinstance(module, str) or not module.startswith("numba."):
        return None
    kind = type(obj).__qualname__
    py_func = getattr(obj, "py_func", None)
    if isinstance(py_func, types.FunctionType):  # a dispatcher
        declared = () if getattr(obj, "_can_compile", True) else tuple(map(str, getattr(obj, "signatures", ())))
        return (kind, py_func, dict(getattr(obj, "targetoptions", {}) or {}),
                dict(getattr(obj, "locals", {}) or {}), declared)
    dispatcher = getattr(obj, "_dispatcher", None)
    if dispatcher is not None and isinstance(getattr(dispatcher, "py_func", None), types.FunctionType):
        # a (g)ufunc made by numba's @vectorize or @guvectorize
        ufunc = getattr(obj, "ufunc", None)
        dynamic = bool(getattr(obj, "_is_dynamic", not getattr(obj, "_frozen", False)))
        declared = () if dynamic else tuple(map(str, getattr(ufunc, "types", ())))
        layout = getattr(getattr(obj, "gufunc_builder", None), "signature", None)
        return (kind, dispatcher.py_func, dict(getattr(dispatcher, "targetoptions", {}) or {}), declared,
                layout, repr(getattr(ufunc, "identity", None)))
    py_func = getattr(obj, "_pyfunc", None)
    if isinstance(py_func, types.FunctionType):  # a @cfunc
        return (kind, py_func, str(getattr(obj, "_sig", "")))
    return None


# -- the process environment -------------------------------------------------------------------


def is_environ(obj: Any) -> bool:
    return obj is os.environ or obj is getattr(os, "environb", None)


def environ_accessor(obj: Any) -> Optional[str]:
    """How ``obj`` reads the environment when called with a name: "get" (``os.environ.get``,
    ``os.getenv``, ``os.environ.__getitem__``), or None if it is no such accessor."""
    if obj is os.getenv or obj is getattr(os, "getenvb", None):
        return "get"
    owner = getattr(obj, "__self__", None)
    if is_environ(owner) and getattr(obj, "__name__", "") in ("get", "__getitem__", "__contains__"):
        return "get"
    return None


#: library functions and methods (by name) that read the command line or the environment
#: themselves: a function that calls them depends on it. Each reads "argv", or the environment
#: variables named (every one, when None: ``expandvars`` expands whatever its text names)
IMPLICIT_INPUTS: Dict[str, Tuple[str, Optional[Tuple[str, ...]]]] = {
    "parse_args": ("argv", None), "parse_known_args": ("argv", None), "parse_intermixed_args": ("argv", None),
    "parse_known_intermixed_args": ("argv", None), "expandvars": ("environ", None),
    # posixpath reads HOME (then the password database), ntpath USERPROFILE, HOMEDRIVE and HOMEPATH
    "expanduser": ("environ", ("HOME", "USERPROFILE", "HOMEDRIVE", "HOMEPATH")),
    "getuser": ("environ", ("LOGNAME", "USER", "LNAME", "USERNAME")),
}


def implicit_input(obj: Any) -> Optional[str]:
    """"argv" or "environ" if ``obj`` is a library function that reads it (``os.path.expanduser``)."""
    name = getattr(obj, "__name__", None)
    if name not in IMPLICIT_INPUTS or not callable(obj):
        return None
    return IMPLICIT_INPUTS[name][0] if _library_module_named(getattr(obj, "__module__", None)) else None


def environment_value(name: str) -> Optional[str]:
    return os.environ.get(name)


# -- reading attributes without running user code ----------------------------------------------


def static_attribute(obj: Any, name: str) -> Any:
    """``obj.name`` as a chain read sees it, without running user code: a module's attribute
    (its ``__getattr__`` included), else the attribute found by ``inspect.getattr_static``,
    where a C-level descriptor of a builtin type is resolved (``func.__doc__``), and anything
    written in Python (a property, a descriptor) is returned as the descriptor itself."""
    if isinstance(obj, types.ModuleType):
        return unwatched(getattr(obj, name, MISSING))
    found = inspect.getattr_static(obj, name, MISSING)
    if isinstance(found, _C_DESCRIPTORS) or type(found).__name__ == "method-wrapper":
        try:
            return getattr(obj, name)
        except Exception:
            return MISSING
    return found


def is_python_descriptor(value: Any) -> bool:
    """An object that runs Python code when read as an attribute (a property, a user descriptor)."""
    if isinstance(value, (property, functools.cached_property)):
        return True
    get: Optional[Callable[..., Any]] = getattr(type(value), "__get__", None)
    return get is not None and isinstance(get, types.FunctionType)
