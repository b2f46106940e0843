"""Small helpers the rules share."""

from __future__ import annotations

import ast
import os
from typing import Optional

from .base import RuleContext


def where_defined(context: RuleContext, node: str) -> str:
    path, span = context.graph.definition(node)
    shown = os.path.relpath(path) if not os.path.relpath(path).startswith("..") else path
    return f"{shown}:{span.line}"


def literal_string(node: Optional[ast.AST]) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def keyword(call: ast.Call, name: str) -> Optional[ast.keyword]:
    for kw in call.keywords:
        if kw.arg == name:
            return kw
    return None


def has_star_kwargs(call: ast.Call) -> bool:
    return any(kw.arg is None for kw in call.keywords)


def open_mode(call: ast.Call) -> str:
    """The mode an ``open``-like call is given as a literal (second argument or ``mode=``); "" if none."""
    mode = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "mode"), None)
    return mode.value if isinstance(mode, ast.Constant) and isinstance(mode.value, str) else ""
