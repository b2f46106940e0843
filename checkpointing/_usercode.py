"""Is an object the user's own code, or part of Python or an installed package?

"User code" is code outside the standard library and installed packages: the script, the
notebook, the user's own modules. The answer is by the file a module was loaded from.
"""

from __future__ import annotations

import importlib.util
import os
import site
import sys
import sysconfig
from functools import lru_cache
from types import ModuleType
from typing import Optional, Tuple


@lru_cache(maxsize=1)
def _library_roots() -> Tuple[str, ...]:
    roots = set()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        path = sysconfig.get_paths().get(key)
        if path:
            roots.add(os.path.realpath(path))
    for path in [*getattr(site, "getsitepackages", list)(), getattr(site, "getusersitepackages", lambda: "")()]:
        if path:
            roots.add(os.path.realpath(path))
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}:
        roots.add(os.path.realpath(os.path.join(prefix, "lib")))
    roots.add(os.path.realpath(os.path.dirname(os.path.abspath(__file__))))
    # checkpointing.analysis: beside the package in a source checkout (an editable install)
    try:
        spec = importlib.util.find_spec("checkpointing.analysis")
    except (ImportError, ValueError):
        spec = None
    for location in getattr(spec, "submodule_search_locations", None) or ():
        roots.add(os.path.realpath(location))
    return tuple(sorted(roots))


def library_roots() -> Tuple[str, ...]:
    """The folders of the standard library and installed packages (links resolved)."""
    return _library_roots()


@lru_cache(maxsize=4096)
def is_user_file(path: Optional[str]) -> bool:
    if not path:
        return False
    if path.startswith("<"):
        return path.startswith(("<ipython-input", "<stdin>"))
    real = os.path.realpath(path) if os.path.islink(path) else os.path.join(
        _real_folder(os.path.dirname(os.path.abspath(path))), os.path.basename(path))
    return not any(real == root or real.startswith(root + os.sep) for root in _library_roots())


@lru_cache(maxsize=1024)
def _real_folder(folder: str) -> str:
    """The folder with every link resolved (once per folder: modules share a few)."""
    return os.path.realpath(folder)


def is_user_module(module: Optional[ModuleType]) -> bool:
    if module is None:
        return False
    if module.__name__ == "__main__":
        return True
    return is_user_file(getattr(module, "__file__", None))


def module_of(obj: object) -> Optional[ModuleType]:
    name = getattr(obj, "__module__", None)
    return sys.modules.get(name) if isinstance(name, str) else None


def is_user_object(obj: object) -> bool:
    """A function or class defined in user code."""
    code = getattr(obj, "__code__", None)
    if code is not None:
        return is_user_file(code.co_filename)
    return is_user_module(module_of(obj))
