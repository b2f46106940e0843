"""CKP003 dynamic-reference."""

from __future__ import annotations

import ast
from typing import Dict, Optional, Set

from ... import dynamic_access
from ...callgraph import FunctionInfo
from ._common import literal_string
from .base import CallRule, Example, RuleContext


class DynamicReference(CallRule):
    code = "CKP003"
    name = "dynamic-reference"
    summary = "code reached by a checkpointed function looks names up at run time"
    rationale = (
        "`getattr`/`hasattr` and `operator.attrgetter`/`methodcaller` with a computed name, `eval`, `exec`, "
        "`globals()` lookups, `vars(x)`/`dir(x)` listings and imports of computed module names choose the code "
        "to run while the program runs (the same table as deep mode's run-time check: `vars(x)[\"a\"]` is a "
        "plain read of `x.a`; `setattr`, `locals()` and `vars(self)` select no code; "
        "`import_module(f\"plugins.{name}\")` is keyed by every file of the package `plugins`). Neither mode can "
        "see which code that is, so editing it does not invalidate cached results (deep mode warns with "
        "DynamicAccessWarning at run time)."
    )
    fix = "Call the function by name (a dict of functions is followed), or pass what it computes as an argument."
    examples = (
        Example("A method chosen by a computed name", {
            "main.py": "from checkpointing import checkpoint\n\n\n@checkpoint(deep=True)\ndef apply(obj, step):\n"
                       "    return getattr(obj, 'run_' + step)()\n",
        }, (("main.py", 6),)),
        Example("In a helper the checkpointed function reaches", {
            "main.py": "from checkpointing import checkpoint\n\n\ndef lookup(name):\n    return globals()[name]\n\n\n"
                       "@checkpoint(deep=True)\ndef apply(name, x):\n    return lookup(name)(x)\n",
        }, (("main.py", 5),)),
        Example("Literal names and a dispatch dict are followed", {
            "main.py": "from checkpointing import checkpoint\n\n\ndef double(x):\n    return 2 * x\n\n\n"
                       "STEPS = {'double': double}\n\n\n@checkpoint(deep=True)\ndef apply(obj, name, x):\n"
                       "    return getattr(obj, 'size') + STEPS[name](x)\n",
        }),
    )

    def problem(self, context: RuleContext, info: FunctionInfo, call: ast.Call) -> Optional[str]:
        # the same table, and the same verdicts, as the runtime check (analysis.dynamic_access)
        name = context.qualified(info, call.func)
        if name is None or "." not in name:
            return None
        qualified = tuple(name.rsplit(".", 1))
        if qualified in dynamic_access.READS_NAMES:
            return f"{dynamic_access.READS_NAMES[qualified]}: the code it reaches is not part of the key"
        if qualified in dynamic_access.OWN_LOCALS or (qualified in dynamic_access.LISTS_NAMES and not call.args
                                                      and not call.keywords):
            return None  # the function's own local variables
        if qualified in dynamic_access.LISTS_NAMES:
            if call.args and id(call) in self._constant_lookups(info):
                return None  # vars(x)["a"] reads x.a
            if qualified == ("builtins", "vars") and len(call.args) == 1 and isinstance(call.args[0], ast.Name) \
                    and call.args[0].id == dynamic_access.INSTANCE:
                return None  # vars(self): the instance's state
            message = dynamic_access.listing_message(qualified)
            return f"{message}: the code it reaches is not part of the key"
        if qualified in dynamic_access.NAME_ARGUMENT:
            position = dynamic_access.NAME_ARGUMENT[qualified]
            arg = call.args[position] if len(call.args) > position else None
            if qualified in dynamic_access.IMPORTS and arg is not None and not literal_string(arg) \
                    and dynamic_access.package_of_start(_constant_start(arg)) is not None:
                return None  # a module of a known package: the runtime keys all the package's files
            if arg is None or isinstance(arg, ast.Starred) or not literal_string(arg) or (
                    qualified in dynamic_access.IMPORTS and isinstance(arg, ast.Constant) and str(arg.value).startswith(".")):
                return f"{dynamic_access.computed_name_message(qualified)}: the code it reaches is not part of the key"
        return None

    def _constant_lookups(self, info: FunctionInfo) -> Set[int]:
        """The ``vars(x)`` calls of ``info`` indexed by a literal name (``vars(x)["a"]``)."""
        cache: Dict[int, Set[int]] = self.__dict__.setdefault("_lookups", {})
        found = cache.get(id(info))
        if found is None:
            found = cache[id(info)] = {
                id(node.value) for stmt in info.node.body for node in ast.walk(stmt)
                if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name) and node.value.func.id == "vars"
                and literal_string(node.slice)}  # (3.9+: the index itself)
        return found


def _constant_start(node: ast.expr) -> Optional[str]:
    """The constant text a computed string starts with (see ``normalize.shapes.constant_start``)."""
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        first = node.values[0].value
        return first if isinstance(first, str) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)) and isinstance(node.left, ast.Constant) \
            and isinstance(node.left.value, str):
        return node.left.value.split("%", 1)[0] if isinstance(node.op, ast.Mod) else node.left.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format" \
            and isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str):
        return node.func.value.value.split("{", 1)[0]
    return None
