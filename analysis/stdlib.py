"""The names of the standard library's top-level modules, on every supported Python.

``sys.stdlib_module_names`` exists from Python 3.10; on 3.9 the same set is read from the
standard library's folders (the ``.py`` files and packages of ``Lib/``, the extension modules
of ``lib-dynload``) and the interpreter's builtin modules. Imports nothing heavy: the runtime
uses it too.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from functools import lru_cache
from typing import FrozenSet


@lru_cache(maxsize=1)
def stdlib_module_names() -> FrozenSet[str]:
    names = getattr(sys, "stdlib_module_names", None)
    if names is not None:
        return frozenset(names)
    found = set(sys.builtin_module_names) | {"_frozen_importlib", "_frozen_importlib_external"}
    paths = sysconfig.get_paths()
    stdlib = paths.get("stdlib", "")
    for folder in (stdlib, os.path.join(stdlib, "lib-dynload")):
        try:
            entries = os.listdir(folder)
        except OSError:
            continue
        for entry in entries:
            if entry in ("site-packages", "dist-packages", "test", "__pycache__"):
                continue
            base = entry.split(".", 1)[0]
            if entry.endswith((".py", ".so", ".pyd")) or os.path.isfile(os.path.join(folder, entry, "__init__.py")):
                if base.isidentifier():
                    found.add(base)
    return frozenset(found)


def is_stdlib_module(name: str) -> bool:
    """``name`` (dotted or not) belongs to the standard library."""
    return name.split(".", 1)[0] in stdlib_module_names()
