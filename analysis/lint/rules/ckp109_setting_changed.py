"""CKP109 setting-changed."""

from __future__ import annotations

import ast
from typing import Iterable, List, Optional, Set

from ...callgraph import FunctionInfo, Span
from ...settings import CHANGERS
from .base import CallRule, Example, Hit, RuleContext

#: attributes assigned to change a setting: ``decimal.getcontext().prec = 5``, ``pd.options.x.y = 1``
_ASSIGNED_ROOTS = ("pandas.options", "decimal.getcontext")


class SettingChanged(CallRule):
    code = "CKP109"
    name = "setting-changed"
    summary = "a checkpointed function (or code it reaches) changes a library-wide setting"
    rationale = (
        "numpy's print options and error handling, scikit-learn's configuration, pandas' options, the decimal "
        "context, the warnings filters, the locale and torch's defaults are kept for the whole process. On a hit "
        "the checkpointed function does not run, so a setting it changes keeps its old value for the rest of the "
        "program: the code after it behaves differently on a cached run. (A setting changed outside checkpointed "
        "functions is part of their keys when they reach the library; see docs/deep-mode.md.)"
    )
    fix = ("Change the setting outside the checkpointed function (at the top of the script), or only for the "
           "code that needs it: `with np.printoptions(...)`, `with sklearn.config_context(...)`, "
           "`with pd.option_context(...)`, `with decimal.localcontext() as c:`.")
    examples = (
        Example("Settings changed by a computation", {
            "main.py": "import numpy as np\nimport sklearn\nfrom checkpointing import checkpoint\n\n\n"
                       "def quiet():\n    np.seterr(all='ignore')\n\n\n@checkpoint\ndef fit(x):\n"
                       "    sklearn.set_config(assume_finite=True)\n    quiet()\n    return x.mean()\n",
        }, (("main.py", 7), ("main.py", 12))),
        Example("Set for the program, or for a block", {
            "main.py": "import numpy as np\nimport sklearn\nfrom checkpointing import checkpoint\n\n"
                       "sklearn.set_config(assume_finite=True)\n\n\n@checkpoint\ndef fit(x):\n"
                       "    with np.errstate(all='ignore'):\n        return x.mean()\n",
        }),
    )

    def problem(self, context: RuleContext, info: FunctionInfo, call: ast.Call) -> Optional[str]:
        name = context.dotted_target(info, call.func)
        if name in CHANGERS:
            return (f"`{name}(...)` changes a setting for the whole process, which a hit does not do: the rest of the "
                    f"program then runs with the old value")
        return None

    def check_function(self, context: RuleContext, info: FunctionInfo,
                       calls: Optional[List[ast.Call]] = None) -> List[Hit]:
        scoped = _scoped_calls(context, info, self.walk_own(info))
        hits = [hit for hit in super().check_function(context, info, calls) if hit.span not in scoped]
        for node in self.walk_own(info):
            if isinstance(node, (ast.Assign, ast.AugAssign)):
                for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    root = _assigned_setting(context, info, target)
                    if root is not None:
                        hits.append(Hit(Span.of(target), f"assigning to `{root}...` changes a setting for the whole "
                                                         f"process, which a hit does not do", info))
        return hits


def _scoped_calls(context: RuleContext, info: FunctionInfo, nodes: Iterable[ast.AST]) -> Set[Span]:
    """The calls inside ``with warnings.catch_warnings():``, which restores the filters they change."""
    found: Set[Span] = set()
    for node in nodes:
        if isinstance(node, (ast.With, ast.AsyncWith)) and any(
                isinstance(item.context_expr, ast.Call)
                and context.dotted_target(info, item.context_expr.func) == "warnings.catch_warnings"
                for item in node.items):
            found.update(Span.of(inner) for statement in node.body for inner in ast.walk(statement)
                         if isinstance(inner, ast.Call))
    return found


def _assigned_setting(context: RuleContext, info: FunctionInfo, target: ast.expr) -> Optional[str]:
    """``pd.options.display.precision`` or ``decimal.getcontext().prec`` assigned: the setting's root."""
    if not isinstance(target, ast.Attribute):
        return None
    node: ast.expr = target.value
    while isinstance(node, ast.Attribute):
        name = context.dotted_target(info, node)
        if name in _ASSIGNED_ROOTS:
            return name
        node = node.value
    if isinstance(node, ast.Call):
        name = context.dotted_target(info, node.func)
        if name in _ASSIGNED_ROOTS:
            return name + "()"
    return None
