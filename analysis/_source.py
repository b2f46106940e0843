"""The one place that parses Python source into libcst trees."""

from __future__ import annotations

import textwrap
from typing import Tuple

import libcst as cst


def parse_function(source: str) -> Tuple[cst.Module, cst.FunctionDef]:
    """Parse the source of a single (possibly indented) ``def`` into a module and its FunctionDef.

    Raises ``ValueError`` when the text is not exactly one function definition (a lambda, a
    class, or a fragment that does not parse), so callers can fall back to another identity.
    """
    text = textwrap.dedent(source)
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        raise ValueError(f"source does not parse: {exc}") from exc
    defs = [s for s in module.body if isinstance(s, cst.FunctionDef)]
    if len(module.body) != 1 or len(defs) != 1:
        raise ValueError("source is not a single function definition")
    return module, defs[0]
