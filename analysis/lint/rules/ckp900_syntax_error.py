"""CKP900 syntax-error."""

from __future__ import annotations

from typing import Iterator

from .base import Example, Hit, Rule, RuleContext


class SyntaxErrorRule(Rule):
    code = "CKP900"
    name = "syntax-error"
    summary = "a file that may define or reach checkpointed functions does not parse"
    rationale = (
        "A file that does not parse cannot be checked, and nothing it defines is known to the call graph. "
        "It is reported at the error's position; every other file is still checked. It is a syntax error for "
        "the Python the project targets (the lowest `requires-python` allows, else the newest). Files are parsed "
        "where a checkpointed function may be: a folder of code where some file mentions `checkpointing` (or a "
        "configured decorator's package) or imports one that does, what those import, and files named on the command "
        "line; other folders are only read."
    )
    fix = "Fix the syntax error (run `python -m py_compile FILE` for Python's own message)."
    examples = (
        Example("An unmatched parenthesis", {
            "main.py": "from checkpointing import checkpoint\n\n\n@checkpoint\ndef f(x):\n    return x)\n",
        }, (("main.py", 6),)),
        Example("A `match` statement in a project for Python 3.9", {
            "pyproject.toml": "[project]\nname = \"old\"\nrequires-python = \">=3.9\"\n",
            "main.py": "from checkpointing import checkpoint\n\n\n@checkpoint\ndef f(x):\n    match x:\n"
                       "        case 1:\n            return 'one'\n    return 'other'\n",
        }, (("main.py", 6),)),
    )

    def check(self, context: RuleContext) -> Iterator[Hit]:
        return iter(())  # reported by the engine, which parses the files
