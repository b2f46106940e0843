"""CKP106 environment-read."""

from __future__ import annotations

import ast
from typing import Iterator, Optional

from ...callgraph import FunctionInfo, Span
from .. import knowledge
from .base import Example, Hit, Rule, RuleContext


def _read(context: RuleContext, info: FunctionInfo, node: ast.AST) -> Optional[str]:
    """What a node reads from the environment, said for a finding; None if it reads nothing."""
    if isinstance(node, ast.Call):
        name = context.dotted_target(info, node.func)
        if name is not None and knowledge.inputs().category(name) == "environment":
            return f"`{name}(...)`"
    elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
        if context.qualified(info, node.value) == "os.environ":
            return "`os.environ[...]`"
    return None


class EnvironmentRead(Rule):
    code = "CKP106"
    name = "environment-read"
    summary = "a helper of a shallow checkpointed function reads an environment variable"
    rationale = (
        "The key covers the environment variables a checkpointed function reads itself (`os.environ['X']`, "
        "`os.getenv('X')`: by value, in both modes) and, in deep mode, those read by every function of yours it "
        "reaches. In the default shallow mode a helper's reads are not part of the key: when the variable "
        "changes, the cache still serves the result computed with its old value."
    )
    fix = "Pass the value as an argument, read it in the checkpointed function itself, or use `deep=True`."
    modes = ("shallow",)
    scope = "reachable"
    examples = (
        Example("A helper reads a variable", {
            "main.py": "import os\n\nfrom checkpointing import checkpoint\n\n\ndef scale():\n"
                       "    return float(os.environ.get('SCALE', '1'))\n\n\ndef offset():\n"
                       "    return int(os.environ['OFFSET'])\n\n\n@checkpoint\ndef run(x):\n"
                       "    return x * scale() + offset()\n",
        }, (("main.py", 7), ("main.py", 11))),
        Example("Read by the function itself, or in deep mode", {
            "main.py": "import os\n\nfrom checkpointing import checkpoint\n\n\ndef scale():\n"
                       "    return float(os.getenv('SCALE', '1'))\n\n\n@checkpoint\ndef run(x):\n"
                       "    return x * float(os.environ['SCALE'])\n\n\n@checkpoint(deep=True)\n"
                       "def run_deep(x):\n    return x * scale()\n",
        }),
    )

    def check(self, context: RuleContext) -> Iterator[Hit]:
        for info in context.reachable:
            if info is context.function:
                continue
            for node in self.walk_own(info):
                what = _read(context, info, node)
                if what is not None and isinstance(node, ast.expr):
                    yield Hit(Span.of(node), f"{what} reads the environment, which the key of a shallow "
                                             f"checkpointed function covers only in its own body", info)
