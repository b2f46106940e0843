"""CKP900 syntax-error."""

from __future__ import annotations

from typing import Iterator

from .base import Example, Hit, Rule, RuleContext


class SyntaxErrorRule(Rule):
    code = "CKP900"
    name = "syntax-error"
    summary = "a file does not parse"
    rationale = (
        "A file that does not parse cannot be checked, and nothing it defines is known to the call graph. "
        "It is reported at the error's position; every other file is still checked."
    )
    fix = "Fix the syntax error (run `python -m py_compile FILE` for Python's own message)."
    examples = (
        Example("An unmatched parenthesis", {"main.py": "def f(x):\n    return x)\n"}, (("main.py", 2),)),
    )

    def check(self, context: RuleContext) -> Iterator[Hit]:
        return iter(())  # reported by the engine, which parses the files
