"""CKP002 untracked-method-call."""

from __future__ import annotations

import ast
from typing import Dict, Iterator

from ...callgraph import FunctionInfo
from ...callgraph.graph import COMMON_METHODS
from ._common import where_defined
from .base import Example, Hit, Rule, RuleContext


def rebound_at(info: FunctionInfo) -> Dict[str, int]:
    """Parameters rebound by a statement of the function's own top-level body (so on every path
    through it): the line of the first such statement. Calls below it are not on the argument."""
    params = set(info.params)
    found: Dict[str, int] = {}
    for stmt in info.node.body:
        targets = []
        if isinstance(stmt, ast.Assign):
            targets = [n for t in stmt.targets for n in ast.walk(t)]
        elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)) and (stmt.value is not None):
            targets = [stmt.target]
        for node in targets:
            if isinstance(node, ast.Name) and node.id in params and node.id not in found:
                found[node.id] = stmt.lineno
    return found


class UntrackedMethodCall(Rule):
    code = "CKP002"
    name = "untracked-method-call"
    summary = "a shallow-mode checkpointed function calls a user-defined method on a parameter"
    modes = ("shallow",)
    rationale = (
        "An argument object is hashed by its data, not by its class's code. When the function calls a "
        "method you wrote on it (`scaler.transform(x)`), editing that method does not change the key in "
        "shallow mode, and the cache serves results of the old method."
    )
    fix = "Use `@checkpoint(deep=True)`: it resolves the method on the argument's runtime type and keys its code."
    examples = (
        Example("An unannotated parameter, and a method some user class defines", {
            "main.py": "from checkpointing import checkpoint\n\n\nclass Scaler:\n    def transform(self, x):\n"
                       "        return x * 2\n\n\n@checkpoint\ndef run(scaler, x):\n"
                       "    return scaler.transform(x)\n",
        }, (("main.py", 11),)),
        Example("An annotated parameter", {
            "main.py": "from checkpointing import checkpoint\nfrom model import Model\n\n\n@checkpoint\n"
                       "def run(m: Model, x):\n    return m.predict(x)\n",
            "model.py": "class Model:\n    def predict(self, x):\n        return x\n",
        }, (("main.py", 7),)),
        Example("A parameter rebound before the call", {
            "main.py": "from checkpointing import checkpoint\nfrom model import load\n\n\n@checkpoint\n"
                       "def run(model, x):\n    model = load(model)\n    return model.predict(x)\n",
            "model.py": "class Model:\n    def predict(self, x):\n        return x\n\n\n"
                        "def load(name):\n    return Model()\n",
        }),
        Example("Methods of builtin and library types are not reported", {
            "main.py": "from checkpointing import checkpoint\n\n\nclass Scaler:\n    def transform(self, x):\n"
                       "        return x\n\n\n@checkpoint\ndef run(xs, frame):\n    xs.append(1)\n"
                       "    return frame.describe()\n",
        }),
    )

    def check(self, context: RuleContext) -> Iterator[Hit]:
        info = context.function
        graph = context.graph
        rebound = rebound_at(info)
        seen = set()  # one finding per (argument, method), at its first call
        for call in info.method_calls:
            if call.receiver not in info.params or call.receiver == "cls" or (call.receiver, call.method) in seen:
                continue
            if rebound.get(call.receiver, call.span.line) < call.span.line:
                continue  # `model = load(); model.predict(x)`: not the argument any more
            seen.add((call.receiver, call.method))
            annotation = info.params[call.receiver]
            if annotation is not None:
                cls = graph.resolve_class(info.module, annotation)
                if cls is None:
                    continue
                found = graph.find_method(cls, call.method)
                where = f"`{cls.name}.{call.method}`" + (f" ({where_defined(context, found)})" if found else "")
            else:
                candidates = graph.methods_named(call.method) if call.method not in COMMON_METHODS else []
                if not candidates:
                    continue
                shown = ", ".join(f"`{c.split(':', 1)[1]}` ({where_defined(context, c)})" for c in candidates[:3])
                more = f" and {len(candidates) - 3} more" if len(candidates) > 3 else ""
                where = f"user-defined {shown}{more}"
            yield Hit(call.span, f"calls method `{call.method}` on argument `{call.receiver}` ({where}): shallow mode "
                                 f"does not track its code, so editing it will not invalidate cached results of "
                                 f"`{info.qualname}`")
