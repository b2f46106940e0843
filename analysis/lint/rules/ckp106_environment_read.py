"""CKP106 environment-read."""

from __future__ import annotations

import ast
from typing import List, Optional, Tuple

from ...callgraph import FunctionInfo, Span
from .. import knowledge
from .base import Example, FunctionRule, Hit, RuleContext


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


def _environmental(context: RuleContext, info: FunctionInfo, chain: Tuple[str, ...]) -> bool:
    name = context.chain_target(info, chain)
    return name is not None and (name.startswith("os.environ") or knowledge.inputs().category(name) == "environment")


class EnvironmentRead(FunctionRule):
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

    skips_own = True

    def check_function(self, context: RuleContext, info: FunctionInfo,
                       calls: Optional[List[ast.Call]] = None) -> List[Hit]:
        hits: List[Hit] = []
        if not any(_environmental(context, info, ref.chain) for ref in info.references):
            return hits  # (what it would report is a name of the module's, or under it: a reference)
        for node in self.walk_own(info):
            what = _read(context, info, node)
            if what is not None and isinstance(node, ast.expr):
                hits.append(Hit(Span.of(node), f"{what} reads the environment, which the key of a shallow "
                                               f"checkpointed function covers only in its own body", info))
        return hits
