"""CKP101 global-statement."""

from __future__ import annotations

import ast
from typing import Iterator, List, Tuple

from ...callgraph import Span
from .base import Example, Hit, Rule, RuleContext


class GlobalStatement(Rule):
    code = "CKP101"
    name = "global-statement"
    summary = "a checkpointed function has a `global` or `nonlocal` statement"
    rationale = (
        "A `global` or `nonlocal` statement changes a variable outside the function. A cached result "
        "cannot replay that change, so a run served from the cache would leave the variable unchanged. "
        "checkpointing refuses such functions at run time (GlobalStatementError, NonlocalStatementError)."
    )
    fix = "Return the value and assign it at the call site, or remove @checkpoint from this function."
    examples = (
        Example("A counter in a global", {
            "main.py": "from checkpointing import checkpoint\n\nCALLS = 0\n\n\n@checkpoint\ndef square(x):\n"
                       "    global CALLS\n    CALLS += 1\n    return x * x\n",
        }, (("main.py", 8),)),
        Example("Reading a global needs no statement", {
            "main.py": "from checkpointing import checkpoint\n\nSCALE = 2\n\n\n@checkpoint\ndef scale(x):\n"
                       "    return x * SCALE\n",
        }),
    )

    def check(self, context: RuleContext) -> Iterator[Hit]:
        info = context.function
        stack: List[Tuple[ast.AST, bool]] = [(stmt, False) for stmt in info.node.body]
        while stack:
            node, nested = stack.pop()
            if isinstance(node, ast.Global):
                names = ", ".join(node.names)
                yield Hit(Span.of(node), f"`global {names}` in checkpointed `{info.qualname}`: a cached result cannot "
                                         f"reproduce the change to a variable outside the function")
            elif isinstance(node, ast.Nonlocal) and not nested:
                # in a nested function, nonlocal names this function's own variables: harmless
                names = ", ".join(node.names)
                yield Hit(Span.of(node), f"`nonlocal {names}` in checkpointed `{info.qualname}`: a cached result "
                                         f"cannot reproduce the change to a variable outside the function")
            inner = nested or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef))
            stack.extend((child, inner) for child in ast.iter_child_nodes(node))
