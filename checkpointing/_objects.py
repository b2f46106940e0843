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
            getattr(value, part, MISSING)
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


def qualified_name(obj: Any) -> str:
    module = getattr(obj, "__module__", None) or library_home(obj) or getattr(
        getattr(obj, "__objclass__", None), "__module__", "?")
    qualname = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or type(obj).__qualname__
    return f"{module}.{qualname}"


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
#: themselves: a function that calls them depends on it
IMPLICIT_INPUTS = {
    "parse_args": "argv", "parse_known_args": "argv", "parse_intermixed_args": "argv",
    "parse_known_intermixed_args": "argv", "expandvars": "environ", "expanduser": "environ",
    "getuser": "environ",
}


def implicit_input(obj: Any) -> Optional[str]:
    """"argv" or "environ" if ``obj`` is a library function that reads it (``os.path.expanduser``)."""
    name = getattr(obj, "__name__", None)
    if name not in IMPLICIT_INPUTS or not callable(obj):
        return None
    return IMPLICIT_INPUTS[name] if _library_module_named(getattr(obj, "__module__", None)) else None


def environment_value(name: str) -> Optional[str]:
    return os.environ.get(name)


# -- reading attributes without running user code ----------------------------------------------


def static_attribute(obj: Any, name: str) -> Any:
    """``obj.name`` as a chain read sees it, without running user code: a module's attribute
    (its ``__getattr__`` included), else the attribute found by ``inspect.getattr_static``,
    where a C-level descriptor of a builtin type is resolved (``func.__doc__``), and anything
    written in Python (a property, a descriptor) is returned as the descriptor itself."""
    if isinstance(obj, types.ModuleType):
        return getattr(obj, name, MISSING)
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
