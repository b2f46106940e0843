"""CKP102 argument-mutation."""

from __future__ import annotations

import ast
from typing import Dict, Iterator, Optional

from ...callgraph import Span
from ._common import keyword
from .base import Example, Hit, Rule, RuleContext

MUTATING_METHODS = frozenset({"append", "extend", "insert", "pop", "remove", "clear", "update", "setdefault",
                              "sort", "reverse", "add", "discard", "fill", "resize", "popitem"})


def _root_name(node: ast.AST) -> Optional[str]:
    """``x`` for ``x``, ``x.a``, ``x[0]``, ``x.a[1].b``."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


class ArgumentMutation(Rule):
    code = "CKP102"
    name = "argument-mutation"
    summary = "a checkpointed function mutates one of its arguments"
    rationale = (
        "A cached result restores the return value, not side effects: when the function changes an "
        "argument in place (`xs.append(...)`, `df.drop(..., inplace=True)`, `cfg['k'] = v`), a run served "
        "from the cache leaves the argument unchanged, and the caller sees different data than on the first "
        "run. The key is also computed before the call, from the argument as it was."
    )
    fix = "Work on a copy (`xs = list(xs)`, `df = df.copy()`) and return what you changed."
    examples = (
        Example("Appending to a list argument", {
            "main.py": "from checkpointing import checkpoint\n\n\n@checkpoint\ndef pad(xs):\n    xs.append(0)\n"
                       "    return len(xs)\n",
        }, (("main.py", 6),)),
        Example("Item assignment and pandas inplace", {
            "main.py": "from checkpointing import checkpoint\n\n\n@checkpoint\ndef prepare(config, df):\n"
                       "    config['seen'] = True\n    df.dropna(inplace=True)\n    return len(df)\n",
        }, (("main.py", 6), ("main.py", 7))),
        Example("A copy made first is not the argument", {
            "main.py": "from checkpointing import checkpoint\n\n\n@checkpoint\ndef pad(xs):\n    xs = list(xs)\n"
                       "    xs.append(0)\n    return xs\n",
        }),
    )

    def check(self, context: RuleContext) -> Iterator[Hit]:
        info = context.function
        params = set(info.params)
        # a parameter rebound (``xs = list(xs)``) is no longer the argument after that line
        rebound: Dict[str, int] = {}
        for node in self.walk_own(info):
            targets = node.targets if isinstance(node, ast.Assign) else (
                [node.target] if isinstance(node, (ast.AnnAssign, ast.For, ast.NamedExpr)) else [])
            for target in targets:
                for n in ast.walk(target):
                    if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store) and n.id in params:
                        line = getattr(node, "lineno", n.lineno)  # the statement's line
                        rebound[n.id] = min(rebound.get(n.id, line), line)

        def is_argument(name: Optional[str], line: int) -> bool:
            return name is not None and name in params and line <= rebound.get(name, 1 << 30)

        for node in self.walk_own(info):
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
                targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
                for target in targets:
                    for item in (target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]):
                        if isinstance(item, (ast.Attribute, ast.Subscript)):
                            name = _root_name(item)
                            if is_argument(name, node.lineno):
                                verb = "deletes" if isinstance(node, ast.Delete) else "assigns to"
                                part = "an item" if isinstance(item, ast.Subscript) else f"attribute `{item.attr}`"
                                yield Hit(Span.of(node), f"{verb} {part} of argument `{name}`: a cached result does "
                                                         f"not repeat the change")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                name = _root_name(node.func.value)
                if not is_argument(name, node.lineno):
                    continue
                inplace = keyword(node, "inplace")
                if node.func.attr in MUTATING_METHODS:
                    yield Hit(Span.of(node), f"`{name}.{node.func.attr}(...)` changes argument `{name}` in place: a "
                                             f"cached result does not repeat the change")
                elif inplace is not None and not (isinstance(inplace.value, ast.Constant)
                                                  and inplace.value.value is False):
                    yield Hit(Span.of(node), f"`{node.func.attr}(..., inplace=True)` changes argument `{name}` in "
                                             f"place: a cached result does not repeat the change")
