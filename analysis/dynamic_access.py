"""What looks names up while the program runs: one table, read by the runtime check of every
function's code (``normalize.strip``: ``DynamicAccessWarning``, keys that cover everything such
code could reach) and by the lint (CKP003), so both say the same of a line.

The runtime matches a call by the name it is called by (``getattr(...)``, ``x.import_module(...)``),
the lint by the qualified name it resolves (``builtins.getattr``, ``importlib.import_module``).
"""

from __future__ import annotations

from typing import Dict, Mapping, Tuple

#: calls that read the caller's own names, whatever their arguments
READS_NAMES: Dict[Tuple[str, str], str] = {
    ("builtins", "eval"): "`eval()` reads names at run time",
    ("builtins", "exec"): "`exec()` reads names at run time",
    ("builtins", "globals"): "`globals()` reads names at run time",
    ("builtins", "locals"): "`locals()` reads names at run time",
}

#: without an argument, they read the caller's own names; with one, they list another object's
#: attributes (dynamic, unless indexed by a literal name: ``vars(x)["a"]`` reads ``x.a``)
LISTS_NAMES: Dict[Tuple[str, str], str] = {
    ("builtins", "vars"): "`vars()`",
    ("builtins", "dir"): "`dir()`",
}

#: calls whose argument at this position is the name of what they reach: dynamic unless it is a
#: literal string (and, for a module, not a relative name)
NAME_ARGUMENT: Dict[Tuple[str, str], int] = {
    ("builtins", "getattr"): 1,
    ("builtins", "setattr"): 1,
    ("builtins", "delattr"): 1,
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


def computed_name_message(qualified: Tuple[str, str]) -> str:
    if qualified in IMPORTS:
        return "import of a module whose name is computed"
    return f"`{qualified[1]}()` with a computed attribute name"


def listing_message(qualified: Tuple[str, str], with_argument: bool) -> str:
    what = LISTS_NAMES[qualified]
    return f"{what} lists attributes at run time" if with_argument else f"{what} reads names at run time"
