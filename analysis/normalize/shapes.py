"""Shapes of nodes the passes look for, as plain ``isinstance`` checks.

(libcst's ``matchers`` module would say the same in fewer characters, but importing it costs
about 150 ms, paid by the first call of every process whose analysis cache is cold.)
"""

from __future__ import annotations

from typing import Optional, Tuple, Type, Union

import libcst as cst

from ..scopes import child_nodes

NodeTypes = Union[Type[cst.CSTNode], Tuple[Type[cst.CSTNode], ...]]


def single_small(stmt: cst.CSTNode) -> Optional[cst.BaseSmallStatement]:
    """The one small statement of a line holding exactly one (``x = 1``, not ``a; b``), else None."""
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
        return stmt.body[0]
    return None


def is_line_of(stmt: cst.CSTNode, types: NodeTypes) -> bool:
    """A line holding exactly one small statement, of one of ``types``."""
    return isinstance(single_small(stmt), types)


def is_bare_return(stmt: cst.CSTNode) -> bool:
    """A line holding exactly ``return`` (no value)."""
    small = single_small(stmt)
    return isinstance(small, cst.Return) and small.value is None


def is_expression_line(stmt: cst.CSTNode, types: NodeTypes) -> bool:
    """A line holding exactly one expression statement whose expression is one of ``types``."""
    small = single_small(stmt)
    return isinstance(small, cst.Expr) and isinstance(small.value, types)


def contains(node: cst.CSTNode, types: NodeTypes) -> bool:
    """Is ``node``, or any node inside it, one of ``types``?"""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, types):
            return True
        stack.extend(child_nodes(current))
    return False


def constant_start(node: cst.BaseExpression) -> Optional[str]:
    """The constant text a string computed at run time starts with: ``f"plugins.{name}"``,
    ``"plugins." + name``, ``"plugins.%s" % name``, ``"plugins.{}".format(name)`` start with
    ``"plugins."``; None for any other expression."""
    if isinstance(node, cst.FormattedString) and node.prefix.lower() == "f" and node.parts \
            and isinstance(node.parts[0], cst.FormattedStringText):
        text = node.parts[0].value
        return None if "{" in text or "}" in text or "\\" in text else text
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Add, cst.Modulo)) \
            and isinstance(node.left, (cst.SimpleString, cst.ConcatenatedString)):
        start = node.left.evaluated_value
        if not isinstance(start, str):
            return None
        return start.split("%", 1)[0] if isinstance(node.operator, cst.Modulo) else start
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "format" \
            and isinstance(node.func.value, (cst.SimpleString, cst.ConcatenatedString)):
        start = node.func.value.evaluated_value
        return start.split("{", 1)[0] if isinstance(start, str) else None
    return None
