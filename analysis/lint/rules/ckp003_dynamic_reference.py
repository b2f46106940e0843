"""CKP003 dynamic-reference."""

from __future__ import annotations

import ast
from typing import Optional

from ...callgraph import FunctionInfo
from ._common import literal_string
from .base import CallRule, Example, RuleContext

_NAME_ARGUMENT = {"builtins.getattr": 1, "builtins.setattr": 1, "builtins.delattr": 1,
                  "importlib.import_module": 0, "builtins.__import__": 0}
_ALWAYS = {"builtins.eval": "`eval`", "builtins.exec": "`exec`", "builtins.globals": "`globals()`",
           "builtins.locals": "`locals()`", "builtins.vars": "`vars()`"}


class DynamicReference(CallRule):
    code = "CKP003"
    name = "dynamic-reference"
    summary = "code reached by a checkpointed function looks names up at run time"
    rationale = (
        "`getattr` with a computed name, `eval`, `exec`, `globals()`/`locals()`/`vars()` lookups and "
        "imports of computed module names choose the code to run while the program runs. Neither mode can "
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
        name = context.qualified(info, call.func)
        if name is None:
            return None
        if name in _ALWAYS:
            return f"{_ALWAYS[name]} looks names up at run time: the code it reaches is not part of the key"
        if name in _NAME_ARGUMENT:
            position = _NAME_ARGUMENT[name]
            arg = call.args[position] if len(call.args) > position else None
            if arg is None or isinstance(arg, ast.Starred):
                kw = next((k for k in call.keywords if k.arg in ("name", "object")), None)
                arg = kw.value if kw is not None else arg
            if not literal_string(arg):
                return f"`{name.rsplit('.', 1)[1]}` with a computed name: the code it reaches is not part of the key"
        return None
