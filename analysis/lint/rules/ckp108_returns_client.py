"""CKP108 returns-client."""

from __future__ import annotations

import ast
from typing import Dict, Iterator, Optional

from ...callgraph import Span
from .. import knowledge
from .base import Example, Hit, Rule, RuleContext
from .ckp107_side_effect_only import own_nodes


class ReturnsClient(Rule):
    code = "CKP108"
    name = "returns-client"
    summary = "a checkpointed function returns a client, connection or open handle"
    rationale = (
        "What a checkpointed function returns is pickled into the store and handed back on a hit. A cloud or "
        "HTTP client, a database connection, an open file or a lock belongs to the process that made it: most "
        "cannot be pickled (the result is then never stored, and every call recomputes), and those that can "
        "carry their credentials into the store and come back without a live connection."
    )
    fix = ("Return the data the client fetched, and make the client outside the checkpointed function (or inside "
           "the function that uses it).")
    examples = (
        Example("A client returned", {
            "main.py": "import boto3\nimport sqlite3\nfrom checkpointing import checkpoint\n\n\n@checkpoint\n"
                       "def connect(region):\n    return boto3.client('s3', region_name=region)\n\n\n@checkpoint\n"
                       "def database(path):\n    connection = sqlite3.connect(path)\n    return connection\n",
        }, (("main.py", 8), ("main.py", 14))),
        Example("The data it fetched", {
            "main.py": "import sqlite3\nfrom checkpointing import checkpoint\n\n\n@checkpoint\ndef rows(path):\n"
                       "    connection = sqlite3.connect(path)\n    return connection.execute('select 1').fetchall()\n",
        }),
    )

    def check(self, context: RuleContext) -> Iterator[Hit]:
        info = context.function
        made: Dict[str, str] = {}  # local name -> the client call it was assigned from
        for node in own_nodes(info):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                name = self._client(context, node.value)
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        if name is not None:
                            made[target.id] = name
                        else:
                            made.pop(target.id, None)
            elif isinstance(node, ast.Return) and node.value is not None:
                value = node.value
                found = self._client(context, value) if isinstance(value, ast.Call) else (
                    made.get(value.id) if isinstance(value, ast.Name) else None)
                if found is not None:
                    yield Hit(Span.of(node), f"returns `{found}(...)`, a client or handle tied to this process: it "
                                             f"cannot be stored, or is stored with its credentials")

    @staticmethod
    def _client(context: RuleContext, call: ast.Call) -> Optional[str]:
        name = context.dotted_target(context.function, call.func)
        if name is None or knowledge.clients.category(name) is None:
            return None
        return name.replace("builtins.", "")
