"""What looks names up while the program runs: one table, read by the runtime check of every
function's code (``normalize.strip``: ``DynamicAccessWarning``, keys that cover everything such
code could reach) and by the lint (CKP003), so both say the same of a line.

The runtime matches a call by the name it is called by (``getattr(...)``, ``x.import_module(...)``),
the lint by the qualified name it resolves (``builtins.getattr``, ``importlib.import_module``).
"""

from __future__ import annotations

from typing import Dict, Mapping, Optional, Tuple

#: calls that reach any name of the program, whatever their arguments. ``eval`` and ``exec`` stay
#: here even given a globals dict: ``__import__`` (and, without builtins, ``().__class__``) reach
#: every module and class from a string
READS_NAMES: Dict[Tuple[str, str], str] = {
    ("builtins", "eval"): "`eval()` reads names at run time",
    ("builtins", "exec"): "`exec()` reads names at run time",
    ("builtins", "globals"): "`globals()` reads names at run time",
}

#: calls that, in a function, read only its own local variables, whose values come from code that
#: is keyed: not dynamic, but they expose the variables' names (so locals are not renamed).
#: ``vars()`` and ``dir()`` without an argument are the same
OWN_LOCALS: Dict[Tuple[str, str], str] = {
    ("builtins", "locals"): "`locals()`",
}

#: without an argument, they read the caller's own local variables (as ``locals()``); with one,
#: they list another object's attributes: dynamic, unless indexed by a literal name
#: (``vars(x)["a"]`` reads ``x.a``) or listing the instance's own state (``vars(self)``, data
#: hashed with the instance, which holds no code of its class)
LISTS_NAMES: Dict[Tuple[str, str], str] = {
    ("builtins", "vars"): "`vars()`",
    ("builtins", "dir"): "`dir()`",
}

#: the argument of ``vars`` that lists instance state
INSTANCE = "self"

#: calls whose argument at this position is the name of what they reach: dynamic unless it is a
#: literal string (and, for a module, not a relative name). ``setattr`` and ``delattr`` are not
#: here: they write, and select no code to run (what later reads the attribute is checked itself)
NAME_ARGUMENT: Dict[Tuple[str, str], int] = {
    ("builtins", "getattr"): 1,
    ("builtins", "hasattr"): 1,
    ("operator", "attrgetter"): 0,
    ("operator", "methodcaller"): 0,
    ("builtins", "__import__"): 0,
    ("importlib", "import_module"): 0,
}

#: of those, the ones whose argument names a module
IMPORTS = {("builtins", "__import__"), ("importlib", "import_module")}


def by_name(table: Mapping[Tuple[str, str], object]) -> Dict[str, Tuple[str, str]]:
    """The table's entries by the name a call uses (the runtime's view)."""
    return {name: (module, name) for module, name in table}


def package_of_start(start: Optional[str]) -> Optional[str]:
    """The package a module name computed at run time is in, from its constant start:
    ``"plugins."`` (``f"plugins.{name}"``, ``"plugins." + name``...) is in ``plugins``; None when
    the start names no package (``f"{name}"``, ``"plug" + name``, a relative name). Such an import
    is not dynamic: the runtime keys every source file of the package."""
    if not start or "." not in start or start.startswith("."):
        return None
    package = start.rpartition(".")[0]
    return package if all(part.isidentifier() for part in package.split(".")) else None


def computed_name_message(qualified: Tuple[str, str]) -> str:
    if qualified in IMPORTS:
        return "import of a module whose name is computed"
    return f"`{qualified[1]}()` with a computed attribute name"


def listing_message(qualified: Tuple[str, str]) -> str:
    return f"{LISTS_NAMES[qualified]} lists attributes at run time"
