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
